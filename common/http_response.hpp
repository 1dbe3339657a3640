// HTTP/1.1 response heads (RFC 9112 4, 6.3) as an upstream server sends them: what web_proxy
// reads, and what a cache will store. A pure parser, bytes in, a response or an error out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http_fields.hpp"
#include "http_head.hpp"

namespace net::http {

struct Response {
    Version version;
    int status = 0;      // 100..599
    std::string reason;  // may be empty
    Headers headers;
    BodyKind body = BodyKind::kNone;
    std::uint64_t content_length = 0;  // with BodyKind::kLength
    // Whether the server lets the connection be reused after this response (see http_reuse.hpp).
    bool keep_alive = true;
};

// Parses one response head from the start of `bytes`, and decides how its body is delimited
// (RFC 9112 6.3) given the method of the request it answers: none after HEAD, for 1xx, 204 and
// 304, and for a 2xx to CONNECT; chunked when Transfer-Encoding ends in chunked (it overrides a
// Content-Length, and the connection closes after); until close for any other
// Transfer-Encoding or when neither field is there. Same line rules and limits as requests
// (max_request_line bounds the status line). Every error is the server's fault, with
// Status::kBadGateway: a proxy answers 502.
HeadResult<Response> parse_response_head(std::string_view bytes, std::string_view request_method,
                                         const Limits& limits = {});

}  // namespace net::http
