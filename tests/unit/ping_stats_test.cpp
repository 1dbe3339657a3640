// PingStats and the summary, checked against values computed by hand.
#include "udp_ping/ping_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace ping {
namespace {

PingStats stats_of(std::initializer_list<double> rtts, std::uint64_t transmitted) {
    PingStats stats;
    for (std::uint64_t i = 0; i < transmitted; ++i)
        stats.add_sent();
    for (const double rtt : rtts)
        stats.add_rtt(rtt);
    return stats;
}

TEST(PingStatsTest, EmptyIsAllZero) {
    const PingStats stats;
    EXPECT_EQ(stats.transmitted(), 0U);
    EXPECT_EQ(stats.received(), 0U);
    EXPECT_EQ(stats.duplicates(), 0U);
    EXPECT_EQ(stats.loss_percent(), 0.0);  // nothing sent: no loss, no division by zero
    EXPECT_EQ(stats.min(), 0.0);
    EXPECT_EQ(stats.avg(), 0.0);
    EXPECT_EQ(stats.max(), 0.0);
    EXPECT_EQ(stats.mdev(), 0.0);
    EXPECT_EQ(stats.percentile(50), 0.0);
}

TEST(PingStatsTest, MinAvgMaxMdev) {
    // Out of order on purpose. mean = 2.5, mean(x^2) = 30/4 = 7.5, mdev = sqrt(7.5 - 6.25).
    const PingStats stats = stats_of({4, 1, 3, 2}, 4);
    EXPECT_EQ(stats.received(), 4U);
    EXPECT_DOUBLE_EQ(stats.min(), 1.0);
    EXPECT_DOUBLE_EQ(stats.avg(), 2.5);
    EXPECT_DOUBLE_EQ(stats.max(), 4.0);
    EXPECT_DOUBLE_EQ(stats.mdev(), std::sqrt(1.25));
    EXPECT_EQ(stats.rtts(), (std::vector<double>{4, 1, 3, 2}));
}

TEST(PingStatsTest, MdevIsPopulationStandardDeviation) {
    // 1..7: mean 4, mean(x^2) = 140/7 = 20, mdev = sqrt(20 - 16) = 2 (not the sample 2.16).
    const PingStats stats = stats_of({1, 2, 3, 4, 5, 6, 7}, 7);
    EXPECT_DOUBLE_EQ(stats.avg(), 4.0);
    EXPECT_DOUBLE_EQ(stats.mdev(), 2.0);
    EXPECT_EQ(stats_of({3, 3, 3}, 3).mdev(), 0.0);
}

TEST(PingStatsTest, PercentilesInterpolateLinearly) {
    // Sorted 1,2,3,4: rank = p/100 * 3.
    const PingStats stats = stats_of({4, 1, 3, 2}, 4);
    EXPECT_DOUBLE_EQ(stats.percentile(0), 1.0);
    EXPECT_DOUBLE_EQ(stats.percentile(25), 1.75);  // rank 0.75
    EXPECT_DOUBLE_EQ(stats.percentile(50), 2.5);   // rank 1.5
    EXPECT_DOUBLE_EQ(stats.percentile(90), 3.7);   // rank 2.7
    EXPECT_DOUBLE_EQ(stats.percentile(99), 3.97);  // rank 2.97
    EXPECT_DOUBLE_EQ(stats.percentile(100), 4.0);
    // Out of range is clamped to min and max.
    EXPECT_DOUBLE_EQ(stats.percentile(-10), 1.0);
    EXPECT_DOUBLE_EQ(stats.percentile(250), 4.0);
}

TEST(PingStatsTest, OddCountMedianIsMiddleSample) {
    const PingStats stats = stats_of({10, 30, 20}, 3);
    EXPECT_DOUBLE_EQ(stats.percentile(50), 20.0);
}

TEST(PingStatsTest, OneSampleIsEveryPercentile) {
    const PingStats stats = stats_of({5.5}, 1);
    EXPECT_DOUBLE_EQ(stats.percentile(0), 5.5);
    EXPECT_DOUBLE_EQ(stats.percentile(50), 5.5);
    EXPECT_DOUBLE_EQ(stats.percentile(99), 5.5);
    EXPECT_DOUBLE_EQ(stats.percentile(100), 5.5);
    EXPECT_DOUBLE_EQ(stats.min(), 5.5);
    EXPECT_DOUBLE_EQ(stats.max(), 5.5);
    EXPECT_EQ(stats.mdev(), 0.0);
}

TEST(PingStatsTest, LossPercent) {
    EXPECT_DOUBLE_EQ(stats_of({1, 2, 3, 4, 5, 6, 7}, 10).loss_percent(), 30.0);
    EXPECT_DOUBLE_EQ(stats_of({1}, 3).loss_percent(), 200.0 / 3.0);
    EXPECT_DOUBLE_EQ(stats_of({}, 4).loss_percent(), 100.0);
    EXPECT_DOUBLE_EQ(stats_of({1, 2}, 2).loss_percent(), 0.0);
}

TEST(PingStatsTest, DuplicatesAreCountedApartFromReplies) {
    PingStats stats = stats_of({1, 2}, 4);
    stats.add_duplicate();
    stats.add_duplicate();
    EXPECT_EQ(stats.duplicates(), 2U);
    EXPECT_EQ(stats.received(), 2U);
    EXPECT_DOUBLE_EQ(stats.loss_percent(), 50.0);
    EXPECT_DOUBLE_EQ(stats.avg(), 1.5);
}

TEST(PingStatsTest, SummaryMatchesPingFormat) {
    const PingStats stats = stats_of({1, 2, 3, 4, 5, 6, 7}, 10);
    // p50: rank 3 -> 4; p90: rank 5.4 -> 6.4; p99: rank 5.94 -> 6.94.
    EXPECT_EQ(format_summary("127.0.0.1:12000", stats, 9012),
              "--- 127.0.0.1:12000 udp ping statistics ---\n"
              "10 packets transmitted, 7 received, 30% packet loss, time 9012ms\n"
              "rtt min/avg/max/mdev = 1.000/4.000/7.000/2.000 ms\n"
              "rtt p50/p90/p99 = 4.000/6.400/6.940 ms\n");
}

TEST(PingStatsTest, SummaryWithoutRepliesHasNoRttLines) {
    EXPECT_EQ(format_summary("host:1", stats_of({}, 3), 2002),
              "--- host:1 udp ping statistics ---\n"
              "3 packets transmitted, 0 received, 100% packet loss, time 2002ms\n");
    EXPECT_EQ(format_summary("host:1", PingStats{}, 0),
              "--- host:1 udp ping statistics ---\n"
              "0 packets transmitted, 0 received, 0% packet loss, time 0ms\n");
}

TEST(PingStatsTest, SummaryCountsIcmpErrorsAsPingDoes) {
    PingStats stats = stats_of({}, 3);
    for (int i = 0; i < 3; ++i)
        stats.add_error();
    EXPECT_EQ(stats.errors(), 3U);
    EXPECT_DOUBLE_EQ(stats.loss_percent(), 100.0);
    EXPECT_EQ(format_summary("127.0.0.1:9", stats, 2002),
              "--- 127.0.0.1:9 udp ping statistics ---\n"
              "3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2002ms\n");
}

TEST(PingStatsTest, SummaryShowsDuplicates) {
    PingStats stats = stats_of({4, 1, 3, 2}, 4);
    stats.add_duplicate();
    stats.add_duplicate();
    EXPECT_EQ(format_summary("h", stats, 3003),
              "--- h udp ping statistics ---\n"
              "4 packets transmitted, 4 received, +2 duplicates, 0% packet loss, time 3003ms\n"
              "rtt min/avg/max/mdev = 1.000/2.500/4.000/1.118 ms\n"
              "rtt p50/p90/p99 = 2.500/3.700/3.970 ms\n");
}

TEST(PingStatsTest, SummaryLossUsesPingsPercentFormat) {
    // iputils prints the loss with %g: 66.6667%, not 66.67% or 67%.
    EXPECT_EQ(format_summary("h", stats_of({0.5}, 3), 2001),
              "--- h udp ping statistics ---\n"
              "3 packets transmitted, 1 received, 66.6667% packet loss, time 2001ms\n"
              "rtt min/avg/max/mdev = 0.500/0.500/0.500/0.000 ms\n"
              "rtt p50/p90/p99 = 0.500/0.500/0.500 ms\n");
}

}  // namespace
}  // namespace ping
