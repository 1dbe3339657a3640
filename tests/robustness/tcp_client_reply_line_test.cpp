// tcp_client at a terminal against a server whose reply line never ends: the client holds at
// most 1 MiB of it before printing what it has, so 256 MiB without a newline cost it no more
// memory than a short reply.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/pipe.hpp"
#include "tests/support/process.hpp"
#include "tests/support/pty.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/scripted_tcp_server.hpp"
#include "tests/support/socket_client.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;
constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::string_view kPrompt = "Input lowercase sentence: ";

// The peak resident memory of `pid` (VmHWM in /proc/PID/status), in bytes.
std::optional<std::size_t> peak_rss_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
    }
    return std::nullopt;
}

// Reads `fd` until `needle` has come (counting, not keeping, what went before it); the bytes
// read, or nullopt at EOF or the deadline.
std::optional<std::size_t> read_past(int fd, std::string_view needle, const Deadline& deadline) {
    std::string tail;
    std::size_t total = 0;
    char buffer[65536];
    while (wait_readable(fd, deadline)) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) return std::nullopt;
        total += static_cast<std::size_t>(n);
        tail.append(buffer, static_cast<std::size_t>(n));
        if (tail.find(needle) != std::string::npos) return total;
        tail.erase(0, tail.size() - std::min(tail.size(), needle.size()));
    }
    return std::nullopt;
}

TEST(TcpClientAtATerminal, AReplyLineWithoutEndDoesNotGrowItsMemory) {
    constexpr std::size_t kReply = 256 * kMiB;
    const std::string block(kMiB, 'A');
    ScriptedTcpServer server([&block](Fd conn) {
        while (recv_exactly(conn.get(), 1, Deadline(kIo)) != "\n") {
        }
        for (std::size_t sent = 0; sent < kReply; sent += block.size())
            send_all(conn.get(), block, Deadline(kIo));
        send_all(conn.get(), "\n", Deadline(kIo));
        (void)recv_until_eof(conn.get(), Deadline(kIo));
    });
    PseudoTerminal tty;
    Pipe out = make_pipe();
    Process client =
        Process::start(bin_path("tcp_client"), {"127.0.0.1:" + std::to_string(server.port())},
                       {.in = Redirect::fd(tty.slave()),
                        .out = Redirect::fd(out.write_end.get()),
                        .new_session = true});
    tty.close_slave();
    out.write_end.reset();
    ASSERT_TRUE(read_past(out.read_end.get(), kPrompt, Deadline(kIo)).has_value()) << "no prompt";
    const auto before = peak_rss_bytes(client.pid());
    ASSERT_TRUE(before.has_value());

    tty.type("a long one, please\n", Deadline(kIo));
    const auto printed = read_past(out.read_end.get(), kPrompt, Deadline(60s));
    ASSERT_TRUE(printed.has_value()) << "no prompt after the reply";
    const auto after = peak_rss_bytes(client.pid());
    ASSERT_TRUE(after.has_value());
    // "From Server: ", the reply, its newline, the next prompt: every byte printed.
    EXPECT_EQ(*printed, 13 + kReply + 1 + kPrompt.size());
    const std::size_t growth = *after - std::min(*after, *before);
    EXPECT_LT(growth, 32 * kMiB) << "peak RSS grew from " << *before << " to " << *after;

    tty.type_eof(Deadline(kIo));
    EXPECT_EQ(client.wait(Deadline(kIo)), ExitStatus::exit_code(0));
    report_held("a 256 MiB reply line without a newline at a terminal: printed whole, peak RSS +" +
                std::to_string(growth / kMiB) + " MiB");
}

}  // namespace
}  // namespace net::test
