// PingServer: the book's UDPPingerServer on an event loop. Echoes each ping upper-cased, drops
// some (the book's simulated loss) and delays others on request, and feeds every ping to the
// heartbeat monitor (the assignment's second exercise).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/socket.hpp"
#include "udp_ping/heartbeat.hpp"

namespace ping {

// --delay: each reply waits a random time between the two, in milliseconds (equal: fixed).
struct DelayRange {
    double min_ms = 0;
    double max_ms = 0;
};

struct PingServerOptions {
    double loss = 0;                  // the fraction of pings dropped, 0 to 1
    std::optional<DelayRange> delay;  // none: replies go at once
    std::uint64_t seed = 0;           // for the drops and delays, so a run can be repeated
    std::chrono::milliseconds heartbeat_timeout{};  // silence after which a client is stopped
};

// Serves on `loop`'s thread only; doesn't own the loop or the logger, which must outlive it.
class PingServer {
  public:
    PingServer(net::EventLoop& loop, net::BoundSocket socket, const net::Logger& log,
               const PingServerOptions& options);

    [[nodiscard]] const net::SocketAddress& address() const { return socket_.address; }

  private:
    void answer_pings();
    void reply(const net::SocketAddress& client, std::string datagram);
    void schedule_heartbeat_check();

    net::EventLoop& loop_;
    net::BoundSocket socket_;
    const net::Logger& log_;
    double loss_;
    std::optional<DelayRange> delay_;
    std::mt19937_64 random_;
    HeartbeatMonitor heartbeat_;
};

}  // namespace ping
