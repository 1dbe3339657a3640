// web_server as a real process on loopback, driven by raw sockets: its command line and start-up
// failures, the headers of a file response, HTTP/1.0 and 1.1 connection handling, pipelining,
// bodies it skips, paths, directories, MIME types, the access log and signals.
// (Conditional requests, ranges, errors and safety: web_server_http_test.cpp; large files,
// slow and hostile clients, curl and python: web_server_load_test.cpp.)
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/socket.hpp"
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

constexpr auto kIo = 20s;  // one exchange on loopback; generous for sanitizer builds
constexpr std::time_t kY2001 = 1'000'000'000;  // Sun, 09 Sep 2001 01:46:40 GMT
constexpr std::string_view kY2001Http = "Sun, 09 Sep 2001 01:46:40 GMT";
// How long a change on disk may take to show (web_server revalidates what it cached each second).
constexpr auto kStatCacheWindow = 1100ms;
constexpr std::string_view kHello = "Hello from web_server's tests.\n";

// Seconds since the epoch of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), or -1.
std::time_t parse_imf_fixdate(const std::string& text) {
    static const std::regex kFormat(
        R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) )"
        R"(\d{4} \d{2}:\d{2}:\d{2} GMT$)");
    if (!std::regex_match(text, kFormat)) return -1;
    std::tm tm{};
    if (::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
    return ::timegm(&tm);
}

// What every error response must look like: a short HTML page that names the status.
void expect_error_page(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status);
    EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"))
        << response.header("Content-Type").value_or("(none)");
    EXPECT_FALSE(response.body.empty());
    EXPECT_LT(response.body.size(), 4096u);
    EXPECT_NE(response.body.find(std::to_string(status)), std::string::npos) << response.body;
}

// The href values of every <a> in `html`, in order, with &amp; and friends decoded.
std::vector<std::string> links_in(const std::string& html) {
    static const std::regex kHref(R"re(<a [^>]*href="([^"]*)")re");
    std::vector<std::string> links;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), kHref);
         it != std::sregex_iterator(); ++it) {
        std::string href = (*it)[1];
        for (const auto& [entity, c] :
             std::vector<std::pair<std::string, std::string>>{{"&lt;", "<"},
                                                              {"&gt;", ">"},
                                                              {"&quot;", "\""},
                                                              {"&#39;", "'"},
                                                              {"&#34;", "\""},
                                                              {"&amp;", "&"}}) {
            for (auto at = href.find(entity); at != std::string::npos;
                 at = href.find(entity, at + c.size())) {
                href.replace(at, entity.size(), c);
            }
        }
        links.push_back(href);
    }
    return links;
}

// ------------------------------------------------------------------------ command line

TEST(WebServerCli, AnnouncesRootAndUrlOnFirstLine) {
    StaticSite site;
    ServerProcess server = start_web_server(site);
    EXPECT_EQ(server.first_line(), "web_server: serving " + site.root().string() +
                                       " at http://127.0.0.1:" + server.port_string() + "/");
    EXPECT_EQ(server.host(), "127.0.0.1");
}

TEST(WebServerCli, HelpAndVersion) {
    expect_help_and_version("web_server");
}

TEST(WebServerCli, BadOptionsExit64) {
    expect_usage_error("web_server", {"--no-such-option"});
    expect_usage_error("web_server", {"-p", "http"});
    expect_usage_error("web_server", {"-p", "70000"});
    expect_usage_error("web_server", {"-t", "0"});
    expect_usage_error("web_server", {"--timeout", "soon"});
    expect_usage_error("web_server", {"--min-rate", "fast"});
    expect_usage_error("web_server", {"--max-conns", "many"});
    expect_usage_error("web_server", {"-p", "0", "stray-argument"});
}

// A start-up failure: non-zero exit, nothing on stdout, one line on stderr naming the program.
// With `wrapper` ({"setpriv", "--reuid=..."}), web_server runs under that command.
void expect_startup_failure(const std::vector<std::string>& args, std::string_view mentions,
                            const std::vector<std::string>& wrapper = {}) {
    SCOPED_TRACE(::testing::PrintToString(args));
    std::filesystem::path program = bin_path("web_server");
    std::vector<std::string> command = args;
    if (!wrapper.empty()) {
        command.insert(command.begin(), program.string());
        command.insert(command.begin(), wrapper.begin() + 1, wrapper.end());
        program = wrapper.front();
    }
    const Finished result = run(program, command, {}, 30s);
    EXPECT_TRUE(result.status.exited) << result.status;
    EXPECT_NE(result.status.code, 0);
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("web_server: ")) << result.err;
    EXPECT_EQ(split_lines(result.err).size(), 1u) << result.err;
    EXPECT_TRUE(result.err.ends_with("\n")) << result.err;
    EXPECT_NE(result.err.find(mentions), std::string::npos) << result.err;
}

TEST(WebServerCli, MissingRootFailsWithOneLine) {
    const TempDir dir;
    const std::string missing = dir.file("no-such-folder").string();
    expect_startup_failure({"-p", "0", "-r", missing}, missing);
}

TEST(WebServerCli, RootThatIsAFileFailsWithOneLine) {
    const TempDir dir;
    const std::string file = dir.write_file("plain.txt", "not a folder\n").string();
    expect_startup_failure({"-p", "0", "-r", file}, file);
}

TEST(WebServerCli, UnreadableRootFailsWithOneLine) {
    TempDir dir;
    std::filesystem::permissions(
        dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                        std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                        std::filesystem::perms::others_exec);
    const std::filesystem::path locked = dir.file("locked");
    std::filesystem::create_directory(locked);
    std::filesystem::permissions(locked, std::filesystem::perms::none);
    const std::vector<std::string> args = {"-p", "0", "-r", locked.string()};
    if (::geteuid() == 0) {
        // root reads any folder: run the server as nobody instead.
        TOPDOWN_REQUIRE_TOOL(setpriv, "setpriv", "util-linux");
        expect_startup_failure(args, locked.string(),
                               {setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"});
    } else {
        expect_startup_failure(args, locked.string());
    }
    std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
}

TEST(WebServerCli, PortInUseFailsWithOneLine) {
    const BoundSocket taken = listen_tcp("127.0.0.1", "0");
    const StaticSite site;
    expect_startup_failure({"-p", std::to_string(taken.address.port()), "-r", site.root().string()},
                           std::to_string(taken.address.port()));
}

TEST(WebServerCli, ServesOnIpv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-b", "::1"});
    EXPECT_EQ(server.first_line(), "web_server: serving " + site.root().string() +
                                       " at http://[::1]:" + server.port_string() + "/");
    EXPECT_EQ(server.host(), "::1");
    const HttpResponse response = get(server, "/hello.txt");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, kHello);
}

// ------------------------------------------------------------------------ a file's response

TEST(WebServer, FileResponseCarriesEveryHeader) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    site.set_mtime("hello.txt", kY2001);
    ServerProcess server = start_web_server(site);

    const HttpResponse response = get(server, "/hello.txt");
    EXPECT_EQ(response.version, "HTTP/1.1");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.reason, "OK");
    EXPECT_EQ(response.body, kHello);

    for (const char* name : {"Date", "Server", "Content-Type", "Content-Length", "Last-Modified",
                             "ETag", "Accept-Ranges"}) {
        EXPECT_EQ(response.count(name), 1u) << name;
    }
    const std::time_t date = parse_imf_fixdate(response.header("Date").value_or(""));
    EXPECT_NE(date, -1) << response.header("Date").value_or("(none)");
    EXPECT_LT(std::abs(date - std::time(nullptr)), 300) << response.header("Date").value_or("");
    EXPECT_FALSE(response.header("Server").value_or("").empty());
    EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(response.header("Content-Length"), std::to_string(kHello.size()));
    EXPECT_EQ(response.header("Last-Modified"), kY2001Http);
    EXPECT_TRUE(std::regex_match(response.header("ETag").value_or(""),
                                 std::regex(R"re(^(W/)?"[\x21\x23-\x7e]+"$)re")))
        << response.header("ETag").value_or("(none)");
    EXPECT_EQ(response.header("Accept-Ranges"), "bytes");
    EXPECT_FALSE(response.has_token("Connection", "close"));
}

TEST(WebServer, EtagChangesWhenTheFileChanges) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    site.set_mtime("hello.txt", kY2001);
    ServerProcess server = start_web_server(site);
    const auto before = get(server, "/hello.txt").header("ETag");
    EXPECT_EQ(get(server, "/hello.txt").header("ETag"), before);  // stable while unchanged

    site.add_file("hello.txt", "Changed.\n");
    site.set_mtime("hello.txt", kY2001 + 60);
    // The server may trust what it read for up to a second (a stat cache, like lighttpd's):
    // this waits out that window, a time the contract names, not a guess at readiness.
    std::this_thread::sleep_for(kStatCacheWindow);
    const HttpResponse after = get(server, "/hello.txt");
    EXPECT_EQ(after.body, "Changed.\n");
    EXPECT_NE(after.header("ETag"), before);
}

TEST(WebServer, HeadSendsTheHeadersOfGetAndNoBody) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    const std::string large = pattern_bytes(200 * 1024, 1);  // a file sent with sendfile
    site.add_file("large.bin", large);
    ServerProcess server = start_web_server(site);

    HttpConnection conn = connect_to(server);
    // If a HEAD response carried a body, the next response would not parse where it must.
    conn.send(http_request("HEAD", "/hello.txt") + http_request("HEAD", "/large.bin") +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    const HttpResponse head_small = conn.read_response(Deadline(kIo), true);
    const HttpResponse head_large = conn.read_response(Deadline(kIo), true);
    const HttpResponse got = conn.read_response(Deadline(kIo));

    EXPECT_EQ(head_small.status, 200);
    EXPECT_EQ(head_small.header("Content-Length"), std::to_string(kHello.size()));
    EXPECT_EQ(head_small.header("Content-Type"), got.header("Content-Type"));
    EXPECT_EQ(head_small.header("ETag"), got.header("ETag"));
    EXPECT_EQ(head_small.header("Last-Modified"), got.header("Last-Modified"));
    EXPECT_EQ(head_large.status, 200);
    EXPECT_EQ(head_large.header("Content-Length"), std::to_string(large.size()));
    EXPECT_EQ(head_large.header("Content-Type"), "application/octet-stream");
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body, kHello);
    EXPECT_EQ(conn.buffered(), "");
}

// ------------------------------------------------------------------------ connections

TEST(WebServerKeepAlive, Http10ClosesAfterTheResponse) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    conn.send("GET /hello.txt HTTP/1.0\r\n\r\n", Deadline(kIo));
    const HttpResponse response = conn.read_response(Deadline(kIo));
    EXPECT_TRUE(response.version.starts_with("HTTP/1.")) << response.version;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, kHello);
    const Received rest = conn.read_to_eof(Deadline(kIo));
    EXPECT_EQ(rest.end, StreamEnd::kEof);
    EXPECT_EQ(rest.bytes, "");
}

TEST(WebServerKeepAlive, Http10KeepsAliveWhenAsked) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    for (int i = 0; i < 3; ++i) {
        SCOPED_TRACE("request " + std::to_string(i));
        conn.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Deadline(kIo));
        const HttpResponse response = conn.read_response(Deadline(kIo));
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, kHello);
        EXPECT_TRUE(response.has_token("Connection", "keep-alive"));
    }
    // Without the token, the last one closes.
    conn.send("GET /hello.txt HTTP/1.0\r\n\r\n", Deadline(kIo));
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
    EXPECT_EQ(conn.read_to_eof(Deadline(kIo)).end, StreamEnd::kEof);
}

TEST(WebServerKeepAlive, Http11KeepsAliveByDefault) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-t", "1"});
    HttpConnection conn = connect_to(server);
    // A 404 and a 405 leave the connection open as well.
    for (const auto& [request, status] :
         std::vector<std::pair<std::string, int>>{{http_request("GET", "/hello.txt"), 200},
                                                  {http_request("GET", "/missing.txt"), 404},
                                                  {http_request("DELETE", "/hello.txt"), 405},
                                                  {http_request("GET", "/hello.txt"), 200}}) {
        SCOPED_TRACE(request);
        conn.send(request, Deadline(kIo));
        const HttpResponse response = conn.read_response(Deadline(kIo));
        EXPECT_EQ(response.status, status);
        EXPECT_FALSE(response.has_token("Connection", "close"));
    }
}

TEST(WebServerKeepAlive, ConnectionCloseEndsTheConnection) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    for (const std::string field :
         {"Connection: close\r\n", "connection: CLOSE\r\n", "Connection: foo, close\r\n"}) {
        SCOPED_TRACE(field);
        HttpConnection conn = connect_to(server);
        // A request pipelined after the closing one is not answered.
        conn.send(http_request("GET", "/hello.txt", field) + http_request("GET", "/hello.txt"),
                  Deadline(kIo));
        const HttpResponse response = conn.read_response(Deadline(kIo));
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, kHello);
        EXPECT_TRUE(response.has_token("Connection", "close"));
        const Received rest = conn.read_to_eof(Deadline(kIo));
        EXPECT_NE(rest.end, StreamEnd::kTimeout);
        EXPECT_EQ(rest.bytes, "");
    }
}

TEST(WebServerKeepAlive, PipelinedRequestsAreAnsweredInOrder) {
    StaticSite site;
    const std::string large = pattern_bytes(3 * 1024 * 1024 + 17, 2);  // several MiB: held back
    site.add_file("large.bin", large);
    std::string all;
    std::vector<std::string> bodies;
    for (int i = 0; i < 10; ++i) {
        bodies.push_back("file number " + std::to_string(i) + "\n");
        site.add_file("f" + std::to_string(i) + ".txt", bodies.back());
    }
    ServerProcess server = start_web_server(site);

    std::string requests;
    for (int i = 0; i < 10; ++i) {
        requests += http_request("GET", "/f" + std::to_string(i) + ".txt");
        if (i == 2 || i == 6) requests += http_request("GET", "/large.bin");
        if (i == 4) requests += http_request("HEAD", "/large.bin");
        if (i == 8) requests += http_request("GET", "/missing");
    }
    HttpConnection conn = connect_to(server);
    conn.send(requests, Deadline(kIo));  // all in one write
    for (int i = 0; i < 10; ++i) {
        SCOPED_TRACE("file " + std::to_string(i));
        const HttpResponse small = conn.read_response(Deadline(kIo));
        EXPECT_EQ(small.status, 200);
        EXPECT_EQ(small.body, bodies[static_cast<std::size_t>(i)]);
        if (i == 2 || i == 6) {
            const HttpResponse big = conn.read_response(Deadline(kIo));
            EXPECT_EQ(big.status, 200);
            EXPECT_TRUE(big.body == large) << "large.bin came back altered";
        }
        if (i == 4) {
            const HttpResponse head = conn.read_response(Deadline(kIo), true);
            EXPECT_EQ(head.header("Content-Length"), std::to_string(large.size()));
        }
        if (i == 8) {
            EXPECT_EQ(conn.read_response(Deadline(kIo)).status, 404);
        }
    }
    EXPECT_EQ(conn.buffered(), "");
}

TEST(WebServerKeepAlive, HalfCloseAfterRequestsStillGetsEveryAnswer) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    const std::string large = pattern_bytes(2 * 1024 * 1024, 4);
    site.add_file("large.bin", large);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    // Requests, then our FIN at once (as `nc -N` or a shell script does): all are answered, then
    // the server closes.
    conn.send(http_request("GET", "/hello.txt") + http_request("GET", "/large.bin") +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    shutdown_write(conn.fd());
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
    EXPECT_TRUE(conn.read_response(Deadline(kIo)).body == large);
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
    const Received rest = conn.read_to_eof(Deadline(kIo));
    EXPECT_EQ(rest.end, StreamEnd::kEof);
    EXPECT_EQ(rest.bytes, "");
}

TEST(WebServerKeepAlive, AbsoluteFormTargetIsServed) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    const HttpResponse response = get(server, "http://test/hello.txt");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, kHello);
}

TEST(WebServerKeepAlive, RequestArrivingByteByByteIsAnswered) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    const std::string request = http_request("GET", "/hello.txt", "User-Agent: slow-but-fine\r\n");
    for (const char c : request)
        conn.send(std::string_view(&c, 1), Deadline(kIo));
    const HttpResponse response = conn.read_response(Deadline(kIo));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, kHello);
}

// ------------------------------------------------------------------------ request bodies

TEST(WebServerBodies, PostGets405WithAllowAndItsBodyIsSkipped) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    // The body looks like a request: were it not skipped, it would be answered.
    const std::string body = "GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n";
    conn.send(http_request("POST", "/hello.txt",
                           "Content-Type: text/plain\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n") +
                  body + http_request("GET", "/missing.txt"),
              Deadline(kIo));
    const HttpResponse refused = conn.read_response(Deadline(kIo));
    expect_error_page(refused, 405);
    EXPECT_EQ(refused.header("Allow"), "GET, HEAD");
    EXPECT_EQ(conn.read_response(Deadline(kIo)).status, 404);
}

TEST(WebServerBodies, PostIsAnsweredBeforeItsBodyArrives) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    const std::string body = pattern_bytes(60'000, 3);  // under the 64 KiB skipped at most
    conn.send(
        http_request("POST", "/upload", "Content-Length: " + std::to_string(body.size()) + "\r\n"),
        Deadline(kIo));
    const HttpResponse refused = conn.read_response(Deadline(kIo));  // no body sent yet
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(refused.header("Allow"), "GET, HEAD");

    conn.send(body + http_request("GET", "/hello.txt"), Deadline(kIo));
    const HttpResponse next = conn.read_response(Deadline(kIo));
    EXPECT_EQ(next.status, 200);
    EXPECT_EQ(next.body, kHello);
}

TEST(WebServerBodies, ABodyOver64KiBGets413AndTheConnectionEnds) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    // Only its head: the answer comes before the body, which is never read in full.
    conn.send(http_request("POST", "/upload", "Content-Length: 65537\r\n") + "some of it",
              Deadline(kIo));
    const HttpResponse refused = conn.read_response(Deadline(kIo));
    expect_error_page(refused, 413);
    EXPECT_TRUE(refused.has_token("Connection", "close"));
    EXPECT_EQ(conn.read_to_eof(Deadline(kIo)).end, StreamEnd::kEof);
    // Just under the limit, the body is skipped and the connection goes on.
    HttpConnection next = connect_to(server);
    next.send(http_request("POST", "/upload", "Content-Length: 65536\r\n") +
                  std::string(65536, 'b') + http_request("GET", "/hello.txt"),
              Deadline(kIo));
    EXPECT_EQ(next.read_response(Deadline(kIo)).status, 405);
    EXPECT_EQ(next.read_response(Deadline(kIo)).body, kHello);
}

TEST(WebServerBodies, ChunkedBodyIsSkipped) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    const std::string chunked =
        "5\r\nhello\r\n"
        "1A;name=value\r\nGET /missing HTTP/1.1\r\n\r\n\r\n"  // 26 bytes that look like a request
        "0\r\n"
        "X-Trailer: yes\r\n"
        "\r\n";
    conn.send(http_request("POST", "/form", "Transfer-Encoding: chunked\r\n") + chunked +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    const HttpResponse refused = conn.read_response(Deadline(kIo));
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(refused.header("Allow"), "GET, HEAD");
    const HttpResponse next = conn.read_response(Deadline(kIo));
    EXPECT_EQ(next.status, 200);
    EXPECT_EQ(next.body, kHello);
}

TEST(WebServerBodies, BrokenChunkedBodyEndsTheConnection) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    // After a chunk size that is no number, where the next request starts is unknowable.
    conn.send(http_request("POST", "/form", "Transfer-Encoding: chunked\r\n") +
                  "zz\r\nhello\r\n0\r\n\r\n" + http_request("GET", "/hello.txt"),
              Deadline(kIo));
    const HttpResponse refused = conn.read_response(Deadline(kIo));
    EXPECT_TRUE(refused.status == 405 || refused.status == 400) << refused.status;
    const Received rest = conn.read_to_eof(Deadline(kIo));
    EXPECT_NE(rest.end, StreamEnd::kTimeout) << "the connection stayed open";
    EXPECT_EQ(rest.bytes, "") << "answered a request after a broken body";
}

// Unknown methods ("BREW", a wrong-case "get") get 501: web_server_defaults_test.cpp.
TEST(WebServerBodies, EveryOtherKnownMethodGets405) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    for (const char* method : {"PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"}) {
        SCOPED_TRACE(method);
        const HttpResponse response = fetch(server, http_request(method, "/hello.txt"));
        expect_error_page(response, 405);
        EXPECT_EQ(response.header("Allow"), "GET, HEAD");
    }
}

TEST(WebServerBodies, HeaderNamesMatchCaseInsensitivelyButExactly) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);

    const HttpResponse ranged = get(server, "/hello.txt", "rAnGe: bytes=0-4\r\n");
    EXPECT_EQ(ranged.status, 206);
    EXPECT_EQ(ranged.body, kHello.substr(0, 5));
    const std::string etag = get(server, "/hello.txt").header("ETag").value_or("?");
    EXPECT_EQ(get(server, "/hello.txt", "IF-NONE-MATCH: " + etag + "\r\n").status, 304);

    // Names that only contain a known one mean nothing.
    const HttpResponse whole =
        get(server, "/hello.txt", "Ranges: bytes=0-4\r\nX-Range: bytes=0-4\r\n");
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.body, kHello);
    EXPECT_EQ(get(server, "/hello.txt", "If-None-Matches: " + etag + "\r\n").status, 200);

    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/hello.txt", "X-Connection: close\r\nConnections: close\r\n") +
                  http_request("POST", "/hello.txt", "Content-Lengths: 5\r\n") +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    const HttpResponse first = conn.read_response(Deadline(kIo));
    EXPECT_EQ(first.status, 200);
    EXPECT_FALSE(first.has_token("Connection", "close"));
    EXPECT_EQ(conn.read_response(Deadline(kIo)).status, 405);  // and no body to skip
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, kHello);
}

// ------------------------------------------------------------------------ paths

TEST(WebServerPaths, PercentEncodedPathsAreDecoded) {
    StaticSite site;
    site.add_file("a b.txt", "space\n");
    site.add_file("caf\xC3\xA9.txt", "utf-8\n");
    site.add_file("100%.txt", "percent\n");
    site.add_file("a+b.txt", "plus\n");
    site.add_file("dir name/inner.txt", "inner\n");
    ServerProcess server = start_web_server(site);
    for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
             {"/a%20b.txt", "space\n"},
             {"/caf%C3%A9.txt", "utf-8\n"},
             {"/caf%c3%a9.txt", "utf-8\n"},
             {"/100%25.txt", "percent\n"},
             {"/a+b.txt", "plus\n"},  // '+' is a plus in a path, not a space
             {"/%61%2B%62.txt", "plus\n"},
             {"/dir%20name/inner.txt", "inner\n"}}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, body);
    }
    EXPECT_EQ(get(server, "/a%2Bb.txt").status, 200);
    EXPECT_EQ(get(server, "/a%20b.txtx").status, 404);
}

TEST(WebServerPaths, QueryIsIgnored) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    site.add_file("docs/index.html", "<p>docs</p>\n");
    ServerProcess server = start_web_server(site);
    for (const std::string target : {"/hello.txt?", "/hello.txt?x=1", "/hello.txt?a=b&c=../../etc",
                                     "/hello.txt?%00", "/docs/?page=2"}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 200);
        EXPECT_FALSE(response.body.empty());
    }
    EXPECT_EQ(get(server, "/hello.txt?x").body, kHello);
}

TEST(WebServerPaths, DirectoryWithoutSlashRedirects) {
    StaticSite site;
    site.add_file("docs/index.html", "<p>docs</p>\n");
    site.add_file("docs/deeper/index.html", "<p>deeper</p>\n");
    site.add_file("my docs/index.html", "<p>spaced</p>\n");
    ServerProcess server = start_web_server(site);
    for (const auto& [target, location] :
         std::vector<std::pair<std::string, std::string>>{{"/docs", "/docs/"},
                                                          {"/docs/deeper", "/docs/deeper/"},
                                                          {"/my%20docs", "/my%20docs/"}}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 301);
        EXPECT_EQ(response.header("Location"), location);
        EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"));
        // The Location works.
        EXPECT_EQ(get(server, location).status, 200);
    }
}

TEST(WebServerPaths, DirectoryServesItsIndexHtml) {
    StaticSite site;
    site.add_file("index.html", "<p>top</p>\n");
    site.add_file("docs/index.html", "<p>docs</p>\n");
    site.add_file("docs/other.txt", "other\n");
    ServerProcess server = start_web_server(site);
    for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
             {"/", "<p>top</p>\n"}, {"/docs/", "<p>docs</p>\n"}}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, body);
        EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
        EXPECT_TRUE(response.header("ETag").has_value());
    }
}

TEST(WebServerPaths, ListingIsSortedEscapedAndItsLinksWork) {
    StaticSite site;
    const std::vector<std::pair<std::string, std::string>> files = {
        {"b.txt", "bee\n"},
        {"a.txt", "ay\n"},
        {"<img src=x onerror=alert(1)>.txt", "script\n"},
        {"quote\"&amp.txt", "quote\n"},
        {"sp ace.txt", "space\n"},
        {"hash#q?.txt", "hash\n"},
        {"100%.txt", "percent\n"},
        {"caf\xC3\xA9.txt", "utf-8\n"},
        {"javascript:x.txt", "colon\n"},
    };
    for (const auto& [name, body] : files)
        site.add_file("list/" + name, body);
    site.add_file("list/zz sub/inner.txt", "inner\n");
    site.add_file("list/aa-sub/inner.txt", "inner\n");
    ServerProcess server = start_web_server(site);

    const HttpResponse listing = get(server, "/list/");
    ASSERT_EQ(listing.status, 200);
    EXPECT_EQ(listing.header("Content-Type"), "text/html; charset=utf-8");
    const std::string& html = listing.body;
    EXPECT_NE(html.find("/list/"), std::string::npos);  // says where it is
    EXPECT_EQ(html.find("<img"), std::string::npos) << "unescaped name in the listing";
    EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;.txt"), std::string::npos);
    EXPECT_EQ(html.find("quote\"&amp.txt"), std::string::npos);

    // Every link resolves (relative to /list/) to the entry it names.
    std::vector<std::string> file_links;
    std::vector<std::string> directory_links;
    for (const std::string& href : links_in(html)) {
        if (href == "../" || href == "/" || href == "..") continue;
        SCOPED_TRACE(href);
        ASSERT_FALSE(href.starts_with("/")) << "links should be relative or under /list/";
        ASSERT_EQ(href.find(':'), std::string::npos) << "a link that reads as a scheme";
        const HttpResponse target = get(server, "/list/" + href);
        EXPECT_EQ(target.status, 200);
        if (href.ends_with("/")) {
            directory_links.push_back(href);
            EXPECT_NE(target.body.find("inner.txt"), std::string::npos);
        } else {
            file_links.push_back(href);
            const auto it = std::find_if(files.begin(), files.end(),
                                         [&](const auto& f) { return f.second == target.body; });
            EXPECT_NE(it, files.end()) << "the link fetched [" << target.body << "]";
        }
    }
    EXPECT_EQ(file_links.size(), files.size());
    EXPECT_EQ(directory_links.size(), 2u);
    // Sorted by name: the order of the links follows the order of the names they encode.
    const auto position = [&](std::string_view text) { return html.find(text); };
    EXPECT_LT(position(">a.txt<"), position(">b.txt<"));
    EXPECT_LT(position(">100%.txt<"), position(">a.txt<"));
    EXPECT_LT(position(">b.txt<"), position(">sp ace.txt<"));
    EXPECT_LT(position(">aa-sub/<"), position(">zz sub/<"));
}

TEST(WebServerPaths, ListingLinksFromTheRootToo) {
    StaticSite site;
    site.add_file("one.txt", "1\n");
    site.add_file("sub/two.txt", "2\n");
    ServerProcess server = start_web_server(site);
    const HttpResponse listing = get(server, "/");
    ASSERT_EQ(listing.status, 200);
    const auto links = links_in(listing.body);
    EXPECT_NE(std::find(links.begin(), links.end(), "one.txt"), links.end());
    EXPECT_NE(std::find(links.begin(), links.end(), "sub/"), links.end());
    EXPECT_EQ(get(server, "/one.txt").body, "1\n");
    const HttpResponse sub = get(server, "/sub/");
    EXPECT_EQ(sub.status, 200);
    const auto sub_links = links_in(sub.body);
    EXPECT_NE(std::find(sub_links.begin(), sub_links.end(), "two.txt"), sub_links.end());
}

TEST(WebServerPaths, NoListingForbidsIndexlessDirectories) {
    StaticSite site;
    site.add_file("list/a.txt", "a\n");
    site.add_file("docs/index.html", "<p>docs</p>\n");
    ServerProcess server = start_web_server(site, {"--no-listing"});
    expect_error_page(get(server, "/list/"), 403);
    EXPECT_EQ(get(server, "/").status, 403);
    EXPECT_EQ(get(server, "/docs/").body, "<p>docs</p>\n");  // an index is still served
    EXPECT_EQ(get(server, "/list/a.txt").body, "a\n");
}

TEST(WebServerPaths, MimeTypes) {
    StaticSite site;
    const std::vector<std::pair<std::string, std::string>> types = {
        {"page.html", "text/html; charset=utf-8"},
        {"page.htm", "text/html; charset=utf-8"},
        {"style.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"notes.txt", "text/plain; charset=utf-8"},
        {"data.json", "application/json"},
        {"image.svg", "image/svg+xml"},
        {"image.png", "image/png"},
        {"photo.jpg", "image/jpeg"},
        {"photo.JPEG", "image/jpeg"},
        {"anim.gif", "image/gif"},
        {"doc.pdf", "application/pdf"},
        {"font.woff2", "font/woff2"},
        {"archive.tar.gz", "application/gzip"},
        {"blob.unknownext", "application/octet-stream"},
    };
    for (const auto& [name, type] : types)
        site.add_file(name, "x");
    ServerProcess server = start_web_server(site);
    for (const auto& [name, type] : types) {
        SCOPED_TRACE(name);
        const std::string got = get(server, "/" + name).header("Content-Type").value_or("(none)");
        // Text types say their charset; the others may or may not.
        if (type.find("charset") != std::string::npos) {
            EXPECT_EQ(got, type);
        } else {
            EXPECT_TRUE(got == type || got == type + "; charset=utf-8") << got;
        }
        if (got.starts_with("text/")) {
            EXPECT_NE(got.find("charset=utf-8"), std::string::npos);
        }
        if (got.starts_with("image/png") || got.starts_with("image/jpeg")) {
            EXPECT_EQ(got.find("charset"), std::string::npos);
        }
    }
}

TEST(WebServerPaths, EmptyFile) {
    StaticSite site;
    site.add_file("empty.txt", "");
    ServerProcess server = start_web_server(site);
    const HttpResponse response = get(server, "/empty.txt");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("Content-Length"), "0");
    EXPECT_EQ(response.body, "");
    const HttpResponse range = get(server, "/empty.txt", "Range: bytes=0-\r\n");
    EXPECT_EQ(range.status, 416);
    EXPECT_EQ(range.header("Content-Range"), "bytes */0");
}

TEST(WebServerPaths, SpecialFilesAreForbiddenAndNeverBlock) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    const auto fifo = site.root() / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);  // opening it for reading could block forever
    site.add_symlink("loop", "loop");
    site.add_symlink("dangling", "no-such-file");
    // A Unix socket bound in ROOT.
    const Fd unix_socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    (site.root() / "socket").string().copy(address.sun_path, sizeof address.sun_path - 1);
    ASSERT_EQ(
        ::bind(unix_socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    ServerProcess server = start_web_server(site, {"-t", "1"});
    for (const std::string target : {"/fifo", "/loop", "/socket"}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_TRUE(response.status == 403 || response.status == 404) << response.status;
    }
    EXPECT_EQ(get(server, "/dangling").status, 404);
    EXPECT_EQ(get(server, "/").status, 200);  // the listing copes with all of them
    EXPECT_EQ(get(server, "/hello.txt").body, kHello);
}

TEST(WebServerPaths, NotFoundUsesRoot404Html) {
    StaticSite site;
    const std::string page = "<!DOCTYPE html><title>Lost</title><h1>Our own 404 page</h1>\n";
    site.add_file("404.html", page);
    ServerProcess server = start_web_server(site);
    for (const std::string target : {"/missing.html", "/deep/er/missing", "/404.htmlx"}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 404);
        EXPECT_EQ(response.body, page);
        EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"));
    }
}

TEST(WebServerPaths, NotFoundWithout404HtmlIsAShortPage) {
    StaticSite site;
    ServerProcess server = start_web_server(site);
    expect_error_page(get(server, "/missing.html"), 404);
}

// ------------------------------------------------------------------------ access log

// One Combined Log Format line, split into its fields.
struct LogLine {
    std::string client, time, request, status, bytes, referer, agent;
};

std::optional<LogLine> parse_log_line(const std::string& line) {
    static const std::regex kCombined(
        R"re(^(\S+) - - \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$)re");
    std::smatch m;
    if (!std::regex_match(line, m, kCombined)) return std::nullopt;
    return LogLine{m[1], m[2], m[3], m[4], m[5], m[6], m[7]};
}

TEST(WebServerLog, CombinedLogFormatOnStdout) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);

    EXPECT_EQ(get(server, "/hello.txt?q=1",
                  "Referer: http://example.com/start\r\nUser-Agent: LogTest/1.0 (x)\r\n")
                  .status,
              200);
    const auto line = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(line.has_value());
    const auto fields = parse_log_line(*line);
    ASSERT_TRUE(fields.has_value()) << "not Combined Log Format: [" << *line << "]";
    EXPECT_EQ(fields->client, "127.0.0.1");
    EXPECT_TRUE(std::regex_match(
        fields->time, std::regex(R"(^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$)")))
        << fields->time;
    EXPECT_EQ(fields->request, "GET /hello.txt?q=1 HTTP/1.1");
    EXPECT_EQ(fields->status, "200");
    EXPECT_EQ(fields->bytes, std::to_string(kHello.size()));
    EXPECT_EQ(fields->referer, "http://example.com/start");
    EXPECT_EQ(fields->agent, "LogTest/1.0 (x)");

    EXPECT_EQ(get(server, "/missing").status, 404);
    const auto missing = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(missing.has_value());
    const auto missing_fields = parse_log_line(*missing);
    ASSERT_TRUE(missing_fields.has_value()) << *missing;
    EXPECT_EQ(missing_fields->request, "GET /missing HTTP/1.1");
    EXPECT_EQ(missing_fields->status, "404");
    EXPECT_EQ(missing_fields->referer, "-");
    EXPECT_EQ(missing_fields->agent, "-");

    EXPECT_EQ(fetch(server, http_request("HEAD", "/hello.txt"), true).status, 200);
    const auto head = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(head.has_value());
    const auto head_fields = parse_log_line(*head);
    ASSERT_TRUE(head_fields.has_value()) << *head;
    EXPECT_EQ(head_fields->request, "HEAD /hello.txt HTTP/1.1");
    EXPECT_TRUE(head_fields->bytes == "-" || head_fields->bytes == "0") << head_fields->bytes;
}

// Client bytes that would break the line's quoting are escaped (Apache writes \" and \xhh).
TEST(WebServerLog, MalformedRequestsAreLoggedAndQuotesEscaped) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);
    static const std::regex kEscapedCombined(
        R"re(^(\S+) - - \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$)re");

    EXPECT_EQ(get(server, "/hello.txt", "User-Agent: evil\" 200 \"x\r\n").status, 200);
    const auto agent_line = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(agent_line.has_value());
    std::smatch m;
    ASSERT_TRUE(std::regex_match(*agent_line, m, kEscapedCombined)) << *agent_line;
    EXPECT_EQ(m[4], "200");
    EXPECT_EQ(m[7], "evil\\\" 200 \\\"x");

    HttpConnection conn = connect_to(server);
    conn.send("NOT\"HTTP AT ALL\r\n\r\n", Deadline(kIo));
    EXPECT_EQ(conn.read_response(Deadline(kIo)).status, 400);
    const auto line = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(line.has_value());
    ASSERT_TRUE(std::regex_match(*line, m, kEscapedCombined)) << *line;
    EXPECT_EQ(m[4], "400");
}

TEST(WebServerLog, AccessLogFileGetsTheLinesAndStdoutNone) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    const TempDir logs;
    const auto log_path = logs.file("access.log");
    // One loop, so the lines are in the order of the requests.
    ServerProcess server = start_web_server(site, {"--access-log", log_path.string(), "-t", "1"});
    EXPECT_EQ(get(server, "/hello.txt").status, 200);
    EXPECT_EQ(get(server, "/missing").status, 404);
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
    EXPECT_EQ(server.process().read_stdout(Deadline(kIo)), "");

    const auto lines = split_lines(read_file(log_path));
    ASSERT_EQ(lines.size(), 2u) << read_file(log_path);
    const auto first = parse_log_line(lines[0]);
    const auto second = parse_log_line(lines[1]);
    ASSERT_TRUE(first && second) << read_file(log_path);
    EXPECT_EQ(first->request, "GET /hello.txt HTTP/1.1");
    EXPECT_EQ(second->status, "404");
}

TEST(WebServerLog, AccessLogDashIsStdout) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"--access-log", "-"});
    EXPECT_EQ(get(server, "/hello.txt").status, 200);
    const auto line = server.process().read_line(Deadline(kIo));
    ASSERT_TRUE(line.has_value());
    EXPECT_TRUE(parse_log_line(*line).has_value()) << *line;
}

TEST(WebServerLog, QuietWritesNoLog) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site, {"-q"});
    EXPECT_EQ(get(server, "/hello.txt").status, 200);
    EXPECT_EQ(get(server, "/missing").status, 404);
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
    EXPECT_EQ(server.process().read_stdout(Deadline(kIo)), "");
    EXPECT_EQ(server.log(), "");
}

// ------------------------------------------------------------------------ signals

TEST(WebServerSignals, SigtermAndSigintExitZero) {
    for (const int sig : {SIGTERM, SIGINT}) {
        SCOPED_TRACE(sig);
        StaticSite site;
        ServerProcess server = start_web_server(site);
        EXPECT_EQ(get(server, "/missing").status, 404);
        EXPECT_EQ(server.stop(sig), ExitStatus::exit_code(0)) << server.log();
    }
}

TEST(WebServerSignals, SigtermClosesIdleKeepAliveConnectionsAndExits) {
    StaticSite site;
    site.add_file("hello.txt", kHello);
    ServerProcess server = start_web_server(site);  // default 30 s keep-alive: not what ends it
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(conn.read_response(Deadline(kIo)).status, 200);
    const auto started = Clock::now();
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
    EXPECT_LT(Clock::now() - started, 5s) << "an idle connection held the exit back";
    const Received rest = conn.read_to_eof(Deadline(kIo));
    EXPECT_NE(rest.end, StreamEnd::kTimeout);
    EXPECT_EQ(rest.bytes, "");
}

TEST(WebServerSignals, SigtermDoesNotWaitForAnUnfinishedHead) {
    StaticSite site;
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    conn.send("GET /hello.txt HTTP/1.1\r\nHost: te", Deadline(kIo));  // and nothing more
    // Make sure the server holds those bytes before the signal: a round trip on another
    // connection of the same server.
    EXPECT_EQ(get(server, "/missing").status, 404);
    const auto started = Clock::now();
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
    // No response is in flight on that connection, so nothing is there to finish.
    EXPECT_LT(Clock::now() - started, 5s) << "a half-sent request held the exit back";
}

TEST(WebServerSignals, ASecondSigtermEndsTheGracePeriodAtOnce) {
    StaticSite site;
    site.add_file("big.bin", pattern_bytes(64 * 1024 * 1024, 7));  // more than socket buffers hold
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/big.bin"), Deadline(kIo));
    // A response in flight that this client never finishes reading: the drain waits for it.
    ASSERT_EQ(conn.read_head(Deadline(kIo)).status, 200);
    ASSERT_TRUE(server.process().signal(SIGTERM));
    // The drain has begun once the listener is closed: new connections are refused. (Two
    // signals sent back to back could merge into one pending signal.)
    ASSERT_TRUE(wait_until_refusing(server, Deadline(kIo))) << "still accepting after SIGTERM";
    const auto started = Clock::now();
    ASSERT_TRUE(server.process().signal(SIGTERM));
    EXPECT_EQ(server.process().wait(Deadline(kIo)), ExitStatus::exit_code(0)) << server.log();
    // The grace period is 10 s; the second signal ends it.
    EXPECT_LT(Clock::now() - started, 5s) << "the second signal did not cut the grace period";
}

}  // namespace
}  // namespace net::test
