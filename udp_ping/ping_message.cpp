// "Ping <seq> <time>" and its padding.
#include "ping_message.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/ascii.hpp"

namespace ping {

std::string format_ping(std::uint64_t seq, double send_time, std::size_t size) {
    // Room for any double: a sign, up to 309 digits before the point (max_exponent10 + 1), the
    // point, six decimals and the NUL. parse_ping accepts every finite time, however large.
    char time_text[1 + std::numeric_limits<double>::max_exponent10 + 1 + 1 + 6 + 1];
    std::snprintf(time_text, sizeof time_text, "%.6f", send_time);
    std::string message = "Ping " + std::to_string(seq) + " " + time_text;
    if (message.size() < size) {
        // Padding in lower-case letters, so the server's upper-casing shows in every byte.
        message.push_back(' ');
        for (std::size_t i = 0; message.size() < size; ++i) {
            message.push_back(static_cast<char>('a' + i % 26));
        }
    }
    return message;
}

std::optional<PingFields> parse_ping(std::string_view datagram) {
    if (datagram.size() < 5 || !net::iequals(datagram.substr(0, 5), "ping ")) return std::nullopt;
    datagram.remove_prefix(5);
    PingFields fields;
    const auto* end = datagram.data() + datagram.size();
    const auto seq = std::from_chars(datagram.data(), end, fields.seq);
    if (seq.ec != std::errc{} || seq.ptr == end || *seq.ptr != ' ') return std::nullopt;
    const auto time = std::from_chars(seq.ptr + 1, end, fields.send_time);
    if (time.ec != std::errc{} || (time.ptr != end && *time.ptr != ' ')) return std::nullopt;
    // from_chars also takes "-1", "inf" and "nan": none is a send time (seconds since the epoch),
    // and each would turn into a nonsense one-way delay or RTT downstream.
    if (!std::isfinite(fields.send_time) || fields.send_time < 0) return std::nullopt;
    return fields;
}

bool is_reply_to(std::string_view reply, std::string_view sent) {
    if (reply.size() != sent.size()) return false;
    for (std::size_t i = 0; i < reply.size(); ++i) {
        if (reply[i] != sent[i] && reply[i] != net::to_upper_ascii(sent[i])) return false;
    }
    return true;
}

}  // namespace ping
