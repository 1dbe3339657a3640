// web_server under weight and abuse: large files (sendfile) byte-exact with curl and while other
// clients are served, clients that read slowly, never read or reset mid-response, garbage,
// a pipelined flood, 1,000 idle connections, --max-conns, a graceful SIGTERM during a download;
// and two third-party clients, curl and python3's http.client.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"
#include "tests/support/web_server_session.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;
constexpr std::size_t kMiB = 1024 * 1024;

// Whether this build (and so web_server) runs under AddressSanitizer (with UBSan in the asan
// preset). UBSan's vptr check needs free descriptors (it probes memory through a pipe), so a
// server left with none reports false "invalid vptr" errors and aborts.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
constexpr std::string_view kHello = "hello\n";

std::string url(const ServerProcess& server, std::string_view path) {
    return "http://" + server.endpoint() + std::string(path);
}

// `n` bytes from a fixed seed, each MiB stamped with its number so a lost, repeated or
// reordered block shows; cheap enough for 50 MiB in a sanitizer build.
std::string large_body(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string block(kMiB, '\0');
    for (std::size_t i = 0; i < block.size(); i += 8) {
        const std::uint64_t word = rng();
        for (std::size_t j = 0; j < 8; ++j)
            block[i + j] = static_cast<char>(word >> (8 * j));
    }
    std::string body;
    body.reserve(n + kMiB);
    for (std::size_t i = 0; body.size() < n; ++i) {
        const std::string stamp = "[MiB " + std::to_string(i) + "]";
        body += stamp;
        body.append(block, stamp.size());
    }
    body.resize(n);
    return body;
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string bytes(n, '\0');
    for (auto& b : bytes)
        b = static_cast<char>(rng() & 0xff);
    return bytes;
}

// Several quick requests on fresh connections, each answered well within `each`.
void expect_quick_answers(const ServerProcess& server, int count, Clock::duration each) {
    for (int i = 0; i < count; ++i) {
        SCOPED_TRACE("quick request " + std::to_string(i));
        const auto started = Clock::now();
        const HttpResponse response =
            http_exchange(server.connect_host(), server.port(), http_request("GET", "/hello.txt"),
                          Deadline(each));
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, kHello);
        EXPECT_LT(Clock::now() - started, each);
    }
}

// ------------------------------------------------------------------------ large files

TEST(WebServerLarge, CurlDownloads50MiBByteExact) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    StaticSite site;
    const std::string body = large_body(50 * kMiB, 1);
    site.add_file("big.bin", body);
    ServerProcess server = start_web_server(site, {"-q"});
    const TempDir out;
    const Finished result = run(curl,
                                {"-sS", "-o", out.file("big.bin").string(), "-w",
                                 "%{http_code} %{size_download}", url(server, "/big.bin")},
                                {}, 60s);
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(result.out, "200 " + std::to_string(body.size()));
    EXPECT_TRUE(read_file(out.file("big.bin")) == body) << "50 MiB came back altered";
}

TEST(WebServerLarge, OtherClientsAreServedDuringALargeDownload) {
    StaticSite site;
    const std::string body = large_body(32 * kMiB, 2);
    site.add_file("big.bin", body);
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-t", "1", "-q"});  // one loop for all of them

    // A client that reads the head and a little, then nothing for a while: the socket buffers
    // fill up and the server has megabytes still to send on this connection.
    HttpConnection slow = connect_to(server);
    slow.send(http_request("GET", "/big.bin"), Deadline(kIo));
    const HttpResponse head = slow.read_head(Deadline(kIo));
    ASSERT_EQ(head.status, 200);
    ASSERT_EQ(head.header("Content-Length"), std::to_string(body.size()));
    std::string received = slow.read_bytes(64 * 1024, Deadline(kIo));

    expect_quick_answers(server, 20, 5s);

    received += slow.read_bytes(body.size() - received.size(), Deadline(60s));
    EXPECT_TRUE(received == body) << "the large file came back altered";
}

TEST(WebServerLarge, ClientsThatNeverReadDoNotStallTheServer) {
    StaticSite site;
    const std::string body = large_body(32 * kMiB, 3);
    site.add_file("big.bin", body);
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-t", "1", "-q"});

    std::vector<HttpConnection> stalled;
    for (int i = 0; i < 3; ++i) {
        stalled.push_back(connect_to(server));
        stalled.back().send(http_request("GET", "/big.bin"), Deadline(kIo));
    }
    expect_quick_answers(server, 20, 5s);
    stalled.clear();  // closed with the file unread (an RST, as the data was never read)

    expect_quick_answers(server, 3, 5s);
    const HttpResponse whole = get(server, "/big.bin");
    EXPECT_EQ(whole.status, 200);
    EXPECT_TRUE(whole.body == body) << "the large file came back altered";
}

TEST(WebServerLarge, KeepAliveAfterALargeFile) {
    StaticSite site;
    const std::string body = large_body(5 * kMiB, 4);
    site.add_file("big.bin", body);
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/big.bin") + http_request("GET", "/hello.txt") +
                  http_request("GET", "/big.bin", "Range: bytes=100-\r\n") +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    EXPECT_TRUE(conn.read_response(Deadline(kIo)).body == body);
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
    const HttpResponse tail = conn.read_response(Deadline(kIo));
    EXPECT_EQ(tail.status, 206);
    EXPECT_TRUE(tail.body == body.substr(100));
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
}

// ------------------------------------------------------------------------ hostile clients

TEST(WebServerRobust, SurvivesResetsMidResponse) {
    StaticSite site;
    const std::string body = large_body(8 * kMiB, 5);
    site.add_file("big.bin", body);
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});
    for (int i = 0; i < 5; ++i) {
        HttpConnection conn = connect_to(server);
        conn.send(http_request("GET", "/big.bin"), Deadline(kIo));
        EXPECT_EQ(conn.read_head(Deadline(kIo)).status, 200);
        (void)conn.read_bytes(100 * 1024, Deadline(kIo));
        close_with_reset(conn.release());
    }
    // A reset in the middle of pipelined requests, too.
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/big.bin") + http_request("GET", "/big.bin"), Deadline(kIo));
    (void)conn.read_head(Deadline(kIo));
    close_with_reset(conn.release());

    expect_quick_answers(server, 3, 5s);
    EXPECT_TRUE(get(server, "/big.bin").body == body);
    EXPECT_TRUE(server.running());
}

TEST(WebServerRobust, SurvivesGarbage) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});
    std::vector<std::string> payloads;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        payloads.push_back(random_bytes(4 * 1024, seed));         // short of every limit
        payloads.push_back(random_bytes(64 * 1024, seed + 100));  // beyond every limit
        payloads.push_back("GET / HTTP/1.1\r\n" + random_bytes(2 * 1024, seed + 200) +
                           "\r\n\r\n");  // a request line, then junk
        payloads.push_back(std::string(1, '\0') + random_bytes(512, seed + 300) + "\r\n\r\n");
    }
    payloads.push_back(std::string(100 * 1024, '\n'));  // empty lines only
    payloads.push_back(std::string(64 * 1024, '\0'));

    for (std::size_t i = 0; i < payloads.size(); ++i) {
        SCOPED_TRACE("payload " + std::to_string(i));
        HttpConnection conn = connect_to(server);
        try {
            conn.send(payloads[i], Deadline(kIo));
            shutdown_write(conn.fd());  // the rest of a head is never coming
        } catch (const std::exception&) {
            // The server answered and closed before taking everything: fine.
        }
        const Received reply = conn.read_to_eof(Deadline(kIo));
        EXPECT_NE(reply.end, StreamEnd::kTimeout) << "the connection stayed open";
        if (!reply.bytes.empty()) {
            const auto head = parse_response_head(reply.bytes);
            ASSERT_TRUE(head.has_value()) << "not HTTP: [" << reply.bytes.substr(0, 100) << "]";
            EXPECT_GE(head->status, 400);
            EXPECT_LT(head->status, 600);
        }
    }
    EXPECT_TRUE(server.running());
    expect_quick_answers(server, 3, 5s);
}

// The responses in `bytes`, one after another, each framed by its Content-Length.
std::vector<HttpResponse> split_responses(std::string_view bytes) {
    std::vector<HttpResponse> responses;
    while (!bytes.empty()) {
        const auto end = bytes.find("\r\n\r\n");
        if (end == std::string_view::npos) break;
        auto response = parse_response_head(bytes.substr(0, end + 4));
        if (!response) break;
        bytes.remove_prefix(end + 4);
        const std::size_t length = std::stoul(response->header("Content-Length").value_or("0"));
        if (length > bytes.size()) break;
        response->body = std::string(bytes.substr(0, length));
        bytes.remove_prefix(length);
        responses.push_back(std::move(*response));
    }
    return responses;
}

TEST(WebServerRobust, PipelinedFloodIsAnsweredInFull) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    site.add_file("other.txt", "other\n");
    ServerProcess server = start_web_server(site, {"-q"});
    // 20,000 requests (about 1 MB) written while reading: the server must hold back as its
    // answers pile up, and never drop or reorder one. The last asks to close.
    constexpr std::size_t kCount = 20'000;
    std::string flood;
    for (std::size_t i = 0; i < kCount; ++i)
        flood += http_request("GET", i % 3 == 0 ? "/other.txt" : "/hello.txt");
    flood += http_request("GET", "/hello.txt", "Connection: close\r\n");
    HttpConnection conn = connect_to(server);
    const Received answers = send_and_receive_to_eof(conn.fd(), flood, Deadline(60s));
    EXPECT_EQ(answers.end, StreamEnd::kEof);
    const auto responses = split_responses(answers.bytes);
    ASSERT_EQ(responses.size(), kCount + 1);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < kCount; ++i) {
        const bool right =
            responses[i].status == 200 && responses[i].body == (i % 3 == 0 ? "other\n" : kHello);
        if (!right) ++wrong;
    }
    EXPECT_EQ(wrong, 0u);
    EXPECT_TRUE(responses.back().has_token("Connection", "close"));
}

// ------------------------------------------------------------------------ many and slow clients

// Raises this process's open-file limit to at least `needed`; false when the hard limit is lower.
bool raise_open_files(rlim_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
    if (limit.rlim_cur >= needed) return true;
    if (limit.rlim_max < needed) return false;
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, needed * 2);
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

TEST(WebServerSlow, ThousandIdleConnectionsDoNotStopANewClient) {
    constexpr int kIdle = 1000;
    if (!raise_open_files(kIdle + 256)) {
        GTEST_SKIP() << "the open-file limit is below " << kIdle + 256;
    }
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});
    std::vector<HttpConnection> idle;
    idle.reserve(kIdle);
    const Deadline deadline(30s);
    for (int i = 0; i < kIdle; ++i) {
        idle.push_back(HttpConnection::open(server.connect_host(), server.port(), deadline));
        // Half of them start a request and stop (a slow client); half say nothing.
        if (i % 2 == 0) idle.back().send("GET /hello.txt HTTP/1.1\r\n", deadline);
    }
    expect_quick_answers(server, 5, 5s);

    // They were all kept: the first of each kind still gets its answer.
    idle[0].send("Host: test\r\n\r\n", Deadline(kIo));
    EXPECT_EQ(idle[0].read_response(Deadline(kIo)).body, kHello);
    idle[1].send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(idle[1].read_response(Deadline(kIo)).body, kHello);
    idle[kIdle - 1].send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(idle[kIdle - 1].read_response(Deadline(kIo)).body, kHello);
}

// The timeout counts time without progress, not the length of a download.
TEST(WebServerSlow, SlowButSteadyReaderIsNotCutOff) {
    StaticSite site;
    const std::string body = large_body(24 * kMiB, 8);
    site.add_file("big.bin", body);
    ServerProcess server = start_web_server(site, {"--timeout", "1", "-q"});
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/big.bin"), Deadline(kIo));
    ASSERT_EQ(conn.read_head(Deadline(kIo)).status, 200);
    // About 3 s in all, three times the timeout, but never a pause longer than a tenth of it:
    // a slow client, played by the test (this pause is the point, not a wait for readiness).
    std::string received;
    while (received.size() < body.size()) {
        received += conn.read_bytes(std::min(kMiB, body.size() - received.size()), Deadline(kIo));
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(received == body) << "the download came back altered";
}

TEST(WebServerSlow, StalledReaderIsCutOffAfterTheTimeout) {
    StaticSite site;
    const std::string body = large_body(64 * kMiB, 9);  // far more than socket buffers hold
    site.add_file("big.bin", body);
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"--timeout", "1", "-q"});
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/big.bin"), Deadline(kIo));
    // Read nothing for well over the timeout (a slow-read attack holds a file and a connection
    // for as long as the server lets it).
    std::this_thread::sleep_for(2500ms);
    const Received got = conn.read_to_eof(Deadline(kIo));
    EXPECT_NE(got.end, StreamEnd::kTimeout);
    EXPECT_LT(got.bytes.size(), body.size()) << "the stalled download was never cut off";
    expect_quick_answers(server, 3, 5s);
}

TEST(WebServerSlow, OutOfDescriptorsShedsNewClientsAndServesTheAcceptedOnes) {
    if (kSanitized) GTEST_SKIP() << "the sanitizers' runtime needs descriptors of its own";
    TOPDOWN_REQUIRE_TOOL(prlimit, "prlimit", "util-linux");
    StaticSite site;
    site.add_file("hello.txt", kHello);
    const TempDir logs;
    // 256 descriptors in all: room for fewer than 300 connections.
    Process server = Process::start(prlimit,
                                    {"--nofile=256:256", bin_path("web_server").string(), "-p", "0",
                                     "-r", site.root().string(), "-q", "-t", "1"},
                                    {.err = Redirect::file(logs.file("stderr"))});
    const auto first = server.read_line(Deadline(30s));
    ASSERT_TRUE(first.has_value()) << read_file(logs.file("stderr"));
    const auto announced = parse_listening_line(*first);
    ASSERT_TRUE(announced.has_value()) << *first;

    std::vector<HttpConnection> conns;
    for (int i = 0; i < 300; ++i) {
        conns.push_back(HttpConnection::open(announced->host, announced->port, Deadline(kIo)));
    }
    // The last ones were accepted and closed at once (no descriptor to serve them with), not
    // left waiting. The first one is served as usual: the server keeps descriptors back to open
    // files for the clients it took (a 500 for every request would be no service at all).
    const Received shed = conns.back().read_to_eof(Deadline(kIo));
    EXPECT_NE(shed.end, StreamEnd::kTimeout) << "a client beyond the descriptors was left hanging";
    EXPECT_EQ(shed.bytes, "");
    conns.front().send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(conns.front().read_response(Deadline(kIo)).body, kHello);

    // Once they leave, new clients are served again. (A round trip on the first connection, on
    // the same loop and after their FINs, makes sure the server has seen them go.)
    conns.erase(conns.begin() + 1, conns.end());
    conns.front().send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(conns.front().read_response(Deadline(kIo)).body, kHello);
    const HttpResponse fresh = http_exchange(announced->host, announced->port,
                                             http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(fresh.body, kHello);
    EXPECT_TRUE(server.running());
}

TEST(WebServerSlow, MaxConnsTurnsAwayTheClientBeyondIt) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"--max-conns", "2", "-t", "1", "-q"});
    HttpConnection a = connect_to(server);
    HttpConnection b = connect_to(server);
    for (HttpConnection* conn : {&a, &b}) {
        conn->send(http_request("GET", "/hello.txt"), Deadline(kIo));
        EXPECT_EQ(conn->read_response(Deadline(kIo)).status, 200);
    }

    HttpConnection third = connect_to(server);  // the kernel accepts; the server does not serve
    try {
        third.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    } catch (const std::exception&) {
        // Already closed by the server: what the test expects anyway.
    }
    const Received turned_away = third.read_to_eof(Deadline(kIo));
    EXPECT_NE(turned_away.end, StreamEnd::kTimeout) << "the extra client was neither served "
                                                       "nor closed";
    EXPECT_EQ(turned_away.bytes, "");

    // Once one leaves, there is room again. `a` closes; then a round trip on `b` (same loop, and
    // a's FIN arrived first) makes sure the server has seen it go before the next client comes.
    a = HttpConnection(Fd());
    b.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(b.read_response(Deadline(kIo)).status, 200);
    const HttpResponse next = get(server, "/hello.txt");
    EXPECT_EQ(next.status, 200);
    EXPECT_EQ(next.body, kHello);
}

// ------------------------------------------------------------------------ graceful stop

TEST(WebServerSignals, SigtermLetsADownloadInFlightFinish) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    StaticSite site;
    const std::string body = large_body(50 * kMiB, 6);
    site.add_file("big.bin", body);
    ServerProcess server = start_web_server(site);  // the access log (stdout) says when it started
    const TempDir out;
    // At 25 MB/s the download takes two seconds: long enough to be in flight at the signal.
    Process download =
        Process::start(curl, {"-sS", "--limit-rate", "25M", "-o", out.file("big.bin").string(),
                              "-w", "%{http_code} %{size_download}", url(server, "/big.bin")});
    const auto line = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(line.has_value());
    EXPECT_NE(line->find("\"GET /big.bin HTTP/1.1\" 200"), std::string::npos) << *line;
    EXPECT_TRUE(download.running()) << "the download ended before the signal";

    ASSERT_TRUE(server.process().signal(SIGTERM));
    const Finished result = download.finish(Deadline(60s));
    EXPECT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(result.out, "200 " + std::to_string(body.size()));
    EXPECT_TRUE(read_file(out.file("big.bin")) == body) << "the download came back altered";
    EXPECT_EQ(server.process().wait(Deadline(kIo)), ExitStatus::exit_code(0)) << server.log();
}

// ------------------------------------------------------------------------ curl

struct CurlSite {
    CurlSite() {
        site.add_file("hello.txt", kHello);
        site.add_file("index.html", "<h1>home</h1>\n");
        site.add_file("docs/index.html", "<h1>docs</h1>\n");
        site.add_file("digits.txt", "0123456789abcdefghij");
        site.set_mtime("digits.txt", 1'000'000'000);
    }
    StaticSite site;
};

TEST(WebServerCurl, StatusHeadersAndBody) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    CurlSite files;
    ServerProcess server = start_web_server(files.site, {"-q"});
    const TempDir out;
    const Finished result =
        run(curl,
            {"-sS", "-D", out.file("head").string(), "-o", out.file("body").string(), "-w",
             "%{http_code} %{content_type}", url(server, "/hello.txt")},
            {}, 30s);
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(result.out, "200 text/plain; charset=utf-8");
    EXPECT_EQ(read_file(out.file("body")), kHello);
    const auto head = parse_response_head(read_file(out.file("head")));
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->header("Content-Length"), "6");
    EXPECT_EQ(head->header("Accept-Ranges"), "bytes");
    EXPECT_TRUE(head->header("ETag").has_value());

    const Finished missing = run(
        curl, {"-sS", "-o", "/dev/null", "-w", "%{http_code}", url(server, "/missing")}, {}, 30s);
    EXPECT_EQ(missing.out, "404");
}

TEST(WebServerCurl, Head) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    CurlSite files;
    ServerProcess server = start_web_server(files.site, {"-q"});
    const Finished result = run(curl, {"-sS", "-I", url(server, "/digits.txt")}, {}, 30s);
    ASSERT_TRUE(result.status.ok()) << result.err;
    const auto head = parse_response_head(result.out);
    ASSERT_TRUE(head.has_value()) << result.out;
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("Content-Length"), "20");
    EXPECT_EQ(head->header("Last-Modified"), "Sun, 09 Sep 2001 01:46:40 GMT");
    EXPECT_TRUE(result.out.ends_with("\r\n\r\n")) << "a body after the head: " << result.out;
}

TEST(WebServerCurl, RangesAndConditionals) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    CurlSite files;
    ServerProcess server = start_web_server(files.site, {"-q"});
    const std::string target = url(server, "/digits.txt");

    const Finished range = run(curl, {"-sS", "-r", "5-9", "-w", " %{http_code}", target}, {}, 30s);
    EXPECT_EQ(range.out, "56789 206");

    const std::string etag = get(server, "/digits.txt").header("ETag").value_or("?");
    const Finished etag_match =
        run(curl, {"-sS", "-H", "If-None-Match: " + etag, "-w", "%{http_code}", target}, {}, 30s);
    EXPECT_EQ(etag_match.out, "304");
    // -z sends If-Modified-Since.
    const Finished newer =
        run(curl, {"-sS", "-z", "Mon, 10 Sep 2001 00:00:00 GMT", "-w", "%{http_code}", target}, {},
            30s);
    EXPECT_EQ(newer.out, "304");
    const Finished older =
        run(curl, {"-sS", "-z", "Sat, 08 Sep 2001 00:00:00 GMT", "-w", " %{http_code}", target}, {},
            30s);
    EXPECT_EQ(older.out, "0123456789abcdefghij 200");
}

TEST(WebServerCurl, FollowsTheDirectoryRedirect) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    CurlSite files;
    ServerProcess server = start_web_server(files.site, {"-q"});
    const Finished result = run(
        curl,
        {"-sS", "-L", "-w", "%{http_code} %{num_redirects} %{url_effective}", url(server, "/docs")},
        {}, 30s);
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(result.out, "<h1>docs</h1>\n200 1 " + url(server, "/docs/"));
}

TEST(WebServerCurl, ReusesTheConnection) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    CurlSite files;
    ServerProcess server = start_web_server(files.site, {"-q"});
    for (const bool http10 : {false, true}) {
        SCOPED_TRACE(http10 ? "HTTP/1.0 with Connection: keep-alive" : "HTTP/1.1");
        std::vector<std::string> args = {"-sS", "-v"};
        if (http10) args.insert(args.end(), {"--http1.0", "-H", "Connection: keep-alive"});
        for (const char* path : {"/hello.txt", "/", "/digits.txt"}) {
            args.insert(args.end(), {"-o", "/dev/null", url(server, path)});
        }
        const Finished result = run(curl, args, {}, 30s);
        ASSERT_TRUE(result.status.ok()) << result.err;
        std::size_t reuses = 0;
        for (const auto& line : split_lines(result.err)) {
            if (line.find("Re-using existing connection") != std::string::npos) ++reuses;
        }
        EXPECT_EQ(reuses, 2u) << result.err;
    }
}

// ------------------------------------------------------------------------ python's http.client

// One keep-alive connection, several requests; prints one line per response:
// "METHOD PATH STATUS BODY-LENGTH SAME-AS-FILE LOCAL-PORT".
constexpr std::string_view kPythonClient = R"py(
import http.client, os, sys
port, root = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
requests = [("GET", "/hello.txt", {}), ("HEAD", "/hello.txt", {}), ("GET", "/missing", {}),
            ("GET", "/big.bin", {}), ("GET", "/big.bin", {"Range": "bytes=10-19"}),
            ("GET", "/docs", {}), ("GET", "/docs/", {}), ("POST", "/hello.txt", {})]
for method, path, headers in requests:
    body = b"form=data" if method == "POST" else None
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    name = os.path.join(root, path.lstrip("/"))
    if os.path.isdir(name):
        name = os.path.join(name, "index.html")
    same = "-"
    if method == "GET" and os.path.isfile(name):
        with open(name, "rb") as f:
            content = f.read()
        if response.status == 206:
            content = content[10:20]
        same = "same" if data == content else "differs"
    print(method, path, response.status, len(data), same, conn.sock.getsockname()[1])
conn.close()
)py";

TEST(WebServerPython, HttpClientOnOneKeepAliveConnection) {
    TOPDOWN_REQUIRE_TOOL(python3, "python3", "python3");
    StaticSite site;
    site.add_file("hello.txt", kHello);
    site.add_file("big.bin", large_body(3 * kMiB, 7));
    site.add_file("docs/index.html", "<h1>docs</h1>\n");
    ServerProcess server = start_web_server(site, {"-q"});
    const Finished result =
        run(python3, {"-c", std::string(kPythonClient), server.port_string(), site.root().string()},
            {}, 60s);
    ASSERT_TRUE(result.status.ok()) << result.err;
    const auto lines = split_lines(result.out);
    ASSERT_EQ(lines.size(), 8u) << result.out;
    const std::vector<std::string> expected = {
        "GET /hello.txt 200 6 same",     "HEAD /hello.txt 200 0 -",  "GET /missing 404",
        "GET /big.bin 200 3145728 same", "GET /big.bin 206 10 same", "GET /docs 301",
        "GET /docs/ 200 14 same",        "POST /hello.txt 405"};
    std::string port;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        SCOPED_TRACE(lines[i]);
        EXPECT_TRUE(lines[i].starts_with(expected[i] + " ")) << "expected " << expected[i];
        const std::string this_port = lines[i].substr(lines[i].rfind(' ') + 1);
        if (i == 0) port = this_port;
        EXPECT_EQ(this_port, port) << "a new connection: keep-alive was lost";
    }
}

}  // namespace
}  // namespace net::test
