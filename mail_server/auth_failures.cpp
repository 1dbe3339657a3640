// Failed AUTH attempts per address: fixed windows from each address's first failure.
#include "auth_failures.hpp"

#include <algorithm>

namespace mail {

std::chrono::milliseconds auth_delay(std::chrono::milliseconds first, std::size_t failures) {
    if (first.count() <= 0 || failures == 0) return std::chrono::milliseconds{0};
    std::size_t factor = 1;
    for (std::size_t i = 1; i < failures && factor < kAuthDelayMaxFactor; ++i)
        factor *= 2;
    return first * static_cast<long>(std::min<std::size_t>(factor, kAuthDelayMaxFactor));
}

bool AuthFailures::blocked(std::string_view address, Clock::time_point now) const {
    if (limits_.max_failures == 0) return false;
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(std::string(address));
    return found != entries_.end() && !expired(found->second, now) &&
           found->second.failures >= limits_.max_failures;
}

std::size_t AuthFailures::record(std::string_view address, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    std::string key(address);
    auto found = entries_.find(key);
    if (found == entries_.end()) {
        if (entries_.size() >= max_addresses_) make_room(now);
        found = entries_.emplace(std::move(key), Entry{.window_start = now, .failures = 0}).first;
    } else if (expired(found->second, now)) {
        found->second = Entry{.window_start = now, .failures = 0};
    }
    return ++found->second.failures;
}

std::size_t AuthFailures::addresses() const {
    const std::lock_guard lock(mutex_);
    return entries_.size();
}

void AuthFailures::make_room(Clock::time_point now) {
    std::erase_if(entries_, [&](const auto& entry) { return expired(entry.second, now); });
    if (entries_.size() < max_addresses_) return;
    // Every address is still in its window: the one whose window started first goes (it is
    // the nearest to being forgotten anyway). O(n), but only when the table is full.
    const auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.window_start < b.second.window_start; });
    entries_.erase(oldest);
}

}  // namespace mail
