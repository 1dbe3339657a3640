// EventLoop on epoll (level-triggered) with an ordered timer map and an eventfd for wake-ups.
#include "event_loop.hpp"

#include <sys/eventfd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace net {
namespace {

constexpr std::size_t kMaxEventsPerWait = 256;

}  // namespace

EventLoop::EventLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wakeup_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!epoll_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    if (!wakeup_) throw std::system_error(errno, std::generic_category(), "eventfd");
    add(wakeup_.get(), EPOLLIN, [this](std::uint32_t) {
        std::uint64_t count = 0;
        // Draining the counter; a failed read only means another wake-up raced us.
        [[maybe_unused]] const auto n = ::read(wakeup_.get(), &count, sizeof count);
    });
}

EventLoop::~EventLoop() = default;

void EventLoop::add(int fd, std::uint32_t events, Handler handler) {
    assert_in_loop_thread();
    auto watch = std::make_unique<Watch>(Watch{fd, events, std::move(handler)});
    epoll_event event{};
    event.events = events;
    event.data.ptr = watch.get();
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD)");
    }
    watches_[fd] = std::move(watch);
}

void EventLoop::modify(int fd, std::uint32_t events) {
    assert_in_loop_thread();
    const auto it = watches_.find(fd);
    if (it == watches_.end() || it->second->events == events) return;
    epoll_event event{};
    event.events = events;
    event.data.ptr = it->second.get();
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) {
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(MOD)");
    }
    it->second->events = events;
}

void EventLoop::remove(int fd) {
    assert_in_loop_thread();
    const auto it = watches_.find(fd);
    if (it == watches_.end()) return;
    // Kernels before 2.6.9 wanted a non-null event pointer even for DEL; pass one anyway.
    epoll_event event{};
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, &event);
    it->second->removed = true;
    // The handler may be running right now (it may be removing itself): keep it alive until
    // the batch of events is done.
    removed_.push_back(std::move(it->second));
    watches_.erase(it);
}

EventLoop::TimerId EventLoop::run_after(Clock::duration delay, std::function<void()> callback) {
    return run_at(Clock::now() + delay, std::move(callback));
}

EventLoop::TimerId EventLoop::run_at(Clock::time_point when, std::function<void()> callback) {
    assert_in_loop_thread();
    const TimerId id = next_timer_id_++;
    timers_.emplace(std::make_pair(when, id), std::move(callback));
    timer_deadlines_.emplace(id, when);
    return id;
}

void EventLoop::cancel(TimerId id) {
    assert_in_loop_thread();
    const auto it = timer_deadlines_.find(id);
    if (it == timer_deadlines_.end()) return;
    timers_.erase({it->second, id});
    timer_deadlines_.erase(it);
}

int EventLoop::epoll_timeout_ms() const {
    if (timers_.empty()) return -1;
    const auto left = timers_.begin()->first.first - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    // Round up: waking early would only spin until the deadline.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

void EventLoop::run_due_timers() {
    now_ = Clock::now();
    // Only timers due now; ones that callbacks add for "now" wait for the next iteration, so a
    // timer that re-arms itself with zero delay cannot starve I/O.
    const auto due = now_;
    while (!timers_.empty() && timers_.begin()->first.first <= due) {
        auto node = timers_.extract(timers_.begin());
        timer_deadlines_.erase(node.key().second);
        node.mapped()();
    }
}

void EventLoop::run_posted_tasks() {
    std::vector<std::function<void()>> tasks;
    {
        const std::lock_guard lock(mutex_);
        tasks.swap(posted_);
    }
    for (auto& task : tasks)
        task();
}

void EventLoop::run_deferred_tasks() {
    // Deferred tasks may defer more; they all run before the loop waits again.
    while (!deferred_.empty()) {
        std::vector<std::function<void()>> tasks;
        tasks.swap(deferred_);
        for (auto& task : tasks)
            task();
    }
}

void EventLoop::run() {
    std::array<epoll_event, kMaxEventsPerWait> events{};
    runner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    // Whichever way run() ends, the loop is free for its owner's thread again.
    struct Leave {
        std::atomic<std::thread::id>& runner;
        ~Leave() { runner.store(std::thread::id{}, std::memory_order_relaxed); }
    } leave{runner_};
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stop_requested_) {
                stop_requested_ = false;
                return;
            }
        }
        const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                                   epoll_timeout_ms());
        if (n < 0 && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "epoll_wait");
        }
        now_ = Clock::now();
        for (int i = 0; i < n; ++i) {
            auto* watch = static_cast<Watch*>(events[static_cast<std::size_t>(i)].data.ptr);
            if (!watch->removed) watch->handler(events[static_cast<std::size_t>(i)].events);
        }
        run_due_timers();
        run_posted_tasks();
        run_deferred_tasks();
        removed_.clear();
    }
}

void EventLoop::stop() {
    {
        const std::lock_guard lock(mutex_);
        stop_requested_ = true;
    }
    wake();
}

void EventLoop::post(std::function<void()> task) {
    bool first = false;
    {
        const std::lock_guard lock(mutex_);
        first = posted_.empty();
        posted_.push_back(std::move(task));
    }
    // Tasks already waiting have woken the loop, which reads the eventfd before it takes them:
    // one wake-up serves a whole batch of posts.
    if (first) wake();
}

void EventLoop::wake() {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: the loop will wake anyway.
    [[maybe_unused]] const auto n = ::write(wakeup_.get(), &one, sizeof one);
}

}  // namespace net
