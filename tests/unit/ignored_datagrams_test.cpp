// IgnoredDatagrams: the first stray datagram gets its own line, a flood one line a second.
#include "udp_ping/ignored_datagrams.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace ping {
namespace {

using namespace std::chrono_literals;
using Clock = IgnoredDatagrams::Clock;

const Clock::time_point t0 = Clock::time_point{} + 100s;

TEST(IgnoredDatagramsTest, AStrayDatagramGetsItsOwnLineAndNoSummary) {
    IgnoredDatagrams ignored;
    EXPECT_FALSE(ignored.next_due().has_value());
    EXPECT_TRUE(ignored.add(t0));
    EXPECT_EQ(ignored.next_due(), t0 + 1s);
    EXPECT_EQ(ignored.due(t0 + 999ms), std::nullopt);
    EXPECT_EQ(ignored.due(t0 + 1s), std::nullopt);  // nothing more came
    EXPECT_FALSE(ignored.next_due().has_value());
    EXPECT_EQ(ignored.flush(), std::nullopt);
    // Quiet again: the next one has its own line too.
    EXPECT_TRUE(ignored.add(t0 + 5s));
    EXPECT_EQ(ignored.total(), 2U);
}

TEST(IgnoredDatagramsTest, AFloodIsOneLineASecond) {
    IgnoredDatagrams ignored;
    EXPECT_TRUE(ignored.add(t0));
    for (int i = 1; i <= 3512; ++i)
        EXPECT_FALSE(ignored.add(t0 + i * 250us));
    EXPECT_EQ(ignored.due(t0 + 1s),
              "ignored 3,512 more datagrams in the last second (not replies to this run)");
    // The flood goes on: counted in the next period, which starts with that line.
    EXPECT_EQ(ignored.next_due(), t0 + 2s);
    EXPECT_FALSE(ignored.add(t0 + 1500ms));
    EXPECT_EQ(ignored.due(t0 + 1999ms), std::nullopt);
    EXPECT_EQ(ignored.due(t0 + 2s),
              "ignored 1 more datagram in the last second (not a reply to this run)");
    // A quiet second ends the summaries.
    EXPECT_EQ(ignored.due(t0 + 3s), std::nullopt);
    EXPECT_TRUE(ignored.add(t0 + 3500ms));
    EXPECT_EQ(ignored.total(), 3515U);
}

TEST(IgnoredDatagramsTest, FlushSaysWhatTheLastPeriodCounted) {
    IgnoredDatagrams ignored;
    EXPECT_TRUE(ignored.add(t0));
    EXPECT_FALSE(ignored.add(t0 + 1ms));
    EXPECT_FALSE(ignored.add(t0 + 2ms));
    EXPECT_EQ(ignored.flush(),
              "ignored 2 more datagrams in the last second (not replies to this run)");
    EXPECT_EQ(ignored.flush(), std::nullopt);
    EXPECT_FALSE(ignored.next_due().has_value());
}

TEST(IgnoredDatagramsTest, ThousandsSeparators) {
    EXPECT_EQ(with_thousands(0), "0");
    EXPECT_EQ(with_thousands(999), "999");
    EXPECT_EQ(with_thousands(1000), "1,000");
    EXPECT_EQ(with_thousands(36121), "36,121");
    EXPECT_EQ(with_thousands(1234567), "1,234,567");
    EXPECT_EQ(with_thousands(18446744073709551615ULL), "18,446,744,073,709,551,615");
}

}  // namespace
}  // namespace ping
