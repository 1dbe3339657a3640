// ProbeTracker: replies, late replies, duplicates, foreign datagrams and ICMP errors, with times
// passed in.
#include "udp_ping/probe_tracker.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ascii.hpp"
#include "udp_ping/ping_message.hpp"

namespace ping {
namespace {

using namespace std::chrono_literals;
using Clock = ProbeTracker::Clock;
using Seqs = std::vector<std::uint64_t>;

const Clock::time_point t0 = Clock::time_point{} + 100s;

std::string probe(std::uint64_t seq) {
    return format_ping(seq, 1000.0 + static_cast<double>(seq), 48);
}
std::string echo(std::uint64_t seq) {
    return net::upper_cased_ascii(probe(seq));
}

TEST(ProbeTrackerTest, ReplyWithinTimeoutGivesExactRtt) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    const Classified result = tracker.receive(echo(1), t0 + 1500us);
    EXPECT_EQ(result.kind, ReplyKind::kReply);
    EXPECT_EQ(result.seq, 1U);
    EXPECT_DOUBLE_EQ(result.rtt_ms, 1.5);
    EXPECT_FALSE(tracker.waiting());
}

TEST(ProbeTrackerTest, UnchangedEchoIsAReplyToo) {
    ProbeTracker tracker(1s);
    tracker.sent(4, probe(4), t0);
    const Classified result = tracker.receive(probe(4), t0 + 250ms);
    EXPECT_EQ(result.kind, ReplyKind::kReply);
    EXPECT_EQ(result.seq, 4U);
    EXPECT_DOUBLE_EQ(result.rtt_ms, 250.0);
}

TEST(ProbeTrackerTest, SecondCopyIsDuplicate) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    ASSERT_EQ(tracker.receive(echo(1), t0 + 10ms).kind, ReplyKind::kReply);
    const Classified copy = tracker.receive(echo(1), t0 + 20ms);
    EXPECT_EQ(copy.kind, ReplyKind::kDuplicate);
    EXPECT_EQ(copy.seq, 1U);
    EXPECT_DOUBLE_EQ(copy.rtt_ms, 20.0);
    EXPECT_EQ(tracker.receive(echo(1), t0 + 30ms).kind, ReplyKind::kDuplicate);
}

TEST(ProbeTrackerTest, AfterTimeoutBeforeExpireIsLate) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    const Classified late = tracker.receive(echo(1), t0 + 1s + 1ns);
    EXPECT_EQ(late.kind, ReplyKind::kLate);
    EXPECT_EQ(late.seq, 1U);
    EXPECT_DOUBLE_EQ(late.rtt_ms, 1000.000001);
    EXPECT_FALSE(tracker.waiting());
    EXPECT_TRUE(tracker.expire(t0 + 10s).empty());  // answered: never reported as lost
    EXPECT_EQ(tracker.receive(echo(1), t0 + 2s).kind, ReplyKind::kDuplicate);
}

TEST(ProbeTrackerTest, AfterExpireIsLateOnceThenDuplicate) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    ASSERT_EQ(tracker.expire(t0 + 1s), Seqs{1});
    const Classified late = tracker.receive(echo(1), t0 + 3s);
    EXPECT_EQ(late.kind, ReplyKind::kLate);
    EXPECT_EQ(late.seq, 1U);
    EXPECT_DOUBLE_EQ(late.rtt_ms, 3000.0);
    EXPECT_EQ(tracker.receive(echo(1), t0 + 4s).kind, ReplyKind::kDuplicate);
    EXPECT_EQ(tracker.receive(echo(1), t0 + 5s).kind, ReplyKind::kDuplicate);
}

TEST(ProbeTrackerTest, ForeignDatagrams) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    // Unknown seq.
    EXPECT_EQ(tracker.receive(echo(2), t0 + 1ms).kind, ReplyKind::kForeign);
    // Known seq, other content: another send time, another length, changed padding.
    EXPECT_EQ(tracker.receive(format_ping(1, 999.0, 48), t0 + 1ms).kind, ReplyKind::kForeign);
    EXPECT_EQ(tracker.receive(format_ping(1, 1001.0, 64), t0 + 1ms).kind, ReplyKind::kForeign);
    std::string changed = echo(1);
    changed.back() = '?';
    EXPECT_EQ(tracker.receive(changed, t0 + 1ms).kind, ReplyKind::kForeign);
    // Not a ping at all.
    EXPECT_EQ(tracker.receive("hello", t0 + 1ms).kind, ReplyKind::kForeign);
    EXPECT_EQ(tracker.receive("", t0 + 1ms).kind, ReplyKind::kForeign);
    // None of those answered the probe.
    EXPECT_TRUE(tracker.waiting());
    EXPECT_EQ(tracker.receive(echo(1), t0 + 2ms).kind, ReplyKind::kReply);
}

TEST(ProbeTrackerTest, ForeignCarriesNoRtt) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    const Classified result = tracker.receive(echo(9), t0 + 5ms);
    EXPECT_EQ(result.kind, ReplyKind::kForeign);
    EXPECT_EQ(result.rtt_ms, 0.0);
}

TEST(ProbeTrackerTest, ExpireReturnsSeqsInOrderOnce) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    tracker.sent(2, probe(2), t0 + 100ms);
    tracker.sent(3, probe(3), t0 + 200ms);
    EXPECT_TRUE(tracker.expire(t0 + 999ms).empty());
    EXPECT_EQ(tracker.expire(t0 + 1100ms), (Seqs{1, 2}));  // 2 exactly at its deadline
    EXPECT_TRUE(tracker.expire(t0 + 1100ms).empty());
    EXPECT_TRUE(tracker.waiting());
    EXPECT_EQ(tracker.expire(t0 + 10s), Seqs{3});
    EXPECT_TRUE(tracker.expire(t0 + 20s).empty());
    EXPECT_FALSE(tracker.waiting());
}

TEST(ProbeTrackerTest, AnsweredProbesAreNotExpired) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    tracker.sent(2, probe(2), t0 + 100ms);
    tracker.sent(3, probe(3), t0 + 200ms);
    ASSERT_EQ(tracker.receive(echo(2), t0 + 300ms).kind, ReplyKind::kReply);
    EXPECT_EQ(tracker.expire(t0 + 10s), (Seqs{1, 3}));
}

TEST(ProbeTrackerTest, NextDeadlineFollowsOldestWaitingProbe) {
    ProbeTracker tracker(1s);
    EXPECT_FALSE(tracker.next_deadline().has_value());
    EXPECT_FALSE(tracker.waiting());
    tracker.sent(1, probe(1), t0);
    tracker.sent(2, probe(2), t0 + 100ms);
    EXPECT_TRUE(tracker.waiting());
    EXPECT_EQ(tracker.next_deadline(), t0 + 1s);
    ASSERT_EQ(tracker.receive(echo(1), t0 + 150ms).kind, ReplyKind::kReply);
    EXPECT_EQ(tracker.next_deadline(), t0 + 1100ms);
    ASSERT_EQ(tracker.expire(t0 + 1100ms), Seqs{2});
    EXPECT_FALSE(tracker.next_deadline().has_value());
    EXPECT_FALSE(tracker.waiting());
}

TEST(ProbeTrackerTest, RemembersOnlyTheLastKRememberedProbes) {
    ProbeTracker tracker(1s);
    const std::uint64_t count = ProbeTracker::kRemembered + 1;
    for (std::uint64_t seq = 0; seq < count; ++seq) {
        tracker.sent(seq, probe(seq),
                     t0 + std::chrono::microseconds(static_cast<std::int64_t>(seq)));
    }
    // Seq 0 was forgotten: its reply answers nothing of this run, and it never expires.
    EXPECT_EQ(tracker.receive(echo(0), t0 + 1ms).kind, ReplyKind::kForeign);
    EXPECT_EQ(tracker.next_deadline(), t0 + 1us + 1s);
    EXPECT_EQ(tracker.receive(echo(1), t0 + 2ms).kind, ReplyKind::kReply);
    EXPECT_EQ(tracker.receive(echo(count - 1), t0 + 3ms).kind, ReplyKind::kReply);
    const Seqs expired = tracker.expire(t0 + 10s);
    ASSERT_EQ(expired.size(), ProbeTracker::kRemembered - 2);
    EXPECT_EQ(expired.front(), 2U);
    EXPECT_EQ(expired.back(), count - 2);
}

TEST(ProbeTrackerTest, IcmpErrorEndsTheWaitOfTheProbeItQuotes) {
    ProbeTracker tracker(1s);
    tracker.sent(1, probe(1), t0);
    tracker.sent(2, probe(2), t0 + 10ms);
    EXPECT_EQ(tracker.fail(probe(2)), std::optional<std::uint64_t>(2));
    EXPECT_TRUE(tracker.waiting());
    // Failed, so never reported as timed out; a reply after the error is late, not counted.
    EXPECT_EQ(tracker.expire(t0 + 5s), Seqs{1});
    EXPECT_EQ(tracker.receive(echo(2), t0 + 20ms).kind, ReplyKind::kLate);
    EXPECT_FALSE(tracker.fail(probe(2)).has_value());  // reported once
}

TEST(ProbeTrackerTest, IcmpErrorQuotingOnlyTheStartGoesToTheOldestMatch) {
    ProbeTracker tracker(1s);
    tracker.sent(7, probe(7), t0);
    tracker.sent(8, probe(8), t0);
    // RFC 792 quotes as little as 8 bytes of the datagram: "Ping 7 1" matches probe 7 only.
    EXPECT_EQ(tracker.fail(probe(7).substr(0, 8)), std::optional<std::uint64_t>(7));
    EXPECT_EQ(tracker.fail("Ping"), std::optional<std::uint64_t>(8));
    EXPECT_FALSE(tracker.fail("Pong").has_value());
    EXPECT_FALSE(tracker.fail("").has_value());
    EXPECT_FALSE(tracker.waiting());
}

}  // namespace
}  // namespace ping
