// HeartbeatMonitor: first pings, one-way delays, gaps, reordering and silent clients.
#include "udp_ping/heartbeat.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "udp_ping/ping_message.hpp"

namespace ping {
namespace {

using namespace std::chrono_literals;
using Clock = HeartbeatMonitor::Clock;
using Lines = std::vector<std::string>;

const Clock::time_point t0 = Clock::time_point{} + 100s;
const std::string client = "127.0.0.1:5000";

// A ping sent at wall time 1000 + seq seconds; received 15.625 ms later unless told otherwise.
std::string ping_at(std::uint64_t seq) {
    return format_ping(seq, 1000.0 + static_cast<double>(seq), 32);
}
double arrival(std::uint64_t seq) {
    return 1000.0 + static_cast<double>(seq) + 0.015625;
}

Lines feed(HeartbeatMonitor& monitor, std::uint64_t seq, Clock::time_point now) {
    return monitor.on_datagram(client, ping_at(seq), arrival(seq), now);
}

TEST(HeartbeatTest, FirstPingLine) {
    HeartbeatMonitor monitor(1s);
    EXPECT_EQ(feed(monitor, 1, t0),
              Lines{"127.0.0.1:5000: first ping seq=1, one-way delay 15.625 ms"});
    EXPECT_EQ(monitor.clients(), 1U);
}

TEST(HeartbeatTest, OneWayDelayFromWallTimes) {
    HeartbeatMonitor monitor(1s);
    feed(monitor, 1, t0);
    EXPECT_EQ(monitor.on_datagram(client, ping_at(2), 1002.25, t0 + 1s),
              Lines{"127.0.0.1:5000: seq=2 one-way delay 250.000 ms"});
    // Clocks that disagree show as they are.
    EXPECT_EQ(monitor.on_datagram(client, ping_at(3), 1002.5, t0 + 2s),
              Lines{"127.0.0.1:5000: seq=3 one-way delay -500.000 ms"});
}

TEST(HeartbeatTest, ASendTimeNoClockGaveIsABadTimestamp) {
    HeartbeatMonitor monitor(1s);
    const double now = 1'764'044'078.5;
    // 1e308 seconds from now overflows to -inf milliseconds; 1 (in 1970) is no clock's either.
    EXPECT_EQ(monitor.on_datagram(client, "Ping 1 1e308", now, t0),
              Lines{"127.0.0.1:5000: first ping seq=1, bad timestamp"});
    EXPECT_EQ(monitor.on_datagram(client, "Ping 2 1", now, t0 + 1s),
              Lines{"127.0.0.1:5000: seq=2 bad timestamp"});
    EXPECT_EQ(monitor.on_datagram(client, "Ping 3 1764131000.5", now, t0 + 2s),
              Lines{"127.0.0.1:5000: seq=3 bad timestamp"});  // a day and a bit ahead
    // Within a day either way, clocks that disagree still show as they are.
    EXPECT_EQ(monitor.on_datagram(client, "Ping 4 1764044178.5", now, t0 + 3s),
              Lines{"127.0.0.1:5000: seq=4 one-way delay -100000.000 ms"});
    EXPECT_EQ(monitor.on_datagram(client, "Ping 5 1764044078.25", now, t0 + 4s),
              Lines{"127.0.0.1:5000: seq=5 one-way delay 250.000 ms"});
}

TEST(HeartbeatTest, GapOfOne) {
    HeartbeatMonitor monitor(1s);
    feed(monitor, 1, t0);
    EXPECT_EQ(feed(monitor, 3, t0 + 1s), (Lines{"127.0.0.1:5000: lost 1 ping (seq 2)",
                                                "127.0.0.1:5000: seq=3 one-way delay 15.625 ms"}));
}

TEST(HeartbeatTest, GapOfSeveral) {
    HeartbeatMonitor monitor(1s);
    feed(monitor, 1, t0);
    EXPECT_EQ(feed(monitor, 5, t0 + 1s), (Lines{"127.0.0.1:5000: lost 3 pings (seq 2..4)",
                                                "127.0.0.1:5000: seq=5 one-way delay 15.625 ms"}));
}

TEST(HeartbeatTest, ReorderedAndDuplicatedSeq) {
    HeartbeatMonitor monitor(1s);
    feed(monitor, 1, t0);
    feed(monitor, 3, t0 + 100ms);
    EXPECT_EQ(feed(monitor, 2, t0 + 200ms),
              (Lines{"127.0.0.1:5000: seq=2 arrived after seq=3 (reordered or duplicated)",
                     "127.0.0.1:5000: seq=2 one-way delay 15.625 ms"}));
    EXPECT_EQ(feed(monitor, 3, t0 + 300ms),
              (Lines{"127.0.0.1:5000: seq=3 arrived after seq=3 (reordered or duplicated)",
                     "127.0.0.1:5000: seq=3 one-way delay 15.625 ms"}));
    // The highest seq is kept: 4 is in order, no gap.
    EXPECT_EQ(feed(monitor, 4, t0 + 400ms), Lines{"127.0.0.1:5000: seq=4 one-way delay 15.625 ms"});
}

TEST(HeartbeatTest, SilentClientReportedOnceAfterTimeoutThenForgotten) {
    HeartbeatMonitor monitor(1500ms);
    feed(monitor, 1, t0);
    feed(monitor, 2, t0 + 100ms);
    feed(monitor, 4, t0 + 200ms);  // seq 3 lost
    EXPECT_TRUE(monitor.check(t0 + 1699ms).empty());
    EXPECT_EQ(monitor.check(t0 + 1700ms),
              Lines{"127.0.0.1:5000: stopped (no ping for 1.500 s after seq=4; 3 received, "
                    "1 lost)"});
    EXPECT_EQ(monitor.clients(), 0U);
    EXPECT_TRUE(monitor.check(t0 + 10s).empty());
    // Coming back is a new start.
    EXPECT_EQ(feed(monitor, 9, t0 + 11s),
              Lines{"127.0.0.1:5000: first ping seq=9, one-way delay 15.625 ms"});
}

TEST(HeartbeatTest, ClientThatKeepsPingingIsNeverReported) {
    HeartbeatMonitor monitor(1s);
    for (std::uint64_t seq = 1; seq <= 40; ++seq) {
        const auto now = t0 + static_cast<int>(seq) * 500ms;
        feed(monitor, seq, now);
        EXPECT_TRUE(monitor.check(now + 999ms).empty()) << "seq " << seq;
    }
    EXPECT_EQ(monitor.clients(), 1U);
}

TEST(HeartbeatTest, OnlyTheSilentClientIsReported) {
    HeartbeatMonitor monitor(1s);
    const std::string other = "10.0.0.2:6000";
    feed(monitor, 1, t0);
    monitor.on_datagram(other, ping_at(1), arrival(1), t0);
    feed(monitor, 2, t0 + 600ms);
    EXPECT_EQ(monitor.check(t0 + 1s),
              Lines{"10.0.0.2:6000: stopped (no ping for 1.000 s after seq=1; 1 received, "
                    "0 lost)"});
    EXPECT_EQ(monitor.clients(), 1U);
    EXPECT_EQ(monitor.check(t0 + 1600ms),
              Lines{"127.0.0.1:5000: stopped (no ping for 1.000 s after seq=2; 2 received, "
                    "0 lost)"});
    EXPECT_EQ(monitor.clients(), 0U);
}

TEST(HeartbeatTest, CheckIntervalIsAQuarterOfTimeoutAtLeast10ms) {
    EXPECT_EQ(HeartbeatMonitor(1s).check_interval(), 250ms);
    EXPECT_EQ(HeartbeatMonitor(100ms).check_interval(), 25ms);
    EXPECT_EQ(HeartbeatMonitor(40ms).check_interval(), 10ms);
    EXPECT_EQ(HeartbeatMonitor(20ms).check_interval(), 10ms);
    EXPECT_EQ(HeartbeatMonitor(0ms).check_interval(), 10ms);
}

TEST(HeartbeatTest, NonPingDatagramsAreIgnored) {
    HeartbeatMonitor monitor(1s);
    EXPECT_TRUE(monitor.on_datagram(client, "hello", 1000.0, t0).empty());
    EXPECT_TRUE(monitor.on_datagram(client, "", 1000.0, t0).empty());
    EXPECT_EQ(monitor.clients(), 0U);
    feed(monitor, 1, t0);
    // Junk from a known client does not keep it alive.
    EXPECT_TRUE(monitor.on_datagram(client, "Ping x y", 1000.9, t0 + 900ms).empty());
    EXPECT_EQ(monitor.check(t0 + 1s).size(), 1U);
}

TEST(HeartbeatTest, DescribeNamesThePing) {
    EXPECT_EQ(describe(ping_at(5)), "seq=5");
    EXPECT_EQ(describe("hello"), "not a ping");
}

}  // namespace
}  // namespace ping
