// RateDeadline arithmetic.
#include "min_rate.hpp"

#include <algorithm>

namespace net {

RateDeadline::Clock::time_point RateDeadline::deadline() const {
    using std::chrono::milliseconds;
    if (!rule_.limited()) return Clock::time_point::max();
    // Earned time in whole milliseconds: bytes * 1000 / rate, saturated long before overflow.
    milliseconds earned{0};
    if (rule_.bytes_per_second > 0) {
        const std::uint64_t cap = 365ULL * 24 * 3600 * 1000;  // a year is "no limit" enough
        const std::uint64_t ms = received_ > cap / 1000 * rule_.bytes_per_second
                                     ? cap
                                     : received_ * 1000 / rule_.bytes_per_second;
        earned = milliseconds(std::min(ms, cap));
    }
    milliseconds allowed = rule_.grace + earned;
    if (rule_.most.count() > 0) allowed = std::min(allowed, std::max(rule_.most, rule_.grace));
    return start_ + allowed;
}

}  // namespace net
