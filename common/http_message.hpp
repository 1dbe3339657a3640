// The whole HTTP/1.1 message layer in one include: header fields, request and response heads,
// chunked bodies, status texts and the connection reuse rule. Code that uses one piece includes
// that piece's header instead.
#pragma once

#include "http_chunked.hpp"
#include "http_fields.hpp"
#include "http_head.hpp"
#include "http_request.hpp"
#include "http_response.hpp"
#include "http_reuse.hpp"
#include "http_status.hpp"
