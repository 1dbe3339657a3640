// WorkerPool: every job runs, on the pool's threads; wait_idle and the destructor wait for them.
#include "common/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <thread>

namespace net {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;  // for every wait on a pool thread

// Runs `work` on its own thread; true when it finished within the deadline. A hang cannot be
// cleaned up (the thread still uses the test's objects), so it ends the run instead of hanging.
bool finishes_within(const std::function<void()>& work, std::chrono::seconds deadline) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    std::thread thread([work, done] {
        work();
        done->set_value();
    });
    if (future.wait_for(deadline) == std::future_status::ready) {
        thread.join();
        return true;
    }
    thread.detach();
    ADD_FAILURE() << "did not finish within " << deadline.count() << " s";
    std::fflush(stdout);
    std::abort();
}

TEST(WorkerPoolTest, RunsEverySubmittedJob) {
    WorkerPool pool(4);
    std::atomic<int> ran{0};
    for (int i = 0; i < 1000; ++i)
        pool.submit([&ran] { ++ran; });
    ASSERT_TRUE(finishes_within([&pool] { pool.wait_idle(); }, kDeadline));
    EXPECT_EQ(ran.load(), 1000);
}

TEST(WorkerPoolTest, WaitIdleReturnsOnlyAfterEveryJobRan) {
    WorkerPool pool(2);
    std::promise<void> gate;
    auto open = gate.get_future().share();
    std::atomic<int> ran{0};
    for (int i = 0; i < 10; ++i) {
        pool.submit([open, &ran] {
            EXPECT_EQ(open.wait_for(kDeadline), std::future_status::ready);
            ++ran;
        });
    }
    // wait_idle() is blocked behind the gate; once it opens, it returns with all ten done.
    std::promise<int> seen;
    auto result = seen.get_future();
    const std::jthread waiter([&] {  // bounded: the jobs give up at the gate after kDeadline
        pool.wait_idle();
        seen.set_value(ran.load());
    });
    EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);
    gate.set_value();
    ASSERT_EQ(result.wait_for(kDeadline), std::future_status::ready);
    EXPECT_EQ(result.get(), 10);
}

TEST(WorkerPoolTest, WaitIdleWithNothingSubmittedReturns) {
    WorkerPool pool(1);
    EXPECT_TRUE(finishes_within([&pool] { pool.wait_idle(); }, kDeadline));
}

TEST(WorkerPoolTest, JobsRunOnPoolThreads) {
    WorkerPool pool(1);
    std::promise<std::thread::id> where;
    auto future = where.get_future();
    pool.submit([&where] { where.set_value(std::this_thread::get_id()); });
    ASSERT_EQ(future.wait_for(kDeadline), std::future_status::ready);
    EXPECT_NE(future.get(), std::this_thread::get_id());
}

TEST(WorkerPoolTest, DestructorRunsQueuedJobs) {
    std::atomic<int> ran{0};
    std::promise<void> gate;
    auto open = gate.get_future().share();
    auto pool = std::make_unique<WorkerPool>(1);
    // The one thread waits at the gate, so the next hundred jobs stay queued.
    pool->submit([open] { EXPECT_EQ(open.wait_for(kDeadline), std::future_status::ready); });
    for (int i = 0; i < 100; ++i)
        pool->submit([&ran] { ++ran; });
    EXPECT_EQ(ran.load(), 0);
    gate.set_value();
    ASSERT_TRUE(finishes_within([&pool] { pool.reset(); }, kDeadline));
    EXPECT_EQ(ran.load(), 100);
}

TEST(WorkerPoolTest, AnAbandoningPoolDropsQueuedJobsAndLeavesARunningOneBehind) {
    // Everything the jobs touch is theirs (shared), since they may outlive the test's frame.
    auto ran = std::make_shared<std::atomic<int>>(0);
    auto started = std::make_shared<std::promise<void>>();
    auto finished = std::make_shared<std::promise<void>>();
    std::promise<void> gate;
    auto open = gate.get_future().share();
    auto pool = std::make_unique<WorkerPool>(1, WorkerPool::AtExit::kAbandon);
    pool->submit([open, started, finished, ran] {
        started->set_value();
        (void)open.wait_for(kDeadline);  // a job that cannot be interrupted, like getaddrinfo
        ++*ran;
        finished->set_value();
    });
    for (int i = 0; i < 100; ++i)
        pool->submit([ran] { ++*ran; });
    ASSERT_EQ(started->get_future().wait_for(kDeadline), std::future_status::ready);
    // The destructor returns while the first job still waits at the gate.
    ASSERT_TRUE(finishes_within([&pool] { pool.reset(); }, kDeadline));
    EXPECT_EQ(ran->load(), 0);
    gate.set_value();
    ASSERT_EQ(finished->get_future().wait_for(kDeadline), std::future_status::ready);
    EXPECT_EQ(ran->load(), 1);  // the queued hundred never ran
}

}  // namespace
}  // namespace net
