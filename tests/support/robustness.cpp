// Many connections held open, and the report line.
#include "tests/support/robustness.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>

#include "common/resource_limits.hpp"
#include "tests/support/socket_client.hpp"

namespace net::test {

std::vector<Fd> hold_connections(std::uint16_t port, std::size_t count,
                                 std::string_view first_bytes, const Deadline& deadline) {
    net::raise_open_file_limit();
    std::vector<Fd> connections;
    connections.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        connections.push_back(connect_tcp("127.0.0.1", port, deadline));
        if (!first_bytes.empty())
            send_until_blocked(connections.back().get(), first_bytes, deadline);
    }
    return connections;
}

std::size_t trickle(std::vector<Fd>& connections, char byte) {
    std::size_t took = 0;
    for (Fd& fd : connections) {
        if (!fd) continue;
        if (::send(fd.get(), &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1) {
            ++took;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            fd.reset();
        }
    }
    return took;
}

std::size_t count_closed(std::vector<Fd>& connections) {
    std::size_t closed = 0;
    for (Fd& fd : connections) {
        if (!fd) {
            ++closed;
            continue;
        }
        // Drain whatever the server said; EOF or an error means it is gone.
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
            if (n > 0) continue;
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                ++closed;
                fd.reset();
            }
            break;
        }
    }
    return closed;
}

void report_held(std::string_view what) {
    std::printf("[ held     ] %.*s\n", static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
}

}  // namespace net::test
