// EventLoop: one epoll loop with timers, owned by one thread ("one loop per thread").
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "fd.hpp"

namespace net {

// Everything but stop() and post() must be called from the thread running run() (or, before
// run() starts and after it returns, from the one thread setting the loop up or tearing it
// down); debug builds check it (assert_in_loop_thread). The loop does not own the descriptors
// it watches: their owners remove() them before closing.
class EventLoop {
  public:
    using Clock = std::chrono::steady_clock;
    using Handler = std::function<void(std::uint32_t events)>;  // EPOLLIN, EPOLLOUT, EPOLLHUP...
    using TimerId = std::uint64_t;

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;
    ~EventLoop();

    // Watches `fd` for `events` (level-triggered) and calls `handler` when they happen.
    void add(int fd, std::uint32_t events, Handler handler);
    // Changes the events watched on `fd` (no system call when they are unchanged).
    void modify(int fd, std::uint32_t events);
    // Stops watching `fd`. Safe inside any handler, including fd's own.
    void remove(int fd);
    [[nodiscard]] bool watching(int fd) const { return watches_.contains(fd); }

    // Calls `callback` once, `delay` from now. O(log n).
    TimerId run_after(Clock::duration delay, std::function<void()> callback);
    TimerId run_at(Clock::time_point when, std::function<void()> callback);
    // Cancels a timer that has not fired; cancelling a fired or unknown timer does nothing.
    void cancel(TimerId id);

    // Runs until stop(): waits for events and timers and calls their handlers.
    void run();
    // Makes run() return after the current iteration; called before run(), run() returns at
    // once (so a stop that races the thread's start is never lost). Safe from any thread.
    void stop();
    // Runs `task` on the loop's thread after the current batch of events. Safe from any thread.
    void post(std::function<void()> task);
    // The same from the loop's own thread, without waking it: cheaper (no eventfd write and
    // read), for work a handler wants done once the batch is over (freeing a closed
    // connection, flushing a log). Loop thread only.
    void defer(std::function<void()> task) {
        assert_in_loop_thread();
        deferred_.push_back(std::move(task));
    }

    // True on the thread running run(), and on any thread while run() is not running.
    [[nodiscard]] bool in_loop_thread() const {
        const auto runner = runner_.load(std::memory_order_relaxed);
        return runner == std::thread::id{} || runner == std::this_thread::get_id();
    }
    // Debug builds stop here when a loop-thread-only call comes from another thread.
    void assert_in_loop_thread() const { assert(in_loop_thread()); }

    // The time at the start of the current iteration (cheap; good enough for timeouts).
    [[nodiscard]] Clock::time_point now() const { return now_; }
    // Descriptors watched for callers (the loop's own wake-up descriptor not counted).
    [[nodiscard]] std::size_t watch_count() const { return watches_.size() - 1; }
    [[nodiscard]] std::size_t timer_count() const { return timers_.size(); }

  private:
    struct Watch {
        int fd;
        std::uint32_t events;
        Handler handler;
        bool removed = false;
    };

    void run_due_timers();
    void run_posted_tasks();
    void run_deferred_tasks();
    [[nodiscard]] int epoll_timeout_ms() const;
    void wake();

    Fd epoll_;
    Fd wakeup_;  // an eventfd: stop() and post() from other threads poke it
    std::unordered_map<int, std::unique_ptr<Watch>> watches_;
    std::vector<std::unique_ptr<Watch>> removed_;  // kept alive until the current batch ends
    std::vector<std::function<void()>> deferred_;  // loop thread only: no lock

    std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
    std::unordered_map<TimerId, Clock::time_point> timer_deadlines_;
    TimerId next_timer_id_ = 1;
    Clock::time_point now_ = Clock::now();
    std::atomic<std::thread::id> runner_{};  // the thread inside run(), if any

    std::mutex mutex_;  // guards posted_ and stop_requested_
    std::vector<std::function<void()>> posted_;
    bool stop_requested_ = false;
};

}  // namespace net
