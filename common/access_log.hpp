// Access log lines in the Combined Log Format, as goaccess and friends read them:
// 127.0.0.1 - - [25/Nov/2026:04:14:38 +0000] "GET / HTTP/1.1" 200 1234 "referer" "user-agent"
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace web {

struct AccessRecord {
    std::string client;  // "127.0.0.1" or "::1"
    std::time_t when = 0;
    std::string request_line;  // "GET / HTTP/1.1" as received (or "-" when none was parsed)
    int status = 0;
    std::uint64_t body_bytes = 0;  // body bytes sent; 0 prints as "-" (Apache's %b)
    std::optional<std::string> referer;
    std::optional<std::string> user_agent;
};

// One line, newline included. Quotes, backslashes and control bytes inside the quoted fields are
// escaped (\" \\ \xHH) so a client cannot forge log lines.
std::string format_access_log_line(const AccessRecord& record);

}  // namespace web
