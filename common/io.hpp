// The outcome of one non-blocking read or write, with errno sorted once, here, for every caller:
// EINTR is retried, EAGAIN is "not now", a read of 0 is the peer's FIN, anything else an error.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <span>

namespace net {

class Buffer;

enum class IoStatus { kOk, kWouldBlock, kClosed, kError };
struct IoResult {
    IoStatus status = IoStatus::kOk;
    std::size_t bytes = 0;
    int error = 0;  // errno when status == kError
};

enum class IoDirection { kRead, kWrite };

// Sorts one read(2)/write(2)-like call's return value `n` and its `error` (errno when n < 0):
// data moved is kOk; a read of 0 is kClosed (FIN); EAGAIN is kWouldBlock; the rest kError.
[[nodiscard]] IoResult sort_io_result(ssize_t n, int error, IoDirection direction);

// Calls `op` (returning ssize_t, setting errno) again while it is interrupted (EINTR), and
// sorts what it finally returns.
template <typename Op>
IoResult retry_io(IoDirection direction, Op&& op) {
    for (;;) {
        const ssize_t n = op();
        if (n < 0 && errno == EINTR) continue;
        return sort_io_result(n, n < 0 ? errno : 0, direction);
    }
}

// One read(2)/recv, retried on EINTR. kClosed means the peer sent FIN (a read of 0).
IoResult read_some(int fd, std::span<char> into);
// One write/send (MSG_NOSIGNAL on sockets), retried on EINTR; may write less than asked.
IoResult write_some(int fd, std::span<const char> from);

// What one read asks for at most: larger reads gain little and cost stack or buffer space.
constexpr std::size_t kReadChunk = 64 * 1024;

// One read from `fd` into `buffer`: into its writable space and a 64 KiB stack spill area
// (readv), so a small buffer still reads big chunks. Reads at most `max` bytes.
IoResult read_into(Buffer& buffer, int fd, std::size_t max = kReadChunk);
// One write of `buffer`'s readable bytes to `fd`; what was written is consumed.
IoResult write_from(Buffer& buffer, int fd);

}  // namespace net
