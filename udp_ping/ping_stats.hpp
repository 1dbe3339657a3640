// Round-trip statistics in ping's terms: min/avg/max/mdev, loss, and the percentiles ping lacks.
// Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ping {

class PingStats {
  public:
    void add_sent() { ++transmitted_; }
    void add_rtt(double rtt_ms);
    void add_duplicate() { ++duplicates_; }
    // A ping an ICMP error answered (port unreachable...): lost, and counted apart as ping does.
    void add_error() { ++errors_; }

    [[nodiscard]] std::uint64_t transmitted() const { return transmitted_; }
    [[nodiscard]] std::uint64_t received() const { return rtts_.size(); }
    [[nodiscard]] std::uint64_t duplicates() const { return duplicates_; }
    [[nodiscard]] std::uint64_t errors() const { return errors_; }
    // Percentage of pings without a reply, 0 when none was sent.
    [[nodiscard]] double loss_percent() const;
    [[nodiscard]] double min() const;
    [[nodiscard]] double max() const;
    [[nodiscard]] double avg() const;
    // ping's mdev: the standard deviation, sqrt(mean(x^2) - mean(x)^2).
    [[nodiscard]] double mdev() const;
    // The p-th percentile (0..100) by linear interpolation between closest ranks.
    [[nodiscard]] double percentile(double p) const;
    [[nodiscard]] const std::vector<double>& rtts() const { return rtts_; }

  private:
    std::uint64_t transmitted_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t errors_ = 0;
    std::vector<double> rtts_;
    double sum_ = 0;
    double sum_squares_ = 0;
};

// ping's closing lines, e.g.
//   --- 127.0.0.1:12000 udp ping statistics ---
//   10 packets transmitted, 7 received, 30% packet loss, time 9012ms
// ("+2 duplicates, " and "+3 errors, " come before the loss when there are any)
//   rtt min/avg/max/mdev = 0.061/0.085/0.120/0.015 ms
//   rtt p50/p90/p99 = 0.080/0.110/0.120 ms
std::string format_summary(const std::string& target, const PingStats& stats,
                           std::int64_t elapsed_ms);

}  // namespace ping
