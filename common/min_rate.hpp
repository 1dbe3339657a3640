// MinRate: how slowly a peer may send one phase of a protocol (a request head, a request body,
// an SMTP command line, a message's DATA) before it is cut off. The model is Apache's
// mod_reqtimeout: `header=20-40,MinRate=500` gives a phase 20 s, one second more for every 500
// bytes received, and never more than 40 s. A client trickling a byte every two seconds earns
// 2 ms per byte and runs out; a client sending a large body at a fair rate never does.
// Pure arithmetic on time points: the session asks expired(now) and schedules its own timer.
#pragma once

#include <chrono>
#include <cstdint>

namespace net {

struct MinRate {
    std::chrono::milliseconds grace{0};  // the time every phase has; 0: no limit at all
    std::uint64_t bytes_per_second = 0;  // each this many bytes earn one more second; 0: none
    std::chrono::milliseconds most{0};   // the longest a phase may take; 0: no cap

    [[nodiscard]] bool limited() const { return grace.count() > 0; }
};

// One phase under a MinRate rule, started at a point in time. Cheap to copy.
class RateDeadline {
  public:
    using Clock = std::chrono::steady_clock;

    RateDeadline() = default;  // no limit
    RateDeadline(MinRate rule, Clock::time_point start) : rule_(rule), start_(start) {}

    // Counts bytes the peer sent in this phase.
    void received(std::uint64_t bytes) { received_ += bytes; }
    [[nodiscard]] std::uint64_t bytes() const { return received_; }

    // When the phase runs out (Clock::time_point::max() without a limit).
    [[nodiscard]] Clock::time_point deadline() const;
    [[nodiscard]] bool expired(Clock::time_point now) const {
        return rule_.limited() && now >= deadline();
    }

  private:
    MinRate rule_{};
    Clock::time_point start_{};
    std::uint64_t received_ = 0;
};

}  // namespace net
