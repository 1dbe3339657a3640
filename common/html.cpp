// Escaping and error pages.
#include "common/html.hpp"

#include "common/http_status.hpp"

namespace net {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string html_error_page(int status, std::string_view detail, std::string_view signature) {
    const std::string title =
        std::to_string(status) + " " + std::string(http::reason_phrase(status));
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head>\n<body><h1>" + title + "</h1>\n<p>" + html_escape(detail) +
           "</p>\n<hr><address>" + html_escape(signature) + "</address></body></html>\n";
}

}  // namespace net
