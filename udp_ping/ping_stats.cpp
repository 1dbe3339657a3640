// Statistics as iputils ping computes and prints them.
#include "ping_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ping {

void PingStats::add_rtt(double rtt_ms) {
    rtts_.push_back(rtt_ms);
    sum_ += rtt_ms;
    sum_squares_ += rtt_ms * rtt_ms;
}

double PingStats::loss_percent() const {
    if (transmitted_ == 0) return 0;
    const auto lost = transmitted_ > received() ? transmitted_ - received() : 0;
    return 100.0 * static_cast<double>(lost) / static_cast<double>(transmitted_);
}

double PingStats::min() const {
    return rtts_.empty() ? 0 : *std::min_element(rtts_.begin(), rtts_.end());
}
double PingStats::max() const {
    return rtts_.empty() ? 0 : *std::max_element(rtts_.begin(), rtts_.end());
}
double PingStats::avg() const {
    return rtts_.empty() ? 0 : sum_ / static_cast<double>(rtts_.size());
}

double PingStats::mdev() const {
    if (rtts_.empty()) return 0;
    const double n = static_cast<double>(rtts_.size());
    const double mean = sum_ / n;
    return std::sqrt(std::max(0.0, sum_squares_ / n - mean * mean));
}

double PingStats::percentile(double p) const {
    if (rtts_.empty()) return 0;
    std::vector<double> sorted = rtts_;
    std::sort(sorted.begin(), sorted.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(rank));
    const auto upper = std::min(lower + 1, sorted.size() - 1);
    return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - static_cast<double>(lower));
}

std::string format_summary(const std::string& target, const PingStats& stats,
                           std::int64_t elapsed_ms) {
    char line[256];
    std::string text = "--- " + target + " udp ping statistics ---\n";
    std::snprintf(line, sizeof line, "%llu packets transmitted, %llu received, ",
                  static_cast<unsigned long long>(stats.transmitted()),
                  static_cast<unsigned long long>(stats.received()));
    text += line;
    if (stats.duplicates() > 0) {
        std::snprintf(line, sizeof line, "+%llu duplicates, ",
                      static_cast<unsigned long long>(stats.duplicates()));
        text += line;
    }
    if (stats.errors() > 0) {
        std::snprintf(line, sizeof line, "+%llu errors, ",
                      static_cast<unsigned long long>(stats.errors()));
        text += line;
    }
    std::snprintf(line, sizeof line, "%g%% packet loss, time %lldms\n", stats.loss_percent(),
                  static_cast<long long>(elapsed_ms));
    text += line;
    if (stats.received() > 0) {
        std::snprintf(line, sizeof line, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n",
                      stats.min(), stats.avg(), stats.max(), stats.mdev());
        text += line;
        std::snprintf(line, sizeof line, "rtt p50/p90/p99 = %.3f/%.3f/%.3f ms\n",
                      stats.percentile(50), stats.percentile(90), stats.percentile(99));
        text += line;
    }
    return text;
}

}  // namespace ping
