// The tcp_server protocol: every byte comes back, ASCII letters upper-cased.
#pragma once

#include <cstddef>

#include "common/log.hpp"
#include "common/tcp_server.hpp"

namespace tcp {

// Above this much unsent output a connection stops reading from its peer until the output
// drains: a client that sends without reading cannot make the server buffer without bound.
constexpr std::size_t kOutputHighWater = 1024 * 1024;

// Callbacks for net::TcpServer. `log` must outlive the servers using them.
net::TcpCallbacks upper_case_callbacks(const net::Logger& log);

}  // namespace tcp
