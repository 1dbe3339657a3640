// Non-blocking reads and writes, with errno sorted in sort_io_result() only.
#include "io.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

#include "buffer.hpp"

namespace net {

IoResult sort_io_result(ssize_t n, int error, IoDirection direction) {
    if (n > 0) return {IoStatus::kOk, static_cast<std::size_t>(n), 0};
    if (n == 0) {
        return direction == IoDirection::kRead ? IoResult{IoStatus::kClosed, 0, 0}
                                               : IoResult{IoStatus::kOk, 0, 0};
    }
    if (error == EAGAIN || error == EWOULDBLOCK) return {IoStatus::kWouldBlock, 0, 0};
    return {IoStatus::kError, 0, error};
}

IoResult read_some(int fd, std::span<char> into) {
    if (into.empty()) return {IoStatus::kOk, 0, 0};  // read(2) of 0 bytes returns 0: not a FIN
    return retry_io(IoDirection::kRead, [&] { return ::read(fd, into.data(), into.size()); });
}

IoResult write_some(int fd, std::span<const char> from) {
    return retry_io(IoDirection::kWrite, [&] {
        // send() with MSG_NOSIGNAL on sockets; write() for pipes, files and terminals.
        ssize_t n = ::send(fd, from.data(), from.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = ::write(fd, from.data(), from.size());
        return n;
    });
}

IoResult read_into(Buffer& buffer, int fd, std::size_t max) {
    if (max == 0) return {IoStatus::kOk, 0, 0};  // read(2) of 0 bytes returns 0: not a FIN
    char spill[kReadChunk];
    const auto writable = buffer.writable_span();
    const std::size_t direct = std::min(writable.size(), max);
    iovec parts[2] = {{writable.data(), direct}, {spill, std::min(sizeof spill, max - direct)}};
    const int count = parts[1].iov_len > 0 ? 2 : 1;
    const IoResult result = retry_io(IoDirection::kRead, [&] { return ::readv(fd, parts, count); });
    if (result.status == IoStatus::kOk) {
        if (result.bytes <= direct) {
            buffer.commit(result.bytes);
        } else {
            buffer.commit(direct);
            buffer.append(std::string_view(spill, result.bytes - direct));
        }
    }
    return result;
}

IoResult write_from(Buffer& buffer, int fd) {
    const auto result = write_some(fd, buffer.view());
    if (result.status == IoStatus::kOk) buffer.consume(result.bytes);
    return result;
}

}  // namespace net
