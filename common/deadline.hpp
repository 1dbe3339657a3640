// Deadline: a point on the monotonic clock that a blocking step (or several together) must end
// by. Every blocking wait in the suite takes one, so "how long" is said once, by the caller.
#pragma once

#include <chrono>

namespace net {

// Cheap to copy. `Deadline(5s)` is five seconds from now; `Deadline::never()` waits forever.
class Deadline {
  public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(Clock::duration from_now) : at_(Clock::now() + from_now) {}
    static Deadline at(Clock::time_point when) {
        Deadline d(Clock::duration::zero());
        d.at_ = when;
        return d;
    }
    static Deadline never() { return at(Clock::time_point::max()); }
    // A negative timeout means no deadline (the poll(2) convention).
    static Deadline after(std::chrono::milliseconds timeout) {
        return timeout.count() < 0 ? never() : Deadline(timeout);
    }

    [[nodiscard]] Clock::time_point when() const { return at_; }
    [[nodiscard]] bool is_never() const { return at_ == Clock::time_point::max(); }
    [[nodiscard]] bool expired() const { return !is_never() && Clock::now() >= at_; }
    // What is left, never negative (milliseconds::max() for never()).
    [[nodiscard]] std::chrono::milliseconds remaining() const;
    // The timeout for one poll(2) call: -1 for never(), else rounded up so a wait never ends a
    // hair early and spins.
    [[nodiscard]] int poll_timeout_ms() const;

  private:
    Clock::time_point at_;
};

}  // namespace net
