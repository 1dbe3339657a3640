// udp_ping and udp_ping_server (the book's UDP Pinger) as real processes on loopback: exact loss
// accounting against the server's seeded drops, timeouts, third-party echo peers, IPv6, the
// server's heartbeat log, --json, SIGINT and flood mode.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scripted_udp_server.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // generous for sanitizer builds; every run here takes well under 1 s

ServerProcess start_server(std::vector<std::string> args = {}) {
    return ServerProcess::start("udp_ping_server", std::move(args));
}

Finished run_ping(const std::vector<std::string>& args, Clock::duration timeout = kIo) {
    return run(bin_path("udp_ping"), args, {}, timeout);
}

// The seqs of the lines of `text` that start with `prefix`, read after "seq=".
std::set<std::uint64_t> seqs_of(std::string_view text, std::string_view prefix) {
    std::set<std::uint64_t> seqs;
    for (const auto& line : split_lines(text)) {
        if (!line.starts_with(prefix)) continue;
        if (const auto seq = number_after(line, "seq=")) seqs.insert(*seq);
    }
    return seqs;
}

std::set<std::uint64_t> timed_out(const Finished& ping) {
    return seqs_of(ping.out, "Request timed out: ");
}
std::set<std::uint64_t> replied(const Finished& ping) {
    std::set<std::uint64_t> seqs;
    for (const auto& line : split_lines(ping.out)) {
        if (line.find(" bytes from ") == std::string::npos) continue;
        if (const auto seq = number_after(line, "seq=")) seqs.insert(*seq);
    }
    return seqs;
}

std::set<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
    std::set<std::uint64_t> seqs;
    for (auto s = first; s <= last; ++s)
        seqs.insert(s);
    return seqs;
}

// "Ping <seq> <time>" as the book's client sends it, with the wall clock in seconds.
std::string ping_message(std::uint64_t seq) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    char time[64];
    std::snprintf(time, sizeof time, "%.6f", now);
    return "Ping " + std::to_string(seq) + " " + time;
}

// ---------------------------------------------------------------- the pair together

TEST(UdpPing, EveryPingAnsweredWithoutLoss) {
    ServerProcess server = start_server({"-q"});
    const Finished ping =
        run_ping({"-c", "5", "-i", "0.01", "-W", "0.5", "127.0.0.1", server.port_string()});
    EXPECT_EQ(ping.status, ExitStatus::exit_code(0)) << ping.err;
    EXPECT_EQ(replied(ping), range(1, 5)) << ping.out;
    EXPECT_TRUE(timed_out(ping).empty()) << ping.out;
    const std::string endpoint = "127.0.0.1:" + server.port_string();
    EXPECT_TRUE(contains(ping.out, "56 bytes from " + endpoint + ": seq=1 time=")) << ping.out;
    EXPECT_TRUE(contains(ping.out, "--- " + endpoint + " udp ping statistics ---")) << ping.out;
    EXPECT_TRUE(contains(ping.out, "5 packets transmitted, 5 received, 0% packet loss"))
        << ping.out;
    EXPECT_TRUE(contains(ping.out, "rtt min/avg/max/mdev = ")) << ping.out;
    EXPECT_TRUE(contains(ping.out, "rtt p50/p90/p99 = ")) << ping.out;
}

TEST(UdpPing, TimedOutSeqsAreExactlyTheOnesTheServerDropped) {
    ServerProcess server = start_server({"--loss", "0.3", "--seed", "42"});
    const Finished ping =
        run_ping({"-c", "50", "-i", "0.01", "-W", "0.2", "127.0.0.1", server.port_string()});
    const std::string log = server.log();
    const auto dropped = seqs_of(log, "udp_ping_server: dropped ");
    const auto lost = timed_out(ping);
    // With 30% of 50 the odds of no drop at all are nil; a seeded run never has none.
    ASSERT_FALSE(dropped.empty()) << log;
    EXPECT_EQ(lost, dropped) << "client:\n" << ping.out << "\nserver:\n" << log;
    // Every other seq got its reply, and the summary counts agree with the lines.
    std::set<std::uint64_t> answered = range(1, 50);
    for (auto s : dropped)
        answered.erase(s);
    EXPECT_EQ(replied(ping), answered) << ping.out;
    EXPECT_EQ(ping.status, ExitStatus::exit_code(0)) << ping.err;
    EXPECT_TRUE(contains(ping.out, "50 packets transmitted, " + std::to_string(answered.size()) +
                                       " received, " + std::to_string(dropped.size() * 2) +
                                       "% packet loss"))
        << ping.out;
}

TEST(UdpPing, ShortTimeoutCountsLateRepliesAsLostAndEndsQuickly) {
    ServerProcess server = start_server({"--delay", "300", "-q"});
    const auto start = Clock::now();
    const Finished ping =
        run_ping({"-c", "3", "-i", "0.01", "-W", "0.1", "127.0.0.1", server.port_string()});
    const auto elapsed = Clock::now() - start;
    EXPECT_EQ(ping.status, ExitStatus::exit_code(1)) << ping.out << ping.err;
    EXPECT_EQ(timed_out(ping), range(1, 3)) << ping.out;
    EXPECT_TRUE(replied(ping).empty()) << ping.out;
    EXPECT_TRUE(contains(ping.out, "3 packets transmitted, 0 received, 100% packet loss"))
        << ping.out;
    EXPECT_LT(elapsed, 5s);  // it does not wait for the 300 ms replies of each ping
}

// Nobody on the port: the kernel answers each ping with ICMP port unreachable, and udp_ping says
// so as ping does, instead of waiting out each timeout.
TEST(UdpPing, NoServerPrintsTheIcmpErrorOfEachPingAndExitsOne) {
    const std::uint16_t port = unused_port(Transport::kUdp);
    const auto start = Clock::now();
    const Finished ping =
        run_ping({"-c", "3", "-i", "0.01", "-W", "5", "127.0.0.1", std::to_string(port)});
    EXPECT_EQ(ping.status, ExitStatus::exit_code(1)) << ping.err;
    EXPECT_EQ(seqs_of(ping.out, "From 127.0.0.1 icmp_seq="), range(1, 3)) << ping.out;
    for (const auto& line : split_lines(ping.out)) {
        if (line.starts_with("From ")) {
            EXPECT_TRUE(line.ends_with(" Destination Port Unreachable")) << line;
        }
    }
    EXPECT_TRUE(timed_out(ping).empty()) << ping.out;
    EXPECT_TRUE(
        contains(ping.out, "3 packets transmitted, 0 received, +3 errors, 100% packet loss"))
        << ping.out;
    EXPECT_FALSE(contains(ping.out, "rtt min/avg/max/mdev")) << ping.out;
    EXPECT_LT(Clock::now() - start, 5s);  // the errors end the wait, not the 5 s timeout
}

TEST(UdpPing, NoServerOverIpv6SaysPortUnreachableInJsonToo) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    const std::uint16_t port = unused_port(Transport::kUdp, "::1");
    const Finished ping =
        run_ping({"-c", "2", "-i", "0.01", "-W", "5", "--json", "::1", std::to_string(port)});
    EXPECT_EQ(ping.status, ExitStatus::exit_code(1)) << ping.err;
    EXPECT_TRUE(contains(ping.out,
                         "{\"seq\": 1, \"status\": \"error\", \"error\": "
                         "\"Destination unreachable: Port unreachable\"}"))
        << ping.out;
    EXPECT_TRUE(contains(ping.out, "\"errors\": 2")) << ping.out;
}

TEST(UdpPing, CountsRepliesFromSocatEchoThatDoesNotUpperCase) {
    TOPDOWN_REQUIRE_TOOL(socat, "socat", "socat");
    const std::uint16_t port = unused_port(Transport::kUdp);
    Process echo = Process::start(
        socat, {"UDP-RECVFROM:" + std::to_string(port) + ",bind=127.0.0.1,fork", "PIPE"},
        {.out = Redirect::null(), .err = Redirect::null()});
    // Wait until socat answers (it binds a moment after it starts).
    {
        const Deadline ready(kIo);
        bool answered = false;
        while (!answered && !ready.expired()) {
            Fd probe = udp_connect("127.0.0.1", port);
            send_datagram(probe.get(), "probe");
            answered = recv_datagram(probe.get(), Deadline(100ms)) == "probe";
        }
        ASSERT_TRUE(answered) << "socat never echoed on port " << port;
    }
    const Finished ping =
        run_ping({"-c", "5", "-i", "0.01", "-W", "0.5", "127.0.0.1", std::to_string(port)});
    EXPECT_EQ(ping.status, ExitStatus::exit_code(0)) << ping.err;
    EXPECT_EQ(replied(ping), range(1, 5)) << ping.out;
    EXPECT_TRUE(contains(ping.out, "5 packets transmitted, 5 received, 0% packet loss"))
        << ping.out;
}

TEST(UdpPing, PingsOverIpv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 on loopback here";
    ServerProcess server = start_server({"-b", "::1", "-q"});
    EXPECT_EQ(server.first_line(), "udp_ping_server: listening on [::1]:" + server.port_string());
    const Finished ping =
        run_ping({"-6", "-c", "3", "-i", "0.01", "-W", "0.5", "::1", server.port_string()});
    EXPECT_EQ(ping.status, ExitStatus::exit_code(0)) << ping.err;
    EXPECT_EQ(replied(ping), range(1, 3)) << ping.out;
    EXPECT_TRUE(contains(ping.out, "3 packets transmitted, 3 received, 0% packet loss"))
        << ping.out;
}

TEST(UdpPing, JsonIsOneDocumentWithConsistentCounts) {
    TOPDOWN_REQUIRE_TOOL(python3, "python3", "python3");
    ServerProcess server = start_server({"--loss", "0.3", "--seed", "7"});
    const Finished ping = run_ping(
        {"--json", "-c", "20", "-i", "0.01", "-W", "0.2", "127.0.0.1", server.port_string()});
    ASSERT_TRUE(ping.status.exited) << ping.status;
    ASSERT_LE(ping.status.code, 1) << ping.err;
    // Python's json module parses it; the script checks it against itself and prints the counts.
    const std::string check = R"PY(
import json, sys
doc = json.load(sys.stdin)
probes, s = doc["probes"], doc["summary"]
replies = [p for p in probes if p["status"] == "reply"]
timeouts = [p for p in probes if p["status"] == "timeout"]
assert len(replies) + len(timeouts) == len(probes), probes
assert [p["seq"] for p in probes] == list(range(1, len(probes) + 1)), probes
assert all("rtt_ms" in p and p["rtt_ms"] >= 0 for p in replies), replies
assert all("rtt_ms" not in p for p in timeouts), timeouts
assert s["transmitted"] == len(probes), s
assert s["received"] == len(replies), s
assert s["duplicates"] == 0 and s["foreign"] == 0, s
assert abs(s["loss_percent"] - 100.0 * len(timeouts) / len(probes)) < 0.01, s
if replies:
    rtts = [p["rtt_ms"] for p in replies]
    assert abs(s["min_ms"] - min(rtts)) < 0.002 and abs(s["max_ms"] - max(rtts)) < 0.002, s
print(doc["target"], doc["size"], s["transmitted"], s["received"],
      " ".join(str(p["seq"]) for p in timeouts))
)PY";
    const Finished parsed = run(python3, {"-c", check}, ping.out, kIo);
    ASSERT_EQ(parsed.status, ExitStatus::exit_code(0)) << parsed.err << "\njson:\n" << ping.out;
    const auto dropped = seqs_of(server.log(), "udp_ping_server: dropped ");
    std::string dropped_text;
    for (auto s : dropped)
        dropped_text += (dropped_text.empty() ? "" : " ") + std::to_string(s);
    EXPECT_EQ(parsed.out, "127.0.0.1:" + server.port_string() + " 56 20 " +
                              std::to_string(20 - dropped.size()) + " " + dropped_text + "\n")
        << ping.out;
}

TEST(UdpPing, SigintPrintsTheSummaryOfAnEndlessRun) {
    ServerProcess server = start_server({"-q"});
    Process ping = Process::start(bin_path("udp_ping"), {"-c", "0", "-i", "0.01", "-W", "0.5",
                                                         "127.0.0.1", server.port_string()});
    const Deadline deadline(kIo);
    // Let a few replies arrive first.
    ASSERT_TRUE(ping.read_stdout_until(": seq=3 time=", deadline).has_value()) << "no third reply";
    ASSERT_TRUE(ping.signal(SIGINT));
    const Finished result = ping.finish(deadline);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_TRUE(
        contains(result.out, "--- 127.0.0.1:" + server.port_string() + " udp ping statistics ---"))
        << result.out;
    EXPECT_TRUE(contains(result.out, " packets transmitted, ")) << result.out;
    EXPECT_TRUE(contains(result.out, "rtt min/avg/max/mdev = ")) << result.out;
}

// Datagrams that answer no ping: the first has its own line, the rest are counted, one line a
// second (here the end of the run comes first).
TEST(UdpPing, DatagramsThatAreNotRepliesGetOneLineThenACount) {
    ScriptedUdpServer stranger(
        [](const std::string&, int) { return std::optional<std::string>("not a reply"); });
    const Finished ping = run_ping(
        {"-c", "3", "-i", "0.05", "-W", "0.2", "127.0.0.1", std::to_string(stranger.port())});
    EXPECT_EQ(ping.status, ExitStatus::exit_code(1)) << ping.err;
    std::vector<std::string> ignored;
    for (const auto& line : split_lines(ping.out)) {
        if (line.starts_with("ignored ")) ignored.push_back(line);
    }
    ASSERT_EQ(ignored.size(), 2U) << ping.out;
    EXPECT_EQ(ignored[0], "ignored 11 bytes from 127.0.0.1:" + std::to_string(stranger.port()) +
                              ": not a reply to this run");
    EXPECT_EQ(ignored[1], "ignored 2 more datagrams in the last second (not replies to this run)");
    EXPECT_EQ(timed_out(ping), range(1, 3)) << ping.out;
}

TEST(UdpPing, FloodOf200FinishesQuickly) {
    ServerProcess server = start_server({"-q"});
    const auto start = Clock::now();
    const Finished ping =
        run_ping({"-f", "-q", "-c", "200", "-W", "0.5", "127.0.0.1", server.port_string()});
    const auto elapsed = Clock::now() - start;
    EXPECT_EQ(ping.status, ExitStatus::exit_code(0)) << ping.err;
    EXPECT_TRUE(contains(ping.out, "200 packets transmitted, 200 received, 0% packet loss"))
        << ping.out;
    // -q: no per-ping lines.
    EXPECT_TRUE(replied(ping).empty()) << ping.out;
    // At the default 1 s interval this would take 200 s; flooding a local echo takes milliseconds.
    EXPECT_LT(elapsed, 5s);
}

// ---------------------------------------------------------------- the server's heartbeat log

TEST(UdpPingServer, LogsAGapInTheSeqsAsLostPings) {
    ServerProcess server = start_server({"--heartbeat-timeout", "5"});
    Fd sock = udp_connect(server.connect_host(), server.port());
    for (const std::uint64_t seq : {1, 2, 5, 7}) {
        const std::string ping = ping_message(seq);
        send_datagram(sock.get(), ping);
        const auto reply = recv_datagram(sock.get(), Deadline(kIo));
        ASSERT_TRUE(reply.has_value()) << "no echo of seq " << seq << "; log:\n" << server.log();
        EXPECT_TRUE(reply->starts_with("PING " + std::to_string(seq) + " ")) << *reply;
    }
    ASSERT_TRUE(wait_for_log(server, ": seq=7 one-way delay", Deadline(kIo))) << server.log();
    const std::string log = server.log();
    EXPECT_TRUE(contains(log, ": first ping seq=1, one-way delay ")) << log;
    EXPECT_TRUE(contains(log, ": lost 2 pings (seq 3..4)")) << log;
    EXPECT_TRUE(contains(log, ": lost 1 ping (seq 6)")) << log;
}

TEST(UdpPingServer, ReportsAClientThatStopped) {
    ServerProcess server = start_server({"--heartbeat-timeout", "0.3"});
    const Finished ping =
        run_ping({"-c", "3", "-i", "0.01", "-W", "0.5", "127.0.0.1", server.port_string()});
    ASSERT_EQ(ping.status, ExitStatus::exit_code(0)) << ping.err;
    ASSERT_TRUE(wait_for_log(server, ": stopped (no ping for ", Deadline(kIo))) << server.log();
    const std::string log = server.log();
    EXPECT_TRUE(contains(log, "after seq=3; 3 received, 0 lost)")) << log;
}

TEST(UdpPingServer, SaysBadTimestampForASendTimeNoClockGave) {
    ServerProcess server = start_server();
    Fd sock = udp_connect(server.connect_host(), server.port());
    for (const std::string& ping :
         {std::string("Ping 1 1e308"), std::string("Ping 2 1"), ping_message(3)}) {
        send_datagram(sock.get(), ping);
        const auto reply = recv_datagram(sock.get(), Deadline(kIo));
        ASSERT_TRUE(reply.has_value()) << "no echo of [" << ping << "]; log:\n" << server.log();
    }
    ASSERT_TRUE(wait_for_log(server, ": seq=3 one-way delay ", Deadline(kIo))) << server.log();
    const std::string log = server.log();
    EXPECT_TRUE(contains(log, ": first ping seq=1, bad timestamp\n")) << log;
    EXPECT_TRUE(contains(log, ": seq=2 bad timestamp\n")) << log;
    EXPECT_FALSE(contains(log, "inf")) << log;
}

TEST(UdpPingServer, SurvivesGarbageDatagrams) {
    ServerProcess server = start_server({"--heartbeat-timeout", "0.3"});
    Fd sock = udp_connect(server.connect_host(), server.port());
    std::string binary;
    for (int b = 0; b < 256; ++b)
        binary.push_back(static_cast<char>(b));
    const std::vector<std::string> garbage{
        "",
        "Ping",
        "Ping x y",
        "Ping -1 -1",
        "Ping 99999999999999999999999999 1",
        "Ping 3 nan",
        "Ping 4 1e308",
        "Ping 18446744073709551615 0",
        "Ping 0 0",
        binary,
        std::string(65507, 'p'),
    };
    for (const auto& g : garbage)
        send_datagram(sock.get(), g);
    // A real ping afterwards still gets its echo, and the server is alive to the end.
    const std::string ping = ping_message(1);
    send_datagram(sock.get(), ping);
    const Deadline deadline(kIo);
    bool echoed = false;
    while (!echoed) {
        const auto reply = recv_datagram(sock.get(), deadline);
        if (!reply) break;
        echoed = reply->starts_with("PING 1 ");
    }
    EXPECT_TRUE(echoed) << server.log();
    // Past the heartbeat timeout too (a client with odd seqs then goes silent).
    std::this_thread::sleep_for(500ms);
    EXPECT_TRUE(server.running()) << server.log();
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
}

TEST(UdpPingServer, ExitsZeroOnSigintAndSigterm) {
    for (const int sig : {SIGINT, SIGTERM}) {
        ServerProcess server = start_server();
        EXPECT_EQ(server.stop(sig), ExitStatus::exit_code(0)) << server.log();
    }
}

// ---------------------------------------------------------------- command lines

TEST(UdpPing, RejectsBadOptionsWithUsage) {
    expect_usage_error("udp_ping", {});
    expect_usage_error("udp_ping", {"--no-such-option", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-c", "-1", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-c", "many", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-i", "soon", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-W", "-1", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-s", "100000", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-w", "x", "127.0.0.1"});
    expect_usage_error("udp_ping", {"-4", "-6", "127.0.0.1"});
    expect_usage_error("udp_ping", {"127.0.0.1", "99999"});
    expect_usage_error("udp_ping", {"127.0.0.1", "1", "extra"});
}

TEST(UdpPingServer, RejectsBadOptionsWithUsage) {
    expect_usage_error("udp_ping_server", {"--no-such-option"});
    expect_usage_error("udp_ping_server", {"--loss", "2"});
    expect_usage_error("udp_ping_server", {"--loss", "x"});
    expect_usage_error("udp_ping_server", {"--delay", "5-1"});
    expect_usage_error("udp_ping_server", {"--seed", "x"});
    expect_usage_error("udp_ping_server", {"--heartbeat-timeout", "-1"});
    expect_usage_error("udp_ping_server", {"-p", "70000"});
    expect_usage_error("udp_ping_server", {"extra"});
}

TEST(UdpPing, PrintsHelpAndVersion) {
    expect_help_and_version("udp_ping");
    expect_help_and_version("udp_ping_server");
}

}  // namespace
}  // namespace net::test
