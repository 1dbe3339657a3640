// Many connections held open, the checks several robustness tests make, and the report line.
#include "tests/support/robustness.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
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

void expect_two_quick_signals_exit_zero(std::string_view program,
                                        const std::vector<std::string>& args, int runs) {
    const auto ended = stop_twice_quickly(program, args, runs);
    const auto clean = std::count(ended.begin(), ended.end(), ExitStatus::exit_code(0));
    for (const auto& status : ended) {
        if (status != ExitStatus::exit_code(0)) ADD_FAILURE() << "a run ended: " << status;
    }
    report_held(std::to_string(runs) + " runs stopped by two SIGTERMs 0-0.9 ms apart: " +
                std::to_string(clean) + " exited 0");
}

Clock::duration expect_fresh_clients_served_among_slow(
    std::uint16_t port, std::size_t count, std::string_view first_bytes, char byte,
    const std::function<Clock::duration()>& fresh_client, std::string_view dropped) {
    std::vector<Fd> slow =
        hold_connections(port, count, first_bytes, Deadline(std::chrono::seconds(20)));
    Clock::duration worst{};
    for (int round = 0; round < 5; ++round) {
        EXPECT_EQ(trickle(slow, byte), count);
        worst = std::max(worst, fresh_client());
        std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the slowloris pace
    }
    EXPECT_LT(worst, std::chrono::seconds(1));
    EXPECT_EQ(count_closed(slow), 0u) << dropped;
    return worst;
}

std::size_t trickle_until_closed(std::vector<Fd>& connections, char byte, Clock::duration pace,
                                 const Deadline& deadline) {
    std::size_t closed = 0;
    while (closed < connections.size() && !deadline.expired()) {
        trickle(connections, byte);
        std::this_thread::sleep_for(pace);  // the attack's pace
        closed = count_closed(connections);
    }
    return closed;
}

std::string DescriptorCounts::describe() const {
    return "descriptors " + std::to_string(before) + " before, " +
           std::to_string(during.value_or(0)) + " during, " + std::to_string(after) + " after";
}

std::string format_ms(Clock::duration d) {
    const auto tenths = std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " ms";
}

void report_held(std::string_view what) {
    std::printf("[ held     ] %.*s\n", static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
}

}  // namespace net::test
