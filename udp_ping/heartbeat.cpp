// The heartbeat monitor.
#include "heartbeat.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ping_message.hpp"

namespace ping {
namespace {

// A send time further than this from our clock is no clock's: forged, or garbage.
constexpr double kMaxClockSkewSeconds = 24 * 3600;

std::string format_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", ms);
    return text;
}

// "one-way delay 0.125 ms", or "bad timestamp" for a send time no clock could have given.
std::string describe_delay(double wall_now, double send_time) {
    const double delay = wall_now - send_time;
    if (!std::isfinite(delay) || std::fabs(delay) > kMaxClockSkewSeconds) return "bad timestamp";
    return "one-way delay " + format_ms(delay * 1000.0) + " ms";
}

}  // namespace

std::vector<std::string> HeartbeatMonitor::on_datagram(const std::string& client,
                                                       std::string_view datagram, double wall_now,
                                                       Clock::time_point now) {
    std::vector<std::string> events;
    const auto fields = parse_ping(datagram);
    if (!fields) return events;
    const std::string delay = describe_delay(wall_now, fields->send_time);
    auto [it, is_new] = clients_.try_emplace(client);
    Client& state = it->second;
    if (is_new) {
        events.push_back(client + ": first ping seq=" + std::to_string(fields->seq) + ", " + delay);
    } else {
        by_last_seen_.erase({state.last_seen, client});
        if (fields->seq > state.last_seq + 1) {
            const auto missing = fields->seq - state.last_seq - 1;
            state.lost += missing;
            events.push_back(client + ": lost " + std::to_string(missing) +
                             (missing == 1 ? " ping" : " pings") + " (seq " +
                             std::to_string(state.last_seq + 1) +
                             (missing == 1 ? "" : ".." + std::to_string(fields->seq - 1)) + ")");
        } else if (fields->seq <= state.last_seq) {
            events.push_back(client + ": seq=" + std::to_string(fields->seq) +
                             " arrived after seq=" + std::to_string(state.last_seq) +
                             " (reordered or duplicated)");
        }
        events.push_back(client + ": seq=" + std::to_string(fields->seq) + " " + delay);
    }
    state.last_seq = std::max(state.last_seq, fields->seq);
    ++state.received;
    state.last_seen = now;
    by_last_seen_.insert({now, client});
    return events;
}

std::vector<std::string> HeartbeatMonitor::check(Clock::time_point now) {
    std::vector<std::string> events;
    while (!by_last_seen_.empty() && now - by_last_seen_.begin()->first >= timeout_) {
        const std::string client = by_last_seen_.begin()->second;
        by_last_seen_.erase(by_last_seen_.begin());
        const auto it = clients_.find(client);
        const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count();
        events.push_back(client + ": stopped (no ping for " +
                         format_ms(static_cast<double>(silent) / 1000.0).substr(0) +
                         " s after seq=" + std::to_string(it->second.last_seq) + "; " +
                         std::to_string(it->second.received) + " received, " +
                         std::to_string(it->second.lost) + " lost)");
        clients_.erase(it);
    }
    return events;
}

HeartbeatMonitor::Clock::duration HeartbeatMonitor::check_interval() const {
    return std::max<Clock::duration>(timeout_ / 4, std::chrono::milliseconds(10));
}

std::string describe(std::string_view datagram) {
    const auto fields = parse_ping(datagram);
    return fields ? "seq=" + std::to_string(fields->seq) : std::string("not a ping");
}

}  // namespace ping
