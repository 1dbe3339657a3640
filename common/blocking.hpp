// Blocking waits and I/O for clients (and the few blocking steps of servers, such as writing a
// mailbox file): every wait is poll(2) bounded by a Deadline on the monotonic clock.
#pragma once

#include <poll.h>

#include <chrono>
#include <span>
#include <string_view>

#include "deadline.hpp"
#include "line_reader.hpp"

namespace net {

// poll(2) until one of `fds` is ready or `deadline` passes; resumed after EINTR. Returns the
// number of ready descriptors, 0 once the deadline has passed. Entries with fd < 0 are ignored
// (poll's rule), so a caller can switch a watch off without rebuilding the array.
// Throws std::system_error when poll fails.
int wait_any(std::span<pollfd> fds, const Deadline& deadline);

// One descriptor. True when ready (readable, or hung up / in error: the next read tells).
bool wait_readable(int fd, const Deadline& deadline);
bool wait_writable(int fd, const Deadline& deadline);
// The same with a timeout from now (negative: forever).
inline bool wait_readable(int fd, std::chrono::milliseconds timeout) {
    return wait_readable(fd, Deadline::after(timeout));
}
inline bool wait_writable(int fd, std::chrono::milliseconds timeout) {
    return wait_writable(fd, Deadline::after(timeout));
}

// Writes every byte, waiting whenever the descriptor is non-blocking and full. Throws
// std::system_error on failure, with ETIMEDOUT once `deadline` passes.
void write_all(int fd, std::string_view bytes, const Deadline& deadline = Deadline::never());

// Reads `fd` into `reader` until it has a line, a too-long line or the end of input. Throws
// std::system_error on a read error.
LineResult read_line(LineReader& reader, int fd);

}  // namespace net
