// Access log lines in the Combined Log Format, as goaccess and friends read them:
// 127.0.0.1 - - [25/Nov/2026:04:14:38 +0000] "GET / HTTP/1.1" 200 1234 "referer" "user-agent"
// and web_proxy's, which add the exchange's duration in milliseconds and what became of it, as
// Squid's own access.log has the duration and its "combined" format the cache's outcome:
// ... "referer" "user-agent" 12 "HIT"
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace net {

namespace http {
struct Request;
}

struct AccessRecord {
    std::string client;  // "127.0.0.1" or "::1"
    std::time_t when = 0;
    std::string request_line;      // "GET / HTTP/1.1" as received (or "-" when none was parsed)
    int status = 0;                // 0 (no response: the client left first) prints as "-"
    std::uint64_t body_bytes = 0;  // body bytes sent; 0 prints as "-" (Apache's %b)
    std::optional<std::string> referer;
    std::optional<std::string> user_agent;
    // web_proxy's two fields after the Combined ones, printed when `duration` is set: the
    // exchange's time from its request head to its last byte, and a note ("HIT", "MISS", why
    // it failed; "-" when empty).
    std::optional<std::chrono::milliseconds> duration;
    std::string note;
};

// Fills the request line ("GET / HTTP/1.1"), Referer and User-Agent from a parsed request.
void describe_request(AccessRecord& record, const http::Request& request);

// One line, newline included. Quotes, backslashes and control bytes inside the quoted fields are
// escaped (\" \\ \xHH) so a client cannot forge log lines.
std::string format_access_log_line(const AccessRecord& record);

}  // namespace net
