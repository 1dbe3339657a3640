// HTTP/1.1 request heads: every framing rule, fed whole and byte by byte.
#include "common/http_request.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

using Kind = HeadKind;

HeadResult<Request> parse(std::string_view bytes, const Limits& limits = {}) {
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
    return result.head;
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
    EXPECT_EQ(result.head.method, "GET");
    EXPECT_EQ(result.head.target, "/index.html?x=1");
    EXPECT_EQ(result.head.version, (Version{1, 1}));
    EXPECT_EQ(result.head.headers.get("host"), "example.com");
    EXPECT_EQ(result.head.body, BodyKind::kNone);
    EXPECT_TRUE(result.head.keep_alive);
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
    EXPECT_EQ(result.head.headers.get("X"), "y");
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
    EXPECT_EQ(result.head.method, "GET");
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
    EXPECT_EQ(result.head.body, BodyKind::kLength);
    EXPECT_EQ(result.head.content_length, 3U);
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
    EXPECT_EQ(one.head.target, "/a");
    const auto two = parse(std::string_view(both).substr(one.consumed));
    ASSERT_EQ(two.kind, Kind::kComplete);
    EXPECT_EQ(two.head.target, "/b");
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

TEST(HttpRequestHeadTest, ContentLengthXDoesNotFrameTheBody) {
    const auto request = parse_ok(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length-X: 5\r\nX-Transfer-Encoding: "
        "chunked\r\n\r\n");
    EXPECT_EQ(request.body, BodyKind::kNone);
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

}  // namespace
}  // namespace net::http
