// HeartbeatMonitor: the assignment's UDP Heartbeat exercise, on the server's side. For each client
// it reads the sequence number and send time out of every ping, reports one-way delays and gaps
// (lost pings), and reports a client that has gone silent. Pure: times and bytes are passed in,
// log lines come out.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ping {

class HeartbeatMonitor {
  public:
    using Clock = std::chrono::steady_clock;

    explicit HeartbeatMonitor(Clock::duration timeout) : timeout_(timeout) {}

    // Log lines for one datagram from `client`: its first ping, each one-way delay (from the
    // ping's own send time; meaningful when both clocks agree, as on one machine; "bad
    // timestamp" for a send time more than a day off), and gaps in the sequence. Datagrams that
    // are not pings are not followed.
    std::vector<std::string> on_datagram(const std::string& client, std::string_view datagram,
                                         double wall_now, Clock::time_point now);
    // Clients silent for the timeout: one line each, then they are forgotten. O(log n) each.
    std::vector<std::string> check(Clock::time_point now);
    // How often check() should run: a quarter of the timeout (at least 10 ms).
    [[nodiscard]] Clock::duration check_interval() const;
    [[nodiscard]] std::size_t clients() const { return clients_.size(); }

  private:
    struct Client {
        std::uint64_t last_seq = 0;
        std::uint64_t received = 0;
        std::uint64_t lost = 0;
        Clock::time_point last_seen;
    };

    Clock::duration timeout_;
    std::map<std::string, Client> clients_;
    std::set<std::pair<Clock::time_point, std::string>> by_last_seen_;  // oldest first
};

// "seq=5" for a ping, "not a ping" otherwise: for log lines.
std::string describe(std::string_view datagram);

}  // namespace ping
