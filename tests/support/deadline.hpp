// Deadline: a point on the monotonic clock that every wait in the tests is bounded by.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstddef>

namespace net::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Cheap to copy. Built from a duration ("this long from now"), so a test reads
// `read_line(Deadline(5s))`; several steps can share one Deadline to bound them all together.
class Deadline {
  public:
    explicit Deadline(Clock::duration from_now) : at_(Clock::now() + from_now) {}
    static Deadline at(Clock::time_point when) {
        Deadline d(Clock::duration::zero());
        d.at_ = when;
        return d;
    }

    [[nodiscard]] Clock::time_point when() const { return at_; }
    [[nodiscard]] bool expired() const { return Clock::now() >= at_; }
    // What is left, never negative.
    [[nodiscard]] milliseconds remaining() const;
    // The timeout for one poll(2) call: rounded up so we never wake a hair early and spin.
    [[nodiscard]] int poll_timeout_ms() const;

  private:
    Clock::time_point at_;
};

// poll(2) until one of `fds` is ready or the deadline passes; resumes after EINTR.
// Returns the number of ready descriptors (0 on timeout). Throws std::system_error on failure.
int poll_until(pollfd* fds, std::size_t count, const Deadline& deadline);

}  // namespace net::test
