// The one-line-a-second account of ignored datagrams.
#include "udp_ping/ignored_datagrams.hpp"

namespace ping {
namespace {

std::string summary(std::uint64_t count) {
    return "ignored " + with_thousands(count) +
           (count == 1 ? " more datagram in the last second (not a reply to this run)"
                       : " more datagrams in the last second (not replies to this run)");
}

}  // namespace

bool IgnoredDatagrams::add(Clock::time_point now) {
    ++total_;
    if (!period_end_) {
        period_end_ = now + kPeriod;
        in_period_ = 0;
        return true;
    }
    ++in_period_;
    return false;
}

std::optional<std::string> IgnoredDatagrams::due(Clock::time_point now) {
    if (!period_end_ || now < *period_end_) return std::nullopt;
    if (in_period_ == 0) {
        period_end_.reset();  // a quiet period: the next datagram gets its own line
        return std::nullopt;
    }
    const auto count = in_period_;
    in_period_ = 0;
    period_end_ = now + kPeriod;
    return summary(count);
}

std::optional<std::string> IgnoredDatagrams::flush() {
    period_end_.reset();
    if (in_period_ == 0) return std::nullopt;
    const auto count = in_period_;
    in_period_ = 0;
    return summary(count);
}

std::optional<IgnoredDatagrams::Clock::time_point> IgnoredDatagrams::next_due() const {
    return period_end_;
}

std::string with_thousands(std::uint64_t n) {
    std::string digits = std::to_string(n);
    for (auto at = digits.size(); at > 3; at -= 3)
        digits.insert(at - 3, ",");
    return digits;
}

}  // namespace ping
