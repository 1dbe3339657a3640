// How long a client may take to send a request, on the model of Apache's mod_reqtimeout
// (`header=20-40,MinRate=500 body=20,MinRate=500`) scaled to a server's request timeout T
// (web_server's --timeout, web_proxy's idle timeout): a head gets T from its first byte, one second
// more for every `min_rate` bytes, and never more than 2T; a body gets T from its start, one second
// more for every `min_rate` bytes, without a cap. A client trickling a byte every few seconds runs
// out soon after T; one sending at a fair rate never does. Pure: no sockets, no clock.
#pragma once

#include <chrono>
#include <cstdint>

#include "min_rate.hpp"

namespace net::http {

// The rate a client must keep up once the grace is spent (web_server's --min-rate).
constexpr std::uint64_t kDefaultMinRate = 500;  // bytes per second, as mod_reqtimeout's default

struct RequestDeadlines {
    net::MinRate head;  // -> 408, then the connection closes
    net::MinRate body;  // -> the connection is cut
};

// The rules for --timeout `timeout` and --min-rate `min_rate` (0: no time earned per byte, so a
// head and a body each get `timeout` exactly).
RequestDeadlines request_deadlines(std::chrono::milliseconds timeout, std::uint64_t min_rate);

}  // namespace net::http
