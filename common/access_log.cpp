// Combined Log Format lines, built by hand: English month names whatever the locale, and every
// client-supplied byte that could break the line escaped as Apache does.
#include "access_log.hpp"

#include "http_date.hpp"
#include "http_request.hpp"

#include <time.h>  // gmtime_r
#include <algorithm>
#include <array>

namespace net {
namespace {

// "[25/Nov/2026:04:14:38 +0000]"
void append_timestamp(std::string& out, std::time_t when) {
    std::tm tm{};
    if (gmtime_r(&when, &tm) == nullptr || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        const std::time_t epoch = 0;
        gmtime_r(&epoch, &tm);
    }
    out.push_back('[');
    http::append_zero_padded(out, tm.tm_mday, 2);
    out.push_back('/');
    out += http::month_abbreviation(tm.tm_mon);
    out.push_back('/');
    http::append_zero_padded(out, tm.tm_year + 1900, 4);
    out.push_back(':');
    http::append_zero_padded(out, tm.tm_hour, 2);
    out.push_back(':');
    http::append_zero_padded(out, tm.tm_min, 2);
    out.push_back(':');
    http::append_zero_padded(out, tm.tm_sec, 2);
    out += " +0000]";
}

// A quoted field: `"` and `\` are backslash-escaped, control and non-ASCII bytes become \xhh,
// so a request can neither end the field early nor start a new log line.
void append_quoted(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20 || u >= 0x7f) {
            out += "\\x";
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

void append_optional_quoted(std::string& out, const std::optional<std::string>& text) {
    if (text) {
        append_quoted(out, *text);
    } else {
        out += "\"-\"";
    }
}

}  // namespace

std::string format_access_log_line(const AccessRecord& record) {
    std::string out;
    out.reserve(128 + record.request_line.size());
    out += record.client.empty() ? std::string_view("-") : std::string_view(record.client);
    out += " - - ";
    append_timestamp(out, record.when);
    out.push_back(' ');
    append_quoted(out, record.request_line.empty() ? std::string_view("-")
                                                   : std::string_view(record.request_line));
    out.push_back(' ');
    out += record.status == 0 ? std::string("-") : std::to_string(record.status);
    out.push_back(' ');
    out += record.body_bytes == 0 ? std::string("-") : std::to_string(record.body_bytes);
    out.push_back(' ');
    append_optional_quoted(out, record.referer);
    out.push_back(' ');
    append_optional_quoted(out, record.user_agent);
    if (record.duration) {
        out.push_back(' ');
        out +=
            std::to_string(std::max<std::chrono::milliseconds::rep>(record.duration->count(), 0));
        out.push_back(' ');
        append_quoted(out,
                      record.note.empty() ? std::string_view("-") : std::string_view(record.note));
    }
    out.push_back('\n');
    return out;
}

void describe_request(AccessRecord& record, const http::Request& request) {
    record.request_line = request.method + " " + request.target + " HTTP/" +
                          std::to_string(request.version.major) + "." +
                          std::to_string(request.version.minor);
    if (const auto referer = request.headers.get("Referer")) record.referer = std::string(*referer);
    if (const auto agent = request.headers.get("User-Agent"))
        record.user_agent = std::string(*agent);
}

}  // namespace net
