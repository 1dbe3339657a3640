// EventLoop: watches (add/modify/remove, also from inside handlers), timers (order, cancel,
// timers that schedule timers), and stop()/post() from other threads. Every run is bounded by a
// safety timer, so a bug fails the test instead of hanging it.
#include "common/event_loop.hpp"
#include "tests/support/pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace net {
namespace {

using test::make_pipe;
using test::Pipe;

using namespace std::chrono_literals;
using Clock = EventLoop::Clock;

constexpr auto kSafety = 10s;   // a loop that is still running by then has a bug
constexpr auto kPatience = 5s;  // how long a test waits for something that should be quick

// Runs `loop` on this thread until something stops it. False when the safety timer had to.
bool run_bounded(EventLoop& loop) {
    bool timed_out = false;
    const auto id = loop.run_after(kSafety, [&] {
        timed_out = true;
        loop.stop();
    });
    loop.run();
    loop.cancel(id);
    return !timed_out;
}

void write_byte(const Pipe& pipe) {
    ASSERT_EQ(::write(pipe.write_end.get(), "x", 1), 1);
}

// ---------------------------------------------------------------------------- watches

TEST(EventLoopTest, AddCallsTheHandlerWhenReadable) {
    EventLoop loop;
    const Fd counter(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    ASSERT_TRUE(counter.valid());
    const std::size_t base = loop.watch_count();
    std::vector<std::uint32_t> seen;
    loop.add(counter.get(), EPOLLIN, [&](std::uint32_t events) {
        seen.push_back(events);
        std::uint64_t value = 0;
        EXPECT_EQ(::read(counter.get(), &value, sizeof value), 8);
        EXPECT_EQ(value, 3U);
        loop.stop();
    });
    EXPECT_TRUE(loop.watching(counter.get()));
    EXPECT_EQ(loop.watch_count(), base + 1);

    const std::uint64_t three = 3;
    ASSERT_EQ(::write(counter.get(), &three, sizeof three), 8);
    ASSERT_TRUE(run_bounded(loop));
    ASSERT_EQ(seen.size(), 1U);
    EXPECT_NE(seen[0] & EPOLLIN, 0U);

    loop.remove(counter.get());
    EXPECT_FALSE(loop.watching(counter.get()));
    EXPECT_EQ(loop.watch_count(), base);
}

TEST(EventLoopTest, WatchesAreLevelTriggered) {
    EventLoop loop;
    const Pipe pipe = make_pipe(O_NONBLOCK);
    int calls = 0;
    loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) {
        char byte = 0;
        ASSERT_EQ(::read(pipe.read_end.get(), &byte, 1), 1);  // one byte per call
        if (++calls == 3) loop.stop();
    });
    ASSERT_EQ(::write(pipe.write_end.get(), "abc", 3), 3);
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(calls, 3);
}

TEST(EventLoopTest, ModifyChangesTheEvents) {
    EventLoop loop;
    int fds[2] = {-1, -1};
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    const Fd a(fds[0]);
    const Fd b(fds[1]);
    std::vector<std::string> seen;
    // `a` is writable but not readable: nothing happens until it is watched for EPOLLOUT.
    loop.add(a.get(), EPOLLIN, [&](std::uint32_t events) {
        if ((events & EPOLLOUT) != 0) {
            seen.emplace_back("out");
            loop.modify(a.get(), EPOLLIN);
            ASSERT_EQ(::write(b.get(), "x", 1), 1);
        }
        if ((events & EPOLLIN) != 0) {
            seen.emplace_back("in");
            char byte = 0;
            EXPECT_EQ(::read(a.get(), &byte, 1), 1);
            loop.stop();
        }
    });
    loop.run_after(0ms, [&] {
        seen.emplace_back("timer");
        loop.modify(a.get(), EPOLLOUT);
    });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(seen, (std::vector<std::string>{"timer", "out", "in"}));
}

TEST(EventLoopTest, RemovedFdIsNotDispatched) {
    EventLoop loop;
    const Pipe removed = make_pipe(O_NONBLOCK);
    const Pipe kept = make_pipe(O_NONBLOCK);
    write_byte(removed);
    write_byte(kept);
    std::vector<std::string> seen;
    loop.add(removed.read_end.get(), EPOLLIN, [&](std::uint32_t) { seen.emplace_back("removed"); });
    loop.add(kept.read_end.get(), EPOLLIN, [&](std::uint32_t) {
        seen.emplace_back("kept");
        loop.stop();
    });
    loop.remove(removed.read_end.get());
    EXPECT_FALSE(loop.watching(removed.read_end.get()));
    EXPECT_TRUE(loop.watching(kept.read_end.get()));
    loop.remove(removed.read_end.get());  // removing twice is harmless

    // Both are readable, so one epoll_wait reports every fd still registered.
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(seen, (std::vector<std::string>{"kept"}));
}

TEST(EventLoopTest, HandlerRemovesItselfAndAnotherFdInTheSameBatch) {
    EventLoop loop;
    std::array<Pipe, 2> pipes{make_pipe(O_NONBLOCK), make_pipe(O_NONBLOCK)};
    write_byte(pipes[0]);
    write_byte(pipes[1]);  // both ready: one epoll_wait reports both
    std::vector<std::size_t> called;
    Pipe replacement;
    bool replacement_called = false;
    for (std::size_t i = 0; i < 2; ++i) {
        loop.add(pipes[i].read_end.get(), EPOLLIN, [&, i](std::uint32_t) {
            called.push_back(i);
            const std::size_t other = 1 - i;
            loop.remove(pipes[i].read_end.get());  // itself: its handler is running right now
            loop.remove(pipes[other].read_end.get());
            // The other's owner closes it, and a new descriptor may well reuse its number: the
            // stale event already fetched for the old one must not reach the new handler.
            pipes[other].read_end.reset();
            replacement = make_pipe(O_NONBLOCK);
            loop.add(replacement.read_end.get(), EPOLLIN,
                     [&](std::uint32_t) { replacement_called = true; });
            loop.post([&] { loop.stop(); });
        });
    }
    ASSERT_TRUE(run_bounded(loop));
    ASSERT_EQ(called.size(), 1U) << "a handler ran after its fd was removed";
    EXPECT_FALSE(replacement_called);
    EXPECT_FALSE(loop.watching(pipes[called[0]].read_end.get()));
    EXPECT_TRUE(loop.watching(replacement.read_end.get()));
    loop.remove(replacement.read_end.get());
}

TEST(EventLoopTest, HandlerAddsAnotherFd) {
    EventLoop loop;
    const Pipe first = make_pipe(O_NONBLOCK);
    const Pipe second = make_pipe(O_NONBLOCK);
    write_byte(first);
    std::vector<std::string> seen;
    loop.add(first.read_end.get(), EPOLLIN, [&](std::uint32_t) {
        seen.emplace_back("first");
        loop.remove(first.read_end.get());
        loop.add(second.read_end.get(), EPOLLIN, [&](std::uint32_t) {
            seen.emplace_back("second");
            loop.stop();
        });
        write_byte(second);
    });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(seen, (std::vector<std::string>{"first", "second"}));
}

// ---------------------------------------------------------------------------- timers

TEST(EventLoopTest, TimersFireInDeadlineOrder) {
    EventLoop loop;
    std::vector<int> order;
    std::array<Clock::time_point, 4> deadlines{};
    const auto schedule = [&](int n, Clock::duration delay) {
        deadlines[static_cast<std::size_t>(n)] = Clock::now() + delay;
        loop.run_after(delay, [&, n] {
            order.push_back(n);
            EXPECT_GE(Clock::now(), deadlines[static_cast<std::size_t>(n)]) << "fired early";
            EXPECT_GE(loop.now(), deadlines[static_cast<std::size_t>(n)]);
        });
    };
    schedule(3, 30ms);
    schedule(1, 10ms);
    schedule(2, 20ms);
    deadlines[0] = Clock::now();
    loop.run_at(deadlines[0], [&] { order.push_back(0); });
    loop.run_after(40ms, [&] { loop.stop(); });
    EXPECT_EQ(loop.timer_count(), 5U);

    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(loop.timer_count(), 0U);
}

TEST(EventLoopTest, TimerIdsAreDistinct) {
    EventLoop loop;
    const auto a = loop.run_after(1h, [] {});
    const auto b = loop.run_after(1h, [] {});
    const auto c = loop.run_at(Clock::now() + 1h, [] {});
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    EXPECT_NE(a, c);
    EXPECT_EQ(loop.timer_count(), 3U);
}

TEST(EventLoopTest, CancelledTimerDoesNotFire) {
    EventLoop loop;
    bool fired = false;
    const auto id = loop.run_after(10ms, [&] { fired = true; });
    EXPECT_EQ(loop.timer_count(), 1U);
    loop.cancel(id);
    EXPECT_EQ(loop.timer_count(), 0U);
    loop.cancel(id);         // twice: nothing
    loop.cancel(id + 1000);  // unknown: nothing
    const auto stopper = loop.run_after(30ms, [&] { loop.stop(); });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_FALSE(fired);
    loop.cancel(stopper);  // already fired: nothing
    EXPECT_EQ(loop.timer_count(), 0U);
}

TEST(EventLoopTest, TimerCancelsAnotherDueAtTheSameTime) {
    EventLoop loop;
    const auto when = Clock::now() + 5ms;
    std::array<EventLoop::TimerId, 2> ids{};
    int fired = 0;
    ids[0] = loop.run_at(when, [&] {
        ++fired;
        loop.cancel(ids[1]);
    });
    ids[1] = loop.run_at(when, [&] {
        ++fired;
        loop.cancel(ids[0]);
    });
    loop.run_after(20ms, [&] { loop.stop(); });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(fired, 1) << "a timer cancelled by the one before it still ran";
}

TEST(EventLoopTest, TimerSchedulesTimers) {
    EventLoop loop;
    std::vector<int> fired;
    std::function<void()> step = [&] {
        fired.push_back(static_cast<int>(fired.size()));
        if (fired.size() == 5) {
            loop.stop();
        } else {
            loop.run_after(fired.size() % 2 == 0 ? 0ms : 1ms, step);
        }
    };
    loop.run_after(0ms, step);
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(fired, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(EventLoopTest, ZeroDelayTimerChainDoesNotStarveIo) {
    EventLoop loop;
    const Pipe pipe = make_pipe(O_NONBLOCK);
    constexpr int kCap = 100000;
    int ticks = 0;
    int ticks_when_io_ran = -1;
    loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) {
        ticks_when_io_ran = ticks;
        loop.stop();
    });
    std::function<void()> tick = [&] {
        if (++ticks == 1) write_byte(pipe);  // the pipe is ready from now on
        if (ticks < kCap) loop.run_after(0ms, tick);
    };
    loop.run_after(0ms, tick);
    ASSERT_TRUE(run_bounded(loop));
    ASSERT_GE(ticks_when_io_ran, 1);
    EXPECT_LT(ticks_when_io_ran, 1000) << "a self-rearming zero-delay timer kept I/O waiting";
}

// ---------------------------------------------------------------------------- post / stop

TEST(EventLoopTest, PostRunsTasksInOrderOnTheLoop) {
    EventLoop loop;
    std::vector<int> order;
    loop.post([&] { order.push_back(1); });
    loop.post([&] {
        order.push_back(2);
        loop.post([&] {  // posted from a task: runs too, later
            order.push_back(4);
            loop.stop();
        });
    });
    loop.post([&] { order.push_back(3); });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(EventLoopTest, DeferRunsAfterTheBatchBeforeTheNextWait) {
    EventLoop loop;
    std::vector<int> order;
    loop.post([&] {
        order.push_back(1);
        loop.defer([&] {
            order.push_back(3);
            loop.defer([&] {  // deferred from a deferred task: still this iteration
                order.push_back(4);
                loop.stop();
            });
        });
        order.push_back(2);
    });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(EventLoopTest, StopFromAnotherThreadWakesTheLoop) {
    EventLoop loop;
    std::atomic<bool> safety_fired{false};
    loop.run_after(kSafety, [&] {
        safety_fired = true;
        loop.stop();
    });
    std::promise<void> running;
    loop.post([&] { running.set_value(); });
    std::promise<void> returned;
    auto returned_future = returned.get_future();
    std::jthread thread([&] {
        loop.run();
        returned.set_value();
    });
    ASSERT_EQ(running.get_future().wait_for(kPatience), std::future_status::ready);
    // Nothing left to do: the loop sleeps in epoll_wait until the safety timer, unless woken.
    loop.stop();
    EXPECT_EQ(returned_future.wait_for(kPatience), std::future_status::ready);
    thread.join();
    EXPECT_FALSE(safety_fired);
}

TEST(EventLoopTest, PostFromAnotherThreadRunsOnTheLoopThread) {
    EventLoop loop;
    std::atomic<bool> safety_fired{false};
    loop.run_after(kSafety, [&] {
        safety_fired = true;
        loop.stop();
    });
    std::jthread thread([&] { loop.run(); });
    const auto loop_thread = thread.get_id();

    std::promise<std::thread::id> ran_on;
    auto ran_on_future = ran_on.get_future();
    loop.post([&] { ran_on.set_value(std::this_thread::get_id()); });
    ASSERT_EQ(ran_on_future.wait_for(kPatience), std::future_status::ready);
    EXPECT_EQ(ran_on_future.get(), loop_thread);

    loop.post([&] { loop.stop(); });
    thread.join();
    EXPECT_FALSE(safety_fired);
}

TEST(EventLoopTest, PostsFromManyThreadsAllRun) {
    EventLoop loop;
    constexpr int kThreads = 4;
    constexpr int kPostsEach = 1000;
    int count = 0;  // touched on the loop thread only
    bool safety_fired = false;
    loop.run_after(kSafety, [&] {
        safety_fired = true;
        loop.stop();
    });
    std::jthread runner([&] { loop.run(); });
    {
        std::vector<std::jthread> posters;
        for (int t = 0; t < kThreads; ++t) {
            posters.emplace_back([&] {
                for (int i = 0; i < kPostsEach; ++i) {
                    loop.post([&] {
                        if (++count == kThreads * kPostsEach) loop.stop();
                    });
                }
            });
        }
    }
    runner.join();
    EXPECT_FALSE(safety_fired);
    EXPECT_EQ(count, kThreads * kPostsEach);
}

// Posts one at a time, each only after the last one ran: the loop has gone back to sleep with
// an empty queue every time, so every post must wake it (one wake-up serves only a batch of
// posts that arrive before the loop takes them).
TEST(EventLoopTest, PostsOneAfterAnotherEachWakeTheLoop) {
    EventLoop loop;
    std::atomic<bool> safety_fired{false};
    loop.run_after(kSafety, [&] {
        safety_fired = true;
        loop.stop();
    });
    std::jthread runner([&] { loop.run(); });
    constexpr int kPosts = 2000;
    int ran = 0;
    for (int i = 0; i < kPosts && !safety_fired; ++i) {
        std::promise<void> done;
        loop.post([&] {
            ++ran;
            done.set_value();
        });
        ASSERT_EQ(done.get_future().wait_for(kPatience), std::future_status::ready) << i;
    }
    loop.post([&] { loop.stop(); });
    runner.join();
    EXPECT_FALSE(safety_fired);
    EXPECT_EQ(ran, kPosts);
}

TEST(EventLoopTest, NowIsOnTheMonotonicClock) {
    EventLoop loop;
    const auto before = Clock::now();
    Clock::time_point seen{};
    loop.run_after(5ms, [&] {
        seen = loop.now();
        loop.stop();
    });
    ASSERT_TRUE(run_bounded(loop));
    EXPECT_GE(seen, before + 5ms);
    EXPECT_LE(seen, Clock::now());
}

}  // namespace
}  // namespace net
