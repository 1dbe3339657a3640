// RateDeadline: the phase's grace, time earned per byte, the cap, and "no limit".
#include "common/min_rate.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using Clock = net::RateDeadline::Clock;

const Clock::time_point kStart = Clock::time_point{} + 1000s;

TEST(RateDeadline, WithoutALimitNeverExpires) {
    net::RateDeadline phase;
    EXPECT_EQ(phase.deadline(), Clock::time_point::max());
    EXPECT_FALSE(phase.expired(Clock::time_point::max() - 1s));
}

TEST(RateDeadline, GivesTheGraceToBeginWith) {
    const net::RateDeadline phase({.grace = 20s, .bytes_per_second = 500, .most = 40s}, kStart);
    EXPECT_FALSE(phase.expired(kStart + 19999ms));
    EXPECT_TRUE(phase.expired(kStart + 20s));
}

TEST(RateDeadline, EachRateWorthOfBytesEarnsASecond) {
    net::RateDeadline phase({.grace = 20s, .bytes_per_second = 500, .most = 40s}, kStart);
    phase.received(1000);
    EXPECT_EQ(phase.deadline(), kStart + 22s);
    phase.received(250);
    EXPECT_EQ(phase.deadline(), kStart + 22500ms);
    EXPECT_EQ(phase.bytes(), 1250U);
}

TEST(RateDeadline, NeverGoesPastTheCap) {
    net::RateDeadline phase({.grace = 20s, .bytes_per_second = 500, .most = 40s}, kStart);
    phase.received(1'000'000);
    EXPECT_EQ(phase.deadline(), kStart + 40s);
}

TEST(RateDeadline, WithoutACapAFairSenderNeverRunsOut) {
    net::RateDeadline phase({.grace = 5s, .bytes_per_second = 1000}, kStart);
    phase.received(600'000);  // 600 s worth
    EXPECT_FALSE(phase.expired(kStart + 600s));
    EXPECT_TRUE(phase.expired(kStart + 605s));
}

TEST(RateDeadline, ATrickleRunsOutSoonAfterTheGrace) {
    // A byte every 2 s earns 2 ms per byte at 500 B/s: far behind the clock.
    net::RateDeadline phase({.grace = 5s, .bytes_per_second = 500}, kStart);
    for (int i = 0; i < 3; ++i)
        phase.received(1);
    EXPECT_TRUE(phase.expired(kStart + 6s));
}

TEST(RateDeadline, HugeCountsSaturateInsteadOfOverflowing) {
    net::RateDeadline phase({.grace = 1s, .bytes_per_second = 1}, kStart);
    phase.received(~0ULL / 2);
    EXPECT_GT(phase.deadline(), kStart + 24h * 364);
}

}  // namespace
