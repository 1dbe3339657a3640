// request_deadlines: mod_reqtimeout's header=T-2T and body=T rules, at --min-rate bytes a second.
#include "common/request_deadlines.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using Clock = net::RateDeadline::Clock;

const Clock::time_point kStart = Clock::time_point{} + 1000s;

TEST(RequestDeadlines, AHeadGetsTheTimeoutThenASecondPerRateUpToTwice) {
    const auto rules = net::http::request_deadlines(30s, 500);
    net::RateDeadline head(rules.head, kStart);
    EXPECT_EQ(head.deadline(), kStart + 30s);  // nothing yet, or a stalled head: --timeout
    head.received(1000);
    EXPECT_EQ(head.deadline(), kStart + 32s);
    head.received(1'000'000);
    EXPECT_EQ(head.deadline(), kStart + 60s);  // never more than twice --timeout
}

TEST(RequestDeadlines, ABodyHasNoCapAtAFairRate) {
    const auto rules = net::http::request_deadlines(5s, 500);
    net::RateDeadline body(rules.body, kStart);
    EXPECT_EQ(body.deadline(), kStart + 5s);
    body.received(500 * 100);
    EXPECT_EQ(body.deadline(), kStart + 105s);
}

TEST(RequestDeadlines, ATrickleRunsOutJustAfterTheTimeout) {
    // The client: a byte every 2 s under --timeout 5.
    const auto rules = net::http::request_deadlines(5s, net::http::kDefaultMinRate);
    net::RateDeadline body(rules.body, kStart);
    for (int i = 0; i < 3; ++i)
        body.received(1);
    EXPECT_FALSE(body.expired(kStart + 5s - 1ms));
    EXPECT_TRUE(body.expired(kStart + 5s + 6ms));
}

TEST(RequestDeadlines, RateZeroGivesExactlyTheTimeout) {
    const auto rules = net::http::request_deadlines(2s, 0);
    net::RateDeadline head(rules.head, kStart);
    net::RateDeadline body(rules.body, kStart);
    head.received(1'000'000);
    body.received(1'000'000);
    EXPECT_EQ(head.deadline(), kStart + 2s);
    EXPECT_EQ(body.deadline(), kStart + 2s);
}

}  // namespace
