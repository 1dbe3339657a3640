// Many connections held open, and the report line.
#include "tests/support/robustness.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>

#include "common/resource_limits.hpp"
#include "tests/support/server_process.hpp"
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

std::optional<std::size_t> open_descriptors(pid_t pid) {
    std::error_code error;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", error);
    if (error) return std::nullopt;
    std::size_t count = 0;
    for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
        if (error) return std::nullopt;
        ++count;
    }
    return count;
}

std::optional<std::size_t> wait_descriptors_at_most(pid_t pid, std::size_t limit,
                                                    const Deadline& deadline) {
    for (;;) {
        const auto count = open_descriptors(pid);
        if (!count || *count <= limit || deadline.expired()) return count;
        // A server closes what its clients left on its own loop's time: look again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::vector<ExitStatus> stop_twice_quickly(std::string_view program,
                                           const std::vector<std::string>& args, int runs) {
    std::vector<ExitStatus> ended;
    for (int i = 0; i < runs; ++i) {
        ServerProcess server = ServerProcess::start(program, args);
        server.process().signal(SIGTERM);
        // The gap is the attack's timing, not a wait for readiness: 0 to 0.9 ms in steps of
        // 0.1, about as long as an idle server takes to drain.
        std::this_thread::sleep_for(std::chrono::microseconds(100 * (i % 10)));
        server.process().signal(SIGTERM);
        const auto status = server.process().wait(Deadline(std::chrono::seconds(15)));
        // Still running at the deadline: the destructor kills it, and so it is counted.
        ended.push_back(status.value_or(ExitStatus::killed_by(SIGKILL)));
    }
    return ended;
}

void report_held(std::string_view what) {
    std::printf("[ held     ] %.*s\n", static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
}

}  // namespace net::test
