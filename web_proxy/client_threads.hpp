// ClientThreads: a thread for each client connection (the book's multi-threaded proxy), counted
// so the proxy can refuse clients beyond its limit, joined as they finish and all joined when
// the proxy stops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/fd.hpp"

namespace web_proxy {

class ClientThreads {
  public:
    ClientThreads();
    ClientThreads(const ClientThreads&) = delete;
    ClientThreads& operator=(const ClientThreads&) = delete;
    // Joins every thread: tell them to stop first.
    ~ClientThreads();

    // Runs `work` on a new thread. Throws std::system_error when no thread can be made.
    void start(std::function<void()> work);
    // Threads still working.
    [[nodiscard]] std::size_t active() const;
    // Readable when a thread has finished and waits to be joined by reap().
    [[nodiscard]] int finished_fd() const { return finished_fd_.get(); }
    // Joins the threads that have finished.
    void reap();

  private:
    mutable std::mutex mutex_;
    std::map<std::uint64_t, std::thread> threads_;
    std::vector<std::uint64_t> finished_;
    std::uint64_t next_id_ = 0;
    std::size_t active_ = 0;
    net::Fd finished_fd_;  // an eventfd
};

}  // namespace web_proxy
