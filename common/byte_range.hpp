// Range requests (RFC 9110 14): one byte range is served as 206; several get the whole
// representation. Pure: web_server serves ranges of files, web_proxy of stored responses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace net::http {

struct ByteRange {
    std::uint64_t first = 0;  // inclusive
    std::uint64_t last = 0;   // inclusive
    [[nodiscard]] std::uint64_t length() const { return last - first + 1; }
    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome {
    kIgnore,         // no Range, a malformed one, a unit other than bytes, or several ranges:
                     // serve the whole representation with 200
    kPartial,        // serve `range` with 206 and Content-Range
    kUnsatisfiable,  // 416 with "Content-Range: bytes */SIZE"
};

struct RangeDecision {
    RangeOutcome outcome = RangeOutcome::kIgnore;
    ByteRange range;
};

// Interprets a Range header value for a representation of `size` bytes: "bytes=0-99",
// "bytes=100-", "bytes=-500" (the last 500), a last-byte beyond the end clipped to size-1.
RangeDecision decide_range(std::string_view header_value, std::uint64_t size);

// "bytes 0-99/1234"
std::string content_range(const ByteRange& range, std::uint64_t size);

}  // namespace net::http
