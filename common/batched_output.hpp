// Text that many event loops write to one descriptor (an access log, an SMTP transcript on
// stdout, a server's stderr) without ever waiting on it: each loop gathers its lines and hands
// them over once per batch of events, and a thread of the output's own writes them out.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "event_loop.hpp"
#include "fd.hpp"

namespace net {

// One descriptor shared by every loop, behind a bounded queue drained by a thread it owns.
// Thread-safe: each write() lands whole and in order, never interleaved with another's. A
// writer never waits on the descriptor: when the queue is full (a pipe nobody reads, a stopped
// terminal), the text is dropped and its lines counted, and once there is room again one line
// says how many: "web_server: 1234 log lines dropped (the output was not being read)".
// Owns the descriptor when given an Fd, and any given to replace().
class SharedOutput {
  public:
    // Queued bytes at most: about 40,000 access log lines.
    static constexpr std::size_t kDefaultCapacity = 4 * 1024 * 1024;

    struct Options {
        std::size_t capacity = kDefaultCapacity;
        // A text that nothing queued is ahead of goes out on the caller's thread when the
        // descriptor takes it at once (a file, a socket, a pipe with room): out before the
        // caller goes on, like a plain write(2), at the cost of a system call on that thread.
        // For a server's stderr, whose lines then keep step with what its clients see. Without
        // it (an access log on the hot path), the thread writes everything.
        bool write_through = false;
    };

    // `program` names the dropped-lines line. Does not own `fd` (stdout, stderr).
    SharedOutput(int fd, std::string program, Options options);
    SharedOutput(int fd, std::string program) : SharedOutput(fd, std::move(program), Options{}) {}
    // Owns `fd` (a log file), closing it when done with it.
    SharedOutput(Fd fd, std::string program, Options options);
    SharedOutput(Fd fd, std::string program)
        : SharedOutput(std::move(fd), std::move(program), Options{}) {}
    SharedOutput(const SharedOutput&) = delete;
    SharedOutput& operator=(const SharedOutput&) = delete;
    // Writes what is queued, then joins the thread. Bounded: once the descriptor has taken
    // nothing for a second (a pipe nobody reads), the rest is dropped.
    ~SharedOutput();

    // Queues `text` (whole lines) or drops it; never blocks on the descriptor, never throws on
    // its errors (a full disk or a closed pipe loses the text but never takes a server down).
    void write(std::string_view text);

    // Moves the output to `fd` (a log file opened again after logrotate renamed it): what was
    // written before this call goes to the old descriptor, what is written after it to `fd`.
    // The writer thread makes the switch between two writes, so no line is lost or split
    // across the two, and closes the old descriptor if it owned it. Never blocks.
    void replace(Fd fd);

  private:
    struct State;
    // Shared with the thread, so that in the one case the destructor cannot join it (a write
    // that blocks although the descriptor polled writable, e.g. another process filled the
    // pipe at that moment) it can let the thread go with everything it uses.
    std::shared_ptr<State> state_;
    std::thread thread_;
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
