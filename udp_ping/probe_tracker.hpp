// ProbeTracker: which ping each datagram answers. A reply within its timeout gives an RTT; a late
// one, a duplicate, or a datagram that answers nothing of this run never does. An ICMP error
// ends a probe's wait too. Pure: times are passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ping {

enum class ReplyKind {
    kReply,      // the first answer to a waiting probe: counts, with its RTT
    kLate,       // the first answer, but after the probe's timeout: reported, not counted
    kDuplicate,  // a second answer to the same probe
    kForeign,    // not an answer to any probe of this run (unknown seq, other content)
};

struct Classified {
    ReplyKind kind = ReplyKind::kForeign;
    std::uint64_t seq = 0;
    double rtt_ms = 0;  // for kReply and kLate
};

class ProbeTracker {
  public:
    using Clock = std::chrono::steady_clock;
    // Probes older than this many sequence numbers are forgotten (an endless run stays bounded).
    static constexpr std::size_t kRemembered = 65536;

    explicit ProbeTracker(Clock::duration timeout) : timeout_(timeout) {}

    void sent(std::uint64_t seq, std::string message, Clock::time_point at);
    Classified receive(std::string_view datagram, Clock::time_point at);
    // An ICMP error came back about a ping whose datagram began with `returned` (an ICMP error
    // quotes the start of the datagram, perhaps not all of it). The oldest waiting probe whose
    // message starts with it stops waiting (a reply after this is late, never counted); its
    // seq, or nullopt when no waiting probe matches.
    std::optional<std::uint64_t> fail(std::string_view returned);
    // Probes whose timeout has passed with no reply, each reported once, in order.
    std::vector<std::uint64_t> expire(Clock::time_point now);
    // When the oldest waiting probe times out, if any is waiting.
    [[nodiscard]] std::optional<Clock::time_point> next_deadline() const;
    [[nodiscard]] bool waiting() const { return !waiting_.empty(); }

  private:
    enum class State { kWaiting, kAnswered, kTimedOut, kFailed };
    struct Probe {
        std::string message;
        Clock::time_point sent_at;
        State state = State::kWaiting;
    };

    Clock::duration timeout_;
    std::map<std::uint64_t, Probe> probes_;
    // Probes still waiting, by seq. Seqs go out in order with one timeout, so this is also
    // deadline order: the first one is the next to expire.
    std::set<std::uint64_t> waiting_;
};

}  // namespace ping
