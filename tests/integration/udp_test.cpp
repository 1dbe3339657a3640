// udp_server and udp_client as real processes on loopback: one datagram per line, upper-cased
// and sent back; the client's timeout, retries and over-long lines against scripted peers.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/process.hpp"
#include "tests/support/pty.hpp"
#include "tests/support/scripted_udp_server.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // generous for sanitizer builds; loopback answers in microseconds
constexpr std::size_t kMaxPayload = 65507;  // the largest UDP payload over IPv4

// `tr a-z A-Z` in the C locale, independent of the code under test.
std::string upper(std::string_view bytes) {
    std::string out(bytes);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

ServerProcess start_server(std::vector<std::string> args = {}) {
    return ServerProcess::start("udp_server", std::move(args));
}

// One datagram to the server and its reply. Loopback does not lose datagrams, but a reply is
// only a reply if it arrives before the deadline.
std::optional<std::string> ask(const std::string& host, std::uint16_t port,
                               std::string_view payload) {
    Fd sock = udp_connect(host, port);
    send_datagram(sock.get(), payload);
    return recv_datagram(sock.get(), Deadline(kIo));
}

std::optional<std::string> ask(const ServerProcess& server, std::string_view payload) {
    return ask(server.connect_host(), server.port(), payload);
}

Finished run_client(const std::vector<std::string>& args, std::string_view input,
                    Clock::duration timeout = kIo) {
    return run(bin_path("udp_client"), args, input, timeout);
}

// ---------------------------------------------------------------- udp_server with our sockets

TEST(UdpServer, AnnouncesLoopbackAddressOnFirstLine) {
    ServerProcess server = start_server();
    EXPECT_EQ(server.first_line(), "udp_server: listening on 127.0.0.1:" + server.port_string());
}

TEST(UdpServer, UpperCasesADatagram) {
    ServerProcess server = start_server();
    EXPECT_EQ(ask(server, "hello, udp world"), "HELLO, UDP WORLD");
}

TEST(UdpServer, ChangesOnlyAsciiLettersOfUtf8AndBinary) {
    ServerProcess server = start_server();
    const std::string utf8 = "caf\xC3\xA9 \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC na\xC3\xAFve";
    EXPECT_EQ(ask(server, utf8), upper(utf8));
    std::string binary;
    for (int b = 0; b < 256; ++b)
        binary.push_back(static_cast<char>(b));
    binary += std::string(3, '\0') + "nul inside";
    EXPECT_EQ(ask(server, binary), upper(binary));
}

TEST(UdpServer, EchoesTheLargestDatagramWhole) {
    ServerProcess server = start_server();
    std::string payload(kMaxPayload, 'q');
    payload.front() = 'a';
    payload.back() = 'z';
    const auto reply = ask(server, payload);
    ASSERT_TRUE(reply.has_value()) << server.log();
    EXPECT_EQ(reply->size(), kMaxPayload);
    EXPECT_TRUE(*reply == upper(payload));
}

TEST(UdpServer, RepliesToEachSenderItsOwnDatagram) {
    ServerProcess server = start_server();
    Fd alice = udp_connect(server.connect_host(), server.port());
    Fd bob = udp_connect(server.connect_host(), server.port());
    send_datagram(alice.get(), "from alice");
    send_datagram(bob.get(), "from bob");
    send_datagram(alice.get(), "alice again");
    EXPECT_EQ(recv_datagram(bob.get(), Deadline(kIo)), "FROM BOB");
    EXPECT_EQ(recv_datagram(alice.get(), Deadline(kIo)), "FROM ALICE");
    EXPECT_EQ(recv_datagram(alice.get(), Deadline(kIo)), "ALICE AGAIN");
}

TEST(UdpServer, SurvivesASenderThatVanishes) {
    ServerProcess server = start_server();
    {
        // Its reply meets a closed port (ICMP port unreachable comes back to the server).
        Fd gone = udp_connect(server.connect_host(), server.port());
        send_datagram(gone.get(), "nobody will read this");
    }
    EXPECT_EQ(ask(server, "next one"), "NEXT ONE") << server.log();
    EXPECT_TRUE(server.running());
}

TEST(UdpServer, ServesIpv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::1"});
    EXPECT_EQ(server.first_line(), "udp_server: listening on [::1]:" + server.port_string());
    EXPECT_EQ(ask("::1", server.port(), "over ipv6"), "OVER IPV6");
}

TEST(UdpServer, DualStackWildcardIsReachedOverIpv4) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::"});
    EXPECT_EQ(server.host(), "::") << server.first_line();
    // The reply must come back from the address we sent to, or our connected socket drops it.
    EXPECT_EQ(ask("127.0.0.1", server.port(), "via ipv4"), "VIA IPV4");
    EXPECT_EQ(ask("::1", server.port(), "via ipv6"), "VIA IPV6");
}

TEST(UdpServer, AnswersNetcat) {
    TOPDOWN_REQUIRE_OPENBSD_NC(nc);
    ServerProcess server = start_server();
    // nc -u sends the line (newline included) as one datagram; -w1 ends it 1 s after EOF.
    const Finished result =
        run(nc, {"-u", "-w1", server.connect_host(), server.port_string()}, "hello from nc\n", kIo);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "HELLO FROM NC\n");
}

class UdpServerSignal : public ::testing::TestWithParam<int> {};

TEST_P(UdpServerSignal, ExitsZero) {
    ServerProcess server = start_server();
    EXPECT_EQ(ask(server, "before the signal"), "BEFORE THE SIGNAL");
    EXPECT_EQ(server.stop(GetParam()), ExitStatus::exit_code(0)) << server.log();
}

INSTANTIATE_TEST_SUITE_P(Signals, UdpServerSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                             return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

TEST(UdpServer, RejectsBadOptionsWithUsage) {
    expect_usage_error("udp_server", {"--no-such-option"});
    expect_usage_error("udp_server", {"-p"});
    expect_usage_error("udp_server", {"-p", "65536"});
    expect_usage_error("udp_server", {"-p", "-1"});
    expect_usage_error("udp_server", {"unexpected"});
}

TEST(UdpServer, PrintsHelpAndVersion) {
    expect_help_and_version("udp_server");
}

// ---------------------------------------------------------------- udp_client

TEST(UdpClient, SendsEachLineAndPrintsEachReply) {
    ServerProcess server = start_server();
    const Finished result = run_client({server.connect_host(), server.port_string()},
                                       "hello\nsecond line\n\ncaf\xC3\xA9 last");
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    // No prompt when stdin is not a terminal; the empty line is an empty datagram.
    EXPECT_EQ(result.out, "HELLO\nSECOND LINE\n\nCAF\xC3\xA9 LAST\n");
    EXPECT_EQ(result.err, "");
}

TEST(UdpClient, AcceptsHostColonPortForms) {
    ServerProcess server = start_server();
    const Finished result = run_client({"127.0.0.1:" + server.port_string()}, "abc\n");
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "ABC\n");
}

TEST(UdpClient, ReachesIpv6Server) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::1"});
    const Finished result = run_client({"[::1]:" + server.port_string()}, "six\n");
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "SIX\n");
}

TEST(UdpClient, SendsALineOfExactlyTheLargestPayload) {
    ServerProcess server = start_server();
    const std::string line(kMaxPayload, 'm');
    const Finished result = run_client({server.endpoint()}, line + "\n");
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_TRUE(result.out == upper(line) + "\n") << "reply of " << result.out.size() << " bytes";
}

TEST(UdpClient, NoServerGivesAClearMessageWithinTheTimeout) {
    const std::uint16_t port = unused_port(Transport::kUdp);
    const auto start = Clock::now();
    const Finished result =
        run_client({"-W", "0.3", "--retries", "1", "127.0.0.1", std::to_string(port)}, "hello\n");
    const auto elapsed = Clock::now() - start;
    EXPECT_EQ(result.status, ExitStatus::exit_code(69));
    EXPECT_EQ(result.out, "");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with(
        "udp_client: no reply from 127.0.0.1:" + std::to_string(port) + " after 2 tries"))
        << result.err;
    // 2 tries of 0.3 s, plus start-up: far less than this even under sanitizers.
    EXPECT_LT(elapsed, 10s);
}

TEST(UdpClient, RetriesALostDatagramAndGoesOnAfterAnUnansweredLine) {
    // "flaky" is answered only on its second copy; "black hole" never; the rest at once.
    ScriptedUdpServer peer([](const std::string& payload, int copy) -> std::optional<std::string> {
        if (payload == "black hole") return std::nullopt;
        if (payload == "flaky" && copy < 2) return std::nullopt;
        return upper(payload);
    });
    const std::string port = std::to_string(peer.port());
    const Finished result = run_client({"-W", "0.3", "--retries", "2", "127.0.0.1", port},
                                       "first\nflaky\nblack hole\nlast\n");
    EXPECT_EQ(result.status, ExitStatus::exit_code(69));
    EXPECT_EQ(result.out, "FIRST\nFLAKY\nLAST\n");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(
        result.err.starts_with("udp_client: no reply from 127.0.0.1:" + port + " after 3 tries"))
        << result.err;
    const std::vector<std::string> expected{"first",      "flaky",      "flaky", "black hole",
                                            "black hole", "black hole", "last"};
    EXPECT_EQ(peer.received(), expected);
}

TEST(UdpClient, RefusesAnOverlongLineWithoutSendingOrTruncatingIt) {
    ScriptedUdpServer peer([](const std::string& payload, int) -> std::optional<std::string> {
        return upper(payload);
    });
    const std::string too_long(kMaxPayload + 1, 'x');
    const Finished result =
        run_client({"127.0.0.1", std::to_string(peer.port())}, "first\n" + too_long + "\nlast\n");
    EXPECT_EQ(result.status, ExitStatus::exit_code(65)) << result.err;
    EXPECT_EQ(result.out, "FIRST\nLAST\n");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with("udp_client: ")) << result.err;
    EXPECT_NE(result.err.find("line 2"), std::string::npos) << "names no line: " << result.err;
    // Neither sent whole nor cut to size: the peer saw only the two short lines.
    EXPECT_EQ(peer.received(), (std::vector<std::string>{"first", "last"}));
}

TEST(UdpClient, UnknownHostExits68WithOneLine) {
    const Finished result = run_client({"nosuchhost.invalid", "12000"}, "hello\n", 60s);
    EXPECT_EQ(result.status, ExitStatus::exit_code(68));  // EX_NOHOST
    EXPECT_EQ(result.out, "");
    ASSERT_EQ(split_lines(result.err).size(), 1U) << result.err;
    EXPECT_TRUE(result.err.starts_with("udp_client: ")) << result.err;
}

TEST(UdpClient, PromptsOnATerminal) {
    ServerProcess server = start_server();
    PseudoTerminal tty;
    Process client = Process::start(bin_path("udp_client"), {server.endpoint()},
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
    EXPECT_NE(reply->find("HELLO FROM A TERMINAL"), std::string::npos) << *reply;

    tty.type_eof(Deadline(kIo));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value()) << "udp_client did not end at ^D";
    EXPECT_EQ(*status, ExitStatus::exit_code(0));
}

TEST(UdpClient, RejectsBadOptionsWithUsage) {
    expect_usage_error("udp_client", {"--no-such-option"});
    expect_usage_error("udp_client", {"-W", "soon"});
    expect_usage_error("udp_client", {"--timeout", "-1"});
    expect_usage_error("udp_client", {"--retries", "many"});
    expect_usage_error("udp_client", {"--retries", "-1"});
    expect_usage_error("udp_client", {"127.0.0.1", "notaport"});
    expect_usage_error("udp_client", {"a", "1", "extra"});
}

TEST(UdpClient, PrintsHelpAndVersion) {
    expect_help_and_version("udp_client");
}

}  // namespace
}  // namespace net::test
