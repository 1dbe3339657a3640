// A queue under a mutex and a condition variable; jobs run in the order submitted.
#include "worker_pool.hpp"

namespace net {

WorkerPool::WorkerPool(std::size_t threads, AtExit at_exit) : at_exit_(at_exit) {
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        threads_.emplace_back([state = state_] { work(state); });
}

WorkerPool::~WorkerPool() {
    std::deque<std::function<void()>> dropped;  // destroyed outside the lock
    {
        const std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        if (at_exit_ == AtExit::kAbandon) dropped.swap(state_->jobs);
    }
    state_->ready.notify_all();
    if (at_exit_ == AtExit::kAbandon) {
        for (auto& thread : threads_)
            thread.detach();
    }
    threads_.clear();  // joins what is not detached, after the queue is empty
}

void WorkerPool::submit(std::function<void()> job) {
    {
        const std::lock_guard lock(state_->mutex);
        state_->jobs.push_back(std::move(job));
    }
    state_->ready.notify_one();
}

void WorkerPool::wait_idle() {
    std::unique_lock lock(state_->mutex);
    state_->idle.wait(lock, [this] { return state_->jobs.empty() && state_->running == 0; });
}

void WorkerPool::work(const std::shared_ptr<State>& state) {
    while (true) {
        std::function<void()> job;
        {
            std::unique_lock lock(state->mutex);
            state->ready.wait(lock, [&] { return state->stopping || !state->jobs.empty(); });
            if (state->jobs.empty()) return;  // stopping, and nothing left
            job = std::move(state->jobs.front());
            state->jobs.pop_front();
            ++state->running;
        }
        job();
        job = nullptr;  // what it captured goes before the pool is told it is idle
        {
            const std::lock_guard lock(state->mutex);
            --state->running;
        }
        state->idle.notify_all();
    }
}

}  // namespace net
