// The little JSON the programs write themselves (udp_ping --json, web_proxy's status, mail_server's
// API): strings escaped per RFC 8259 7, so any bytes make a valid document.
#pragma once

#include <string>
#include <string_view>

namespace net {

// Appends `text` as a JSON string, quotes included. '"', '\\' and control characters are escaped
// (\n, \t... and \u00XX); bytes that are not well-formed UTF-8 become U+FFFD, so the result is
// always valid JSON and valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

// The same, returned.
std::string json_string(std::string_view text);

}  // namespace net
