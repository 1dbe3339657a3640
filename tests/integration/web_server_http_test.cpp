// web_server's HTTP rules on raw sockets: conditional requests (304), ranges (206, 416, If-Range),
// every error status with its page, the limits that trigger them, and what keeps requests
// inside ROOT (dot segments, encoded slashes, backslashes, NUL, symlinks) or stops request
// smuggling (Content-Length with Transfer-Encoding, differing Content-Lengths).
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"
#include "tests/support/web_server_session.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;
constexpr std::time_t kY2001 = 1'000'000'000;
constexpr std::string_view kY2001Http = "Sun, 09 Sep 2001 01:46:40 GMT";
constexpr std::string_view kBefore2001 = "Sat, 08 Sep 2001 01:46:40 GMT";  // a day earlier
constexpr std::string_view kAfter2001 = "Mon, 10 Sep 2001 01:46:40 GMT";   // a day later

// 0123456789 repeated: any range of it is easy to check by eye.
std::string digits(std::size_t n) {
    std::string text(n, '0');
    for (std::size_t i = 0; i < n; ++i)
        text[i] = static_cast<char>('0' + i % 10);
    return text;
}

void expect_error_page(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status);
    EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"))
        << response.header("Content-Type").value_or("(none)");
    EXPECT_FALSE(response.body.empty());
    EXPECT_LT(response.body.size(), 4096u);
    EXPECT_NE(response.body.find(std::to_string(status)), std::string::npos) << response.body;
}

// Sends `request` on a new connection and expects the error `status`, its page, and the end of
// the connection (nothing pipelined after the request is answered).
void expect_error_then_close(const ServerProcess& server, const std::string& request, int status) {
    SCOPED_TRACE("request: [" + request.substr(0, 200) + (request.size() > 200 ? "...]" : "]"));
    HttpConnection conn = connect_to(server);
    conn.send(request + http_request("GET", "/hello.txt"), Deadline(kIo));
    const HttpResponse response = conn.read_response(Deadline(kIo));
    expect_error_page(response, status);
    EXPECT_TRUE(response.has_token("Connection", "close"));
    const Received rest = conn.read_to_eof(Deadline(kIo));
    EXPECT_NE(rest.end, StreamEnd::kTimeout) << "the connection stayed open";
    EXPECT_EQ(rest.bytes, "") << "answered a request after a framing error";
}

// A site with one 100-byte file whose time is known.
struct HundredBytes {
    HundredBytes() {
        site.add_file("d.txt", body);
        site.set_mtime("d.txt", kY2001);
        site.add_file("hello.txt", "hello\n");
    }
    StaticSite site;
    std::string body = digits(100);
};

// ------------------------------------------------------------------------ conditional requests

TEST(WebServerConditional, IfNoneMatchWithTheEtagGives304) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    const std::string etag = get(server, "/d.txt").header("ETag").value_or("?");

    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/d.txt", "If-None-Match: " + etag + "\r\n") +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    const HttpResponse not_modified = conn.read_response(Deadline(kIo));
    EXPECT_EQ(not_modified.status, 304);
    EXPECT_EQ(not_modified.header("ETag"), etag);
    EXPECT_EQ(not_modified.header("Last-Modified"), kY2001Http);
    EXPECT_TRUE(not_modified.header("Date").has_value());
    // No body: the next response follows at once.
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, "hello\n");

    for (const std::string& value :
         std::vector<std::string>{etag, "\"other\", " + etag, "*", "W/" + etag}) {
        SCOPED_TRACE(value);
        EXPECT_EQ(get(server, "/d.txt", "If-None-Match: " + value + "\r\n").status, 304);
    }
    const HttpResponse other = get(server, "/d.txt", "If-None-Match: \"other\"\r\n");
    EXPECT_EQ(other.status, 200);
    EXPECT_EQ(other.body, files.body);
    EXPECT_EQ(fetch(server, http_request("HEAD", "/d.txt", "If-None-Match: " + etag + "\r\n"), true)
                  .status,
              304);
}

TEST(WebServerConditional, IfModifiedSinceGives304WhenNotModified) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    for (const std::string_view date : {kY2001Http, kAfter2001}) {
        SCOPED_TRACE(date);
        const HttpResponse response =
            get(server, "/d.txt", "If-Modified-Since: " + std::string(date) + "\r\n");
        EXPECT_EQ(response.status, 304);
        EXPECT_EQ(response.body, "");
    }
    for (const std::string_view date : {kBefore2001, std::string_view("not a date")}) {
        SCOPED_TRACE(date);
        const HttpResponse response =
            get(server, "/d.txt", "If-Modified-Since: " + std::string(date) + "\r\n");
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, files.body);
    }
}

TEST(WebServerConditional, IfNoneMatchWinsOverIfModifiedSince) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    const std::string etag = get(server, "/d.txt").header("ETag").value_or("?");
    // RFC 9110 13.2.2: If-Modified-Since is ignored when If-None-Match is present.
    EXPECT_EQ(
        get(server, "/d.txt",
            "If-None-Match: \"other\"\r\nIf-Modified-Since: " + std::string(kAfter2001) + "\r\n")
            .status,
        200);
    EXPECT_EQ(get(server, "/d.txt",
                  "If-None-Match: " + etag + "\r\nIf-Modified-Since: " + std::string(kBefore2001) +
                      "\r\n")
                  .status,
              304);
}

// ------------------------------------------------------------------------ ranges

TEST(WebServerRange, SingleRangeGives206) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    struct Case {
        std::string range;
        std::size_t first, last;
    };
    for (const Case& c : std::vector<Case>{{"bytes=0-9", 0, 9},
                                           {"bytes=10-19", 10, 19},
                                           {"bytes=-5", 95, 99},
                                           {"bytes=95-", 95, 99},
                                           {"bytes=90-1000", 90, 99},
                                           {"bytes=0-0", 0, 0},
                                           {"bytes=99-99", 99, 99},
                                           {"bytes=-1000", 0, 99}}) {
        SCOPED_TRACE(c.range);
        const HttpResponse response = get(server, "/d.txt", "Range: " + c.range + "\r\n");
        EXPECT_EQ(response.status, 206);
        EXPECT_EQ(response.header("Content-Range"),
                  "bytes " + std::to_string(c.first) + "-" + std::to_string(c.last) + "/100");
        EXPECT_EQ(response.header("Content-Length"), std::to_string(c.last - c.first + 1));
        EXPECT_EQ(response.body, files.body.substr(c.first, c.last - c.first + 1));
        EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
        EXPECT_TRUE(response.header("ETag").has_value());
    }
    const HttpResponse head =
        fetch(server, http_request("HEAD", "/d.txt", "Range: bytes=10-29\r\n"), true);
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.header("Content-Length"), "20");
    EXPECT_EQ(head.header("Content-Range"), "bytes 10-29/100");
}

TEST(WebServerRange, UnsatisfiableRangeGives416) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    for (const std::string range : {"bytes=100-", "bytes=200-300", "bytes=100-100"}) {
        SCOPED_TRACE(range);
        const HttpResponse response = get(server, "/d.txt", "Range: " + range + "\r\n");
        expect_error_page(response, 416);
        EXPECT_EQ(response.header("Content-Range"), "bytes */100");
    }
}

TEST(WebServerRange, InvalidRangeIsIgnored) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    // RFC 9110 14.2: a Range the server does not understand is ignored: the whole file.
    for (const std::string range : {"bytes=abc", "items=0-5", "bytes=9-3", "bytes="}) {
        SCOPED_TRACE(range);
        const HttpResponse response = get(server, "/d.txt", "Range: " + range + "\r\n");
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, files.body);
        EXPECT_FALSE(response.header("Content-Range").has_value());
    }
}

TEST(WebServerRange, SeveralRangesGiveTheWholeFile) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    for (const std::string range : {"bytes=0-1,5-6", "bytes=0-9, 20-29, -5", "bytes=0-0,0-0"}) {
        SCOPED_TRACE(range);
        const HttpResponse response = get(server, "/d.txt", "Range: " + range + "\r\n");
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, files.body);
        EXPECT_FALSE(response.header("Content-Range").has_value());
    }
}

TEST(WebServerRange, IfRangeIsHonoured) {
    HundredBytes files;
    ServerProcess server = start_web_server(files.site);
    const std::string etag = get(server, "/d.txt").header("ETag").value_or("?");

    const HttpResponse same =
        get(server, "/d.txt", "Range: bytes=0-9\r\nIf-Range: " + etag + "\r\n");
    EXPECT_EQ(same.status, 206);
    EXPECT_EQ(same.body, files.body.substr(0, 10));

    for (const std::string& if_range :
         std::vector<std::string>{"\"changed\"", "W/" + etag, std::string(kBefore2001)}) {
        SCOPED_TRACE(if_range);
        const HttpResponse changed =
            get(server, "/d.txt", "Range: bytes=0-9\r\nIf-Range: " + if_range + "\r\n");
        EXPECT_EQ(changed.status, 200);
        EXPECT_EQ(changed.body, files.body);
    }
}

TEST(WebServerRange, RangesOfALargeFile) {
    StaticSite site;
    const std::string body = digits(1'000'003);  // beyond the in-memory size: sendfile
    site.add_file("big.txt", body);
    ServerProcess server = start_web_server(site);
    HttpConnection conn = connect_to(server);
    conn.send(http_request("GET", "/big.txt", "Range: bytes=20000-29999\r\n") +
                  http_request("GET", "/big.txt", "Range: bytes=-100\r\n") +
                  http_request("GET", "/big.txt", "Range: bytes=999990-\r\n") +
                  http_request("GET", "/big.txt", "Range: bytes=1-999999\r\n"),
              Deadline(kIo));
    struct Expected {
        std::size_t first, length;
    };
    for (const Expected e : {Expected{20000, 10000}, Expected{999'903, 100}, Expected{999'990, 13},
                             Expected{1, 999'999}}) {
        SCOPED_TRACE(e.first);
        const HttpResponse response = conn.read_response(Deadline(kIo));
        EXPECT_EQ(response.status, 206);
        EXPECT_EQ(response.header("Content-Range"), "bytes " + std::to_string(e.first) + "-" +
                                                        std::to_string(e.first + e.length - 1) +
                                                        "/1000003");
        EXPECT_TRUE(response.body == body.substr(e.first, e.length));
    }
}

// ------------------------------------------------------------------------ errors

TEST(WebServerErrors, MalformedRequestsGet400AndClose) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    for (const std::string request : {
             "GARBAGE\r\n\r\n", "GET\r\n\r\n",
             "GET /\r\n\r\n",                                           // HTTP/0.9
             "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",                 //
             "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",                      // two spaces
             "GET / http/1.1\r\nHost: x\r\n\r\n",                       // version is case-sensitive
             "GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",        //
             "GET / HTTP/1.1\r\nHost : x\r\n\r\n",                      // space before colon
             "GET / HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n",        //
             "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n folded\r\n\r\n",  // obs-fold
             "GET / HTTP/1.1\r\n\r\n",                                  // no Host
             "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",            // two Hosts
             "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",  //
             "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",   //
             "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
             "GET /a\x01z HTTP/1.1\r\nHost: x\r\n\r\n",  // control byte in target
         }) {
        expect_error_then_close(server, request, 400);
    }
    // Well-framed requests whose target is no path: 400 too (the connection may stay).
    expect_error_page(get(server, "nothing"), 400);
    expect_error_page(get(server, "/a%zz"), 400);  // not percent-encoding
    expect_error_page(get(server, "/a%2"), 400);
    EXPECT_EQ(get(server, "/hello.txt").body, "hello\n");
}

TEST(WebServerErrors, ErrorsOnHeadHaveNoBody) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    site.add_file("list/a.txt", "a\n");
    ServerProcess server = start_web_server(site, {"--no-listing"});
    HttpConnection conn = connect_to(server);
    conn.send(http_request("HEAD", "/missing") + http_request("HEAD", "/list/") +
                  http_request("HEAD", "/hello.txt", "Range: bytes=50-\r\n") +
                  http_request("GET", "/hello.txt"),
              Deadline(kIo));
    for (const int status : {404, 403, 416}) {
        SCOPED_TRACE(status);
        const HttpResponse response = conn.read_response(Deadline(kIo), true);
        EXPECT_EQ(response.status, status);
        EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"));
    }
    // Had any HEAD carried a body, it would be read here instead.
    const HttpResponse next = conn.read_response(Deadline(kIo));
    EXPECT_EQ(next.status, 200);
    EXPECT_EQ(next.body, "hello\n");
}

TEST(WebServerErrors, UnfinishedHeadGets408AfterTheTimeout) {
    StaticSite site;
    ServerProcess server = start_web_server(site, {"--timeout", "1"});
    HttpConnection conn = connect_to(server);
    const auto started = Clock::now();
    conn.send("GET / HTTP/1.1\r\nHost: test\r\n", Deadline(kIo));  // no blank line
    const HttpResponse response = conn.read_response(Deadline(10s));
    const auto took = Clock::now() - started;
    expect_error_page(response, 408);
    EXPECT_TRUE(response.has_token("Connection", "close"));
    EXPECT_GE(took, 900ms) << "408 before the timeout";
    EXPECT_LT(took, 5s);
    EXPECT_NE(conn.read_to_eof(Deadline(kIo)).end, StreamEnd::kTimeout);
}

TEST(WebServerErrors, TricklingHeadGets408AfterTheTimeout) {
    StaticSite site;
    ServerProcess server = start_web_server(site, {"--timeout", "1"});
    HttpConnection conn = connect_to(server);
    const auto started = Clock::now();
    conn.send("GET / HTTP/1.1\r\n", Deadline(kIo));
    // A field every 200 ms keeps the connection busy but the head never ends: the timeout counts
    // from the head's first byte, not the last (slowloris).
    bool answered = false;
    for (int i = 0; i < 40 && !answered; ++i) {
        try {
            conn.send("X-Slow-" + std::to_string(i) + ": x\r\n", Deadline(kIo));
        } catch (const std::exception&) {
            break;  // the server closed after answering
        }
        pollfd p{conn.fd(), POLLIN, 0};
        answered = net::wait_any({&p, 1}, Deadline(200ms)) > 0;
    }
    const HttpResponse response = conn.read_response(Deadline(kIo));
    const auto took = Clock::now() - started;
    expect_error_page(response, 408);
    EXPECT_LT(took, 5s);
}

TEST(WebServerErrors, IdleConnectionsCloseSilently) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site, {"--timeout", "1"});
    HttpConnection fresh = connect_to(server);  // never sends anything
    HttpConnection used = connect_to(server);   // one request, then idle
    used.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(used.read_response(Deadline(kIo)).status, 200);
    for (HttpConnection* conn : {&fresh, &used}) {
        const Received rest = conn->read_to_eof(Deadline(5s));
        EXPECT_NE(rest.end, StreamEnd::kTimeout) << "not closed after the timeout";
        // Nothing was asked, so nothing is answered (a 408 here could be taken by a client for
        // the answer to the request it is about to send).
        EXPECT_EQ(rest.bytes, "");
    }
}

TEST(WebServerErrors, RequestLineOver8KiBGets414) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    expect_error_then_close(server, http_request("GET", "/" + std::string(9000, 'a')), 414);
    expect_error_then_close(server, http_request("GET", "/x?" + std::string(20000, 'q')), 414);
    // Just under the limit is a request like any other.
    EXPECT_EQ(get(server, "/" + std::string(8000, 'a')).status, 404);
    EXPECT_EQ(get(server, "/hello.txt?" + std::string(8000, 'q')).body, "hello\n");
}

TEST(WebServerErrors, HeadersTooLargeGet431) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    const std::string big_field = "X-Big: " + std::string(17 * 1024, 'b') + "\r\n";
    expect_error_then_close(server, http_request("GET", "/hello.txt", big_field), 431);

    std::string many_small;  // 90 fields of 200 bytes: 18 KiB in all
    for (int i = 0; i < 90; ++i)
        many_small += "X-F" + std::to_string(i) + ": " + std::string(190, 'v') + "\r\n";
    expect_error_then_close(server, http_request("GET", "/hello.txt", many_small), 431);

    std::string fields_100;  // with Host: 101 fields
    for (int i = 0; i < 100; ++i)
        fields_100 += "X-F" + std::to_string(i) + ": v\r\n";
    expect_error_then_close(server, http_request("GET", "/hello.txt", fields_100), 431);

    // At the limits: 100 fields in all, 12 KiB of them.
    std::string fields_99;
    for (int i = 0; i < 99; ++i)
        fields_99 += "X-F" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
    EXPECT_EQ(get(server, "/hello.txt", fields_99).body, "hello\n");
}

TEST(WebServerErrors, UnknownTransferCodingGets501) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    expect_error_then_close(
        server,
        "POST /hello.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        "0\r\n\r\n",
        501);
}

TEST(WebServerErrors, HttpVersion2Gets505) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    expect_error_then_close(server, "GET /hello.txt HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    expect_error_then_close(server, "GET /hello.txt HTTP/3.0\r\nHost: x\r\n\r\n", 505);
}

// ------------------------------------------------------------------------ safety

// ROOT with a few files and links, and a secret beside it.
struct Fortress {
    Fortress() {
        site.add_file("public.txt", "public\n");
        site.add_file("sub/inner.txt", "inner\n");
        secret = site.add_outside_file("secret.txt", kSecret);
        site.add_symlink("escape.txt", "../secret.txt");
        site.add_symlink("escape_absolute.txt", secret);
        site.add_symlink("escape_dir", secret.parent_path());
        site.add_symlink("sub/up_and_out.txt", "../../secret.txt");
        site.add_symlink("inside.txt", "public.txt");
        site.add_symlink("inside_dir", "sub");
        site.add_symlink("sub/up_inside.txt", "../public.txt");
    }
    static constexpr std::string_view kSecret = "TOP SECRET: outside ROOT\n";
    StaticSite site;
    std::filesystem::path secret;
};

TEST(WebServerSafety, NeverServesOutsideRoot) {
    Fortress fortress;
    ServerProcess server = start_web_server(fortress.site);
    const std::string outside_name = fortress.secret.parent_path().filename().string();
    for (const std::string& target : std::vector<std::string>{
             "/../secret.txt",
             "/sub/../../secret.txt",
             "/%2e%2e/secret.txt",
             "/%2E%2E/secret.txt",
             "/.%2e/secret.txt",
             "/sub/%2e%2e/%2e%2e/secret.txt",
             "/..%2fsecret.txt",
             "/%2e%2e%2fsecret.txt",
             "/sub%2f..%2f..%2fsecret.txt",
             "/..%2Fsecret.txt",
             "/..\\secret.txt",
             "/sub\\..\\..\\secret.txt",
             "/..%5csecret.txt",
             "/..%5Csecret.txt",
             "/%2e%2e%5csecret.txt",
             "/public.txt%00",
             "/public.txt%00.html",
             "/%00/../secret.txt",
             "/secret.txt",
             "/../" + outside_name + "/secret.txt",
             "/escape.txt",
             "/escape_absolute.txt",
             "/escape_dir/secret.txt",
             "/escape_dir/root/public.txt",
             "/sub/up_and_out.txt",
             "/../../../../../../etc/passwd",
             "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
             "/%252e%252e/secret.txt",  // double encoding: a file named "%2e%2e"
         }) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_TRUE(response.status == 403 || response.status == 404)
            << "status " << response.status;
        EXPECT_EQ(response.body.find("TOP SECRET"), std::string::npos);
        EXPECT_EQ(response.body.find("root:"), std::string::npos);
    }
    // Absolute-form targets are held to the same rules.
    for (const std::string target :
         {"http://test/../secret.txt", "http://test/%2e%2e/secret.txt", "http://test/escape.txt"}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_TRUE(response.status == 403 || response.status == 404)
            << "status " << response.status;
        EXPECT_EQ(response.body.find("TOP SECRET"), std::string::npos);
    }
    EXPECT_EQ(get(server, "/public.txt").body, "public\n");  // still serving
}

TEST(WebServerSafety, SymlinksInsideRootWork) {
    Fortress fortress;
    ServerProcess server = start_web_server(fortress.site);
    for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
             {"/inside.txt", "public\n"},
             {"/inside_dir/inner.txt", "inner\n"},
             {"/sub/up_inside.txt", "public\n"},
             {"/sub/../public.txt", "public\n"},  // dot segments that stay inside are fine
             {"/sub/./inner.txt", "inner\n"}}) {
        SCOPED_TRACE(target);
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, body);
    }
    // A listing of ROOT shows the links but never what is behind the outside ones.
    const HttpResponse listing = get(server, "/");
    EXPECT_EQ(listing.status, 200);
    EXPECT_EQ(listing.body.find("TOP SECRET"), std::string::npos);
}

TEST(WebServerSafety, ContentLengthWithTransferEncodingGets400AndClose) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    // The classic smuggling shapes: whichever framing a proxy in front used, the server must
    // not pick the other one and answer a request hidden in the body.
    expect_error_then_close(server,
                            "POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                            400);
    expect_error_then_close(server,
                            "GET /hello.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                            "Content-Length: 0\r\n\r\n0\r\n\r\n",
                            400);
}

TEST(WebServerSafety, DifferingContentLengthsGet400AndClose) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site);
    expect_error_then_close(server,
                            "POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            "Content-Length: 6\r\n\r\nhello!",
                            400);
    expect_error_then_close(
        server, "POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400);
}

}  // namespace
}  // namespace net::test
