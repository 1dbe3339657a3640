// LoopGroup: the threads of a multi-loop server.
#include "loop_group.hpp"

#include <algorithm>

namespace net {

LoopGroup::LoopGroup(std::size_t count) {
    loops_.reserve(count);
    for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) {
        loops_.push_back(std::make_unique<EventLoop>());
    }
}

void LoopGroup::start() {
    for (auto& loop : loops_) {
        threads_.emplace_back([&loop = *loop] { loop.run(); });
    }
}

void LoopGroup::stop() {
    for (auto& loop : loops_)
        loop->stop();
    threads_.clear();  // jthread joins
}

std::size_t LoopGroup::default_count() {
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace net
