// LoopGroup: N EventLoops, each running on a thread of its own.
#pragma once

#include <cstddef>
#include <memory>
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

}  // namespace net
