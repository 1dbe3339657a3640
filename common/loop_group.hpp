// LoopGroup: N EventLoops, each running on a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "event_loop.hpp"

namespace net {

// Build it, set up each loop (listeners, servers) with for_each or loop(i), then start().
// stop() (or the destructor) stops every loop and joins the threads. Call from one thread.
class LoopGroup {
  public:
    explicit LoopGroup(std::size_t count);
    LoopGroup(const LoopGroup&) = delete;
    LoopGroup& operator=(const LoopGroup&) = delete;
    ~LoopGroup() { stop(); }

    [[nodiscard]] std::size_t size() const { return loops_.size(); }
    EventLoop& loop(std::size_t i) { return *loops_.at(i); }

    void start();
    void stop();

    // A thread count for "one loop per core" defaults.
    static std::size_t default_count();

  private:
    std::vector<std::unique_ptr<EventLoop>> loops_;
    std::vector<std::jthread> threads_;
};

// Graceful stop for servers built as one service per loop: posts service i's
// begin_drain(on_empty) to loop i and waits until every service reported empty, or `timeout`.
// Call from the thread that started the loops; they must be running.
template <typename Service>
void drain_services(LoopGroup& loops, std::vector<std::unique_ptr<Service>>& services,
                    std::chrono::milliseconds timeout) {
    // Shared, so a service that reports after the timeout touches nothing already gone.
    struct Progress {
        std::mutex mutex;
        std::condition_variable done;
        std::size_t busy = 0;
    };
    const auto progress = std::make_shared<Progress>();
    progress->busy = services.size();
    for (std::size_t i = 0; i < services.size(); ++i) {
        loops.loop(i).post([progress, service = services[i].get()] {
            service->begin_drain([progress] {
                const std::lock_guard lock(progress->mutex);
                --progress->busy;
                progress->done.notify_one();
            });
        });
    }
    std::unique_lock lock(progress->mutex);
    progress->done.wait_for(lock, timeout, [&] { return progress->busy == 0; });
}

}  // namespace net
