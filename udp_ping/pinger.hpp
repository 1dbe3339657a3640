// Pinger: the client's side of the UDP Pinger assignment over one connected UDP socket. Sends
// each ping on schedule, matches replies, reports timeouts, and prints the summary in ping's
// format (or --json).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/deadline.hpp"
#include "common/fd.hpp"
#include "common/signals.hpp"
#include "udp_ping/ignored_datagrams.hpp"
#include "udp_ping/ping_stats.hpp"
#include "udp_ping/probe_tracker.hpp"

namespace ping {

// One run's settings; client_main.cpp fills every field from the command line and its defaults.
struct PingOptions {
    using Clock = std::chrono::steady_clock;

    std::string host;
    std::string port;
    std::uint64_t count = 0;  // pings to send; 0: until interrupted
    Clock::duration interval{};
    Clock::duration timeout{};                // how long each reply may take
    std::size_t size = 0;                     // datagram size, padded
    std::optional<Clock::duration> deadline;  // -w: the whole run stops after this long
    bool flood = false;
    bool quiet = false;
    bool json = false;
    int family = AF_UNSPEC;
};

// Runs once, on one thread; owns the socket.
class Pinger {
  public:
    using Clock = std::chrono::steady_clock;

    // `sock`: a UDP socket connect()ed to `target`. ICMP errors about it (port unreachable...)
    // are read with their type, code and sender (IP_RECVERR) and printed as ping prints them.
    Pinger(PingOptions options, net::Fd sock, std::string target);

    // Pings until the count, -w or SIGINT/SIGTERM (read from `signals`) ends the run; prints
    // every line and the summary on stdout. Returns ping's status: 0 if any reply came, else 1.
    int run(net::TerminationSignals& signals);

  private:
    // Everything one run records, for the text lines, the summary and --json.
    struct ProbeRecord {
        std::uint64_t seq;
        std::string status = "timeout";  // "reply", "timeout", "error"
        double rtt_ms = 0;
        bool late = false;  // a reply came after the timeout
        double late_rtt_ms = 0;
        std::string error = {};  // for "error": what the ICMP error said
    };

    void send_ping(Clock::time_point now);
    bool read_replies();  // true when at least one datagram was read
    // Reads the ICMP errors queued on the socket (IP_RECVERR) and reports each against its ping.
    void read_errors();
    void spin_for_reply();
    void report_timeouts(Clock::time_point now);
    void report_ignored(Clock::time_point now);
    [[nodiscard]] bool more_to_send() const {
        return options_.count == 0 || next_seq_ <= options_.count;
    }
    [[nodiscard]] bool finished(Clock::time_point now) const;
    // When the loop must wake up without a datagram or signal: the next ping due, the oldest
    // probe's timeout, the next summary of ignored datagrams, or the end of the run (-w),
    // whichever comes first.
    [[nodiscard]] net::Deadline wake_deadline(Clock::time_point now) const;
    [[nodiscard]] std::string json() const;
    // Per-probe lines are shown unless -q, --json or -f asked for less.
    [[nodiscard]] bool verbose() const {
        return !options_.quiet && !options_.json && !options_.flood;
    }
    void line(const std::string& text) const;

    PingOptions options_;
    net::Fd sock_;
    std::string target_;
    ProbeTracker tracker_;
    PingStats stats_;
    std::vector<ProbeRecord> records_;
    std::uint64_t next_seq_ = 1;
    bool latest_answered_ = false;  // the last ping sent has its reply (flood sends the next)
    IgnoredDatagrams ignored_;      // datagrams that answer no ping of this run
    std::vector<char> datagram_ = std::vector<char>(65536);  // one receive buffer, reused
    Clock::time_point start_;
    Clock::time_point next_send_;
    net::Deadline stop_ = net::Deadline::never();  // -w, counted from start_
};

}  // namespace ping
