// HTTP/1.1 request heads and chunked bodies: every framing rule, fed whole and byte by byte.
#include "common/http_message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

using Kind = HeadResult::Kind;

HeadResult parse(std::string_view bytes, const Limits& limits = {}) {
    return parse_request_head(bytes, limits);
}

// The status a head earns, or 0 when it parses (or needs more).
int status_of(std::string_view bytes, const Limits& limits = {}) {
    const auto result = parse(bytes, limits);
    return result.kind == Kind::kError ? static_cast<int>(result.error.status) : 0;
}

Request parse_ok(std::string_view bytes) {
    const auto result = parse(bytes);
    EXPECT_EQ(result.kind, Kind::kComplete) << result.error.reason;
    return result.request;
}

// Feeds `bytes` one more byte at a time: every proper prefix must need more, and the whole
// must give the same outcome as parsing it at once.
void expect_incremental(std::string_view bytes, const Limits& limits = {}) {
    const auto whole = parse(bytes, limits);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const auto partial = parse(bytes.substr(0, n), limits);
        if (whole.kind == Kind::kComplete && n < whole.consumed) {
            ASSERT_EQ(partial.kind, Kind::kNeedMore) << "prefix of " << n << " bytes";
        }
        if (partial.kind == Kind::kComplete) {
            ASSERT_EQ(partial.consumed, whole.consumed);
        }
    }
}

// ---------------------------------------------------------------------------- good requests

TEST(HttpRequestHeadTest, ParsesASimpleGet) {
    const std::string text = "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
    const auto result = parse(text);
    ASSERT_EQ(result.kind, Kind::kComplete);
    EXPECT_EQ(result.consumed, text.size());
    EXPECT_EQ(result.request.method, "GET");
    EXPECT_EQ(result.request.target, "/index.html?x=1");
    EXPECT_EQ(result.request.version, (Version{1, 1}));
    EXPECT_EQ(result.request.headers.get("host"), "example.com");
    EXPECT_EQ(result.request.body, BodyKind::kNone);
    EXPECT_TRUE(result.request.keep_alive);
}

TEST(HttpRequestHeadTest, KeepsHeaderOrderAndTrimsValues) {
    const auto request = parse_ok(
        "GET / HTTP/1.1\r\nHost: h\r\nX-A:  one \t\r\nX-B:two\r\nX-Empty:\r\nX-A: three\r\n\r\n");
    const auto& all = request.headers.all();
    ASSERT_EQ(all.size(), 5U);
    EXPECT_EQ(all[1].name, "X-A");
    EXPECT_EQ(all[1].value, "one");
    EXPECT_EQ(all[2].value, "two");
    EXPECT_EQ(all[3].value, "");
    EXPECT_EQ(all[4].value, "three");
    EXPECT_EQ(request.headers.get("x-a"), "one");
}

TEST(HttpRequestHeadTest, MethodIsCaseSensitiveAnyToken) {
    EXPECT_EQ(parse_ok("get / HTTP/1.1\r\nHost: h\r\n\r\n").method, "get");
    EXPECT_EQ(parse_ok("M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n").method, "M-SEARCH");
    EXPECT_EQ(parse_ok("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").target, "*");
}

TEST(HttpRequestHeadTest, AcceptsEveryTargetForm) {
    EXPECT_EQ(parse_ok("GET http://h:8080/a?b HTTP/1.1\r\nHost: h\r\n\r\n").target,
              "http://h:8080/a?b");
    EXPECT_EQ(parse_ok("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").target, "h:443");
}

TEST(HttpRequestHeadTest, AcceptsBareLfLineEnds) {
    const std::string text = "GET / HTTP/1.1\nHost: h\nX: y\n\n";
    const auto result = parse(text);
    ASSERT_EQ(result.kind, Kind::kComplete);
    EXPECT_EQ(result.consumed, text.size());
    EXPECT_EQ(result.request.headers.get("X"), "y");
}

TEST(HttpRequestHeadTest, AcceptsMixedLineEnds) {
    for (const std::string text :
         {"GET / HTTP/1.1\r\nHost: h\n\r\n", "GET / HTTP/1.1\nHost: h\r\n\n",
          "GET / HTTP/1.1\r\nHost: h\r\n\n"}) {
        const auto result = parse(text);
        ASSERT_EQ(result.kind, Kind::kComplete) << text;
        EXPECT_EQ(result.consumed, text.size()) << text;
    }
}

TEST(HttpRequestHeadTest, SkipsLeadingEmptyLines) {
    const std::string text = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    const auto result = parse(text);
    ASSERT_EQ(result.kind, Kind::kComplete);
    EXPECT_EQ(result.consumed, text.size());
    EXPECT_EQ(result.request.method, "GET");
}

TEST(HttpRequestHeadTest, OnlyEmptyLinesNeedMore) {
    EXPECT_EQ(parse("").kind, Kind::kNeedMore);
    EXPECT_EQ(parse("\r\n\r\n\r\n").kind, Kind::kNeedMore);
}

TEST(HttpRequestHeadTest, Http10WithoutHost) {
    const auto request = parse_ok("GET / HTTP/1.0\r\n\r\n");
    EXPECT_EQ(request.version, (Version{1, 0}));
    EXPECT_FALSE(request.keep_alive);
}

TEST(HttpRequestHeadTest, HigherMinorVersionIsHttp11) {
    const auto request = parse_ok("GET / HTTP/1.2\r\nHost: h\r\n\r\n");
    EXPECT_EQ(request.version, (Version{1, 2}));
    EXPECT_TRUE(request.keep_alive);
}

TEST(HttpRequestHeadTest, HeaderValuesMayHoldObsTextAndTabs) {
    const auto request = parse_ok("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb \xc3\xa9\xff\r\n\r\n");
    EXPECT_EQ(request.headers.get("X"), "a\tb \xc3\xa9\xff");
}

TEST(HttpRequestHeadTest, EmptyHostIsAllowed) {
    EXPECT_EQ(parse_ok("GET / HTTP/1.1\r\nHost:\r\n\r\n").headers.get("Host"), "");
}

// ---------------------------------------------------------------------------- incremental

TEST(HttpRequestHeadTest, ByteByByteNeedsMoreUntilComplete) {
    const std::string text =
        "\r\nPOST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\n";
    for (std::size_t n = 0; n < text.size(); ++n) {
        EXPECT_EQ(parse(text.substr(0, n)).kind, Kind::kNeedMore) << n;
    }
    const auto result = parse(text + "abc");
    ASSERT_EQ(result.kind, Kind::kComplete);
    EXPECT_EQ(result.consumed, text.size());
    EXPECT_EQ(result.request.body, BodyKind::kLength);
    EXPECT_EQ(result.request.content_length, 3U);
}

TEST(HttpRequestHeadTest, ByteByByteWithBareLf) {
    expect_incremental("GET / HTTP/1.1\nHost: h\n\nGET");
    expect_incremental("\n\nGET / HTTP/1.0\n\n");
    const auto result = parse("GET / HTTP/1.1\nHost: h\n\nGET");
    ASSERT_EQ(result.kind, Kind::kComplete);
    EXPECT_EQ(result.consumed, 24U);
}

TEST(HttpRequestHeadTest, PipelinedSecondRequestIsLeft) {
    const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    const std::string both = first + second;
    const auto one = parse(both);
    ASSERT_EQ(one.kind, Kind::kComplete);
    EXPECT_EQ(one.consumed, first.size());
    EXPECT_EQ(one.request.target, "/a");
    const auto two = parse(std::string_view(both).substr(one.consumed));
    ASSERT_EQ(two.kind, Kind::kComplete);
    EXPECT_EQ(two.request.target, "/b");
    EXPECT_EQ(two.consumed, second.size());
    expect_incremental(both);
}

TEST(HttpRequestHeadTest, HeadWithoutHeadersEndsAtFirstBlankLine) {
    // The blank line directly after the request line ends the head (then no Host: 400 for 1.1).
    EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\n").consumed, 18U);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\nHost: h\r\n\r\n"), 400);
}

// ---------------------------------------------------------------------------- limits

TEST(HttpRequestHeadTest, RequestLineAtTheLimitIsAccepted) {
    Limits limits;
    limits.max_request_line = 64;
    const std::string line = "GET /" + std::string(64 - 14, 'a') + " HTTP/1.1";  // 64 bytes
    ASSERT_EQ(line.size(), 64U);
    const std::string text = line + "\r\nHost: h\r\n\r\n";
    EXPECT_EQ(parse(text, limits).kind, Kind::kComplete);
    // ... also when it arrives a byte at a time (the CR before the LF is not part of the line).
    for (std::size_t n = 0; n < text.size(); ++n) {
        EXPECT_EQ(parse(std::string_view(text).substr(0, n), limits).kind, Kind::kNeedMore) << n;
    }
}

TEST(HttpRequestHeadTest, RequestLineOverTheLimitIs414) {
    Limits limits;
    limits.max_request_line = 64;
    const std::string line = "GET /" + std::string(64 - 13, 'a') + " HTTP/1.1";  // 65 bytes
    EXPECT_EQ(status_of(line + "\r\nHost: h\r\n\r\n", limits), 414);
    // Before the end of the line arrives, as soon as it is too long.
    EXPECT_EQ(status_of(line.substr(0, 65), limits), 414);
    EXPECT_EQ(status_of(line.substr(0, 64), limits), 0);
    // Complete line, head still incomplete: no need to wait for the rest.
    EXPECT_EQ(status_of(line + "\r\nHost: h\r\n", limits), 414);
    // The default limit is 8 KiB.
    EXPECT_EQ(status_of("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n"), 414);
    EXPECT_EQ(status_of("GET /" + std::string(9000, 'a')), 414);
}

TEST(HttpRequestHeadTest, LongLineWithBadMethodIs400) {
    Limits limits;
    limits.max_request_line = 32;
    EXPECT_EQ(status_of("G(T /" + std::string(40, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits),
              400);
}

TEST(HttpRequestHeadTest, HeadOverTheLimitIs431) {
    Limits limits;
    limits.max_head_bytes = 100;
    const std::string start = "GET / HTTP/1.1\r\nHost: h\r\n";
    const std::string filler = "X: " + std::string(100, 'a') + "\r\n";
    EXPECT_EQ(status_of(start + filler + "\r\n", limits), 431);
    EXPECT_EQ(status_of(start + filler, limits), 431);  // incomplete and already too big
    // Exactly at the limit passes.
    std::string exact = start + "X: ";
    exact += std::string(100 - exact.size() - 4, 'a') + "\r\n\r\n";
    ASSERT_EQ(exact.size(), 100U);
    EXPECT_EQ(parse(exact, limits).kind, Kind::kComplete);
    EXPECT_EQ(status_of(exact.substr(0, 98) + "a\r\n\r\n", limits), 431);
    // The default limit is 16 KiB.
    EXPECT_EQ(status_of(start + "X: " + std::string(17000, 'a') + "\r\n\r\n"), 431);
}

TEST(HttpRequestHeadTest, EndlessLeadingEmptyLinesHitTheHeadLimit) {
    // Empty lines before the request line are ignored, but they are not free: a client cannot
    // make the server buffer them forever.
    Limits limits;
    limits.max_head_bytes = 100;
    EXPECT_EQ(status_of(std::string(200, '\n'), limits), 431);
    EXPECT_EQ(
        status_of(std::string(60, '\n') + "GET / HTTP/1.0\r\n" + std::string(40, 'x'), limits),
        431);
}

TEST(HttpRequestHeadTest, TooManyHeadersIs431) {
    Limits limits;
    limits.max_headers = 3;
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits).kind,
              Kind::kComplete);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits), 431);
    std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 100; ++i)
        many += "X: y\r\n";
    EXPECT_EQ(status_of(many + "\r\n"), 431);  // default: 100 fields
}

TEST(HttpRequestHeadTest, InvalidHostValuesAre400) {
    for (const std::string host :
         {"a b", "exa/mple.com", "host?x", "user@host", "host:80x", "[::1", "[::1]x", "[zz]:80"}) {
        EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), 400) << host;
    }
    for (const std::string host : {"example.com", "example.com:8080", "127.0.0.1:80", "[::1]",
                                   "[::1]:8080", "xn--bcher-kva.de"}) {
        EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), 0) << host;
    }
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 0);  // empty is allowed
}

TEST(HttpRequestHeadTest, ChunkedAppliedTwiceIs400) {
    EXPECT_EQ(
        status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
        400);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"),
              400);
}

// ---------------------------------------------------------------------------- request line

TEST(HttpRequestHeadTest, MalformedRequestLinesAre400) {
    for (const std::string line : {
             "GET\r\n",                     // no target, no version
             "GET /\r\n",                   // HTTP/0.9 simple request
             "GET / HTTP/1.1 \r\n",         // trailing space
             " GET / HTTP/1.1\r\n",         // leading space
             "GET  / HTTP/1.1\r\n",         // two spaces
             "GET /  HTTP/1.1\r\n",         // two spaces
             "GET\t/\tHTTP/1.1\r\n",        // tabs are not separators
             "GET / http/1.1\r\n",          // version is case-sensitive
             "GET / HTTP/1\r\n",            // no minor
             "GET / HTTP/1.10\r\n",         // two-digit minor
             "GET / HTTP/11\r\n",           //
             "GET / HTTPS/1.1\r\n",         //
             "GET / HTTP/1.x\r\n",          //
             "G(T / HTTP/1.1\r\n",          // method not a token
             "G\x80T / HTTP/1.1\r\n",       // method not a token
             "GET /a\x01 HTTP/1.1\r\n",     // control byte in target
             "GET /a\x7f HTTP/1.1\r\n",     // DEL in target
             "GET /\xc3\xa9 HTTP/1.1\r\n",  // raw UTF-8 in target
             "GET /a\rb HTTP/1.1\r\n",      // bare CR in target
             "GET / HTTP/1.1\rX\r\n",       // bare CR after the version
         }) {
        EXPECT_EQ(status_of(line + "Host: h\r\n\r\n"), 400) << line;
    }
}

TEST(HttpRequestHeadTest, OtherMajorVersionsAre505) {
    EXPECT_EQ(status_of("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
    EXPECT_EQ(status_of("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), 505);
    EXPECT_EQ(status_of("GET / HTTP/3.0\r\n\r\n"), 505);
    EXPECT_EQ(status_of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);  // the HTTP/2 preface
}

// ---------------------------------------------------------------------------- header lines

TEST(HttpRequestHeadTest, ObsoleteLineFoldingIs400) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n"), 400);
    // Whitespace before the first header field (RFC 9112 2.2) is refused too.
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), 400);
}

TEST(HttpRequestHeadTest, WhitespaceBeforeColonIs400) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\n"), 400);
}

TEST(HttpRequestHeadTest, BadHeaderNamesAre400) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX(y): z\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX\x80: z\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX\rY: z\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\n\r: z\r\n\r\n"), 400);
}

TEST(HttpRequestHeadTest, ControlBytesInValuesAre400) {
    for (const char c : {'\0', '\x01', '\x0b', '\x0c', '\r', '\x1f', '\x7f'}) {
        std::string text = "GET / HTTP/1.1\r\nHost: h\r\nX: a";
        text.push_back(c);
        text += "b\r\n\r\n";
        EXPECT_EQ(status_of(text), 400) << static_cast<int>(c);
    }
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h" + std::string(1, '\0') + "x\r\n\r\n"), 400);
}

TEST(HttpRequestHeadTest, HostRules) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX: y\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    EXPECT_EQ(parse_ok("GET / HTTP/1.1\r\nhOsT: a\r\n\r\n").headers.get("Host"), "a");
}

// ---------------------------------------------------------------------------- body framing

TEST(HttpRequestHeadTest, ContentLength) {
    auto request = parse_ok("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n");
    EXPECT_EQ(request.body, BodyKind::kLength);
    EXPECT_EQ(request.content_length, 42U);
    request = parse_ok("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(request.body, BodyKind::kNone);
    request = parse_ok("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n");
    EXPECT_EQ(request.content_length, 7U);
    request =
        parse_ok("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551615\r\n\r\n");
    EXPECT_EQ(request.content_length, 18446744073709551615U);
}

TEST(HttpRequestHeadTest, RepeatedEqualContentLengthsAreAccepted) {
    auto request = parse_ok("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n");
    EXPECT_EQ(request.content_length, 5U);
    request =
        parse_ok("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(request.content_length, 5U);
}

TEST(HttpRequestHeadTest, InvalidContentLengthsAre400) {
    for (const std::string value :
         {"+5", "-1", "5 5", "5,6", "0x10", "1e3", "5.0", "", ",", "a", "18446744073709551616",
          "99999999999999999999999999", " 5 ,+5"}) {
        EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + value + "\r\n\r\n"),
                  400)
            << value;
    }
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                        "Content-Length: 6\r\n\r\n"),
              400);
}

TEST(HttpRequestHeadTest, ContentLengthWithTransferEncodingIs400) {
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"),
              400);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Length: 5\r\n\r\n"),
              400);
}

TEST(HttpRequestHeadTest, ChunkedTransferEncoding) {
    for (const std::string value : {"chunked", "Chunked", "CHUNKED", "chunked,", ", chunked"}) {
        const auto request =
            parse_ok("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + value + "\r\n\r\n");
        EXPECT_EQ(request.body, BodyKind::kChunked) << value;
    }
}

TEST(HttpRequestHeadTest, UnsupportedTransferCodingsAre501) {
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
              501);
    EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"),
              501);
}

TEST(HttpRequestHeadTest, ChunkedNotLastIs400) {
    for (const std::string value :
         {"chunked, gzip", "gzip", "identity", "", "chunkedx", "xchunked", "\"chunked\""}) {
        EXPECT_EQ(
            status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + value + "\r\n\r\n"),
            400)
            << value;
    }
}

TEST(HttpRequestHeadTest, TransferEncodingInHttp10Is400) {
    EXPECT_EQ(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
    // RFC 9112 6.1: in HTTP/1.0 any Transfer-Encoding means faulty framing, whatever it names.
    EXPECT_EQ(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 400);
}

TEST(HttpRequestHeadTest, KeepAlive) {
    struct Case {
        std::string version;
        std::string connection;  // empty: no Connection field
        bool keep_alive;
    };
    for (const auto& c : std::initializer_list<Case>{
             {"1.1", "", true},
             {"1.1", "close", false},
             {"1.1", "Close", false},
             {"1.1", "CLOSE", false},
             {"1.1", "keep-alive", true},
             {"1.1", "upgrade, close", false},
             {"1.1", "closed", true},
             {"1.0", "", false},
             {"1.0", "keep-alive", true},
             {"1.0", "Keep-Alive", true},
             {"1.0", "foo ,  KEEP-ALIVE", true},
             {"1.0", "close", false},
         }) {
        std::string text = "GET / HTTP/" + c.version + "\r\nHost: h\r\n";
        if (!c.connection.empty()) text += "Connection: " + c.connection + "\r\n";
        EXPECT_EQ(parse_ok(text + "\r\n").keep_alive, c.keep_alive)
            << c.version << " " << c.connection;
    }
    // Several Connection fields are one list.
    EXPECT_FALSE(parse_ok("GET / HTTP/1.1\r\nHost: h\r\nConnection: x\r\nConnection: close\r\n\r\n")
                     .keep_alive);
}

TEST(HttpRequestHeadTest, ErrorsCarryAReason) {
    const auto result = parse("GET / HTTP/1.1\r\nHost : h\r\n\r\n");
    ASSERT_EQ(result.kind, Kind::kError);
    EXPECT_FALSE(result.error.reason.empty());
}

// ---------------------------------------------------------------------------- find_head_end

TEST(HttpFindHeadEndTest, FindsEveryKindOfBlankLine) {
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\n\r\nbody"), 18U);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\n\nbody"), 16U);
    EXPECT_EQ(find_head_end("A\r\n\nB"), 4U);
    EXPECT_EQ(find_head_end("A\n\r\nB"), 4U);
    EXPECT_EQ(find_head_end("\n\n"), 2U);
    EXPECT_EQ(find_head_end("\r\n\r\n"), 4U);
}

TEST(HttpFindHeadEndTest, NeedsABlankLine) {
    EXPECT_EQ(find_head_end(""), std::nullopt);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: h\r\n"), std::nullopt);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\n\r"), std::nullopt);
    EXPECT_EQ(find_head_end("A\r\n\r\r\nB"), std::nullopt);  // a lone CR is not a blank line
    EXPECT_EQ(find_head_end("A\r\r\n"), std::nullopt);
}

TEST(HttpFindHeadEndTest, SearchesFromTheGivenOffset) {
    const std::string_view text = "A\n\nB\n\nC";
    EXPECT_EQ(find_head_end(text, 0), 3U);
    EXPECT_EQ(find_head_end(text, 1), 3U);
    EXPECT_EQ(find_head_end(text, 2), 6U);
    EXPECT_EQ(find_head_end(text, 7), std::nullopt);
    EXPECT_EQ(find_head_end(text, 100), std::nullopt);
}

TEST(HttpFindHeadEndTest, ResumingTwoBytesBackFindsEverySplitEnd) {
    // A caller that searched n bytes and got nullopt resumes from n - 2 when more arrive.
    for (const std::string text : {"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\n\n",
                                   "GET / HTTP/1.0\n\r\n", "GET / HTTP/1.0\r\n\n"}) {
        for (std::size_t n = 0; n < text.size(); ++n) {
            ASSERT_EQ(find_head_end(std::string_view(text).substr(0, n)), std::nullopt);
            EXPECT_EQ(find_head_end(text, n >= 2 ? n - 2 : 0), text.size()) << n;
        }
    }
    // Resuming exactly at n misses an end split after its first LF.
    EXPECT_EQ(find_head_end("GET / HTTP/1.0\r\n\r\n", 16), std::nullopt);
}

// ---------------------------------------------------------------------------- Headers

TEST(HttpHeadersTest, GetIsCaseInsensitiveAndExact) {
    Headers headers;
    headers.add("Content-Length-X", "1");
    headers.add("X-Content-Length", "2");
    headers.add("Content-Lengt", "3");
    EXPECT_EQ(headers.get("Content-Length"), std::nullopt);
    EXPECT_EQ(headers.count("Content-Length"), 0U);
    EXPECT_FALSE(headers.has_token("Content-Length", "1"));
    headers.add("content-LENGTH", "4");
    EXPECT_EQ(headers.get("Content-Length"), "4");
    EXPECT_EQ(headers.count("CONTENT-LENGTH"), 1U);
    EXPECT_EQ(headers.get(""), std::nullopt);
}

TEST(HttpHeadersTest, ContentLengthXDoesNotFrameTheBody) {
    const auto request = parse_ok(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length-X: 5\r\nX-Transfer-Encoding: "
        "chunked\r\n\r\n");
    EXPECT_EQ(request.body, BodyKind::kNone);
}

TEST(HttpHeadersTest, GetReturnsTheFirst) {
    Headers headers;
    headers.add("A", "1");
    headers.add("a", "2");
    EXPECT_EQ(headers.get("A"), "1");
    EXPECT_EQ(headers.count("A"), 2U);
    EXPECT_EQ(headers.size(), 2U);
}

TEST(HttpHeadersTest, ListSplitsEveryFieldAndTrims) {
    Headers headers;
    headers.add("Accept", "a, b ,c");
    headers.add("Other", "x");
    headers.add("accept", " ,, d\t,");
    headers.add("Accept", "");
    const auto items = headers.list("ACCEPT");
    ASSERT_EQ(items.size(), 4U);
    EXPECT_EQ(items[0], "a");
    EXPECT_EQ(items[1], "b");
    EXPECT_EQ(items[2], "c");
    EXPECT_EQ(items[3], "d");
    EXPECT_TRUE(headers.list("Missing").empty());
}

TEST(HttpHeadersTest, HasTokenMatchesWholeElementsCaseInsensitively) {
    Headers headers;
    headers.add("Connection", "keep-alive, Upgrade");
    EXPECT_TRUE(headers.has_token("connection", "upgrade"));
    EXPECT_TRUE(headers.has_token("Connection", "KEEP-ALIVE"));
    EXPECT_FALSE(headers.has_token("Connection", "keep"));
    EXPECT_FALSE(headers.has_token("Connection", "alive"));
    EXPECT_FALSE(headers.has_token("Connection", "close"));
    EXPECT_FALSE(headers.has_token("Upgrade", "Upgrade"));
}

TEST(HttpHeadersTest, RemoveDropsEveryMatchOnly) {
    Headers headers;
    headers.add("A", "1");
    headers.add("B", "2");
    headers.add("a", "3");
    headers.add("AB", "4");
    headers.remove("a");
    ASSERT_EQ(headers.size(), 2U);
    EXPECT_EQ(headers.all()[0].name, "B");
    EXPECT_EQ(headers.all()[1].name, "AB");
    headers.remove("missing");
    EXPECT_EQ(headers.size(), 2U);
}

// ---------------------------------------------------------------------------- ChunkedDecoder

struct Decoded {
    std::string body;
    std::size_t consumed = 0;
    bool done = false;
    bool error = false;
};

Decoded decode_all(std::string_view input) {
    ChunkedDecoder decoder;
    Decoded out;
    const auto result = decoder.decode(input, &out.body);
    out.consumed = result.consumed;
    out.done = result.done;
    out.error = result.error;
    EXPECT_EQ(decoder.body_bytes(), out.body.size());
    return out;
}

// Feeds `input` in two pieces split at `split`, keeping unconsumed bytes for the next call as a
// connection would.
Decoded decode_split(std::string_view input, std::size_t split) {
    ChunkedDecoder decoder;
    Decoded out;
    const auto first = decoder.decode(input.substr(0, split), &out.body);
    out.consumed = first.consumed;
    if (first.error || first.done) {
        out.error = first.error;
        out.done = first.done;
        return out;
    }
    const auto second = decoder.decode(input.substr(first.consumed), &out.body);
    out.consumed += second.consumed;
    out.done = second.done;
    out.error = second.error;
    return out;
}

// Feeds one byte per call.
Decoded decode_bytewise(std::string_view input) {
    ChunkedDecoder decoder;
    Decoded out;
    for (std::size_t i = 0; i < input.size() && !out.done && !out.error; ++i) {
        const auto result = decoder.decode(input.substr(i, 1), &out.body);
        out.consumed += result.consumed;
        out.done = result.done;
        out.error = result.error;
        if (!result.error && !result.done) {
            EXPECT_EQ(result.consumed, 1U);
        }
    }
    return out;
}

TEST(HttpChunkedTest, DecodesABody) {
    const std::string body = "4\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n";
    const auto out = decode_all(body);
    EXPECT_FALSE(out.error);
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body, "Wikipedia in \r\n\r\nchunks.");
    EXPECT_EQ(out.consumed, body.size());
}

TEST(HttpChunkedTest, SplitAtEveryByteBoundary) {
    const std::string body =
        "4;ext=1\r\nWiki\r\n6 ; a=\"b\"\r\npedia \r\na\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    const std::size_t message = body.size() - 4;
    for (std::size_t split = 0; split <= body.size(); ++split) {
        const auto out = decode_split(body, split);
        EXPECT_FALSE(out.error) << split;
        EXPECT_TRUE(out.done) << split;
        EXPECT_EQ(out.body, "Wikipedia 0123456789") << split;
        EXPECT_EQ(out.consumed, message) << split;
    }
    const auto bytewise = decode_bytewise(body);
    EXPECT_TRUE(bytewise.done);
    EXPECT_EQ(bytewise.consumed, message);
    EXPECT_EQ(bytewise.body, "Wikipedia 0123456789");
}

TEST(HttpChunkedTest, ExtensionsAreSkipped) {
    for (const std::string body : {"3;a\r\nabc\r\n0\r\n\r\n", "3;a=b;c=\"d;e\"\r\nabc\r\n0\r\n\r\n",
                                   "3 ;a\r\nabc\r\n0;last\r\n\r\n", "3\t;a\r\nabc\r\n0\r\n\r\n"}) {
        const auto out = decode_all(body);
        EXPECT_TRUE(out.done) << body;
        EXPECT_FALSE(out.error) << body;
        EXPECT_EQ(out.body, "abc") << body;
    }
}

TEST(HttpChunkedTest, TrailersAreReadAndDropped) {
    const std::string body = "3\r\nabc\r\n0\r\nExpires: never\r\nX: y\r\n\r\nGET /next";
    const auto out = decode_all(body);
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body, "abc");
    EXPECT_EQ(out.consumed, body.size() - 9);
}

TEST(HttpChunkedTest, LfOnlyLineEnds) {
    const std::string body = "3\nabc\n0\nX: y\n\nrest";
    const auto out = decode_all(body);
    EXPECT_FALSE(out.error);
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body, "abc");
    EXPECT_EQ(out.consumed, body.size() - 4);
    const auto bytewise = decode_bytewise(body);
    EXPECT_TRUE(bytewise.done);
    EXPECT_EQ(bytewise.consumed, body.size() - 4);
}

TEST(HttpChunkedTest, UpperAndLowerHexAndLeadingZeros) {
    const std::string data(0x1aF, 'x');
    const auto out = decode_all("01aF\r\n" + data + "\r\n000\r\n\r\n");
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body.size(), 0x1afU);
}

TEST(HttpChunkedTest, EmptyBody) {
    const auto out = decode_all("0\r\n\r\n");
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.consumed, 5U);
    EXPECT_TRUE(out.body.empty());
}

TEST(HttpChunkedTest, NullOutputCountsButDiscards) {
    ChunkedDecoder decoder;
    const auto result = decoder.decode("5\r\nhello\r\n0\r\n\r\n", nullptr);
    EXPECT_TRUE(result.done);
    EXPECT_EQ(decoder.body_bytes(), 5U);
}

TEST(HttpChunkedTest, IncompleteNeedsMore) {
    const auto out = decode_all("5\r\nhel");
    EXPECT_FALSE(out.done);
    EXPECT_FALSE(out.error);
    EXPECT_EQ(out.consumed, 6U);
    EXPECT_EQ(out.body, "hel");
}

TEST(HttpChunkedTest, DoneStopsConsuming) {
    ChunkedDecoder decoder;
    std::string body;
    ASSERT_TRUE(decoder.decode("0\r\n\r\n", &body).done);
    const auto again = decoder.decode("more", &body);
    EXPECT_TRUE(again.done);
    EXPECT_EQ(again.consumed, 0U);
}

TEST(HttpChunkedTest, MalformedFramingIsAnError) {
    for (const std::string body : {
             "\r\n",                       // no size
             "g\r\n",                      // bad hex
             "0x5\r\nhello\r\n0\r\n\r\n",  // no 0x prefix
             "-5\r\n",                     //
             "+5\r\n",                     //
             ";ext\r\n",                   // extension without size
             " 5\r\n",                     // leading space
             "5\rX",                       // CR not followed by LF
             "5\r\nhelloX\r\n0\r\n\r\n",   // data longer than the size
             "5\r\nhello\rX",              // CR after data not followed by LF
             "5\r\nhellox",                // no CRLF after data
             "5;a\x01\r\n",                // control byte in an extension
             "5;a\rb\r\n",                 // bare CR in an extension
             "5 6\r\nhello\r\n0\r\n\r\n",  // two numbers
             "5 x\r\n",                    // junk after whitespace
         }) {
        EXPECT_TRUE(decode_all(body).error) << body;
        EXPECT_TRUE(decode_bytewise(body).error) << body;
    }
}

TEST(HttpChunkedTest, FuzzerFoundTextAfterTheSizeReadAsAnExtension) {
    // libFuzzer input (tests/fuzz): the old decoder took "00" as the last chunk and
    // " HTTP/1.1" as its extension, so a request head parsed as an empty chunked body.
    const std::string input = "00 HTTP/1.1\r\nHost: \nHosost: i\r\n\r\n";
    EXPECT_TRUE(decode_all(input).error);
    EXPECT_TRUE(decode_bytewise(input).error);
    // Whitespace before ';' or the line end is still fine.
    EXPECT_TRUE(decode_all("0 \t\r\n\r\n").done);
    EXPECT_TRUE(decode_all("0 \t;a\r\n\r\n").done);
}

TEST(HttpChunkedTest, ErrorReportsWhereItStopped) {
    const auto out = decode_all("3\r\nabcX");
    EXPECT_TRUE(out.error);
    EXPECT_EQ(out.consumed, 6U);
}

TEST(HttpChunkedTest, HugeSizesAreRejectedNotWrapped) {
    // 2^64 would wrap to 0 and end the body early: a smuggling vector.
    for (const std::string size : {"10000000000000000", "FFFFFFFFFFFFFFFF", "1000000000000000",
                                   "FFFFFFFFFFFFFFFFFFFFFFFF", "100000000000000000000"}) {
        const auto out = decode_all(size + "\r\n");
        EXPECT_TRUE(out.error) << size;
        EXPECT_FALSE(out.done) << size;
    }
    // 2^60 - 1 is within the limit; the decoder waits for the data.
    const auto big = decode_all("FFFFFFFFFFFFFFF\r\nabc");
    EXPECT_FALSE(big.error);
    EXPECT_EQ(big.body, "abc");
}

TEST(HttpChunkedTest, SizeLineLimit) {
    const auto ok = decode_all("5;" + std::string(4000, 'x') + "\r\nhello\r\n0\r\n\r\n");
    EXPECT_TRUE(ok.done);
    EXPECT_FALSE(ok.error);
    EXPECT_TRUE(decode_all("5;" + std::string(5000, 'x') + "\r\n").error);
    EXPECT_TRUE(decode_all(std::string(5000, '0') + "5\r\n").error);  // leading zeros count
    EXPECT_TRUE(decode_all("5;" + std::string(5000, 'x')).error);     // even without the end
}

TEST(HttpChunkedTest, TrailerLimit) {
    std::string trailers;
    for (int i = 0; i < 1000; ++i)
        trailers += "X: yyyyyyy\r\n";
    const auto out = decode_all("0\r\n" + trailers + "\r\n");
    EXPECT_TRUE(out.error);
    EXPECT_FALSE(out.done);
}

// ---------------------------------------------------------------------------- small helpers

TEST(HttpReasonPhraseTest, KnownAndUnknown) {
    EXPECT_EQ(reason_phrase(200), "OK");
    EXPECT_EQ(reason_phrase(206), "Partial Content");
    EXPECT_EQ(reason_phrase(304), "Not Modified");
    EXPECT_EQ(reason_phrase(400), "Bad Request");
    EXPECT_EQ(reason_phrase(403), "Forbidden");
    EXPECT_EQ(reason_phrase(404), "Not Found");
    EXPECT_EQ(reason_phrase(405), "Method Not Allowed");
    EXPECT_EQ(reason_phrase(413), "Content Too Large");
    EXPECT_EQ(reason_phrase(414), "URI Too Long");
    EXPECT_EQ(reason_phrase(416), "Range Not Satisfiable");
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reason_phrase(501), "Not Implemented");
    EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
    EXPECT_EQ(reason_phrase(299), "Unknown");
    EXPECT_EQ(reason_phrase(-1), "Unknown");
}

TEST(HttpReasonPhraseTest, EveryParserStatusHasAPhrase) {
    for (const auto status :
         {Status::kBadRequest, Status::kPayloadTooLarge, Status::kUriTooLong,
          Status::kHeadersTooLarge, Status::kNotImplemented, Status::kVersionNotSupported}) {
        EXPECT_NE(reason_phrase(static_cast<int>(status)), "Unknown");
    }
}

TEST(HttpIsTokenTest, TcharsOnly) {
    EXPECT_TRUE(is_token("GET"));
    EXPECT_TRUE(is_token("Content-Type"));
    EXPECT_TRUE(is_token("!#$%&'*+-.^_`|~09azAZ"));
    EXPECT_FALSE(is_token(""));
    for (const char c : std::string_view("\"(),/:;<=>?@[\\]{} \t\x7f\x80\0", 22)) {
        EXPECT_FALSE(is_token(std::string("a") + c)) << static_cast<int>(c);
    }
}

// ---------------------------------------------------------------------------- response heads

using ResponseKind = ResponseHeadResult::Kind;

Response response_ok(std::string_view bytes, std::string_view method = "GET") {
    const auto result = parse_response_head(bytes, method);
    EXPECT_EQ(result.kind, ResponseKind::kComplete) << result.error;
    EXPECT_EQ(result.consumed, bytes.size());
    return result.response;
}

std::string response_error(std::string_view bytes, std::string_view method = "GET") {
    const auto result = parse_response_head(bytes, method);
    EXPECT_EQ(result.kind, ResponseKind::kError);
    return result.error;
}

TEST(HttpResponseHeadTest, StatusLineReasonAndFields) {
    const auto r = response_ok("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-A:  b \r\n\r\n");
    EXPECT_EQ(r.version, (Version{1, 1}));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.reason, "Not Found");
    EXPECT_EQ(r.headers.get("x-a"), "b");
    EXPECT_EQ(r.body, BodyKind::kLength);
    EXPECT_EQ(r.content_length, 3u);
    EXPECT_TRUE(r.keep_alive);
    // The reason phrase may be empty, with or without the space before it (RFC 9112 4).
    EXPECT_EQ(response_ok("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").reason, "");
    EXPECT_EQ(response_ok("HTTP/1.1 200\nContent-Length: 0\n\n").status, 200);
}

TEST(HttpResponseHeadTest, NeedsMoreUntilTheBlankLine) {
    const std::string_view whole = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    for (std::size_t n = 0; n < whole.size(); ++n) {
        EXPECT_EQ(parse_response_head(whole.substr(0, n), "GET").kind, ResponseKind::kNeedMore)
            << n;
    }
    EXPECT_EQ(parse_response_head(whole, "GET").kind, ResponseKind::kComplete);
}

TEST(HttpResponseHeadTest, BodyLengthFollowsRfc9112Section6_3) {
    // No body: after HEAD, for 1xx, 204 and 304, and for a 2xx to CONNECT.
    EXPECT_EQ(response_ok("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "HEAD").body,
              BodyKind::kNone);
    EXPECT_EQ(response_ok("HTTP/1.1 100 Continue\r\n\r\n").body, BodyKind::kNone);
    EXPECT_EQ(response_ok("HTTP/1.1 204 No Content\r\n\r\n").body, BodyKind::kNone);
    EXPECT_EQ(response_ok("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n").body,
              BodyKind::kNone);
    EXPECT_EQ(response_ok("HTTP/1.1 200 OK\r\n\r\n", "CONNECT").body, BodyKind::kNone);
    // Chunked last: chunked, overriding a Content-Length, and then the connection is not reused.
    auto r = response_ok("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    EXPECT_EQ(r.body, BodyKind::kChunked);
    EXPECT_TRUE(r.keep_alive);
    r = response_ok("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    EXPECT_EQ(r.body, BodyKind::kChunked);
    EXPECT_FALSE(r.keep_alive);
    // Another coding last, or none of the two fields: until the server closes.
    r = response_ok("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
    EXPECT_EQ(r.body, BodyKind::kUntilClose);
    EXPECT_FALSE(r.keep_alive);
    EXPECT_EQ(response_ok("HTTP/1.1 200 OK\r\n\r\n").body, BodyKind::kUntilClose);
    // Equal Content-Lengths are one; differing or malformed ones are the server's error.
    EXPECT_EQ(response_ok("HTTP/1.1 200 OK\r\nContent-Length: 4, 4\r\n\r\n").content_length, 4u);
    EXPECT_EQ(response_error("HTTP/1.1 200 OK\r\nContent-Length: 4, 5\r\n\r\n"),
              "differing Content-Length values");
    EXPECT_EQ(response_error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
              "invalid Content-Length");
}

TEST(HttpResponseHeadTest, KeepAliveByVersionAndConnection) {
    EXPECT_FALSE(response_ok("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                     .keep_alive);
    EXPECT_FALSE(response_ok("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
    EXPECT_TRUE(
        response_ok("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
            .keep_alive);
}

TEST(HttpResponseHeadTest, MalformedHeadsAreErrors) {
    EXPECT_EQ(response_error("HTTP/1.1 20 OK\r\n\r\n"), "invalid status line");
    EXPECT_EQ(response_error("HTTP/1.1 2000 OK\r\n\r\n"), "invalid status line");
    EXPECT_EQ(response_error("HTTP/1.1 600 Odd\r\n\r\n"), "invalid status line");
    EXPECT_EQ(response_error("HTTP/2.0 200 OK\r\n\r\n"), "invalid status line");
    EXPECT_EQ(response_error("ICY 200 OK\r\n\r\n"), "invalid status line");
    EXPECT_EQ(response_error("HTTP/1.1 200 O\x01K\r\n\r\n"), "invalid status line");
    EXPECT_EQ(response_error("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"), "invalid header name");
    EXPECT_EQ(response_error("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n"),
              "obsolete line folding");
    const Limits small{.max_request_line = 64, .max_head_bytes = 128, .max_headers = 2};
    EXPECT_EQ(parse_response_head("HTTP/1.1 200 " + std::string(100, 'x'), "GET", small).error,
              "status line too long");
    EXPECT_EQ(
        parse_response_head("HTTP/1.1 200 OK\r\nA: " + std::string(200, 'x'), "GET", small).error,
        "response head too large");
    EXPECT_EQ(
        parse_response_head("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", "GET", small).error,
        "too many header fields");
}

}  // namespace
}  // namespace net::http
