// The ping message of the book's UDP Pinger assignment: "Ping <seq> <time>", padded to a size.
// Pure: text in, text out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ping {

// The header before the padding, e.g. "Ping 7 1764044078.123456". `send_time` is wall-clock
// seconds since the epoch (the book's time.time()), so a server can compute one-way delay.
std::string format_ping(std::uint64_t seq, double send_time, std::size_t size);

struct PingFields {
    std::uint64_t seq = 0;
    double send_time = 0;
};

// Reads seq and time from a ping or from its reply ("PING 7 1764044078.123456..." once the
// server upper-cased it): the word is matched case-insensitively; padding after the time is
// ignored. nullopt for anything else.
std::optional<PingFields> parse_ping(std::string_view datagram);

// True when `reply` is what an echo of `sent` looks like: the same bytes, or the same bytes with
// ASCII letters upper-cased (the book's server does that).
bool is_reply_to(std::string_view reply, std::string_view sent);

}  // namespace ping
