// Response: what the handler decided (common/'s ServerResponse), with web_server's signature
// on its heads and error pages.
#pragma once

#include <string_view>

#include "common/http_server_response.hpp"

namespace web {

using Response = net::http::ServerResponse;

// A short HTML error page for `status` ("404 Not Found" and a sentence).
Response error_response(int status, bool close = false);

// The server's name and version for the Server field: "web_server/0.1.0".
std::string_view server_name();

}  // namespace web
