// Text that many event loops write to one descriptor (an access log, an SMTP transcript on
// stdout): each loop gathers its lines and writes them once per batch of events.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "event_loop.hpp"

namespace net {

// One descriptor shared by every loop. Thread-safe: each write() lands whole, never interleaved
// with another loop's. Does not own the descriptor.
class SharedOutput {
  public:
    explicit SharedOutput(int fd) : fd_(fd) {}
    // Writes everything; a full disk or a closed pipe loses the text but never throws, so a
    // log can never take a server down.
    void write(std::string_view text);

  private:
    int fd_;
    std::mutex mutex_;
};

// One loop's buffer in front of a SharedOutput: append() from the loop's thread only; the text
// goes out in one write when the current batch of events is done (or at flush()).
class LoopOutput {
  public:
    LoopOutput(EventLoop& loop, SharedOutput& output) : loop_(loop), output_(output) {}
    LoopOutput(const LoopOutput&) = delete;
    LoopOutput& operator=(const LoopOutput&) = delete;
    ~LoopOutput() { flush(); }

    // The buffer to append to; schedules the flush.
    std::string& buffer();
    void flush();

  private:
    EventLoop& loop_;
    SharedOutput& output_;
    std::string buffer_;
    bool flush_pending_ = false;
    // Posted flushes check this, so none runs after the output is gone.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace net
