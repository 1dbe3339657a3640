// udp_ping under a flood of datagrams from its server's address that answer none of its pings:
// it says how many it ignored once a second instead of printing a line for each.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "common/socket.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/process.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/temp_dir.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;

// The count in "ignored 3,512 more datagrams ..." (1 for a datagram's own line).
std::uint64_t ignored_in(const std::string& line) {
    if (!line.starts_with("ignored ") || line.find(" more datagram") == std::string::npos) return 1;
    std::uint64_t n = 0;
    for (std::size_t i = 8; i < line.size() && line[i] != ' '; ++i) {
        if (line[i] >= '0' && line[i] <= '9')
            n = n * 10 + static_cast<std::uint64_t>(line[i] - '0');
    }
    return n;
}

TEST(UdpPingUnderAFlood, SaysHowManyItIgnoredOnceASecond) {
    // A fake server: it answers every ping, and between pings floods the client with datagrams
    // that answer nothing, from the very address the client pings.
    BoundSocket fake = bind_udp("127.0.0.1", "0");
    TempDir dir;
    const auto out_path = dir.file("udp_ping.out");
    Process ping = Process::start(
        bin_path("udp_ping"),
        {"-c", "5", "-i", "0.3", "-W", "0.5", "127.0.0.1", std::to_string(fake.address.port())},
        {.out = Redirect::file(out_path)});
    SocketAddress client;
    char datagram[65536];
    // Echoes what the client has sent; false when nothing was waiting.
    const auto answer = [&] {
        socklen_t len = client.capacity();
        const ssize_t n = ::recvfrom(fake.fd.get(), datagram, sizeof datagram, MSG_DONTWAIT,
                                     client.get_mut(), &len);
        if (n < 0) return false;
        client.set_size(len);
        ::sendto(fake.fd.get(), datagram, static_cast<std::size_t>(n), 0, client.get(), len);
        return true;
    };
    ASSERT_TRUE(wait_readable(fake.fd.get(), Deadline(kIo))) << "no first ping";
    ASSERT_TRUE(answer());

    const auto start = Clock::now();
    const Deadline deadline(30s);
    std::uint64_t sent = 0;
    constexpr std::string_view kNoise = "not a reply to anything";
    while (ping.running() && !deadline.expired()) {
        for (int i = 0; i < 64; ++i) {
            if (::sendto(fake.fd.get(), kNoise.data(), kNoise.size(), MSG_DONTWAIT, client.get(),
                         client.size()) > 0)
                ++sent;
        }
        pollfd p{fake.fd.get(), POLLIN, 0};
        ::poll(&p, 1, 1);  // a ping to answer, at most a millisecond away
        while (answer()) {
        }
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    ASSERT_FALSE(ping.running()) << "udp_ping still running after 30 s";
    const Finished result = ping.finish(Deadline(kIo));
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;

    std::ifstream file(out_path);
    std::stringstream text;
    text << file.rdbuf();
    std::size_t lines = 0;
    std::uint64_t ignored = 0;
    for (const auto& line : split_lines(text.str())) {
        if (!line.starts_with("ignored ")) continue;
        ++lines;
        ignored += ignored_in(line);
    }
    EXPECT_GT(ignored, 1000U) << "the flood hardly reached udp_ping: " << text.str();
    // Its own line for the first, then one a second, and what the last second held at the end.
    const auto seconds = static_cast<std::size_t>(took.count() / 1000);
    EXPECT_LE(lines, seconds + 3) << lines << " lines about " << ignored << " datagrams in "
                                  << took.count() << " ms";
    EXPECT_TRUE(text.str().find("5 packets transmitted") != std::string::npos) << text.str();
    report_held(std::to_string(sent) + " stray datagrams sent in " + std::to_string(took.count()) +
                " ms; udp_ping read " + std::to_string(ignored) + " of them and printed " +
                std::to_string(lines) + " lines about them");
}

}  // namespace
}  // namespace net::test
