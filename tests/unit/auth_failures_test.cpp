// AuthFailures and auth_delay(): the growing wait after a failed AUTH and the cap on failures
// per client address, with the time passed in.
#include "mail_server/auth_failures.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mail {
namespace {

using namespace std::chrono_literals;
constexpr AuthFailures::Clock::time_point kT0{std::chrono::hours(1000)};

TEST(AuthDelayTest, DoublesUpToEightTimesTheFirst) {
    EXPECT_EQ(auth_delay(1s, 0), 0ms);
    EXPECT_EQ(auth_delay(1s, 1), 1s);
    EXPECT_EQ(auth_delay(1s, 2), 2s);
    EXPECT_EQ(auth_delay(1s, 3), 4s);
    EXPECT_EQ(auth_delay(1s, 4), 8s);
    EXPECT_EQ(auth_delay(1s, 5), 8s);
    EXPECT_EQ(auth_delay(1s, 1'000'000), 8s);
    EXPECT_EQ(auth_delay(250ms, 2), 500ms);
    EXPECT_EQ(auth_delay(0ms, 7), 0ms);
}

TEST(AuthFailuresTest, CountsPerAddressInAWindowAndBlocksAtTheCap) {
    AuthFailures failures({.max_failures = 3, .window = 60s});
    EXPECT_FALSE(failures.blocked("192.0.2.1", kT0));
    EXPECT_EQ(failures.record("192.0.2.1", kT0), 1u);
    EXPECT_EQ(failures.record("192.0.2.1", kT0 + 1s), 2u);
    EXPECT_EQ(failures.record("192.0.2.2", kT0 + 1s), 1u);
    EXPECT_FALSE(failures.blocked("192.0.2.1", kT0 + 2s));
    EXPECT_EQ(failures.record("192.0.2.1", kT0 + 2s), 3u);
    EXPECT_TRUE(failures.blocked("192.0.2.1", kT0 + 2s));
    EXPECT_FALSE(failures.blocked("192.0.2.2", kT0 + 2s));
    // The window runs from the first failure.
    EXPECT_TRUE(failures.blocked("192.0.2.1", kT0 + 59s));
    EXPECT_FALSE(failures.blocked("192.0.2.1", kT0 + 60s));
    EXPECT_EQ(failures.record("192.0.2.1", kT0 + 60s), 1u);
}

TEST(AuthFailuresTest, NoCapStillCounts) {
    AuthFailures failures({.max_failures = 0, .window = 60s});
    for (std::size_t i = 1; i <= 50; ++i)
        EXPECT_EQ(failures.record("::1", kT0), i);
    EXPECT_FALSE(failures.blocked("::1", kT0));
}

TEST(AuthFailuresTest, MemoryIsBoundedExpiredAddressesGoFirst) {
    AuthFailures failures({.max_failures = 2, .window = 60s}, 3);
    failures.record("a", kT0);
    failures.record("b", kT0 + 10s);
    failures.record("b", kT0 + 10s);
    failures.record("c", kT0 + 20s);
    EXPECT_EQ(failures.addresses(), 3u);
    failures.record("d", kT0 + 65s);  // "a" has expired: it goes
    EXPECT_EQ(failures.addresses(), 3u);
    EXPECT_TRUE(failures.blocked("b", kT0 + 65s));
    failures.record("e", kT0 + 66s);  // none expired: the oldest window ("b") goes
    EXPECT_EQ(failures.addresses(), 3u);
    EXPECT_FALSE(failures.blocked("b", kT0 + 66s));
    for (int i = 0; i < 1000; ++i)
        failures.record("x" + std::to_string(i), kT0 + 70s);
    EXPECT_EQ(failures.addresses(), 3u);
}

}  // namespace
}  // namespace mail
