// IgnoredDatagrams: the client's account of datagrams that answer no ping of this run (another
// program's traffic, a flood). The first one gets its own line; while more keep coming, one line
// a second says how many. Pure: times are passed in, lines come out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ping {

class IgnoredDatagrams {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kPeriod{1};

    // Counts one datagram arriving at `now` (after due(now), so a period that has ended is
    // summed up first). True when it is the first for a whole period: the caller prints its own
    // line. Otherwise it is counted for the next summary.
    bool add(Clock::time_point now);
    // The summary of the period that ended by `now`, if it counted any: "ignored 3,512 more
    // datagrams in the last second (not replies to this run)". A period that counted none ends
    // the summaries until the next datagram.
    std::optional<std::string> due(Clock::time_point now);
    // At the end of the run: the summary of the period under way, if it counted any.
    std::optional<std::string> flush();
    // When due() should be called next: the end of the period under way, if one is.
    [[nodiscard]] std::optional<Clock::time_point> next_due() const;
    // Every datagram counted so far.
    [[nodiscard]] std::uint64_t total() const { return total_; }

  private:
    std::optional<Clock::time_point> period_end_;  // none: quiet, the next one gets its own line
    std::uint64_t in_period_ = 0;                  // counted since the period began
    std::uint64_t total_ = 0;
};

// 3512 as "3,512".
std::string with_thousands(std::uint64_t n);

}  // namespace ping
