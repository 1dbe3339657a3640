// web_server under attack. The findings: a second signal while it drains, request bodies
// and heads trickled past --timeout. And the attacks it holds, kept as regressions: a thousand
// slow heads, no descriptors left, bad bytes, peers resetting mid-response. Each test says what
// it held (report_held).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/http_attacks.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"
#include "tests/support/web_server_session.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;
constexpr std::string_view kHello = "hello\n";

// A GET of /hello.txt on a fresh connection; how long it took, connecting included.
Clock::duration fresh_client(const ServerProcess& server) {
    const auto started = Clock::now();
    const HttpResponse response = http_exchange(server.connect_host(), server.port(),
                                                http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(response.body, kHello);
    return Clock::now() - started;
}

// Reads the response each held connection got to what it sent (a 405 to a POST's head).
void expect_each_answered(std::vector<Fd>& clients, int status) {
    for (Fd& fd : clients) {
        HttpConnection conn(std::move(fd));
        EXPECT_EQ(conn.read_response(Deadline(kIo)).status, status);
        fd = conn.release();
    }
}

// ------------------------------------------------------------------------ the findings

// 200 POSTs trickling their bodies a byte at a time stayed for ever: the body skipped after its
// 405 escaped every timeout, each byte resetting the idle one. A body gets --timeout, then must
// keep up --min-rate (500 bytes a second): these are cut soon after the timeout.
TEST(WebServerRobustness, TrickledBodiesAreCutSoonAfterTheTimeout) {
    constexpr std::size_t kClients = 200;
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"--timeout", "2", "-q"});
    std::vector<Fd> clients = hold_connections(
        server.port(), kClients, "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n",
        Deadline(kIo));
    expect_each_answered(clients, 405);  // answered at once; the body is skipped afterwards
    const auto started = Clock::now();
    // A byte every half second (2 bytes a second against 500 required), until all are cut or
    // well past the 2 s they are due.
    const std::size_t closed = trickle_until_closed(clients, 'x', 500ms, Deadline(6s));
    const auto took = Clock::now() - started;
    EXPECT_EQ(closed, kClients) << "trickled bodies held their connections past --timeout 2";
    EXPECT_LT(took, 5s);
    EXPECT_LT(fresh_client(server), 1s);
    report_held(std::to_string(kClients) + " bodies trickled after their 405 under --timeout 2: " +
                std::to_string(closed) + " cut within " + format_ms(took));
}

// After an answer that ends the connection (413: a body over the 64 KiB skipped at most), what
// the client still sends is read for a short linger only: a trickle after it never keeps the
// connection (and its descriptor).
TEST(WebServerRobustness, TrickleAfterAClosingAnswerLingersBriefly) {
    constexpr std::size_t kClients = 200;
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q", "-t", "1"});
    const pid_t pid = server.process().pid();
    (void)fresh_client(server);
    const auto baseline = open_descriptors(pid);
    ASSERT_TRUE(baseline.has_value());
    std::vector<Fd> clients = hold_connections(
        server.port(), kClients,
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n", Deadline(kIo));
    expect_each_answered(clients, 413);
    const auto started = Clock::now();
    auto open = open_descriptors(pid);
    while (open && *open > *baseline && Clock::now() - started < 8s) {
        trickle(clients, 'x');
        std::this_thread::sleep_for(250ms);
        open = open_descriptors(pid);
    }
    const auto took = Clock::now() - started;
    ASSERT_TRUE(open.has_value());
    EXPECT_LE(*open, *baseline) << "connections kept after their 413 while the client trickled";
    EXPECT_LT(took, 6s);  // a 2 s linger
    report_held(std::to_string(kClients) + " clients trickling after their 413: " +
                std::to_string(*open) + " descriptors open " + format_ms(took) + " later (" +
                std::to_string(*baseline) + " before them)");
}

// A head that stalls is cut --timeout after its first byte by the loop's timer: not only when a
// next byte comes, nor the idle timeout after the last one. Here a byte 3.5 s in, then nothing,
// under --timeout 4: 408 at 4 s (by the idle timeout it would come at 7.5 s).
TEST(WebServerRobustness, StalledHeadsGet408AtTheTimeoutFromTheirFirstByte) {
    constexpr std::size_t kClients = 200;
    StaticSite site;
    ServerProcess server = start_web_server(site, {"--timeout", "4", "-q"});
    const auto started = Clock::now();
    std::vector<Fd> clients =
        hold_connections(server.port(), kClients, "GET / HTTP/1.1\r\nHost: x\r\n", Deadline(kIo));
    std::this_thread::sleep_for(3500ms);  // the attacker's pace
    EXPECT_EQ(trickle(clients, 'X'), kClients);
    const Deadline due(started + 6s - Clock::now());
    std::size_t answered = 0;
    for (Fd& fd : clients) {
        const Received got = recv_until_eof(fd.get(), due);
        if (got.end != StreamEnd::kTimeout && got.bytes.starts_with("HTTP/1.1 408 ")) ++answered;
    }
    const auto took = Clock::now() - started;
    EXPECT_EQ(answered, kClients) << "stalled heads not answered 408 within --timeout 4 + 2 s";
    report_held(std::to_string(kClients) + " heads stalled after 3.5 s under --timeout 4: " +
                std::to_string(answered) + " got 408 and were closed within " + format_ms(took));
}

// A second SIGTERM while the drain waits for a download nobody reads and a body that trickles
// ends it at once, with status 0.
TEST(WebServerRobustness, ASecondSignalWhileDrainingExitsZeroAtOnce) {
    StaticSite site;
    site.add_file("big.bin", pattern_bytes(64 * 1024 * 1024, 7));  // more than sockets buffer
    ServerProcess server = start_web_server(site, {"-q"});
    HttpConnection download = connect_to(server);
    download.send(http_request("GET", "/big.bin"), Deadline(kIo));
    ASSERT_EQ(download.read_head(Deadline(kIo)).status, 200);
    std::vector<Fd> uploads = hold_connections(
        server.port(), 1, "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
        Deadline(kIo));
    expect_each_answered(uploads, 405);
    ASSERT_TRUE(server.process().signal(SIGTERM));
    // The drain has begun once new connections are refused (two signals sent back to back
    // could merge into one).
    ASSERT_TRUE(wait_until_refusing(server, Deadline(kIo), [&] { trickle(uploads, 'x'); }))
        << "still accepting after SIGTERM";
    const auto started = Clock::now();
    ASSERT_TRUE(server.process().signal(SIGTERM));
    const auto status = server.process().wait(Deadline(kIo));
    const auto took = Clock::now() - started;
    EXPECT_EQ(status, ExitStatus::exit_code(0)) << server.log();
    EXPECT_LT(took, 5s) << "the second signal did not cut the 10 s grace period";
    report_held(
        "a stalled download and a trickled body in the drain: the second SIGTERM ended "
        "it in " +
        format_ms(took) + ", " + (status ? status->describe() : "still running"));
}

// Two signals a moment apart (Ctrl-C twice) never make the exit status 143: a late one,
// arriving once the loops have stopped, is ignored rather than left pending to kill the process.
TEST(WebServerRobustness, TwoQuickSignalsAlwaysExitZero) {
    StaticSite site;
    expect_two_quick_signals_exit_zero("web_server", {"-r", site.root().string(), "-q"}, 100);
}

// ------------------------------------------------------------------------ attacks it holds

TEST(WebServerRobustness, AThousandSlowHeadsLeaveAFreshClientServedWithinASecond) {
    constexpr std::size_t kSlow = 1000;
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});  // --timeout 30: all are held
    const auto worst = expect_fresh_clients_served_among_slow(
        server.port(), kSlow, "GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Slow: a", 'a',
        [&] { return fresh_client(server); }, "slow heads dropped before their time was up");
    report_held(std::to_string(kSlow) + " slow heads trickled for 2 s; a fresh client served in " +
                format_ms(worst) + " at worst");
}

// Under `ulimit -n 256` the server caps its connections below the limit (192 here, keeping
// descriptors for files): the surplus is closed at once, those taken are served, and once the
// flood leaves, new clients are served again.
TEST(WebServerRobustness, OutOfDescriptorsTheSurplusIsShedThenServiceRecovers) {
    constexpr std::size_t kFlood = 400;
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = ServerProcess::start(
        "web_server", {"-r", site.root().string(), "-q", "-t", "1"},
        {.ephemeral_port = true, .startup_timeout = 30s, .process = {.open_files = 256}});
    std::vector<Fd> flood = hold_connections(server.port(), kFlood, "", Deadline(kIo));
    // The server closes the surplus as it accepts them; a round trip on a kept connection (the
    // same loop) shows it has taken them all.
    const auto kept = std::find_if(flood.begin(), flood.end(), [](const Fd& fd) { return !!fd; });
    ASSERT_NE(kept, flood.end());
    HttpConnection served(std::move(*kept));
    served.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(served.read_response(Deadline(kIo)).body, kHello);
    std::size_t shed = 0;
    const Deadline settle(kIo);
    while ((shed = count_closed(flood)) < kFlood - 192 && !settle.expired()) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_GE(shed, kFlood - 192) << "the surplus was left hanging";
    EXPECT_LT(shed, kFlood) << "nobody was served";

    // The flood leaves; a round trip on the served connection (after their FINs, same loop)
    // makes sure the server has seen them go.
    flood.clear();
    served.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(served.read_response(Deadline(kIo)).body, kHello);
    std::vector<HttpConnection> after;
    for (int i = 0; i < 100; ++i)
        after.push_back(connect_to(server));
    for (auto& conn : after) {
        conn.send(http_request("GET", "/hello.txt"), Deadline(kIo));
        EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
    }
    EXPECT_TRUE(server.running());
    report_held("ulimit -n 256: " + std::to_string(shed) + " of " + std::to_string(kFlood) +
                " connections shed, the rest served; then 100 new clients served");
}

// Bytes no client should send: each gets its error status (or, cut short, a close without an
// answer) and the server goes on.
TEST(WebServerRobustness, RandomBytesTruncatedRequestsAndMiBLinesGetTheirErrors) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});
    std::vector<BadInput> cases = bad_http_inputs("");
    cases.push_back({"a body cut short",
                     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", 405, true});
    ASSERT_NO_FATAL_FAILURE(
        expect_each_error_or_close(server.connect_host(), server.port(), cases));
    EXPECT_LT(fresh_client(server), 1s);
    EXPECT_TRUE(server.running());
    report_held(std::to_string(cases.size()) +
                " bad inputs (1 MiB lines, cut requests, 20 KiB of noise x20): each its error or "
                "close, and still serving");
}

// Clients that reset while a large file is being sent to them: the server stays up and keeps no
// descriptor of theirs (the socket, the file).
TEST(WebServerRobustness, ResetsMidResponseLeaveNoDescriptorBehind) {
    constexpr int kClients = 50;
    StaticSite site;
    site.add_file("hello.txt", kHello);
    site.add_file("big.bin", pattern_bytes(32 * 1024 * 1024, 3));
    ServerProcess server = start_web_server(site, {"-q"});
    (void)fresh_client(server);
    DescriptorCounts counts;
    ASSERT_NO_FATAL_FAILURE(expect_resets_mid_response_leave_no_descriptor(
        server.process().pid(), kClients, [&] { return connect_to(server); },
        http_request("GET", "/big.bin"), counts));
    EXPECT_TRUE(server.running());
    EXPECT_LT(fresh_client(server), 1s);
    report_held(std::to_string(kClients) +
                " resets 64 KiB into a 32 MiB file: " + counts.describe());
}

}  // namespace
}  // namespace net::test
