// WorkerPool: threads that run blocking jobs (fsync, rename, name lookups) so the event loops never
// wait on the disk. Thread-safe; the destructor runs every job already submitted, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace net {

class WorkerPool {
  public:
    explicit WorkerPool(std::size_t threads);
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool();

    void submit(std::function<void()> job);
    // Blocks until every job submitted so far has run.
    void wait_idle();

  private:
    void work();

    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable idle_;
    std::size_t running_ = 0;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::jthread> threads_;  // last: joined before the queue goes
};

}  // namespace net
