// web_server's signature and error pages.
#include "response.hpp"

#include <string>

#include "version.hpp"

namespace web {

std::string_view server_name() {
    static const std::string name = std::string("web_server/") + net::kVersion;
    return name;
}

Response error_response(int status, bool close) {
    return net::http::error_response(
        status, server_name(), close,
        status == 405 ? "This server only serves files: GET and HEAD." : std::string_view{});
}

}  // namespace web
