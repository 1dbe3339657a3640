// HTTP/1.1 response heads: the status line, body framing by RFC 9112 6.3, keep-alive, errors.
#include "common/http_response.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

using ResponseKind = HeadKind;

Response response_ok(std::string_view bytes, std::string_view method = "GET") {
    const auto result = parse_response_head(bytes, method);
    EXPECT_EQ(result.kind, ResponseKind::kComplete) << result.error.reason;
    EXPECT_EQ(result.consumed, bytes.size());
    return result.head;
}

std::string response_error(std::string_view bytes, std::string_view method = "GET") {
    const auto result = parse_response_head(bytes, method);
    EXPECT_EQ(result.kind, ResponseKind::kError);
    EXPECT_EQ(result.error.status, Status::kBadGateway);  // the server's fault: a proxy says 502
    return result.error.reason;
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
    EXPECT_EQ(
        parse_response_head("HTTP/1.1 200 " + std::string(100, 'x'), "GET", small).error.reason,
        "status line too long");
    EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nA: " + std::string(200, 'x'), "GET", small)
                  .error.reason,
              "response head too large");
    EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", "GET", small)
                  .error.reason,
              "too many header fields");
}

}  // namespace
}  // namespace net::http
