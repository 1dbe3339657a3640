// Response heads and error pages.
#include "response.hpp"

#include "common/html.hpp"
#include "common/http_status.hpp"

#include "version.hpp"

namespace web {

std::string_view server_name() {
    static const std::string name = std::string("web_server/") + net::kVersion;
    return name;
}

std::string serialize_head(const Response& response, const net::http::Version& version,
                           bool keep_alive, std::string_view date) {
    std::string head;
    head.reserve(256);
    head.append(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        .append(std::to_string(response.status))
        .append(" ")
        .append(net::http::reason_phrase(response.status))
        .append("\r\nDate: ")
        .append(date)
        .append("\r\nServer: ")
        .append(server_name())
        .append("\r\n");
    for (const auto& [name, value] : response.headers) {
        head.append(name).append(": ").append(value).append("\r\n");
    }
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless) {
        head.append("Content-Length: ")
            .append(std::to_string(response.content_length()))
            .append("\r\n");
    }
    if (!keep_alive || response.close) {
        head.append("Connection: close\r\n");
    } else if (version.minor == 0) {
        head.append("Connection: keep-alive\r\n");
    }
    head.append("\r\n");
    return head;
}

Response error_response(int status, bool close) {
    Response response;
    response.status = status;
    response.close = close;
    std::string_view detail;
    switch (status) {
        case 400:
            detail = "The request could not be understood.";
            break;
        case 403:
            detail = "You do not have permission to see this.";
            break;
        case 404:
            detail = "Nothing is here.";
            break;
        case 405:
            detail = "This server only serves files: GET and HEAD.";
            break;
        case 408:
            detail = "The request took too long to arrive.";
            break;
        case 413:
            detail = "The request body is too large.";
            break;
        case 414:
            detail = "The request target is too long.";
            break;
        case 416:
            detail = "The requested range is outside the file.";
            break;
        case 431:
            detail = "The request's header fields are too large.";
            break;
        case 501:
            detail = "The server does not support this request's transfer coding.";
            break;
        case 503:
            detail = "The server is overloaded; try again shortly.";
            break;
        case 505:
            detail = "The server speaks HTTP/1.0 and HTTP/1.1.";
            break;
        default:
            detail = "The server could not complete the request.";
            break;
    }
    response.body = net::html_error_page(status, detail, server_name());
    response.add("Content-Type", "text/html; charset=utf-8");
    return response;
}

}  // namespace web
