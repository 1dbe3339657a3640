// The little HTML the web programs write themselves: escaped text, and the error page that
// web_server and web_proxy both send with a 4xx or 5xx status.
#pragma once

#include <string>
#include <string_view>

namespace net {

// Escapes text for HTML content and attribute values: & < > " '
std::string html_escape(std::string_view text);

// A short page: "<status> <reason phrase>" as title and heading, `detail` (escaped) as its
// sentence, `signature` ("web_server/0.1.0") at the foot.
std::string html_error_page(int status, std::string_view detail, std::string_view signature);

}  // namespace net
