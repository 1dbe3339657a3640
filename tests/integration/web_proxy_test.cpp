// web_proxy as a real process on loopback: curl through it to web_server (GET, large files,
// keep-alive, CONNECT), the head it sends upstream as a scripted server sees it, its answers to
// bad requests and broken servers (400, 501, 502, 504, 508), timeouts, limits and signals.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/resource_limits.hpp"
#include "common/socket.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/full_listener.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scripted_origin.hpp"
#include "tests/support/scripted_tcp_server.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"
#include "tests/support/tools.hpp"
#include "tests/support/wait_until.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback; generous for sanitizer builds

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

ServerProcess start_proxy(std::vector<std::string> args = {}) {
    return ServerProcess::start("web_proxy", std::move(args));
}

// What curl -x PROXY printed (-s -S: errors only), with its exit status.
Finished curl_via(const std::string& curl, const ServerProcess& proxy,
                  std::vector<std::string> args) {
    std::vector<std::string> all = {"-sS", "--max-time", "20", "-x", "http://" + proxy.endpoint()};
    all.insert(all.end(), args.begin(), args.end());
    return run(curl, all, {}, kIo);
}

// web_server on a site of its own, for the tests that need a real origin.
struct Origin {
    StaticSite site;
    std::optional<ServerProcess> server;

    Origin() {
        site.add_file("index.html", "<p>through the proxy</p>\n");
        site.add_file("big.bin", pattern_bytes(5 * 1024 * 1024 + 7, 5));
        server.emplace(ServerProcess::start("web_server", {"-r", site.root().string(), "-q"}));
    }
    [[nodiscard]] std::string url(std::string_view path) const {
        return "http://" + server->endpoint() + std::string(path);
    }
};

// A raw request to the proxy on a connection of its own; the response.
HttpResponse ask_proxy(const ServerProcess& proxy, std::string_view request) {
    const Deadline deadline(kIo);
    auto connection = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    connection.send(request, deadline);
    return connection.read_response(deadline);
}

// ---------------------------------------------------------------------------- command line

TEST(WebProxyCli, HelpVersionAndUsageErrors) {
    expect_help_and_version("web_proxy");
    expect_usage_error("web_proxy", {"--no-such-option"});
    expect_usage_error("web_proxy", {"stray"});
    expect_usage_error("web_proxy", {"--timeout", "soon"});
    expect_usage_error("web_proxy", {"--max-clients", "0"});
}

TEST(WebProxyCli, AnnouncesTheAddressItBound) {
    ServerProcess proxy = start_proxy();
    EXPECT_EQ(proxy.first_line(), "web_proxy: listening on 127.0.0.1:" + proxy.port_string());
    EXPECT_EQ(proxy.stop(SIGTERM), ExitStatus::exit_code(0)) << proxy.log();
}

// ---------------------------------------------------------------------------- access log

// The proxy's access log: the Combined Log Format, then the exchange's duration in milliseconds
// and what became of it.
TEST(WebProxyLog, LinesCarryATimestampAndTheExchangesDuration) {
    std::promise<void> go;
    ScriptedOrigin origin(
        [](const std::string&) {
            return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        },
        {.close_after = false, .go = go.get_future().share()});
    ServerProcess proxy = start_proxy({"--access-log", "-"});
    const Deadline deadline(kIo);
    auto client = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    client.send(
        "GET " + origin.url("/slow") + " HTTP/1.1\r\nHost: x\r\nUser-Agent: LogTest/1.0\r\n\r\n",
        deadline);
    ASSERT_TRUE(wait_until([&] { return origin.requests().size() == 1; }, deadline));
    // The origin takes 300 ms to answer: the exchange cannot have taken less.
    std::this_thread::sleep_for(300ms);
    go.set_value();
    ASSERT_EQ(client.read_response(deadline).status, 200);

    const auto line = proxy.process().read_line(deadline);  // stdout, after the first line
    ASSERT_TRUE(line.has_value());
    std::string url = origin.url("/slow");
    url = std::regex_replace(url, std::regex(R"([.])"), R"(\.)");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(
        *line, m,
        std::regex(
            R"(127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET )" +
            url + R"re( HTTP/1\.1" 200 2 "-" "LogTest/1\.0" (\d+) "([^"]*)")re")))
        << *line;
    const auto duration_ms = std::stoul(m[1]);
    EXPECT_GE(duration_ms, 300U) << *line;
    EXPECT_LT(duration_ms, 20'000U) << *line;
    EXPECT_TRUE(m[2].str().starts_with("MISS")) << *line;
    EXPECT_EQ(proxy.stop(SIGTERM), ExitStatus::exit_code(0));
    // With a log of its own, stderr has none of its lines.
    EXPECT_FALSE(contains(proxy.log(), "/slow")) << proxy.log();
}

// ---------------------------------------------------------------------------- with curl

TEST(WebProxyCurl, GetsAPageAndSaysViaInTheResponse) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    Origin origin;
    ServerProcess proxy = start_proxy();
    const Finished got = curl_via(curl, proxy, {"-i", origin.url("/index.html")});
    ASSERT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    EXPECT_TRUE(got.out.starts_with("HTTP/1.1 200 OK\r\n")) << got.out;
    EXPECT_TRUE(contains(got.out, "\r\nVia: 1.1 ")) << got.out;
    EXPECT_TRUE(contains(got.out, "(web_proxy)\r\n")) << got.out;
    EXPECT_TRUE(got.out.ends_with("\r\n\r\n<p>through the proxy</p>\n")) << got.out;
    // The line is logged once the response is sent, perhaps after curl has it: stopped, the
    // proxy has written every line.
    EXPECT_EQ(proxy.stop(SIGTERM), ExitStatus::exit_code(0));
    EXPECT_TRUE(contains(proxy.log(), "\"GET " + origin.url("/index.html") + " HTTP/1.1\" 200 25 "))
        << proxy.log();
}

TEST(WebProxyCurl, FiveMebibytesArriveIntact) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    Origin origin;
    ServerProcess proxy = start_proxy();
    const Finished got = curl_via(curl, proxy, {origin.url("/big.bin")});
    ASSERT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    EXPECT_TRUE(got.out == pattern_bytes(5 * 1024 * 1024 + 7, 5)) << got.out.size() << " bytes";
}

TEST(WebProxyCurl, KeepsTheClientConnectionForTheNextRequest) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    Origin origin;
    ServerProcess proxy = start_proxy();
    const Finished got = curl_via(curl, proxy,
                                  {"-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w",
                                   "%{http_code} %{num_connects}\n", origin.url("/index.html"),
                                   origin.url("/big.bin"), origin.url("/index.html")});
    ASSERT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    EXPECT_EQ(got.out, "200 1\n200 0\n200 0\n") << "curl opened one connection for three";
}

TEST(WebProxyCurl, TunnelsWithConnect) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    Origin origin;
    ServerProcess proxy = start_proxy({"--connect-ports", "1-65535"});
    // -p: curl asks for a CONNECT tunnel and speaks HTTP to web_server through it.
    const Finished got = curl_via(curl, proxy, {"-p", origin.url("/big.bin")});
    ASSERT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    EXPECT_TRUE(got.out == pattern_bytes(5 * 1024 * 1024 + 7, 5)) << got.out.size() << " bytes";
    EXPECT_TRUE(
        contains(proxy.log(), "\"CONNECT " + origin.server->endpoint() + " HTTP/1.1\" 200 "))
        << proxy.log();
}

TEST(WebProxyCurl, Ipv6BothSides) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    StaticSite site;
    site.add_file("index.html", "over IPv6\n");
    ServerProcess origin =
        ServerProcess::start("web_server", {"-b", "::1", "-r", site.root().string(), "-q"});
    ServerProcess proxy = start_proxy({"-b", "::1", "--connect-ports", "1-65535"});
    EXPECT_EQ(proxy.first_line(), "web_proxy: listening on [::1]:" + proxy.port_string());
    // An IPv6 literal in the URI, and in a CONNECT target.
    const std::string url = "http://" + origin.endpoint() + "/index.html";
    for (const bool tunnel : {false, true}) {
        std::vector<std::string> args = {"-g", url};
        if (tunnel) args.insert(args.begin(), "-p");
        const Finished got = curl_via(curl, proxy, args);
        EXPECT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
        EXPECT_EQ(got.out, "over IPv6\n");
    }
}

TEST(WebProxyCurl, ManyClientsAtOnce) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    Origin origin;
    ServerProcess proxy = start_proxy({"-q"});
    std::vector<std::string> args = {"--parallel", "--parallel-max", "50", "-w", "%{http_code}\n"};
    for (int i = 0; i < 100; ++i) {
        args.insert(args.end(), {"-o", "/dev/null", origin.url(i % 25 == 0 ? "/big.bin" : "/")});
    }
    const Finished got = curl_via(curl, proxy, args);
    ASSERT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    const auto lines = split_lines(got.out);
    EXPECT_EQ(lines.size(), 100u);
    EXPECT_TRUE(std::all_of(lines.begin(), lines.end(), [](const std::string& l) {
        return l == "200";
    })) << got.out;
}

TEST(WebProxyCurl, PythonUrllibThroughTheProxy) {
    TOPDOWN_REQUIRE_TOOL(python, "/usr/bin/python3", "python3");
    Origin origin;
    ServerProcess proxy = start_proxy();
    const std::string script =
        "import sys, urllib.request\n"
        "opener = urllib.request.build_opener(urllib.request.ProxyHandler("
        "{'http': sys.argv[1]}))\n"
        "with opener.open(sys.argv[2], timeout=20) as r:\n"
        "    sys.stdout.write('%d %s' % (r.status, r.read().decode()))\n";
    const Finished got = run(
        python, {"-c", script, "http://" + proxy.endpoint(), origin.url("/index.html")}, {}, kIo);
    EXPECT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    EXPECT_EQ(got.out, "200 <p>through the proxy</p>\n");
}

// ---------------------------------------------------------------------------- the upstream side

TEST(WebProxyUpstream, SendsOriginFormWithHostViaAndNoHopByHopFields) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ServerProcess proxy = start_proxy();
    const HttpResponse response = ask_proxy(
        proxy, "POST " + origin.url("/form?x=1#frag") +
                   " HTTP/1.1\r\nHost: ignored.example\r\nProxy-Connection: keep-alive\r\n"
                   "Connection: X-Secret, keep-alive\r\nX-Secret: hop\r\nKeep-Alive: 5\r\n"
                   "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nX-Kept: end-to-end\r\n"
                   "Content-Length: 5\r\n\r\nhello");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ok");
    const auto requests = origin.requests();
    ASSERT_EQ(requests.size(), 1u);
    const std::string& sent = requests[0];
    EXPECT_TRUE(sent.starts_with(
        "POST /form?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(origin.port()) + "\r\n"))
        << sent;
    for (const char* gone : {"Proxy-Connection", "X-Secret", "Keep-Alive", "Proxy-Authorization",
                             "ignored.example", "keep-alive"}) {
        EXPECT_FALSE(contains(sent, gone)) << gone << " in\n" << sent;
    }
    EXPECT_TRUE(contains(sent, "\r\nX-Kept: end-to-end\r\n")) << sent;
    EXPECT_TRUE(contains(sent, "\r\nVia: 1.1 ")) << sent;
    // The fields in the client's order, then the proxy's own, then the body.
    EXPECT_TRUE(contains(sent, "\r\nContent-Length: 5\r\nVia: 1.1 ")) << sent;
    // No Connection: close: the server connection may serve the next request.
    EXPECT_TRUE(sent.ends_with(" (web_proxy)\r\n\r\nhello")) << sent;
}

TEST(WebProxyUpstream, ChunkedRequestBodyGoesOnAsSent) {
    ScriptedOrigin origin("HTTP/1.1 204 No Content\r\n\r\n");
    ServerProcess proxy = start_proxy();
    const Deadline deadline(kIo);
    auto connection = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    connection.send("PUT " + origin.url("/up") +
                        " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n0\r\n\r\n",
                    deadline);
    EXPECT_EQ(connection.read_response(deadline).status, 204);
    // The same connection carries the next request: the body's end was found exactly.
    connection.send("GET " + origin.url("/again") + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    EXPECT_EQ(connection.read_response(deadline).status, 204);
    const auto requests = origin.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_TRUE(requests[0].starts_with("PUT /up HTTP/1.1\r\n")) << requests[0];
    EXPECT_TRUE(contains(requests[0], "\r\nTransfer-Encoding: chunked\r\n")) << requests[0];
    EXPECT_TRUE(requests[0].ends_with("\r\n\r\n5\r\nhello\r\n0\r\n\r\n")) << requests[0];
    EXPECT_TRUE(requests[1].starts_with("GET /again HTTP/1.1\r\n")) << requests[1];
}

TEST(WebProxyUpstream, ChunkedResponseIsDechunkedForAnHttp10Client) {
    ScriptedOrigin origin(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n");
    ServerProcess proxy = start_proxy();
    const Deadline deadline(kIo);
    auto connection = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    connection.send("GET " + origin.url("/") + " HTTP/1.0\r\n\r\n", deadline);
    const Received all = connection.read_to_eof(deadline);
    EXPECT_EQ(all.end, StreamEnd::kEof);
    EXPECT_TRUE(all.bytes.starts_with("HTTP/1.1 200 OK\r\n")) << all.bytes;
    EXPECT_FALSE(contains(all.bytes, "Transfer-Encoding")) << all.bytes;
    EXPECT_TRUE(contains(all.bytes, "\r\nConnection: close\r\n")) << all.bytes;
    EXPECT_TRUE(all.bytes.ends_with("\r\n\r\nabcdefg")) << all.bytes;
}

TEST(WebProxyUpstream, ExpectContinueIsPassedThrough) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    // The origin answers 100 Continue, reads the body, then answers 200.
    std::atomic<bool> saw_body{false};
    ScriptedTcpServer origin([&](Fd connection) {
        const Deadline deadline(kIo);
        const std::string head = read_request(connection.get(), deadline, true);
        if (!contains(head, "Expect: 100-continue")) return;
        send_all(connection.get(), "HTTP/1.1 100 Continue\r\n\r\n", deadline);
        if (recv_exactly(connection.get(), 11, deadline) == "hello world") saw_body = true;
        send_all(connection.get(), "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone", deadline);
    });
    ServerProcess proxy = start_proxy();
    // curl would send the body anyway after --expect100-timeout; set beyond its --max-time, it
    // never does: the body goes only once the 100 has come back through the proxy.
    const Finished got =
        curl_via(curl, proxy,
                 {"-H", "Expect: 100-continue", "--expect100-timeout", "1000", "--data-binary",
                  "hello world", "http://127.0.0.1:" + std::to_string(origin.port()) + "/"});
    ASSERT_EQ(got.status, ExitStatus::exit_code(0)) << got.err;
    EXPECT_EQ(got.out, "done");
    EXPECT_TRUE(saw_body);
}

// ---------------------------------------------------------------------------- errors

TEST(WebProxyErrors, OriginFormTargetIs400WithTheSetupHelp) {
    ServerProcess proxy = start_proxy();
    const HttpResponse response =
        ask_proxy(proxy, "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8888\r\n\r\n");
    EXPECT_EQ(response.status, 400);
    EXPECT_TRUE(contains(response.body, "absolute URI")) << response.body;
    EXPECT_TRUE(contains(response.body, "curl -x http://127.0.0.1:8888 ")) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
}

TEST(WebProxyErrors, HttpsAbsoluteFormIs501) {
    ServerProcess proxy = start_proxy();
    EXPECT_EQ(ask_proxy(proxy, "GET https://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n\r\n").status, 501);
}

TEST(WebProxyErrors, MalformedRequestsGetTheParsersStatus) {
    ServerProcess proxy = start_proxy();
    EXPECT_EQ(ask_proxy(proxy, "GET http://127.0.0.1/ HTTP/1.1\r\n\r\n").status, 400);  // no Host
    EXPECT_EQ(ask_proxy(proxy, "GET http://127.0.0.1/ HTTP/2.0\r\nHost: x\r\n\r\n").status, 505);
    EXPECT_EQ(ask_proxy(proxy, "CONNECT 127.0.0.1 HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
    EXPECT_EQ(ask_proxy(proxy, "GET http://127.0.0.1/" + std::string(9000, 'a') +
                                   " HTTP/1.1\r\nHost: x\r\n\r\n")
                  .status,
              414);
    // And it is still up.
    EXPECT_EQ(ask_proxy(proxy, "GET /help HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
}

TEST(WebProxyErrors, DestinationsOutsideAllowAre403WithoutALookup) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ServerProcess proxy =
        start_proxy({"--allow-host", "127.0.0.1", "--allow-host", "*.example.test"});
    EXPECT_EQ(ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n").body, "ok");
    // Refused before any DNS query: these names would not resolve anyway.
    for (const char* target : {"http://elsewhere.test/", "http://example.test.evil/"}) {
        const HttpResponse response =
            ask_proxy(proxy, "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(response.status, 403) << target;
        EXPECT_TRUE(contains(response.body, "does not go to")) << response.body;
    }
    EXPECT_EQ(ask_proxy(proxy, "CONNECT elsewhere.test:443 HTTP/1.1\r\nHost: x\r\n\r\n").status,
              403);
}

TEST(WebProxyErrors, BadInputTableGetsPreciseStatusesAndTheProxyStaysUp) {
    ServerProcess proxy = start_proxy();
    std::string many_fields;
    for (int i = 0; i < 200; ++i)
        many_fields += "X-" + std::to_string(i) + ": v\r\n";
    const std::string target = "GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: x\r\n";
    const struct {
        std::string bytes;
        int status;
    } cases[] = {
        {std::string("\x00\x01\x02 \xff\r\n\r\n", 10), 400},
        {"GET http://127.0.0.1/ HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400},
        {target + many_fields + "\r\n", 431},
        {target + "X-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
        {target + "Bad Name: x\r\n\r\n", 400},
        {target + "X: a\r\n folded\r\n\r\n", 400},
        {target + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {target + "Content-Length: 1, 2\r\n\r\n", 400},
        {target + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"GET ftp://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n\r\n", 501},
        {"GET http://exa$mple/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"CONNECT 127.0.0.1:0 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.bytes.substr(0, 60));
        EXPECT_EQ(ask_proxy(proxy, c.bytes).status, c.status);
    }
    EXPECT_TRUE(proxy.running());
}

TEST(WebProxyErrors, RefusedConnectionIs502) {
    ServerProcess proxy = start_proxy();
    const auto port = unused_port(Transport::kTcp);
    const HttpResponse response = ask_proxy(
        proxy, "GET http://127.0.0.1:" + std::to_string(port) + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(response.status, 502);
    EXPECT_TRUE(contains(response.body, "Connection refused")) << response.body;
}

TEST(WebProxyErrors, GarbageFromTheServerIs502) {
    ScriptedOrigin origin("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    ServerProcess proxy = start_proxy();
    const HttpResponse response =
        ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(response.status, 502);
    EXPECT_TRUE(contains(response.body, "invalid status line")) << response.body;
}

TEST(WebProxyErrors, ServerClosingWithoutAnswerIs502) {
    ScriptedOrigin origin("");
    ServerProcess proxy = start_proxy();
    EXPECT_EQ(ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 502);
}

TEST(WebProxyErrors, SilentServerIs504AfterTheTimeout) {
    // A listener that never accepts: the connection completes (the backlog) and nothing comes.
    const BoundSocket silent = listen_tcp("127.0.0.1", "0");
    ServerProcess proxy = start_proxy({"--timeout", "0.3"});
    const HttpResponse response =
        ask_proxy(proxy, "GET http://127.0.0.1:" + std::to_string(silent.address.port()) +
                             "/ HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(response.status, 504);
}

TEST(WebProxyErrors, RequestToItselfIs508NotALoop) {
    ServerProcess proxy = start_proxy();
    const HttpResponse response =
        ask_proxy(proxy, "GET http://" + proxy.endpoint() + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(response.status, 508);
    EXPECT_TRUE(contains(proxy.log(), " 508 ")) << proxy.log();
}

// ---------------------------------------------------------------------------- limits and signals

TEST(WebProxyLimits, IdleClientIsClosedAfterTheTimeout) {
    ServerProcess proxy = start_proxy({"--timeout", "0.3"});
    const Deadline deadline(kIo);
    Fd client = connect_tcp("127.0.0.1", proxy.port(), deadline);
    const Received got = recv_until_eof(client.get(), deadline);
    EXPECT_EQ(got.end, StreamEnd::kEof);
    EXPECT_EQ(got.bytes, "");
}

TEST(WebProxyLimits, HalfSentRequestGets408) {
    ServerProcess proxy = start_proxy({"--timeout", "0.3"});
    const Deadline deadline(kIo);
    Fd client = connect_tcp("127.0.0.1", proxy.port(), deadline);
    send_all(client.get(), "GET http://127.0.0.1/ HTTP/1.1\r\nHo", deadline);
    const Received got = recv_until_eof(client.get(), deadline);
    EXPECT_TRUE(got.bytes.starts_with("HTTP/1.1 408 Request Timeout\r\n")) << got.bytes;
}

TEST(WebProxyLimits, AStalledClientDoesNotDelayAnother) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ServerProcess proxy = start_proxy();
    const Deadline deadline(kIo);
    Fd stalled = connect_tcp("127.0.0.1", proxy.port(), deadline);
    send_all(stalled.get(), "GET " + origin.url() + " HTTP/1.1\r\nHost:", deadline);
    EXPECT_EQ(ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n").body, "ok");
}

TEST(WebProxyLimits, ClientsOverMaxClientsGet503) {
    ServerProcess proxy = start_proxy({"--max-clients", "1"});
    const Deadline deadline(kIo);
    // The first client is being served (its thread waits for its request)...
    auto first = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    first.send("GET /help HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    EXPECT_EQ(first.read_response(deadline).status, 400);
    // ...so the second is turned away at once.
    Fd second = connect_tcp("127.0.0.1", proxy.port(), deadline);
    const Received got = recv_until_eof(second.get(), deadline);
    EXPECT_TRUE(got.bytes.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << got.bytes;
}

TEST(WebProxySignals, StopsCleanlyWithClientsConnected) {
    for (const int signal : {SIGINT, SIGTERM}) {
        SCOPED_TRACE(signal);
        ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        ServerProcess proxy = start_proxy({"--connect-ports", "1-65535"});
        const Deadline deadline(kIo);
        auto idle = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
        idle.send("GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
        EXPECT_EQ(idle.read_response(deadline).body, "ok");
        Fd tunnel = connect_tcp("127.0.0.1", proxy.port(), deadline);
        send_all(
            tunnel.get(),
            "CONNECT 127.0.0.1:" + std::to_string(origin.port()) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            deadline);
        EXPECT_EQ(recv_exactly(tunnel.get(), 39, deadline),
                  "HTTP/1.1 200 Connection established\r\n\r\n");
        EXPECT_EQ(proxy.stop(signal), ExitStatus::exit_code(0)) << proxy.log();
        EXPECT_EQ(idle.read_to_eof(deadline).end, StreamEnd::kEof);
    }
}

TEST(WebProxySignals, ASecondSignalClosesTheExchangesUnderWay) {
    // An origin that answers nothing: the exchange would last until --timeout.
    const BoundSocket silent = listen_tcp("127.0.0.1", "0");
    ServerProcess proxy = start_proxy();
    const Deadline deadline(kIo);
    auto busy = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    busy.send("GET http://127.0.0.1:" + std::to_string(silent.address.port()) +
                  "/ HTTP/1.1\r\nHost: x\r\n\r\n",
              deadline);
    // Once the proxy's connection waits in the silent listener's queue, the exchange is under way.
    ASSERT_TRUE(wait_readable(silent.fd.get(), deadline.remaining()));
    auto idle = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    idle.send("GET /help HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    EXPECT_EQ(idle.read_response(deadline).status, 400);
    ASSERT_TRUE(proxy.process().signal(SIGTERM));
    EXPECT_EQ(idle.read_to_eof(deadline).end, StreamEnd::kEof);
    ASSERT_TRUE(proxy.process().signal(SIGTERM));
    // The exchange ends with the proxy's 503, not the grace period's end.
    EXPECT_EQ(busy.read_response(deadline).status, 503);
    EXPECT_EQ(proxy.process().wait(deadline), ExitStatus::exit_code(0)) << proxy.log();
}

TEST(WebProxySignals, AnExchangeUnderWayFinishesBeforeTheProxyStops) {
    // The origin sends half a body, then waits for the test's word before the rest.
    std::promise<void> go;
    std::shared_future<void> go_on = go.get_future().share();
    ScriptedTcpServer origin([go_on](Fd connection) {
        const Deadline deadline(kIo);
        if (read_request(connection.get(), deadline).empty()) return;
        send_all(connection.get(), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst", deadline);
        if (go_on.wait_for(kIo) != std::future_status::ready) return;
        send_all(connection.get(), "-half", deadline);
    });
    const std::string url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/";
    ServerProcess proxy = start_proxy();
    const Deadline deadline(kIo);
    auto busy = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    busy.send("GET " + url + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    const HttpResponse head = busy.read_head(deadline);
    EXPECT_EQ(busy.read_bytes(5, deadline), "first");
    // An idle keep-alive client beside it: its close shows the proxy has begun to stop.
    auto idle = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    idle.send("GET /help HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    EXPECT_EQ(idle.read_response(deadline).status, 400);
    ASSERT_TRUE(proxy.process().signal(SIGTERM));
    EXPECT_EQ(idle.read_to_eof(deadline).end, StreamEnd::kEof);
    go.set_value();
    EXPECT_EQ(busy.read_bytes(5, deadline), "-half");
    EXPECT_EQ(proxy.process().wait(deadline), ExitStatus::exit_code(0)) << proxy.log();
}

// ---------------------------------------------------------------------------- server connections

TEST(WebProxyPool, ClientsOneAfterAnotherShareOneServerConnection) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
    ServerProcess proxy = start_proxy({"-t", "1"});
    for (int i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        const HttpResponse response =
            ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, "ok");
    }
    EXPECT_EQ(origin.requests().size(), 3u);
    EXPECT_EQ(origin.connections(), 1);
}

TEST(WebProxyPool, AServerThatSaysCloseIsNotReused) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    ServerProcess proxy = start_proxy({"-t", "1"});
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n").body,
                  "ok");
    }
    EXPECT_EQ(origin.connections(), 2);
}

TEST(WebProxyPool, AGetIsRetriedOnceWhenThePooledConnectionDies) {
    // The first connection answers one request, then reads the next and closes without a word,
    // as a server whose keep-alive timeout ran out does; the second answers.
    std::atomic<int> connection_count{0};
    ScriptedTcpServer origin([&connection_count](Fd connection) {
        const int n = ++connection_count;
        const Deadline deadline(kIo);
        if (read_request(connection.get(), deadline).empty()) return;
        send_all(connection.get(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst", deadline);
        if (n == 1) {
            (void)read_request(connection.get(), deadline);
            return;
        }
    });
    const std::string url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/";
    ServerProcess proxy = start_proxy({"-t", "1"});
    const Deadline deadline(kIo);
    auto client = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    for (int i = 0; i < 2; ++i) {
        SCOPED_TRACE(i);
        client.send("GET " + url + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
        const HttpResponse response = client.read_response(deadline);
        EXPECT_EQ(response.status, 200) << proxy.log();
        EXPECT_EQ(response.body, "first");
    }
    EXPECT_EQ(connection_count.load(), 2);
}

TEST(WebProxyPool, APostIsNotRetried) {
    std::atomic<int> connection_count{0};
    ScriptedTcpServer origin([&connection_count](Fd connection) {
        ++connection_count;
        const Deadline deadline(kIo);
        if (read_request(connection.get(), deadline).empty()) return;
        send_all(connection.get(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", deadline);
        (void)read_request(connection.get(), deadline);  // then close without an answer
    });
    const std::string url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/";
    ServerProcess proxy = start_proxy({"-t", "1"});
    EXPECT_EQ(ask_proxy(proxy, "GET " + url + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
    const HttpResponse post =
        ask_proxy(proxy, "POST " + url + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_EQ(post.status, 502);
    EXPECT_EQ(connection_count.load(), 1);
}

TEST(WebProxySignals, ASecondSignalEndsAPendingConnectAtOnce) {
    // A server whose accept queue is full: the connect would wait for --connect-timeout (30 s).
    const FullListener full = full_listener();
    ServerProcess proxy = start_proxy({"-v", "--connect-timeout", "30"});
    const Deadline deadline(kIo);
    auto waiting = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    const std::string target = "127.0.0.1:" + std::to_string(full.listener.address.port());
    waiting.send("GET http://" + target + "/ HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    ASSERT_TRUE(wait_for_log(proxy, "connecting to " + target, deadline)) << proxy.log();
    // An idle keep-alive client beside it: its close shows the first signal has been taken (two
    // signals sent back to back could merge into one).
    auto idle = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    idle.send("GET /help HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    EXPECT_EQ(idle.read_response(deadline).status, 400);
    ASSERT_TRUE(proxy.process().signal(SIGTERM));
    EXPECT_EQ(idle.read_to_eof(deadline).end, StreamEnd::kEof);
    const auto second = Clock::now();
    ASSERT_TRUE(proxy.process().signal(SIGTERM));
    // The client hears 503 and the proxy exits 0, neither waiting for the 30 s connect timeout
    // nor for the 5 s grace period.
    EXPECT_EQ(waiting.read_response(deadline).status, 503);
    EXPECT_EQ(proxy.process().wait(deadline), ExitStatus::exit_code(0)) << proxy.log();
    EXPECT_LT(Clock::now() - second, 4s) << "the second signal did not end the grace period";
}

// ---------------------------------------------------------------------------- safe by default

TEST(WebProxyPolicy, ClientsOutsideAllowClientGet403BeforeAnythingIsRead) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ServerProcess proxy = start_proxy({"--allow-client", "127.0.0.2/32"});
    const HttpResponse refused =
        ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(origin.requests().size(), 0u);
    // The allowed network is served.
    const Deadline deadline(kIo);
    HttpConnection allowed(connect_from("127.0.0.2", proxy.port()));
    allowed.send("GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    EXPECT_EQ(allowed.read_response(deadline).status, 200);
}

TEST(WebProxyPolicy, ConnectOnlyToPort443UnlessToldOtherwise) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ServerProcess proxy = start_proxy();
    const std::string target = "127.0.0.1:" + std::to_string(origin.port());
    const HttpResponse refused =
        ask_proxy(proxy, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
    EXPECT_EQ(refused.status, 403);
    EXPECT_TRUE(contains(refused.body, "443")) << refused.body;
    EXPECT_EQ(origin.connections(), 0);
}

TEST(WebProxyPolicy, PlainRequestsToMailAndOtherLowPortsAreRefused) {
    ServerProcess proxy = start_proxy();
    const HttpResponse refused =
        ask_proxy(proxy,
                  "POST http://127.0.0.1:25/ HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n"
                  "MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(refused.status, 403);
    EXPECT_TRUE(contains(proxy.log(), "127.0.0.1:25/ HTTP/1.1\" 403 ")) << proxy.log();
}

TEST(WebProxyPolicy, ATunnelToTheProxyItselfIs508) {
    ServerProcess proxy = start_proxy({"--connect-ports", "1-65535"});
    const std::string self = "127.0.0.1:" + proxy.port_string();
    EXPECT_EQ(
        ask_proxy(proxy, "CONNECT " + self + " HTTP/1.1\r\nHost: " + self + "\r\n\r\n").status,
        508);
    EXPECT_EQ(ask_proxy(proxy, "GET http://localhost:" + proxy.port_string() +
                                   "/x HTTP/1.1\r\nHost: x\r\n\r\n")
                  .status,
              508);
}

TEST(WebProxyPages, APacFileForBrowsersAndAStatusPage) {
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
    ServerProcess proxy = start_proxy();
    EXPECT_EQ(ask_proxy(proxy, "GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
    const std::string host = "127.0.0.1:" + proxy.port_string();
    const HttpResponse pac =
        ask_proxy(proxy, "GET /proxy.pac HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    EXPECT_EQ(pac.status, 200);
    EXPECT_EQ(pac.header("Content-Type"), "application/x-ns-proxy-autoconfig");
    EXPECT_TRUE(contains(pac.body, "PROXY " + host)) << pac.body;
    const HttpResponse json =
        ask_proxy(proxy, "GET /?format=json HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    EXPECT_EQ(json.status, 200);
    EXPECT_TRUE(contains(json.body, "\"requests\":1,")) << json.body;
    EXPECT_TRUE(contains(json.body, "\"upstream_opened\":1,")) << json.body;
    const HttpResponse html = ask_proxy(proxy, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    EXPECT_EQ(html.status, 200);
    EXPECT_TRUE(contains(html.header("Content-Type").value_or(""), "text/html"));
}

// One address holding a thousand connections (slow heads, or tunnels trickling bytes) cannot
// shut out another: --max-per-client (256) turns the surplus away, and a client from another
// address is served at once.
class WebProxyFairness : public ::testing::TestWithParam<bool> {};

TEST_P(WebProxyFairness, AThousandConnectionsFromOneAddressLeaveRoomForAnother) {
    const bool tunnels = GetParam();
    raise_open_file_limit();
    // The tunnels go to a listener that never accepts (the kernel completes the connections);
    // the other client's request to an origin of its own.
    const BoundSocket sink = listen_tcp("127.0.0.1", "0");
    ScriptedOrigin origin("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
    ServerProcess proxy = start_proxy({"--connect-ports", "1-65535"});
    const Deadline deadline(kIo);
    const std::string target = "127.0.0.1:" + std::to_string(sink.address.port());
    const std::string first_bytes =
        tunnels ? "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"
                : std::string("GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    std::vector<Fd> hogs;
    for (int i = 0; i < 1000; ++i) {
        hogs.push_back(connect_tcp("127.0.0.1", proxy.port(), deadline));
        send_all(hogs.back().get(), first_bytes, deadline);
    }
    // The 257th and later were turned away with 503.
    const Received turned_away = recv_until_eof(hogs.back().get(), deadline);
    EXPECT_TRUE(turned_away.bytes.starts_with("HTTP/1.1 503 ")) << turned_away.bytes;
    // Another address is served while all of them are still open.
    HttpConnection other(connect_from("127.0.0.2", proxy.port()));
    other.send("GET " + origin.url() + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    const HttpResponse response = other.read_response(deadline);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ok");
}

INSTANTIATE_TEST_SUITE_P(SlowHeadsAndTunnels, WebProxyFairness, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Tunnels" : "SlowHeads"; });

// ---------------------------------------------------------------------------- the cache

std::string ok_response(std::string_view fields, std::string_view body) {
    return "HTTP/1.1 200 OK\r\n" + std::string(fields) +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

HttpResponse get_via(const ServerProcess& proxy, const std::string& url,
                     std::string_view fields = "") {
    return ask_proxy(proxy,
                     "GET " + url + " HTTP/1.1\r\nHost: x\r\n" + std::string(fields) + "\r\n");
}

TEST(WebProxyCache, AFreshResponseIsServedFromTheCache) {
    ScriptedOrigin origin(
        [](const std::string&) { return ok_response("Cache-Control: max-age=600\r\n", "hello"); });
    ServerProcess proxy = start_proxy({"-t", "1"});
    const HttpResponse first = get_via(proxy, origin.url("/page"));
    EXPECT_EQ(first.body, "hello");
    EXPECT_EQ(first.header("Cache-Status"), "web_proxy; fwd=uri-miss; fwd-status=200; stored");
    const HttpResponse second = get_via(proxy, origin.url("/page"));
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.body, "hello");
    EXPECT_TRUE(second.header("Cache-Status").value_or("").starts_with("web_proxy; hit"))
        << second.header("Cache-Status").value_or("(none)");
    EXPECT_TRUE(second.header("Age").has_value());
    EXPECT_EQ(origin.requests().size(), 1u);
    // HEAD is answered from the stored GET.
    const Deadline deadline(kIo);
    auto connection = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    connection.send("HEAD " + origin.url("/page") + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    const HttpResponse head = connection.read_head(deadline);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Length"), "5");
    EXPECT_EQ(origin.requests().size(), 1u);
    EXPECT_TRUE(
        std::regex_search(proxy.log(), std::regex(R"(/page HTTP/1\.1" 200 5 "-" "-" \d+ "HIT"\n)")))
        << proxy.log();
}

TEST(WebProxyCache, AStaleResponseIsRevalidatedAndA304Freshens) {
    ScriptedOrigin origin([](const std::string& request) {
        if (contains(request, "If-None-Match: \"v1\"")) {
            return std::string(
                "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
                "Cache-Control: max-age=0\r\n\r\n");
        }
        return ok_response("ETag: \"v1\"\r\nCache-Control: max-age=0\r\n", "hello");
    });
    ServerProcess proxy = start_proxy({"-t", "1"});
    EXPECT_EQ(get_via(proxy, origin.url()).body, "hello");
    const HttpResponse second = get_via(proxy, origin.url());
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.body, "hello");
    EXPECT_TRUE(second.header("Cache-Status")
                    .value_or("")
                    .starts_with("web_proxy; fwd=stale; fwd-status=304"))
        << second.header("Cache-Status").value_or("(none)");
    const auto requests = origin.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_TRUE(contains(requests[1], "If-None-Match: \"v1\"")) << requests[1];
    // The client's own conditional is answered by the proxy from the freshened response.
    const HttpResponse conditional = get_via(proxy, origin.url(), "If-None-Match: \"v1\"\r\n");
    EXPECT_EQ(conditional.status, 304);
    EXPECT_TRUE(contains(proxy.log(), " \"REVALIDATED\"\n")) << proxy.log();
}

TEST(WebProxyCache, A304ForAnotherValidatorIsNeverShownToTheClient) {
    // The stored response has ETag "v1"; asked about it, the origin answers 304 with "v2": not
    // about the stored response, and the client asked nothing conditional. The proxy asks again.
    std::atomic<int> fetches{0};
    ScriptedOrigin origin([&fetches](const std::string& request) {
        if (contains(request, "If-None-Match")) {
            return std::string("HTTP/1.1 304 Not Modified\r\nETag: \"v2\"\r\n\r\n");
        }
        const int n = ++fetches;
        return ok_response("ETag: \"v" + std::to_string(n) + "\"\r\nCache-Control: max-age=0\r\n",
                           n == 1 ? "old" : "new");
    });
    ServerProcess proxy = start_proxy({"-t", "1"});
    EXPECT_EQ(get_via(proxy, origin.url()).body, "old");
    const HttpResponse second = get_via(proxy, origin.url());
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.body, "new");
    const auto requests = origin.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_TRUE(contains(requests[1], "If-None-Match: \"v1\"")) << requests[1];
    EXPECT_FALSE(contains(requests[2], "If-None-Match")) << requests[2];
}

TEST(WebProxyCache, VaryKeepsTheVariantsApart) {
    ScriptedOrigin origin([](const std::string& request) {
        const bool french = contains(request, "Accept-Language: fr");
        return ok_response("Cache-Control: max-age=600\r\nVary: Accept-Language\r\n",
                           french ? "bonjour" : "hello");
    });
    ServerProcess proxy = start_proxy({"-t", "1"});
    EXPECT_EQ(get_via(proxy, origin.url(), "Accept-Language: en\r\n").body, "hello");
    EXPECT_EQ(get_via(proxy, origin.url(), "Accept-Language: fr\r\n").body, "bonjour");
    EXPECT_EQ(get_via(proxy, origin.url(), "Accept-Language: en\r\n").body, "hello");
    EXPECT_EQ(get_via(proxy, origin.url(), "Accept-Language: fr\r\n").body, "bonjour");
    EXPECT_EQ(origin.requests().size(), 2u);
}

TEST(WebProxyCache, WhatMustNotBeSharedIsNeverServedToAnother) {
    struct Case {
        const char* name;
        const char* response_fields;
        const char* request_fields;
    };
    for (const Case& c : {Case{"no-store", "Cache-Control: no-store, max-age=600\r\n", ""},
                          Case{"private", "Cache-Control: private, max-age=600\r\n", ""},
                          Case{"authorization", "Cache-Control: max-age=600\r\n",
                               "Authorization: Basic YTpi\r\n"}}) {
        SCOPED_TRACE(c.name);
        ScriptedOrigin origin(
            [&c](const std::string&) { return ok_response(c.response_fields, "secret"); });
        ServerProcess proxy = start_proxy({"-t", "1"});
        for (int i = 0; i < 2; ++i)
            EXPECT_EQ(get_via(proxy, origin.url(), c.request_fields).body, "secret");
        EXPECT_EQ(origin.requests().size(), 2u);
    }
}

TEST(WebProxyCache, APostInvalidatesTheStoredResponse) {
    ScriptedOrigin origin([](const std::string& request) {
        if (request.starts_with("POST")) return ok_response("", "posted");
        return ok_response("Cache-Control: max-age=600\r\n", "page");
    });
    ServerProcess proxy = start_proxy({"-t", "1"});
    EXPECT_EQ(get_via(proxy, origin.url("/item")).body, "page");
    EXPECT_EQ(get_via(proxy, origin.url("/item")).body, "page");
    EXPECT_EQ(origin.requests().size(), 1u);
    EXPECT_EQ(ask_proxy(proxy, "POST " + origin.url("/item") +
                                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx")
                  .body,
              "posted");
    EXPECT_EQ(get_via(proxy, origin.url("/item")).body, "page");
    EXPECT_EQ(origin.requests().size(), 3u);
}

TEST(WebProxyCache, OnlyIfCachedWithNothingStoredIs504) {
    ScriptedOrigin origin([](const std::string&) { return ok_response("", "x"); });
    ServerProcess proxy = start_proxy({"-t", "1"});
    EXPECT_EQ(get_via(proxy, origin.url(), "Cache-Control: only-if-cached\r\n").status, 504);
    EXPECT_EQ(origin.requests().size(), 0u);
}

TEST(WebProxyCache, FiftyConcurrentMissesCostTheOriginOneRequest) {
    // The origin holds its answer until every client has sent its request: each of them finds
    // the first one's fetch under way, and waits for it.
    std::promise<void> go;
    ScriptedOrigin origin(
        [](const std::string&) { return ok_response("Cache-Control: max-age=600\r\n", "news"); },
        {.close_after = false, .go = go.get_future().share()});
    ServerProcess proxy = start_proxy({"-t", "1"});
    const Deadline deadline(kIo);
    std::vector<HttpConnection> clients;
    for (int i = 0; i < 50; ++i) {
        clients.push_back(HttpConnection::open("127.0.0.1", proxy.port(), deadline));
        clients.back().send("GET " + origin.url("/new") + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    }
    // Every request has reached the proxy once its status page counts 50 (and the page's own).
    const std::string host = "127.0.0.1:" + proxy.port_string();
    while (
        !contains(ask_proxy(proxy, "GET /?format=json HTTP/1.1\r\nHost: " + host + "\r\n\r\n").body,
                  "\"requests\":50,") &&
        !deadline.expired()) {
    }
    go.set_value();
    for (auto& client : clients)
        EXPECT_EQ(client.read_response(deadline).body, "news");
    EXPECT_EQ(origin.requests().size(), 1u);
}

TEST(WebProxyLimits, ShortOfDescriptorsTheSurplusGets503NeverA502) {
    // As under `ulimit -n 256`: the client limit is lowered so that every client keeps a
    // descriptor for its server connection; those over it are turned away with 503.
    raise_open_file_limit();
    Origin origin;  // web_server: many connections at once
    ServerProcess proxy = ServerProcess::start("web_proxy", {"-t", "1", "--max-per-client", "1000"},
                                               {.ephemeral_port = true,
                                                .startup_timeout = std::chrono::seconds(30),
                                                .process = {.open_files = 256}});
    EXPECT_TRUE(contains(proxy.log(), "--max-clients 1000 lowered to ")) << proxy.log();
    const Deadline deadline(kIo);
    std::vector<Fd> clients;
    int turned_away = 0;
    for (int i = 0; i < 300; ++i) {
        clients.push_back(connect_tcp("127.0.0.1", proxy.port(), deadline));
        send_all(clients.back().get(),
                 "GET " + origin.url("/index.html") + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    }
    for (auto& client : clients) {
        const std::string head = recv_exactly(client.get(), 12, deadline);
        EXPECT_NE(head, "HTTP/1.1 502") << "a 502 for want of descriptors";
        if (head == "HTTP/1.1 503") ++turned_away;
    }
    EXPECT_GT(turned_away, 0);
    EXPECT_LT(turned_away, 300);
}

// nginx serving `root` on a free loopback port: the other real origin of these tests. Its
// access log (one line a request) tells what reached it.
class NginxOrigin {
  public:
    NginxOrigin(const std::string& nginx, const std::filesystem::path& root) {
        // nginx cannot be told to pick a port: take a free one, and again should another
        // program take it first.
        for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
            port_ = unused_port(Transport::kTcp);
            dir_.write_file("nginx.conf", config(root));
            process_.emplace(Process::start(
                nginx, {"-p", dir_.path().string(), "-c", dir_.file("nginx.conf").string(), "-e",
                        dir_.file("error.log").string()}));
            const Deadline deadline(kIo);
            while (!deadline.expired() && process_->running()) {
                try {
                    (void)connect_tcp("127.0.0.1", port_, Deadline(std::chrono::seconds(1)));
                    return;
                } catch (const std::exception&) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            }
            if (process_->signal(SIGTERM)) (void)process_->wait(Deadline(kIo));
            process_.reset();
        }
        throw std::runtime_error("nginx did not start");
    }

    NginxOrigin(const NginxOrigin&) = delete;
    NginxOrigin& operator=(const NginxOrigin&) = delete;
    // SIGTERM, so the master stops its workers too (killed, it would leave them running).
    ~NginxOrigin() {
        if (process_ && process_->signal(SIGTERM)) (void)process_->wait(Deadline(kIo));
    }

    [[nodiscard]] std::string url(std::string_view path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
    }
    // The requests it logged so far, a line each.
    [[nodiscard]] std::size_t requests_for(std::string_view path) const {
        std::ifstream log(dir_.file("access.log"));
        std::size_t count = 0;
        for (std::string line; std::getline(log, line);) {
            if (contains(line, " " + std::string(path) + " HTTP/")) ++count;
        }
        return count;
    }

  private:
    std::string config(const std::filesystem::path& root) const {
        const std::string dir = dir_.path().string();
        // Run as root (CI), its workers would drop to nobody, who cannot read a test's temp dirs.
        const std::string user = ::geteuid() == 0 ? "user root root;\n" : "";
        return user + "worker_processes 1;\ndaemon off;\npid " + dir + "/nginx.pid;\nerror_log " +
               dir + "/error.log;\nevents { worker_connections 64; }\nhttp {\n    access_log " +
               dir + "/access.log;\n    client_body_temp_path " + dir +
               "/body;\n    proxy_temp_path " + dir + "/proxy;\n    fastcgi_temp_path " + dir +
               "/fastcgi;\n    uwsgi_temp_path " + dir + "/uwsgi;\n    scgi_temp_path " + dir +
               "/scgi;\n    server {\n        listen 127.0.0.1:" + std::to_string(port_) +
               ";\n        root " + root.string() + ";\n    }\n}\n";
    }

    TempDir dir_;
    std::uint16_t port_ = 0;
    std::optional<Process> process_;
};

TEST(WebProxyCache, AnNginxOriginsFileIsServedFromTheCacheWithRangesAndConditionals) {
    TOPDOWN_REQUIRE_TOOL(nginx, "nginx", "nginx-light");
    StaticSite site;
    const auto file = site.add_file("a.txt", "0123456789abcdef");
    // Last changed ten days ago: heuristically fresh for a day (10% of its age, at most a day).
    std::filesystem::last_write_time(
        file, std::filesystem::file_time_type::clock::now() - std::chrono::hours(240));
    NginxOrigin origin(nginx, site.root());
    ServerProcess proxy = start_proxy();
    const HttpResponse first = get_via(proxy, origin.url("/a.txt"));
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.body, "0123456789abcdef");
    const auto etag = first.header("ETag");
    ASSERT_TRUE(etag.has_value());
    const HttpResponse hit = get_via(proxy, origin.url("/a.txt"));
    EXPECT_EQ(hit.body, "0123456789abcdef");
    EXPECT_TRUE(hit.header("Cache-Status").value_or("").starts_with("web_proxy; hit"));
    const HttpResponse range = get_via(proxy, origin.url("/a.txt"), "Range: bytes=10-\r\n");
    EXPECT_EQ(range.status, 206);
    EXPECT_EQ(range.body, "abcdef");
    EXPECT_EQ(range.header("Content-Range"), "bytes 10-15/16");
    const HttpResponse not_modified =
        get_via(proxy, origin.url("/a.txt"), "If-None-Match: " + *etag + "\r\n");
    EXPECT_EQ(not_modified.status, 304);
    // nginx logs a request once it has answered it: the first is there, and nothing after it.
    EXPECT_EQ(origin.requests_for("/a.txt"), 1u);
}

}  // namespace
}  // namespace net::test
