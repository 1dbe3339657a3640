// tcp_server and tcp_client as real processes on loopback: the book's upper-case service with
// our own sockets, with tcp_client, and with OpenBSD nc as a third-party client.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/socket.hpp"
#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/pipe.hpp"
#include "tests/support/process.hpp"
#include "tests/support/pty.hpp"
#include "tests/support/scripted_tcp_server.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback; generous for sanitizer builds
constexpr std::size_t kMiB = 1024 * 1024;

// The service's transform, written independently of the code under test: `tr a-z A-Z` in the
// C locale. Every other byte (UTF-8, control bytes, NUL) is unchanged.
std::string upper(std::string_view bytes) {
    std::string out(bytes);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

// Mostly lower-case letters, so the transform visibly happens everywhere.
std::string random_text(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz ABC,.!?0123456789\n";
    std::string text(n, '\0');
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 8 == 0) word = rng();  // one draw for eight bytes: cheap even for 128 MiB
        text[i] = kAlphabet[(word & 0xff) % kAlphabet.size()];
        word >>= 8;
    }
    return text;
}

// `n` bytes of text made of one random MiB repeated, each copy stamped with its number, so a
// lost, repeated or reordered block shows; cheap to build even in a sanitizer build.
std::string numbered_blocks(std::size_t n, std::uint64_t seed) {
    const std::string block = random_text(kMiB, seed);
    std::string text;
    text.reserve(n + kMiB);
    for (std::size_t i = 0; text.size() < n; ++i) {
        const std::string stamp = "[block " + std::to_string(i) + "]";
        text += stamp;
        text.append(block, stamp.size());
    }
    text.resize(n);
    return text;
}

std::string all_byte_values(int repeat) {
    std::string bytes;
    for (int r = 0; r < repeat; ++r) {
        for (int b = 0; b < 256; ++b)
            bytes.push_back(static_cast<char>(b));
    }
    return bytes;
}

ServerProcess start_server(std::vector<std::string> args = {}) {
    return ServerProcess::start("tcp_server", std::move(args));
}

Fd connect_to(const ServerProcess& server) {
    return connect_tcp(server.connect_host(), server.port(), Deadline(kIo));
}

// One request and its reply on a fresh connection; the reply has the request's length.
std::string round_trip(const ServerProcess& server, std::string_view request) {
    Fd conn = connect_to(server);
    return send_and_receive(conn.get(), request, request.size(), Deadline(kIo));
}

// ---------------------------------------------------------------- tcp_server with our sockets

TEST(TcpServer, AnnouncesLoopbackAddressOnFirstLine) {
    ServerProcess server = start_server();
    EXPECT_EQ(server.first_line(), "tcp_server: listening on 127.0.0.1:" + server.port_string());
    EXPECT_EQ(server.host(), "127.0.0.1");
}

TEST(TcpServer, UpperCasesALine) {
    ServerProcess server = start_server();
    EXPECT_EQ(round_trip(server, "hello, world 123\n"), "HELLO, WORLD 123\n");
}

TEST(TcpServer, UpperCasesOnlyAsciiLettersOfUtf8) {
    ServerProcess server = start_server();
    const std::string text =
        "h\xC3\xA9llo w\xC3\xB6rld \xE2\x80\x94 na\xC3\xAFve caf\xC3\xA9 "
        "stra\xC3\x9F"
        "e \xE6\x97\xA5\xE6\x9C\xAC \xC7\x86 \xF0\x9F\x98\x80\n";
    const std::string expected =
        "H\xC3\xA9LLO W\xC3\xB6RLD \xE2\x80\x94 NA\xC3\xAFVE CAF\xC3\xA9 "
        "STRA\xC3\x9F"
        "E \xE6\x97\xA5\xE6\x9C\xAC \xC7\x86 \xF0\x9F\x98\x80\n";
    EXPECT_EQ(round_trip(server, text), expected);
}

TEST(TcpServer, PassesEveryByteValueIncludingNul) {
    ServerProcess server = start_server();
    const std::string bytes = all_byte_values(16);
    // The expectation comes from tr itself, and agrees with ours.
    const Finished tr = run("tr", {"a-z", "A-Z"}, bytes, 30s, {.env = {{"LC_ALL", "C"}}});
    ASSERT_TRUE(tr.status.ok()) << tr.err;
    ASSERT_EQ(tr.out, upper(bytes));
    EXPECT_EQ(round_trip(server, bytes), tr.out);
}

TEST(TcpServer, HasNoLineLengthLimit) {
    ServerProcess server = start_server();
    std::string one_line = random_text(8 * kMiB, 7);
    std::replace(one_line.begin(), one_line.end(), '\n', 'x');  // 8 MiB, not one newline
    Fd conn = connect_to(server);
    const std::string reply =
        send_and_receive(conn.get(), one_line, one_line.size(), Deadline(60s), true);
    EXPECT_TRUE(reply == upper(one_line)) << "8 MiB line came back altered";
    const Received rest = recv_until_eof(conn.get(), Deadline(kIo));
    EXPECT_EQ(rest.end, StreamEnd::kEof);
    EXPECT_EQ(rest.bytes, "");
}

TEST(TcpServer, AfterHalfCloseSendsEverythingThenCloses) {
    ServerProcess server = start_server();
    // Small enough to sit in the socket buffers while we do not read.
    const std::string request = random_text(200 * 1024, 11);
    Fd conn = connect_to(server);
    send_all(conn.get(), request, Deadline(kIo));
    shutdown_write(conn.get());
    const Received reply = recv_until_eof(conn.get(), Deadline(kIo));
    EXPECT_EQ(reply.end, StreamEnd::kEof) << "errno " << reply.error;
    EXPECT_EQ(reply.bytes.size(), request.size());
    EXPECT_TRUE(reply.bytes == upper(request));
}

TEST(TcpServer, ServesManyRequestsOnOneConnection) {
    ServerProcess server = start_server();
    Fd conn = connect_to(server);
    for (int i = 0; i < 100; ++i) {
        const std::string line = "request number " + std::to_string(i) + " of many\n";
        send_all(conn.get(), line, Deadline(kIo));
        EXPECT_EQ(recv_exactly(conn.get(), line.size(), Deadline(kIo)), upper(line));
    }
}

TEST(TcpServer, HundredConcurrentClientsEachGetTheirOwnReply) {
    ServerProcess server = start_server();
    constexpr int kClients = 100;
    // All connected before anyone sends: the server holds 100 connections at once.
    std::vector<Fd> conns;
    const Deadline deadline(60s);
    for (int i = 0; i < kClients; ++i)
        conns.push_back(connect_tcp(server.connect_host(), server.port(), deadline));
    std::vector<std::string> requests;
    for (int i = 0; i < kClients; ++i) {
        requests.push_back("client " + std::to_string(i) + ": " +
                           random_text(1000 + 37 * static_cast<std::size_t>(i), 100 + i) + "\n");
        send_all(conns[static_cast<std::size_t>(i)].get(), requests.back(), deadline);
    }
    // Read them back in reverse order: no client waits on another.
    for (int i = kClients - 1; i >= 0; --i) {
        const auto index = static_cast<std::size_t>(i);
        const std::string reply =
            recv_exactly(conns[index].get(), requests[index].size(), deadline);
        EXPECT_EQ(reply, upper(requests[index])) << "client " << i;
    }
}

TEST(TcpServer, ServesIpv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::1"});
    EXPECT_EQ(server.first_line(), "tcp_server: listening on [::1]:" + server.port_string());
    EXPECT_EQ(server.host(), "::1");
    EXPECT_EQ(round_trip(server, "over ipv6\n"), "OVER IPV6\n");
}

TEST(TcpServer, DualStackWildcardIsReachedOverIpv4) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::"});
    EXPECT_EQ(server.host(), "::") << server.first_line();
    Fd v4 = connect_tcp("127.0.0.1", server.port(), Deadline(kIo));
    EXPECT_EQ(send_and_receive(v4.get(), "via ipv4\n", 9, Deadline(kIo)), "VIA IPV4\n");
    Fd v6 = connect_tcp("::1", server.port(), Deadline(kIo));
    EXPECT_EQ(send_and_receive(v6.get(), "via ipv6\n", 9, Deadline(kIo)), "VIA IPV6\n");
}

TEST(TcpServer, AnswersNetcat) {
    TOPDOWN_REQUIRE_OPENBSD_NC(nc);
    ServerProcess server = start_server();
    // -N: shut the socket down after EOF on stdin, so the server finishes and closes.
    const Finished result = run(nc, {"-N", server.connect_host(), server.port_string()},
                                "hello from nc\nsecond line, caf\xC3\xA9\n", kIo);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "HELLO FROM NC\nSECOND LINE, CAF\xC3\xA9\n");
}

TEST(TcpServer, SurvivesClientsThatResetAndServesTheNext) {
    ServerProcess server = start_server({"-t", "1"});
    {
        // Reset with nothing pending.
        Fd conn = connect_to(server);
        EXPECT_EQ(send_and_receive(conn.get(), "first\n", 6, Deadline(kIo)), "FIRST\n");
        close_with_reset(std::move(conn));
    }
    {
        // Reset while the server still has output for us (we never read it).
        Fd conn = connect_to(server);
        send_all(conn.get(), random_text(100 * 1024, 3), Deadline(kIo));
        close_with_reset(std::move(conn));
    }
    {
        // Reset in the middle of the server's own writing of a large reply.
        Fd conn = connect_to(server);
        const std::string big = random_text(4 * kMiB, 5);
        send_until_blocked(conn.get(), big, Deadline(2s));
        close_with_reset(std::move(conn));
    }
    EXPECT_EQ(round_trip(server, "still there?\n"), "STILL THERE?\n") << server.log();
    EXPECT_TRUE(server.running()) << server.log();
}

TEST(TcpServer, BoundsMemoryForAClientThatDoesNotReadAndKeepsServing) {
    // One event loop, so the other client is served by the very loop the hog is on.
    ServerProcess server = start_server({"-t", "1"});
    const auto baseline = server.rss_bytes();
    ASSERT_TRUE(baseline.has_value())
        << "cannot read /proc/" << server.process().pid() << "/status";

    // Try to push twice the bound: a server that buffers without limit would hold it all.
    const std::string payload = numbered_blocks(128 * kMiB, 99);
    Fd hog = connect_to(server);
    std::size_t pushed = 0;
    const Deadline push_deadline(60s);
    while (pushed < payload.size() && !push_deadline.expired()) {
        // Stop once the server has taken nothing for a whole second: it stopped reading.
        const std::size_t n =
            send_until_blocked(hog.get(), std::string_view(payload).substr(pushed), Deadline(1s));
        pushed += n;
        if (n == 0) break;
    }
    const auto during = server.rss_bytes();
    ASSERT_TRUE(during.has_value());
    // Sanitizer runtimes have a large fixed RSS of their own, so the bound is on the growth.
    EXPECT_LT(*during - std::min(*during, *baseline), 64 * kMiB)
        << "VmRSS went from " << *baseline << " to " << *during << " bytes after pushing " << pushed
        << " unread bytes";
    EXPECT_LT(pushed, payload.size()) << "the server took all 128 MiB without our reading";

    // Meanwhile another client is served at once.
    EXPECT_EQ(round_trip(server, "am I served?\n"), "AM I SERVED?\n");

    // And once the hog reads, every byte it pushed comes back, in order, none lost.
    shutdown_write(hog.get());
    const Received reply = recv_until_eof(hog.get(), Deadline(90s));
    EXPECT_EQ(reply.end, StreamEnd::kEof) << "errno " << reply.error;
    EXPECT_EQ(reply.bytes.size(), pushed);
    EXPECT_TRUE(reply.bytes == upper(std::string_view(payload).substr(0, pushed)))
        << "the reply differs from the upper-cased payload";
}

TEST(TcpServer, ClosesIdleConnectionsAfterTimeout) {
    ServerProcess server = start_server({"--timeout", "1"});
    Fd conn = connect_to(server);
    EXPECT_EQ(send_and_receive(conn.get(), "hi\n", 3, Deadline(kIo)), "HI\n");
    const auto start = Clock::now();
    const Received rest = recv_until_eof(conn.get(), Deadline(kIo));
    EXPECT_EQ(rest.end, StreamEnd::kEof);
    EXPECT_GE(Clock::now() - start, 500ms) << "closed long before the 1 s idle timeout";
    EXPECT_EQ(round_trip(server, "next\n"), "NEXT\n");
}

TEST(TcpServer, QuietPrintsNothingAndVerboseLogsConnections) {
    {
        ServerProcess server = start_server({"-q"});
        EXPECT_EQ(round_trip(server, "quiet\n"), "QUIET\n");
        EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
        EXPECT_EQ(server.log(), "");
    }
    {
        ServerProcess server = start_server({"-v"});
        EXPECT_EQ(round_trip(server, "verbose\n"), "VERBOSE\n");
        EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
        const std::string log = server.log();
        EXPECT_NE(log, "");
        for (const auto& line : split_lines(log)) {
            EXPECT_TRUE(line.starts_with("tcp_server: ")) << line;
        }
    }
}

TEST(TcpServer, SecondServerOnTheSamePortFailsWithOneLine) {
    ServerProcess first = start_server();
    Process second = Process::start(bin_path("tcp_server"), {"-p", first.port_string()});
    // It must fail at start-up, not announce: two servers silently sharing one port (as with
    // SO_REUSEPORT) would each get a share of the clients.
    const auto line = second.read_line(Deadline(kIo));
    EXPECT_FALSE(line.has_value()) << "a second tcp_server started on port " << first.port()
                                   << ", which the first one holds: [" << line.value_or("") << "]";
    if (line.has_value()) return;  // still running: the destructor kills it
    const Finished result = second.finish(Deadline(kIo));
    EXPECT_FALSE(result.status.ok());
    EXPECT_TRUE(result.err.starts_with("tcp_server: ")) << result.err;
    EXPECT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_EQ(round_trip(first, "first one still works\n"), "FIRST ONE STILL WORKS\n");
}

class TcpServerSignal : public ::testing::TestWithParam<int> {};

TEST_P(TcpServerSignal, ExitsZeroWhenIdle) {
    ServerProcess server = start_server();
    EXPECT_EQ(server.stop(GetParam()), ExitStatus::exit_code(0)) << server.log();
}

TEST_P(TcpServerSignal, ExitsZeroWithAClientConnected) {
    ServerProcess server = start_server();
    Fd conn = connect_to(server);
    EXPECT_EQ(send_and_receive(conn.get(), "connected\n", 10, Deadline(kIo)), "CONNECTED\n");
    send_all(conn.get(), "half a line without its end", Deadline(kIo));
    EXPECT_EQ(server.stop(GetParam()), ExitStatus::exit_code(0)) << server.log();
    // The connection ends with the server (FIN or RST), it does not hang.
    EXPECT_NE(recv_until_eof(conn.get(), Deadline(kIo)).end, StreamEnd::kTimeout);
}

INSTANTIATE_TEST_SUITE_P(Signals, TcpServerSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                             return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

TEST(TcpServer, RejectsBadOptionsWithUsage) {
    expect_usage_error("tcp_server", {"--no-such-option"});
    expect_usage_error("tcp_server", {"-x"});
    expect_usage_error("tcp_server", {"-p"});
    expect_usage_error("tcp_server", {"-p", "70000"});
    expect_usage_error("tcp_server", {"-p", "http"});
    expect_usage_error("tcp_server", {"--timeout", "soon"});
    expect_usage_error("tcp_server", {"-t", "many"});
    expect_usage_error("tcp_server", {"unexpected"});
}

TEST(TcpServer, PrintsHelpAndVersion) {
    expect_help_and_version("tcp_server");
}

// ---------------------------------------------------------------- tcp_client

Finished run_client(const std::vector<std::string>& args, std::string_view input,
                    Clock::duration timeout = kIo) {
    return run(bin_path("tcp_client"), args, input, timeout);
}

TEST(TcpClient, StreamsStdinWithoutAPromptWhenNotATerminal) {
    ServerProcess server = start_server();
    const Finished result = run_client({server.connect_host(), server.port_string()},
                                       "hello\nworld, again\nno newline at the end");
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "HELLO\nWORLD, AGAIN\nNO NEWLINE AT THE END");
    EXPECT_EQ(result.err, "");
}

TEST(TcpClient, AcceptsHostColonPortAndHostName) {
    ServerProcess server = start_server();
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"127.0.0.1:" + server.port_string()},
                                               {"127.0.0.1", server.port_string()},
                                               {"localhost", server.port_string()}}) {
        SCOPED_TRACE(args.front());
        const Finished result = run_client(args, "abc\n");
        EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
        EXPECT_EQ(result.out, "ABC\n");
    }
}

TEST(TcpClient, ReachesIpv6Server) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::1"});
    for (const auto& args : std::vector<std::vector<std::string>>{{"[::1]:" + server.port_string()},
                                                                  {"::1", server.port_string()}}) {
        SCOPED_TRACE(args.front());
        const Finished result = run_client(args, "six\n");
        EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
        EXPECT_EQ(result.out, "SIX\n");
    }
}

TEST(TcpClient, PassesUtf8AndBinaryUnchangedButForAsciiLetters) {
    ServerProcess server = start_server();
    const std::string input =
        "gr\xC3\xBC\xC3\x9F"
        "e \xE2\x82\xAC\n" +
        all_byte_values(64);
    const Finished result = run_client({server.endpoint()}, input);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_TRUE(result.out == upper(input)) << "binary reply differs";
}

TEST(TcpClient, Streams100MiBFileByteExact) {
    ServerProcess server = start_server();
    TempDir dir;
    constexpr std::size_t kSize = 100 * kMiB;
    constexpr std::size_t kChunk = 4 * kMiB;
    const auto input_path = dir.file("input.bin");
    const auto output_path = dir.file("output.bin");
    {
        // Random bytes of every value, from a fixed seed, written chunk by chunk.
        Fd out(::open(input_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        ASSERT_TRUE(out.valid());
        std::mt19937_64 rng(20240101);
        std::string chunk(kChunk, '\0');
        for (std::size_t written = 0; written < kSize; written += kChunk) {
            for (std::size_t i = 0; i < kChunk; i += 8) {
                const std::uint64_t word = rng();
                std::memcpy(chunk.data() + i, &word, 8);
            }
            ASSERT_NO_THROW(write_all(out.get(), chunk));
        }
    }
    Process client =
        Process::start(bin_path("tcp_client"), {server.endpoint()},
                       {.in = Redirect::file(input_path), .out = Redirect::file(output_path)});
    const Finished result = client.finish(Deadline(100s));
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.err, "");

    ASSERT_EQ(std::filesystem::file_size(output_path), kSize);
    Fd in(::open(input_path.c_str(), O_RDONLY | O_CLOEXEC));
    Fd out(::open(output_path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(in.valid() && out.valid());
    std::string sent(kChunk, '\0');
    std::string got(kChunk, '\0');
    for (std::size_t offset = 0; offset < kSize; offset += kChunk) {
        ASSERT_EQ(::pread(in.get(), sent.data(), kChunk, static_cast<off_t>(offset)),
                  static_cast<ssize_t>(kChunk));
        ASSERT_EQ(::pread(out.get(), got.data(), kChunk, static_cast<off_t>(offset)),
                  static_cast<ssize_t>(kChunk));
        const std::string expected = upper(sent);
        if (got != expected) {
            const auto mismatch = std::mismatch(got.begin(), got.end(), expected.begin());
            FAIL() << "output differs first at byte "
                   << offset + static_cast<std::size_t>(mismatch.first - got.begin());
        }
    }
}

TEST(TcpClient, HundredClientsAtOnce) {
    ServerProcess server = start_server();
    constexpr int kClients = 100;
    std::vector<Process> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(
            Process::start(bin_path("tcp_client"), {server.endpoint()}, {.in = Redirect::pipe()}));
    }
    // Every client is running (connected, waiting for input) before any is fed.
    const Deadline deadline(90s);
    std::vector<std::string> inputs;
    for (int i = 0; i < kClients; ++i) {
        inputs.push_back("client " + std::to_string(i) + " says " +
                         random_text(500, 1000 + static_cast<std::uint64_t>(i)) + "\n");
        clients[static_cast<std::size_t>(i)].write_stdin(inputs.back(), deadline);
    }
    for (int i = 0; i < kClients; ++i) {
        const auto index = static_cast<std::size_t>(i);
        const Finished result = clients[index].finish(deadline);
        EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << "client " << i << ": " << result.err;
        EXPECT_EQ(result.out, upper(inputs[index])) << "client " << i;
    }
}

TEST(TcpClient, ConnectionRefusedExits69WithOneLine) {
    const std::uint16_t port = unused_port(Transport::kTcp);
    const Finished result = run_client({"127.0.0.1", std::to_string(port)}, "hello\n");
    EXPECT_EQ(result.status, ExitStatus::exit_code(69));
    EXPECT_EQ(result.out, "");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with("tcp_client: ")) << result.err;
    EXPECT_NE(result.err.find(std::to_string(port)), std::string::npos) << result.err;
}

TEST(TcpClient, UnknownHostExits68WithOneLine) {
    const Finished result = run_client({"nosuchhost.invalid", "12000"}, "hello\n", 60s);
    EXPECT_EQ(result.status, ExitStatus::exit_code(68));  // EX_NOHOST
    EXPECT_EQ(result.out, "");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with("tcp_client: ")) << result.err;
    EXPECT_NE(result.err.find("nosuchhost.invalid"), std::string::npos) << result.err;
}

TEST(TcpClient, ConnectionResetByServerExits69WithOneLine) {
    // A server that reads the first bytes and answers with an RST.
    ScriptedTcpServer resetter([](Fd conn) {
        char first[1];
        pollfd p{conn.get(), POLLIN, 0};
        net::wait_any({&p, 1}, Deadline(kIo));
        (void)::recv(conn.get(), first, sizeof first, MSG_DONTWAIT);
        close_with_reset(std::move(conn));
    });
    Process client =
        Process::start(bin_path("tcp_client"), {"127.0.0.1:" + std::to_string(resetter.port())},
                       {.in = Redirect::pipe()});
    // Stdin stays open: the client learns of the reset from the socket, not from EOF.
    ASSERT_TRUE(client.write_stdin("hello\n", Deadline(kIo)));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value()) << "tcp_client still running after the reset";
    EXPECT_EQ(*status, ExitStatus::exit_code(69));
    const std::string err = client.read_stderr(Deadline(kIo));
    EXPECT_EQ(client.read_stdout(Deadline(kIo)), "");
    ASSERT_EQ(split_lines(err).size(), 1U) << err;
    EXPECT_TRUE(err.starts_with("tcp_client: ")) << err;
}

// A server that accepts and reads but never answers. In pipe mode -W bounds the wait once the
// input has ended (nc -w): exit 69 with one line, not a wait forever.
TEST(TcpClient, StreamGivesUpOnAServerThatNeverAnswers) {
    Pipe release = make_pipe();
    ScriptedTcpServer silent([fd = release.read_end.get()](Fd conn) {
        (void)recv_until_eof(conn.get(), Deadline(kIo));  // the input and its end
        (void)wait_readable(fd, Deadline(kIo));           // then nothing, the connection open
    });
    const auto start = Clock::now();
    const Finished result =
        run_client({"-W", "0.5", "127.0.0.1:" + std::to_string(silent.port())}, "hello\n", 10s);
    const auto took = Clock::now() - start;
    write_all(release.write_end.get(), "x");
    EXPECT_EQ(result.status, ExitStatus::exit_code(69)) << result.err;
    EXPECT_EQ(result.out, "");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with("tcp_client: no reply from 127.0.0.1:")) << result.err;
    EXPECT_TRUE(contains(result.err, " for 0.5 s (-W)")) << result.err;
    EXPECT_GE(took, 400ms);
    EXPECT_LT(took, 5s);
}

// A server that takes nothing: the input cannot all be sent. -W bounds that wait too.
TEST(TcpClient, StreamGivesUpOnAServerThatTakesNoInput) {
    Pipe release = make_pipe();
    ScriptedTcpServer deaf([fd = release.read_end.get()](Fd) {
        (void)wait_readable(fd, Deadline(kIo));  // holds the connection, reading nothing
    });
    const Finished result = run_client({"-W", "0.5", "127.0.0.1:" + std::to_string(deaf.port())},
                                       std::string(16 * kMiB, 'x'), 10s);
    write_all(release.write_end.get(), "x");
    EXPECT_EQ(result.status, ExitStatus::exit_code(69)) << result.err;
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(contains(result.err, " took no input for 0.5 s (-W)")) << result.err;
}

// -W is how long the server may stay silent, not how long the whole reply may take.
TEST(TcpClient, StreamWaitsForASlowButSteadyReply) {
    ScriptedTcpServer slow([](Fd conn) {
        (void)recv_until_eof(conn.get(), Deadline(kIo));  // the input, to its end
        for (const char c : std::string("SLOWLY\n")) {
            pollfd none{-1, 0, 0};
            ::poll(&none, 1, 200);  // 1.4 s in all, never 0.5 s without a byte
            send_all(conn.get(), std::string(1, c), Deadline(kIo));
        }
    });
    const Finished result =
        run_client({"-W", "0.5", "127.0.0.1:" + std::to_string(slow.port())}, "slowly\n", 10s);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "SLOWLY\n");
}

TEST(TcpClient, TerminalGivesUpOnAServerThatNeverAnswers) {
    ScriptedTcpServer silent([](Fd conn) { (void)recv_until_eof(conn.get(), Deadline(kIo)); });
    PseudoTerminal tty;
    Process client = Process::start(bin_path("tcp_client"),
                                    {"-W", "0.5", "127.0.0.1:" + std::to_string(silent.port())},
                                    {.in = Redirect::fd(tty.slave()), .new_session = true});
    tty.close_slave();
    ASSERT_TRUE(client.read_stdout_until("Input lowercase sentence: ", Deadline(kIo)));
    tty.type("anyone there?\n", Deadline(kIo));
    const Finished result = client.finish(Deadline(10s));
    EXPECT_EQ(result.status, ExitStatus::exit_code(69)) << result.err;
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(contains(result.err, "no reply from 127.0.0.1:")) << result.err;
}

// At a terminal a reply line is held until its newline only up to 1 MiB; a longer one is printed
// as it comes, every byte of it, and the next prompt follows its newline.
TEST(TcpClient, TerminalPrintsAReplyLineLongerThanTheCapWhole) {
    std::string reply = numbered_blocks(3 * kMiB, 5);
    std::replace(reply.begin(), reply.end(), '\n', 'x');  // 3 MiB, not one newline
    ScriptedTcpServer server([&reply](Fd conn) {
        while (recv_exactly(conn.get(), 1, Deadline(kIo)) != "\n") {
        }
        send_all(conn.get(), reply + "\nsecond\n", Deadline(kIo));
        (void)recv_until_eof(conn.get(), Deadline(kIo));
    });
    PseudoTerminal tty;
    Process client =
        Process::start(bin_path("tcp_client"), {"127.0.0.1:" + std::to_string(server.port())},
                       {.in = Redirect::fd(tty.slave()), .new_session = true});
    tty.close_slave();
    ASSERT_TRUE(client.read_stdout_until("Input lowercase sentence: ", Deadline(kIo)));
    tty.type("send me a long one\n", Deadline(kIo));
    const auto printed = client.read_stdout_until("\nInput lowercase sentence: ", Deadline(kIo));
    ASSERT_TRUE(printed.has_value()) << "no second prompt";
    EXPECT_TRUE(*printed == "From Server: " + reply + "\nInput lowercase sentence: ")
        << printed->size() << " bytes, starting " << printed->substr(0, 40);
    tty.type("again\n", Deadline(kIo));
    const auto second = client.read_stdout_until("\nInput lowercase sentence: ", Deadline(kIo));
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(*second, "From Server: second\nInput lowercase sentence: ");
    tty.type_eof(Deadline(kIo));
    EXPECT_EQ(client.finish(Deadline(kIo)).status, ExitStatus::exit_code(0));
}

TEST(TcpClient, PromptsOnATerminal) {
    ServerProcess server = start_server();
    PseudoTerminal tty;
    Process client = Process::start(bin_path("tcp_client"), {server.endpoint()},
                                    {.in = Redirect::fd(tty.slave()),
                                     .out = Redirect::fd(tty.slave()),
                                     .err = Redirect::fd(tty.slave()),
                                     .new_session = true});
    tty.close_slave();
    const auto prompt = tty.read_until("Input lowercase sentence: ", Deadline(kIo));
    ASSERT_TRUE(prompt.has_value()) << "no prompt; the terminal shows: [" << tty.pending() << "]";
    EXPECT_EQ(*prompt, "Input lowercase sentence: ");

    tty.type("hello from a terminal\n", Deadline(kIo));
    const auto reply = tty.read_until("\n", Deadline(kIo));
    ASSERT_TRUE(reply.has_value()) << "no reply; the terminal shows: [" << tty.pending() << "]";
    EXPECT_EQ(*reply, "From Server: HELLO FROM A TERMINAL\n");

    tty.type("second line\n", Deadline(kIo));
    const auto second = tty.read_until("From Server: SECOND LINE\n", Deadline(kIo));
    EXPECT_TRUE(second.has_value()) << "the terminal shows: [" << tty.pending() << "]";

    tty.type_eof(Deadline(kIo));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value()) << "tcp_client did not end at ^D";
    EXPECT_EQ(*status, ExitStatus::exit_code(0));
    EXPECT_EQ(tty.read_to_eof(Deadline(kIo)).find("tcp_client:"), std::string::npos);
}

TEST(TcpClient, RejectsBadOptionsWithUsage) {
    expect_usage_error("tcp_client", {"--no-such-option"});
    expect_usage_error("tcp_client", {"-W", "abc"});
    expect_usage_error("tcp_client", {"--timeout"});
    expect_usage_error("tcp_client", {"127.0.0.1", "notaport"});
    expect_usage_error("tcp_client", {"127.0.0.1", "70000"});
    expect_usage_error("tcp_client", {"[::1"});
    expect_usage_error("tcp_client", {"a", "1", "extra"});
}

TEST(TcpClient, PrintsHelpAndVersion) {
    expect_help_and_version("tcp_client");
}

}  // namespace
}  // namespace net::test
