// AuthFailures: failed AUTH attempts per client address, shared by every loop of the server, so
// a password guesser is slowed on every connection it opens and, once it reaches the cap, refused
// AUTH until its window passes (Postfix's anvil counts per client the same way). Pure: the time is
// passed in. Memory is bounded: at most `max_addresses` addresses are remembered.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mail {

// mail_server's defaults (--auth-delay, --auth-failures, --auth-window).
constexpr std::chrono::milliseconds kDefaultAuthDelay{1000};  // the first failure's wait
constexpr std::size_t kDefaultAuthMaxFailures = 10;           // per address per window -> 421
constexpr std::chrono::milliseconds kDefaultAuthWindow{5 * 60 * 1000};
// The wait doubles with each failure, up to this many times the first (1 s, 2 s, 4 s, 8 s, 8 s...).
constexpr unsigned kAuthDelayMaxFactor = 8;
constexpr std::size_t kMaxTrackedAddresses = 10'000;  // then expired ones, then the oldest, go

// How long to hold back the 535 of the `failures`-th failure (1 for the first): `first`,
// doubled for each failure before it, at most kAuthDelayMaxFactor times `first`. 0 when `first`
// is 0 (no delay) or `failures` is 0.
std::chrono::milliseconds auth_delay(std::chrono::milliseconds first, std::size_t failures);

struct AuthLimits {
    std::size_t max_failures = kDefaultAuthMaxFailures;  // per address per window; 0: no cap
    std::chrono::milliseconds window = kDefaultAuthWindow;
};

// Thread-safe: each call takes the mutex briefly.
class AuthFailures {
  public:
    using Clock = std::chrono::steady_clock;

    explicit AuthFailures(AuthLimits limits, std::size_t max_addresses = kMaxTrackedAddresses)
        : limits_(limits), max_addresses_(max_addresses == 0 ? 1 : max_addresses) {}
    AuthFailures(const AuthFailures&) = delete;
    AuthFailures& operator=(const AuthFailures&) = delete;

    // Whether `address` has reached the cap in its current window: AUTH is refused until the
    // window, which starts at its first failure, has passed.
    [[nodiscard]] bool blocked(std::string_view address, Clock::time_point now) const;
    // Counts one failure from `address`; returns its failures in the current window, this one
    // included (a window that has passed starts over at 1).
    std::size_t record(std::string_view address, Clock::time_point now);

    // Addresses remembered now (expired ones may still be counted until room is needed).
    [[nodiscard]] std::size_t addresses() const;

  private:
    struct Entry {
        Clock::time_point window_start;
        std::size_t failures = 0;
    };
    [[nodiscard]] bool expired(const Entry& entry, Clock::time_point now) const {
        return now - entry.window_start >= limits_.window;
    }
    // Makes room for one more address: forgets the expired ones, or else the oldest window.
    void make_room(Clock::time_point now);

    AuthLimits limits_;
    std::size_t max_addresses_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace mail
