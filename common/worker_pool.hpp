// WorkerPool: threads that run blocking jobs (fsync, rename, name lookups) so the event loops never
// wait on the disk or the resolver. Thread-safe. What the destructor does with jobs not yet done
// is the owner's choice: run them all and join (storage: nothing acknowledged may be lost), or
// drop the queued ones and leave a job under way to finish alone (name lookups: getaddrinfo
// cannot be interrupted, and a stopping program must not wait for a slow resolver).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace net {

class WorkerPool {
  public:
    enum class AtExit {
        kRunEveryJob,  // the destructor runs every job already submitted, then joins
        kAbandon,      // the destructor drops queued jobs and detaches threads still in one
    };

    explicit WorkerPool(std::size_t threads, AtExit at_exit = AtExit::kRunEveryJob);
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool();

    // With kAbandon a job must not depend on anything but what it owns: it may outlive the
    // pool and its submitter.
    void submit(std::function<void()> job);
    // Blocks until every job submitted so far has run.
    void wait_idle();

  private:
    // Shared with the threads, so an abandoned thread still has its queue to look at.
    struct State {
        std::mutex mutex;
        std::condition_variable ready;
        std::condition_variable idle;
        std::size_t running = 0;
        std::deque<std::function<void()>> jobs;
        bool stopping = false;
    };
    static void work(const std::shared_ptr<State>& state);

    std::shared_ptr<State> state_ = std::make_shared<State>();
    AtExit at_exit_;
    std::vector<std::jthread> threads_;  // last: joined (or detached) before the rest goes
};

}  // namespace net
