// Matching replies to probes.
#include "probe_tracker.hpp"

#include "ping_message.hpp"

namespace ping {

void ProbeTracker::sent(std::uint64_t seq, std::string message, Clock::time_point at) {
    probes_[seq] = Probe{std::move(message), at, State::kWaiting};
    waiting_.insert(seq);
    while (probes_.size() > kRemembered) {
        waiting_.erase(probes_.begin()->first);
        probes_.erase(probes_.begin());
    }
}

Classified ProbeTracker::receive(std::string_view datagram, Clock::time_point at) {
    Classified result;
    const auto fields = parse_ping(datagram);
    if (!fields) return result;
    const auto it = probes_.find(fields->seq);
    if (it == probes_.end() || !is_reply_to(datagram, it->second.message)) return result;
    Probe& probe = it->second;
    result.seq = fields->seq;
    result.rtt_ms = std::chrono::duration<double, std::milli>(at - probe.sent_at).count();
    switch (probe.state) {
        case State::kAnswered:
            result.kind = ReplyKind::kDuplicate;
            break;
        case State::kTimedOut:
        case State::kFailed:
            result.kind = ReplyKind::kLate;
            probe.state = State::kAnswered;  // a second copy would be a duplicate
            break;
        case State::kWaiting:
            waiting_.erase(fields->seq);
            probe.state = State::kAnswered;
            // At or after its deadline but before expire() ran: late, as expire() would say.
            result.kind = at - probe.sent_at >= timeout_ ? ReplyKind::kLate : ReplyKind::kReply;
            break;
    }
    return result;
}

std::optional<std::uint64_t> ProbeTracker::fail(std::string_view returned) {
    if (returned.empty()) return std::nullopt;
    for (const auto seq : waiting_) {
        Probe& probe = probes_.at(seq);
        if (!probe.message.starts_with(returned)) continue;
        probe.state = State::kFailed;
        waiting_.erase(seq);
        return seq;
    }
    return std::nullopt;
}

std::vector<std::uint64_t> ProbeTracker::expire(Clock::time_point now) {
    std::vector<std::uint64_t> expired;
    while (!waiting_.empty()) {
        const auto seq = *waiting_.begin();
        Probe& probe = probes_.at(seq);
        if (now - probe.sent_at < timeout_) break;
        probe.state = State::kTimedOut;
        waiting_.erase(waiting_.begin());
        expired.push_back(seq);
    }
    return expired;
}

std::optional<ProbeTracker::Clock::time_point> ProbeTracker::next_deadline() const {
    if (waiting_.empty()) return std::nullopt;
    return probes_.at(*waiting_.begin()).sent_at + timeout_;
}

}  // namespace ping
