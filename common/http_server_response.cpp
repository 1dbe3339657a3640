// Response heads and error pages.
#include "http_server_response.hpp"

#include "html.hpp"
#include "http_status.hpp"

namespace net::http {
namespace {

std::string_view standard_detail(int status) {
    switch (status) {
        case 400:
            return "The request could not be understood.";
        case 403:
            return "You do not have permission to see this.";
        case 404:
            return "Nothing is here.";
        case 405:
            return "This resource answers GET and HEAD only.";
        case 408:
            return "The request took too long to arrive.";
        case 413:
            return "The request body is too large.";
        case 414:
            return "The request target is too long.";
        case 416:
            return "The requested range is outside the file.";
        case 431:
            return "The request's header fields are too large.";
        case 501:
            return "The server does not support this request's transfer coding.";
        case 503:
            return "The server is overloaded; try again shortly.";
        case 505:
            return "The server speaks HTTP/1.0 and HTTP/1.1.";
        default:
            return "The server could not complete the request.";
    }
}

}  // namespace

std::string serialize_head(const ServerResponse& response, const Version& version, bool keep_alive,
                           std::string_view date, std::string_view server) {
    std::string head;
    head.reserve(256);
    head.append(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        .append(std::to_string(response.status))
        .append(" ")
        .append(reason_phrase(response.status))
        .append("\r\nDate: ")
        .append(date)
        .append("\r\nServer: ")
        .append(server)
        .append("\r\n");
    for (const auto& [name, value] : response.headers) {
        head.append(name).append(": ").append(value).append("\r\n");
    }
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless && !response.stream) {
        head.append("Content-Length: ")
            .append(std::to_string(response.content_length()))
            .append("\r\n");
    }
    if (!keep_alive || response.close || response.stream) {
        head.append("Connection: close\r\n");
    } else if (version.minor == 0) {
        head.append("Connection: keep-alive\r\n");
    }
    head.append("\r\n");
    return head;
}

ServerResponse error_response(int status, std::string_view server, bool close,
                              std::string_view detail) {
    ServerResponse response;
    response.status = status;
    response.close = close;
    response.body =
        html_error_page(status, detail.empty() ? standard_detail(status) : detail, server);
    response.add("Content-Type", "text/html; charset=utf-8");
    return response;
}

}  // namespace net::http
