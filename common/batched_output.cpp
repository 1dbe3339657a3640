// SharedOutput: a byte queue under a mutex, swapped out whole by its writer thread; LoopOutput
// flushes through a task deferred on its own loop.
#include "common/batched_output.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

namespace net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// At exit, a descriptor that takes nothing for this long is given up on: shutdown never hangs
// on a pipe nobody reads.
constexpr auto kExitStall = 1s;
// How often a writer waiting for the descriptor looks whether it is being stopped.
constexpr int kPollSliceMs = 100;
// The destructor lets the thread go when it has shown no sign of life for this long (it is
// stuck inside one write(2)); it never is otherwise, see kExitStall and the chunk size.
constexpr auto kStuckLimit = kExitStall + 1s;

// Lines in `text`: its newlines, and an unterminated tail.
std::uint64_t count_lines(std::string_view text) {
    const auto newlines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
    return newlines + (text.empty() || text.back() == '\n' ? 0 : 1);
}

}  // namespace

struct SharedOutput::State {
    State(int fd, std::string program, const Options& options)
        : program(std::move(program)),
          capacity(options.capacity),
          write_through(options.write_through) {
        use(fd);
    }

    // Writes to `fd` from now on, in the way its kind allows.
    void use(int descriptor) {
        fd = descriptor;
        is_regular = is_socket = is_fifo = false;
        chunk = PIPE_BUF;
        struct stat st {};
        if (::fstat(fd, &st) == 0) {
            is_regular = S_ISREG(st.st_mode);
            is_socket = S_ISSOCK(st.st_mode);
            is_fifo = S_ISFIFO(st.st_mode);
            // A write of at most PIPE_BUF bytes to a pipe (or a socket, a terminal) that polled
            // writable does not block, so the writer can always notice that it is being
            // stopped. A regular file never makes a writer wait: one write for the whole batch.
            if (is_regular) chunk = std::numeric_limits<std::size_t>::max();
        }
    }

    // Appends the dropped-lines line for `dropped` to `to`, and starts counting again.
    void append_notice(std::string& to) {
        to.append(program)
            .append(": ")
            .append(std::to_string(dropped))
            .append(dropped == 1 ? " log line" : " log lines")
            .append(" dropped: the output was not read fast enough\n");
        dropped = 0;
    }

    void drain();
    bool write_out(std::string_view text);
    std::size_t write_now(std::string_view text) const;

    void beat() { heartbeat.store(Clock::now().time_since_epoch().count()); }
    [[nodiscard]] Clock::duration since_beat() const {
        return Clock::now() - Clock::time_point(Clock::duration(heartbeat.load()));
    }

    // The descriptor and its kind: changed by the writer thread only, under mutex (so write_now
    // on another thread, which holds it, sees them whole).
    int fd = -1;
    bool is_regular = false;
    bool is_socket = false;
    bool is_fifo = false;
    std::size_t chunk = PIPE_BUF;
    const std::string program;
    const std::size_t capacity;
    const bool write_through;

    Fd owned;                 // guarded: fd, when the output owns it
    std::optional<Fd> next;   // guarded: replace()'s descriptor, not yet switched to
    std::size_t next_at = 0;  // guarded: the bytes of `queued` that still go to the old one

    std::mutex mutex;
    std::condition_variable wake;       // the writer: text queued, lines dropped, or stop
    std::condition_variable finished;   // the destructor: the writer is done
    std::string queued;                 // guarded by mutex
    std::uint64_t dropped = 0;          // guarded: lines dropped since the last notice
    bool writing = false;               // guarded: the writer holds a batch it has not written
    bool done = false;                  // guarded: the writer has returned
    std::atomic<bool> stopping{false};  // set under mutex; read by the writer while it waits
    std::atomic<Clock::rep> heartbeat{Clock::now().time_since_epoch().count()};
};

// Writes all of `text` to the descriptor, waiting as long as the reader needs while the
// output runs. Returns false when stopping and the descriptor has taken nothing for
// kExitStall: the writer gives up. An error (a closed pipe, a full disk) loses the text.
bool SharedOutput::State::write_out(std::string_view text) {
    auto progress = Clock::now();
    while (!text.empty()) {
        pollfd p{fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, kPollSliceMs);
        beat();
        if (ready < 0 && errno != EINTR) return true;
        if (ready <= 0) {
            if (stopping.load() && Clock::now() - progress >= kExitStall) return false;
            continue;
        }
        const std::size_t size = std::min(text.size(), chunk);
        const ssize_t n = is_socket ? ::send(fd, text.data(), size, MSG_NOSIGNAL)
                                    : ::write(fd, text.data(), size);
        beat();
        if (n > 0) {
            text.remove_prefix(static_cast<std::size_t>(n));
            progress = Clock::now();
        } else if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            return true;
        }
    }
    return true;
}

// What of `text` the descriptor takes at once, without waiting: a regular file takes it; a
// socket what it has room for (MSG_DONTWAIT); a pipe a text of up to PIPE_BUF bytes when it
// polls writable. Nothing for anything else (a terminal may be stopped). Bytes lost to an error
// count as taken, as in write_out().
std::size_t SharedOutput::State::write_now(std::string_view text) const {
    ssize_t n = 0;
    if (is_socket) {
        n = ::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    } else if (is_regular) {
        n = ::write(fd, text.data(), text.size());
    } else if (is_fifo && text.size() <= PIPE_BUF) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 0) != 1 || (p.revents & POLLOUT) == 0) return 0;
        n = ::write(fd, text.data(), text.size());
    }
    if (n >= 0) return static_cast<std::size_t>(n);
    return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ? 0 : text.size();
}

// The writer thread: swaps the queue out whole (two strings taking turns, so the steady state
// allocates nothing) and writes it while the loops fill the other.
void SharedOutput::State::drain() {
    std::string batch;
    std::unique_lock lock(mutex);
    for (;;) {
        wake.wait(lock, [&] { return !queued.empty() || dropped > 0 || next || stopping; });
        beat();
        if (queued.empty() && dropped == 0 && !next) break;  // stopping, and everything is out
        batch.swap(queued);
        // The text queued before a replace() goes to the old descriptor, the rest to the new.
        std::optional<Fd> switch_to = std::exchange(next, std::nullopt);
        const std::size_t old_part = switch_to ? std::min(next_at, batch.size()) : batch.size();
        // Everything still queued came before the drops: the notice goes after it.
        if (dropped > 0) append_notice(batch);
        writing = true;
        lock.unlock();
        bool written = write_out(std::string_view(batch).substr(0, old_part));
        if (switch_to) {
            lock.lock();
            Fd old = std::exchange(owned, std::move(*switch_to));
            use(owned.get());
            lock.unlock();
            old.reset();  // closed outside the lock: closing a descriptor may take a while
        }
        if (written) written = write_out(std::string_view(batch).substr(old_part));
        batch.clear();
        lock.lock();
        writing = false;
        if (!written) break;
    }
    done = true;
    finished.notify_all();
}

SharedOutput::SharedOutput(int fd, std::string program, Options options)
    : state_(std::make_shared<State>(fd, std::move(program), options)) {
    // The thread starts with every signal blocked, so it never takes one meant for the
    // program's own handling (a signalfd only sees signals that every thread blocks), whenever
    // the output is made.
    sigset_t all;
    sigset_t previous;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &previous);
    try {
        thread_ = std::thread([state = state_] { state->drain(); });
    } catch (...) {
        ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        throw;
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

SharedOutput::SharedOutput(Fd fd, std::string program, Options options)
    : SharedOutput(fd.get(), std::move(program), options) {
    const std::lock_guard lock(state_->mutex);
    state_->owned = std::move(fd);
}

SharedOutput::~SharedOutput() {
    std::unique_lock lock(state_->mutex);
    state_->stopping = true;
    state_->beat();  // the writer has kStuckLimit from now to show it is not stuck
    state_->wake.notify_one();
    while (!state_->done) {
        state_->finished.wait_for(lock, std::chrono::milliseconds(kPollSliceMs));
        if (!state_->done && state_->since_beat() > kStuckLimit) {
            lock.unlock();
            thread_.detach();  // it holds its own reference to the state
            return;
        }
    }
    lock.unlock();
    thread_.join();
}

void SharedOutput::write(std::string_view text) {
    if (text.empty()) return;
    State& s = *state_;
    std::unique_lock lock(s.mutex);
    if (s.write_through && s.queued.empty() && s.dropped == 0 && !s.writing && !s.next) {
        // Nothing is ahead of this text: if the descriptor takes it now, it is out in order.
        text.remove_prefix(s.write_now(text));
        if (text.empty()) return;
    }
    // The writer sleeps only with nothing queued and nothing dropped.
    const bool writer_idle = s.queued.empty() && s.dropped == 0;
    if (s.queued.size() + text.size() > s.capacity) {
        s.dropped += count_lines(text);
    } else {
        // Lines were dropped since the queue was last swapped out: say so where they were.
        if (s.dropped > 0) s.append_notice(s.queued);
        s.queued.append(text);
    }
    lock.unlock();
    if (writer_idle) s.wake.notify_one();
}

void SharedOutput::replace(Fd fd) {
    State& s = *state_;
    std::unique_lock lock(s.mutex);
    // A replacement still pending is superseded: its descriptor is closed unused, and the text
    // since the first call goes to the newest.
    if (!s.next) s.next_at = s.queued.size();
    std::optional<Fd> superseded = std::exchange(s.next, std::move(fd));
    lock.unlock();
    s.wake.notify_one();
}

std::string& LoopOutput::buffer() {
    if (!flush_pending_) {
        // One hand-over per batch of events, not one per line.
        flush_pending_ = true;
        loop_.defer([this, alive = std::weak_ptr<bool>(alive_)] {
            if (alive.lock()) flush();
        });
    }
    return buffer_;
}

void LoopOutput::flush() {
    flush_pending_ = false;
    if (buffer_.empty()) return;
    output_.write(buffer_);
    buffer_.clear();
}

}  // namespace net
