// LoopGroup: N loops on N threads; tasks posted to each run on that loop's own thread, and
// stop() (or the destructor) joins them. A safety timer on every loop bounds each test.
#include "common/loop_group.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace net {
namespace {

using namespace std::chrono_literals;

constexpr auto kSafety = 10s;
constexpr auto kPatience = 5s;

// Arms a timer on every loop that stops it after kSafety (before start(): set-up time).
void arm_safety_timers(LoopGroup& group) {
    for (std::size_t i = 0; i < group.size(); ++i) {
        EventLoop& loop = group.loop(i);
        loop.run_after(kSafety, [&loop] { loop.stop(); });
    }
}

TEST(LoopGroupTest, HasTheLoopsAskedFor) {
    LoopGroup group(3);
    EXPECT_EQ(group.size(), 3U);
    EXPECT_NE(&group.loop(0), &group.loop(1));
    EXPECT_NE(&group.loop(1), &group.loop(2));
    EXPECT_THROW((void)group.loop(3), std::out_of_range);
}

TEST(LoopGroupTest, DefaultCountIsAtLeastOne) {
    EXPECT_GE(LoopGroup::default_count(), 1U);
}

TEST(LoopGroupTest, EachLoopRunsOnItsOwnThread) {
    LoopGroup group(3);
    arm_safety_timers(group);
    group.start();

    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::thread::id> ran_on(group.size());
    std::size_t finished = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
        group.loop(i).post([&, i] {
            const std::lock_guard lock(mutex);
            ran_on[i] = std::this_thread::get_id();
            ++finished;
            done.notify_one();
        });
    }
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(done.wait_for(lock, kPatience, [&] { return finished == group.size(); }));
    }
    const std::set<std::thread::id> distinct(ran_on.begin(), ran_on.end());
    EXPECT_EQ(distinct.size(), group.size());
    EXPECT_FALSE(distinct.contains(std::this_thread::get_id()));

    const auto start = std::chrono::steady_clock::now();
    group.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, kPatience)
        << "stop() only returned when the safety timers fired";
}

TEST(LoopGroupTest, LoopsRunConcurrently) {
    // A task on loop 0 waits for one on loop 1: only possible if they run at the same time.
    LoopGroup group(2);
    arm_safety_timers(group);
    group.start();
    std::mutex mutex;
    std::condition_variable changed;
    bool second_ran = false;
    bool first_saw_second = false;
    bool first_done = false;
    group.loop(0).post([&] {
        std::unique_lock lock(mutex);
        first_saw_second = changed.wait_for(lock, kPatience, [&] { return second_ran; });
        first_done = true;
        changed.notify_all();
    });
    group.loop(1).post([&] {
        const std::lock_guard lock(mutex);
        second_ran = true;
        changed.notify_all();
    });
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, 2 * kPatience, [&] { return first_done; }));
    }
    EXPECT_TRUE(first_saw_second);
    group.stop();
}

TEST(LoopGroupTest, DestructorStopsAndJoins) {
    const auto start = std::chrono::steady_clock::now();
    {
        LoopGroup group(2);
        arm_safety_timers(group);
        group.start();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, kPatience);
}

TEST(LoopGroupTest, StopWithoutStartAndTwiceIsHarmless) {
    LoopGroup group(2);
    group.stop();
    group.stop();
    EXPECT_EQ(group.size(), 2U);
}

TEST(LoopGroupTest, StopTwiceAfterStart) {
    LoopGroup group(2);
    arm_safety_timers(group);
    group.start();
    const auto start = std::chrono::steady_clock::now();
    group.stop();
    group.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, kPatience);
}

}  // namespace
}  // namespace net
