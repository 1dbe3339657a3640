// libFuzzer target for udp_ping's message format ("Ping <seq> <time>", padded). Checks:
// - parse, format, parse: the same sequence number and the send time to the microsecond the
//   format keeps;
// - the reply the book's server makes (the datagram upper-cased) parses as the ping itself, and
//   is recognised as the reply to it;
// - format pads to the size asked for and parses back, for any sequence number and send time.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "tests/fuzz/check.hpp"
#include "udp_ping/ping_message.hpp"

namespace {

using fuzz::check;

std::string upper_cased(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = net::to_upper_ascii(c);
    return out;
}

// The time as "%.6f" writes it and from_chars reads it back: within half a microsecond, or the
// rounding of a double that large.
bool same_time(double a, double b) {
    return std::fabs(a - b) <= 5e-7 + std::fabs(a) * 1e-15;
}

void check_round_trip(std::uint64_t seq, double send_time, std::size_t size) {
    const std::string message = ping::format_ping(seq, send_time, size);
    check(message.size() >= size);
    const auto parsed = ping::parse_ping(message);
    check(parsed.has_value());
    check(parsed->seq == seq && same_time(parsed->send_time, send_time));
    const std::string reply = upper_cased(message);
    check(ping::is_reply_to(reply, message) && ping::is_reply_to(message, message));
    const auto from_reply = ping::parse_ping(reply);
    check(from_reply && from_reply->seq == parsed->seq &&
          from_reply->send_time == parsed->send_time);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto fields = ping::parse_ping(bytes);
    const auto upper = ping::parse_ping(upper_cased(bytes));
    // Upper-casing is what the server does to every reply: it must not change what a ping says.
    check(fields.has_value() == upper.has_value());
    if (fields) {
        check(std::isfinite(fields->send_time) && fields->send_time >= 0);
        check(upper->seq == fields->seq && upper->send_time == fields->send_time);
        check_round_trip(fields->seq, fields->send_time, bytes.size());
    }
    // Any sequence number and send time from the raw bytes.
    if (size >= 18) {
        std::uint64_t seq = 0;
        double send_time = 0;
        std::memcpy(&seq, data, sizeof seq);
        std::memcpy(&send_time, data + 8, sizeof send_time);
        const std::size_t pad = static_cast<std::size_t>(data[16]) * 8 + data[17] % 8;
        if (std::isfinite(send_time) && send_time >= 0) check_round_trip(seq, send_time, pad);
    }
    return 0;
}
