// The one poll loop of the suite's blocking code.
#include "blocking.hpp"

#include <cerrno>
#include <system_error>

#include "io.hpp"

namespace net {

int wait_any(std::span<pollfd> fds, const Deadline& deadline) {
    for (;;) {
        const int rc =
            ::poll(fds.data(), static_cast<nfds_t>(fds.size()), deadline.poll_timeout_ms());
        if (rc > 0) return rc;
        if (rc == 0) {
            // A very long deadline is waited in int-sized slices; stop only once it has passed.
            if (deadline.expired()) return 0;
            continue;
        }
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
    }
}

bool wait_readable(int fd, const Deadline& deadline) {
    pollfd p{fd, POLLIN, 0};
    return wait_any({&p, 1}, deadline) > 0;
}

bool wait_writable(int fd, const Deadline& deadline) {
    pollfd p{fd, POLLOUT, 0};
    return wait_any({&p, 1}, deadline) > 0;
}

void write_all(int fd, std::string_view bytes, const Deadline& deadline) {
    while (!bytes.empty()) {
        const auto result = write_some(fd, bytes);
        switch (result.status) {
            case IoStatus::kOk:
                bytes.remove_prefix(result.bytes);
                break;
            case IoStatus::kWouldBlock:
                if (!wait_writable(fd, deadline)) {
                    throw std::system_error(ETIMEDOUT, std::generic_category(), "write");
                }
                break;
            case IoStatus::kClosed:
            case IoStatus::kError:
                throw std::system_error(result.error, std::generic_category(), "write");
        }
    }
}

LineResult read_line(LineReader& reader, int fd) {
    for (;;) {
        const auto result = reader.next();
        if (result.status != LineStatus::kNeedMore) return result;
        const auto io = read_into(reader.buffer(), fd);
        if (io.status == IoStatus::kClosed) {
            reader.set_eof();
        } else if (io.status == IoStatus::kWouldBlock) {
            wait_readable(fd, Deadline::never());
        } else if (io.status == IoStatus::kError) {
            throw std::system_error(io.error, std::generic_category(), "read");
        }
    }
}

}  // namespace net
