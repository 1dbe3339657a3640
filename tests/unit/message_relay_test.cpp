// Following bodies and responses through web_proxy byte by byte (RFC 9112 6.3 framing, 7.1
// chunked coding; RFC 9110 15.2 interim responses): BodyCursor and ResponseRelay, no sockets.
#include "web_proxy/message_relay.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace web_proxy {
namespace {

using net::http::BodyKind;
using net::http::Version;
using State = ResponseRelay::State;

const Identity kSelf{"proxy.test:8888"};
constexpr std::string_view kOurVia11 = "Via: 1.1 proxy.test:8888 (web_proxy)\r\n";

// ---------------------------------------------------------------------------- BodyCursor

// Feeds `bytes` to `cursor` in pieces of `piece` bytes, as a connection would: each piece after
// what the previous calls consumed. Returns the output; `consumed` totals what was taken.
std::string take_in_pieces(BodyCursor& cursor, std::string_view bytes, std::size_t piece,
                           std::size_t& consumed, bool& error) {
    std::string out;
    consumed = 0;
    error = false;
    std::string pending;
    for (std::size_t at = 0; at < bytes.size() && !cursor.done() && !error; at += piece) {
        pending.append(bytes.substr(at, piece));
        const auto step = cursor.take(pending, out);
        consumed += step.consumed;
        error = step.error;
        pending.erase(0, step.consumed);
    }
    return out;
}

TEST(BodyCursorTest, LengthStopsAtTheEnd) {
    BodyCursor cursor(BodyKind::kLength, 5);
    EXPECT_FALSE(cursor.done());
    EXPECT_FALSE(cursor.until_close());
    std::string out;
    auto step = cursor.take("he", out);
    EXPECT_EQ(step.consumed, 2u);
    EXPECT_FALSE(step.error);
    EXPECT_FALSE(cursor.done());
    step = cursor.take("lloGET / HTTP/1.1", out);
    EXPECT_EQ(step.consumed, 3u);
    EXPECT_TRUE(cursor.done());
    EXPECT_EQ(out, "hello");
    EXPECT_EQ(cursor.body_bytes(), 5u);
    // Once done, nothing more is taken.
    EXPECT_EQ(cursor.take("more", out).consumed, 0u);
    EXPECT_EQ(out, "hello");
}

TEST(BodyCursorTest, ZeroLengthAndNoneAreDoneAtOnce) {
    for (const BodyKind kind : {BodyKind::kNone, BodyKind::kLength}) {
        BodyCursor cursor(kind, 0);
        EXPECT_TRUE(cursor.done());
        std::string out;
        const auto step = cursor.take("GET / HTTP/1.1\r\n", out);
        EXPECT_EQ(step.consumed, 0u);
        EXPECT_FALSE(step.error);
        EXPECT_TRUE(out.empty());
        EXPECT_EQ(cursor.body_bytes(), 0u);
    }
    // A length given with kNone means nothing.
    EXPECT_TRUE(BodyCursor(BodyKind::kNone, 10).done());
}

constexpr std::string_view kChunked =
    "5;name=value\r\nhello\r\n"
    "6\r\n world\r\n"
    "0\r\n"
    "Trailer: x\r\n"
    "\r\n";

TEST(BodyCursorTest, ChunkedRawPassesTheFramingAndStopsAtTheEnd) {
    const std::string input = std::string(kChunked) + "HTTP/1.1 200 OK\r\n";
    BodyCursor cursor(BodyKind::kChunked, 0);
    std::string out;
    const auto step = cursor.take(input, out);
    EXPECT_FALSE(step.error);
    EXPECT_TRUE(cursor.done());
    EXPECT_EQ(step.consumed, kChunked.size());
    EXPECT_EQ(out, kChunked);
    EXPECT_EQ(cursor.body_bytes(), 11u);
}

TEST(BodyCursorTest, ChunkedRawByteByByte) {
    const std::string input = std::string(kChunked) + "NEXT";
    for (const std::size_t piece : {1u, 2u, 3u, 7u}) {
        BodyCursor cursor(BodyKind::kChunked, 0);
        std::size_t consumed = 0;
        bool error = false;
        const auto out = take_in_pieces(cursor, input, piece, consumed, error);
        EXPECT_FALSE(error) << piece;
        EXPECT_TRUE(cursor.done()) << piece;
        EXPECT_EQ(consumed, kChunked.size()) << piece;
        EXPECT_EQ(out, kChunked) << piece;
    }
}

TEST(BodyCursorTest, ChunkedDecoding) {
    const std::string input = std::string(kChunked) + "NEXT";
    BodyCursor cursor(BodyKind::kChunked, 0, true);
    std::string out;
    const auto step = cursor.take(input, out);
    EXPECT_FALSE(step.error);
    EXPECT_TRUE(cursor.done());
    EXPECT_EQ(step.consumed, kChunked.size());
    EXPECT_EQ(out, "hello world");
    EXPECT_EQ(cursor.body_bytes(), 11u);

    BodyCursor bytewise(BodyKind::kChunked, 0, true);
    std::size_t consumed = 0;
    bool error = false;
    EXPECT_EQ(take_in_pieces(bytewise, input, 1, consumed, error), "hello world");
    EXPECT_EQ(consumed, kChunked.size());
    EXPECT_TRUE(bytewise.done());
}

TEST(BodyCursorTest, DecodeChunksIgnoredForOtherKinds) {
    BodyCursor cursor(BodyKind::kLength, 3, true);
    std::string out;
    EXPECT_EQ(cursor.take("3\r\nabc", out).consumed, 3u);
    EXPECT_EQ(out, "3\r\n");
}

TEST(BodyCursorTest, UntilCloseTakesEverythingAndNeverEnds) {
    BodyCursor cursor(BodyKind::kUntilClose, 0);
    EXPECT_TRUE(cursor.until_close());
    std::string out;
    EXPECT_EQ(cursor.take("abc", out).consumed, 3u);
    EXPECT_EQ(cursor.take("0\r\n\r\n", out).consumed, 5u);
    EXPECT_FALSE(cursor.done());
    EXPECT_EQ(out, "abc0\r\n\r\n");
    EXPECT_EQ(cursor.body_bytes(), 8u);
}

TEST(BodyCursorTest, MalformedChunkedIsAnError) {
    for (const std::string_view input : {
             std::string_view("zz\r\n"),
             std::string_view("5\r\nhelloX\r\n0\r\n\r\n"),  // data not followed by CRLF
             std::string_view("5 6\r\nhello\r\n"),          // junk after the size
             std::string_view("\r\n"),                      // no size at all
             std::string_view("10000000000000000\r\n"),     // 2^64: too big, not 0
         }) {
        for (const bool decode : {false, true}) {
            BodyCursor cursor(BodyKind::kChunked, 0, decode);
            std::string out;
            const auto step = cursor.take(input, out);
            EXPECT_TRUE(step.error) << input;
            EXPECT_FALSE(cursor.done()) << input;
            EXPECT_LE(step.consumed, input.size()) << input;
        }
    }
}

// ---------------------------------------------------------------------------- RequestBodyRelay

// Whether `bytes` is a chunked body in canonical form and nothing else: lowercase hex sizes
// without leading zeros, no extensions, CRLF everywhere, "0\r\n\r\n" at the end, no trailers.
// Returns the data it carries through `data`.
bool canonical_chunked(std::string_view bytes, std::string& data) {
    data.clear();
    for (;;) {
        const auto crlf = bytes.find("\r\n");
        if (crlf == std::string_view::npos || crlf == 0) return false;
        const auto size_text = bytes.substr(0, crlf);
        if (size_text.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
            return false;
        }
        if (size_text.size() > 1 && size_text.front() == '0') return false;
        const std::size_t size = std::stoul(std::string(size_text), nullptr, 16);
        bytes.remove_prefix(crlf + 2);
        if (size == 0) return bytes == "\r\n";
        if (bytes.size() < size + 2 || bytes.substr(size, 2) != "\r\n") return false;
        data.append(bytes.substr(0, size));
        bytes.remove_prefix(size + 2);
    }
}

TEST(RequestBodyRelayTest, LengthBodiesPassAsTheyAre) {
    RequestBodyRelay body(BodyKind::kLength, 5);
    std::string out;
    EXPECT_EQ(body.take("he", out).consumed, 2u);
    const auto step = body.take("llo\r\n0\r\n\r\nGET /", out);
    EXPECT_EQ(step.consumed, 3u);
    EXPECT_FALSE(step.error);
    EXPECT_TRUE(body.done());
    EXPECT_EQ(out, "hello");
    EXPECT_EQ(body.body_bytes(), 5u);

    RequestBodyRelay none(BodyKind::kNone, 0);
    EXPECT_TRUE(none.done());
    EXPECT_EQ(none.take("GET / HTTP/1.1\r\n", out).consumed, 0u);
    EXPECT_EQ(out, "hello");
}

TEST(RequestBodyRelayTest, ChunkedIsSentAgainCanonically) {
    const std::string input = std::string(kChunked) + "NEXT";
    RequestBodyRelay body(BodyKind::kChunked, 0);
    std::string out;
    const auto step = body.take(input, out);
    EXPECT_FALSE(step.error);
    EXPECT_EQ(step.consumed, kChunked.size());
    EXPECT_TRUE(body.done());
    // The extension and the trailer are dropped; one chunk for the data of one take().
    EXPECT_EQ(out, "b\r\nhello world\r\n0\r\n\r\n");
    EXPECT_EQ(body.body_bytes(), 11u);
    // Done: nothing more is taken, and the last chunk is not sent twice.
    EXPECT_EQ(body.take("0\r\n\r\n", out).consumed, 0u);
    EXPECT_EQ(out, "b\r\nhello world\r\n0\r\n\r\n");
}

TEST(RequestBodyRelayTest, ChunkedInPiecesIsCanonicalAndCarriesTheSameData) {
    const std::string input = std::string(kChunked) + "NEXT";
    for (const std::size_t piece : {1u, 2u, 3u, 7u, 100u}) {
        RequestBodyRelay body(BodyKind::kChunked, 0);
        std::string out;
        std::string pending;
        std::size_t consumed = 0;
        for (std::size_t at = 0; at < input.size() && !body.done(); at += piece) {
            pending.append(input.substr(at, piece));
            const auto step = body.take(pending, out);
            ASSERT_FALSE(step.error) << piece;
            consumed += step.consumed;
            pending.erase(0, step.consumed);
        }
        EXPECT_TRUE(body.done()) << piece;
        EXPECT_EQ(consumed, kChunked.size()) << piece;
        std::string data;
        EXPECT_TRUE(canonical_chunked(out, data)) << piece << ": " << out;
        EXPECT_EQ(data, "hello world") << piece;
    }
}

TEST(RequestBodyRelayTest, HexSizes) {
    const std::string data(300, 'x');
    RequestBodyRelay body(BodyKind::kChunked, 0);
    std::string out;
    body.take("12C\r\n" + data + "\r\n0\r\n\r\n", out);
    EXPECT_TRUE(body.done());
    EXPECT_EQ(out, "12c\r\n" + data + "\r\n0\r\n\r\n");
}

TEST(RequestBodyRelayTest, EmptyChunkedBody) {
    RequestBodyRelay body(BodyKind::kChunked, 0);
    std::string out;
    const auto step = body.take("0\r\nX-Checksum: 1\r\n\r\n", out);
    EXPECT_FALSE(step.error);
    EXPECT_TRUE(body.done());
    EXPECT_EQ(out, "0\r\n\r\n");
    EXPECT_EQ(body.body_bytes(), 0u);
}

TEST(RequestBodyRelayTest, LenientFramingTheDecoderAcceptsIsNormalised) {
    // What ChunkedDecoder accepts beyond RFC 9112 7.1 (bare LF, whitespace after the size,
    // leading zeros, extensions) never reaches the server: it gets the canonical form.
    for (const std::string_view input : {
             std::string_view("5\nhello\n0\n\n"),
             std::string_view("5\r\nhello\n0\r\n\n"),
             std::string_view("5 \r\nhello\r\n0\r\n\r\n"),
             std::string_view("5\t;a=b\r\nhello\r\n0\r\n\r\n"),
             std::string_view("5;a=\"x;y\"\r\nhello\r\n0;last\r\n\r\n"),
             std::string_view("0005\r\nhello\r\n000\r\n\r\n"),
             std::string_view("5\r\nhello\r\n0\r\nA: 1\nB: 2\r\n\r\n"),
         }) {
        RequestBodyRelay body(BodyKind::kChunked, 0);
        std::string out;
        const auto step = body.take(input, out);
        EXPECT_FALSE(step.error) << input;
        EXPECT_TRUE(body.done()) << input;
        EXPECT_EQ(step.consumed, input.size()) << input;
        EXPECT_EQ(out, "5\r\nhello\r\n0\r\n\r\n") << input;
    }
}

TEST(RequestBodyRelayTest, MalformedChunkedIsAnErrorAndNothingMoreGoesOut) {
    for (const std::string_view input : {
             std::string_view("zz\r\n"),
             std::string_view("\r\n"),
             std::string_view("5 6\r\nhello\r\n"),
             std::string_view("5x\r\nhello\r\n"),
             std::string_view("0x5\r\nhello\r\n"),
             std::string_view("-5\r\nhello\r\n"),
             std::string_view("5\rhello\r\n"),
             std::string_view("5\r\nhelloX\r\n0\r\n\r\n"),
             std::string_view("5\r\nhello\r\r\n0\r\n\r\n"),
             std::string_view("10000000000000000\r\n"),
             std::string_view("5;\x01\r\nhello\r\n"),
         }) {
        RequestBodyRelay body(BodyKind::kChunked, 0);
        std::string out;
        const auto step = body.take(input, out);
        EXPECT_TRUE(step.error) << input;
        EXPECT_FALSE(body.done()) << input;
        EXPECT_TRUE(out.empty()) << input << ": " << out;
        // Once failed, it takes nothing more.
        const auto after = body.take("0\r\n\r\n", out);
        EXPECT_EQ(after.consumed, 0u);
        EXPECT_TRUE(out.empty());
    }
}

TEST(RequestBodyRelayTest, ErrorAfterEarlierDataKeepsWhatWentOut) {
    RequestBodyRelay body(BodyKind::kChunked, 0);
    std::string out;
    EXPECT_FALSE(body.take("5\r\nhello\r\n", out).error);
    EXPECT_EQ(out, "5\r\nhello\r\n");
    EXPECT_TRUE(body.take("zz\r\n", out).error);
    // No last chunk: the server sees an unfinished body, and the connection is closed.
    EXPECT_EQ(out, "5\r\nhello\r\n");
}

// ---------------------------------------------------------------------------- ResponseRelay

// What a relay did with a server's bytes.
struct Relayed {
    std::string to_client;
    State state;
    bool started;
    bool keep_alive;
    int status;
    std::uint64_t body_bytes;
};

struct Client {
    std::string method = "GET";
    Version version{1, 1};
    bool keep_alive = true;
};

// Feeds `bytes` in pieces of `piece` bytes (0: all at once), then, with `close`, the end of
// the connection.
Relayed relay(std::string_view bytes, const Client& client = {}, std::size_t piece = 0,
              bool close = false) {
    ResponseRelay relay(client.method, client.version, client.keep_alive, kSelf);
    std::string to_client;
    if (piece == 0) {
        relay.feed(bytes, to_client);
    } else {
        for (std::size_t at = 0; at < bytes.size(); at += piece)
            relay.feed(bytes.substr(at, piece), to_client);
    }
    if (close) relay.server_closed();
    return {to_client,          relay.state(),  relay.started(),
            relay.keep_alive(), relay.status(), relay.body_bytes()};
}

// Whole and byte by byte must agree on everything.
void expect_same_in_pieces(std::string_view bytes, const Client& client = {}, bool close = false) {
    const auto whole = relay(bytes, client, 0, close);
    for (const std::size_t piece : {1u, 2u, 5u, 13u}) {
        const auto split = relay(bytes, client, piece, close);
        EXPECT_EQ(split.to_client, whole.to_client) << "pieces of " << piece;
        EXPECT_EQ(split.state, whole.state) << "pieces of " << piece;
        EXPECT_EQ(split.started, whole.started) << "pieces of " << piece;
        EXPECT_EQ(split.keep_alive, whole.keep_alive) << "pieces of " << piece;
        EXPECT_EQ(split.status, whole.status) << "pieces of " << piece;
        EXPECT_EQ(split.body_bytes, whole.body_bytes) << "pieces of " << piece;
    }
}

TEST(ResponseRelayTest, LengthResponse) {
    const std::string server =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    const auto out = relay(server + "EXTRA");
    EXPECT_EQ(out.to_client, std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n") +
                                 std::string(kOurVia11) + "\r\nhello");
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_TRUE(out.started);
    // The server's "close" is about the upstream connection, not the client's.
    EXPECT_TRUE(out.keep_alive);
    EXPECT_EQ(out.status, 200);
    EXPECT_EQ(out.body_bytes, 5u);
}

TEST(ResponseRelayTest, WholeAndByteByByteAgree) {
    for (const std::string_view server : {
             std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"),
             std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5\r\nhello\r\n0\r\n\r\nEXTRA"),
             std::string_view("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
                              "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
             std::string_view("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nuntil the end"),
             std::string_view("HTTP/1.1 204 No Content\r\n\r\n"),
             std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
             std::string_view("HTTP/1.1 2x0 OK\r\n\r\n"),
             std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n"),
             std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "3\r\nabcX"),
             std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
         }) {
        for (const Version version : {Version{1, 1}, Version{1, 0}}) {
            SCOPED_TRACE(std::string(server) + " to HTTP/1." + std::to_string(version.minor));
            expect_same_in_pieces(server, Client{"GET", version, true});
            expect_same_in_pieces(server, Client{"GET", version, true}, true);
        }
    }
}

TEST(ResponseRelayTest, ContinueGoesToHttp11ClientsThenTheFinalResponse) {
    const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
    const std::string final_head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";

    ResponseRelay relay("POST", Version{1, 1}, true, kSelf);
    std::string to_client;
    relay.feed(interim, to_client);
    EXPECT_EQ(to_client,
              std::string("HTTP/1.1 100 Continue\r\n") + std::string(kOurVia11) + "\r\n");
    EXPECT_EQ(relay.state(), State::kHead);
    EXPECT_FALSE(relay.started());

    to_client.clear();
    relay.feed(final_head + "ok", to_client);
    EXPECT_EQ(to_client, std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n") +
                             std::string(kOurVia11) + "\r\nok");
    EXPECT_EQ(relay.state(), State::kDone);
    EXPECT_TRUE(relay.started());
    EXPECT_EQ(relay.status(), 200);
}

TEST(ResponseRelayTest, InterimResponsesAreNotSentToHttp10Clients) {
    // RFC 9110 15.2: a server must not send 1xx to an HTTP/1.0 client; nor may a proxy pass one.
    const auto out = relay(
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        Client{"GET", Version{1, 0}, true});
    EXPECT_TRUE(out.to_client.starts_with("HTTP/1.1 200 OK\r\n")) << out.to_client;
    EXPECT_EQ(out.to_client.find("100 Continue"), std::string::npos);
    EXPECT_EQ(out.to_client.find("Early Hints"), std::string::npos);
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_TRUE(out.keep_alive);
}

TEST(ResponseRelayTest, SwitchingProtocolsFails) {
    // The proxy removes Upgrade, so a 101 is a server error, before anything went to the client.
    const auto out = relay("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
    EXPECT_EQ(out.state, State::kFailed);
    EXPECT_FALSE(out.started);
    EXPECT_TRUE(out.to_client.empty());
}

TEST(ResponseRelayTest, HeadResponseHasNoBody) {
    const auto out = relay("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nNOT A BODY",
                           Client{"HEAD", Version{1, 1}, true});
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_EQ(out.to_client, std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n") +
                                 std::string(kOurVia11) + "\r\n");
    EXPECT_EQ(out.body_bytes, 0u);
    EXPECT_TRUE(out.keep_alive);
}

TEST(ResponseRelayTest, NoContentAndNotModifiedHaveNoBody) {
    for (const std::string_view server : {
             std::string_view("HTTP/1.1 204 No Content\r\n\r\nNOT A BODY"),
             std::string_view("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\nNOT A BODY"),
         }) {
        const auto out = relay(server);
        EXPECT_EQ(out.state, State::kDone) << server;
        EXPECT_TRUE(out.to_client.ends_with(std::string(kOurVia11) + "\r\n")) << out.to_client;
        EXPECT_EQ(out.body_bytes, 0u) << server;
        EXPECT_TRUE(out.keep_alive) << server;
    }
}

TEST(ResponseRelayTest, ChunkedToHttp10ClientIsDechunked) {
    const std::string server =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    const auto out = relay(server, Client{"GET", Version{1, 0}, true});
    EXPECT_EQ(out.to_client, std::string("HTTP/1.1 200 OK\r\n") + std::string(kOurVia11) +
                                 "Connection: close\r\n\r\nhello world");
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_FALSE(out.keep_alive);
    EXPECT_EQ(out.body_bytes, 11u);
    expect_same_in_pieces(server, Client{"GET", Version{1, 0}, true});
}

TEST(ResponseRelayTest, ChunkedToHttp11ClientStaysChunked) {
    const std::string body = "5\r\nhello\r\n0\r\n\r\n";
    const auto out = relay("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    EXPECT_EQ(out.to_client, std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n") +
                                 std::string(kOurVia11) + "\r\n" + body);
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_TRUE(out.keep_alive);
    EXPECT_EQ(out.body_bytes, 5u);
}

// The head the client got, read as the client reads it.
net::http::Response client_head(const std::string& to_client, std::string_view method = "GET") {
    const auto parsed = net::http::parse_response_head(to_client, method);
    EXPECT_EQ(parsed.kind, net::http::HeadKind::kComplete) << parsed.error.reason;
    return parsed.head;
}

TEST(ResponseRelayTest, TransferEncodingFromHttp10ServerDoesNotFrameTheClientBody) {
    // An HTTP/1.0 response with "Transfer-Encoding: chunked" is relayed as an until-close body
    // (RFC 9112 6.1: in 1.0 it is faulty framing), raw; so the head under the proxy's HTTP/1.1
    // status line must not say chunked either (a case the fuzzer reaches).
    const auto out = relay("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nabc", {}, 0, true);
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_EQ(client_head(out.to_client).body, BodyKind::kUntilClose) << out.to_client;
    EXPECT_TRUE(out.to_client.ends_with("\r\n\r\nabc")) << out.to_client;
}

TEST(ResponseRelayTest, ContentLengthBesideChunkedDoesNotFrameADechunkedBody) {
    // See ProxyRulesResponseHeadTest.ContentLengthBesideChunkedIsRemoved: an HTTP/1.0 client
    // must not get "Content-Length: 5" with a dechunked body of 2 bytes.
    const auto out = relay(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\nab\r\n0\r\n\r\n",
        Client{"GET", Version{1, 0}, true});
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_TRUE(out.to_client.ends_with("\r\n\r\nab")) << out.to_client;
    EXPECT_EQ(client_head(out.to_client).body, BodyKind::kUntilClose) << out.to_client;
}

TEST(ResponseRelayTest, ServerCloseEndsAnUntilCloseBody) {
    const std::string server = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc";
    const auto open = relay(server);
    EXPECT_EQ(open.state, State::kBody);
    EXPECT_TRUE(open.started);

    const auto closed = relay(server, {}, 0, true);
    EXPECT_EQ(closed.state, State::kDone);
    EXPECT_FALSE(closed.keep_alive);
    EXPECT_EQ(closed.body_bytes, 3u);
    EXPECT_TRUE(closed.to_client.ends_with("Connection: close\r\n\r\nabc")) << closed.to_client;
}

TEST(ResponseRelayTest, ServerCloseFailsAShortLengthBody) {
    const auto out = relay("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", {}, 0, true);
    EXPECT_EQ(out.state, State::kFailed);
    // The head went out: the proxy can only close the client connection, not send a 502.
    EXPECT_TRUE(out.started);
    EXPECT_EQ(out.body_bytes, 5u);
}

TEST(ResponseRelayTest, ServerCloseFailsAnUnfinishedChunkedBody) {
    const auto out =
        relay("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", {}, 0, true);
    EXPECT_EQ(out.state, State::kFailed);
    EXPECT_TRUE(out.started);
}

TEST(ResponseRelayTest, ServerCloseBeforeAnyHeadFails) {
    ResponseRelay relay("GET", Version{1, 1}, true, kSelf);
    std::string to_client;
    relay.feed("HTTP/1.1 200 OK\r\nContent-Le", to_client);
    relay.server_closed();
    EXPECT_EQ(relay.state(), State::kFailed);
    EXPECT_FALSE(relay.started());
    EXPECT_FALSE(relay.error().empty());
    EXPECT_TRUE(to_client.empty());
}

TEST(ResponseRelayTest, ServerCloseAfterTheEndChangesNothing) {
    const auto out = relay("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", {}, 0, true);
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_TRUE(out.keep_alive);
}

TEST(ResponseRelayTest, MalformedStatusLineFailsBeforeStarting) {
    for (const std::string_view server : {
             std::string_view("HTTP/1.1 OK\r\n\r\n"),
             std::string_view("HTTP/1.1 2000 OK\r\n\r\n"),
             std::string_view("HTTP/1.1 600 Odd\r\n\r\n"),
             std::string_view("HTTP/2.0 200 OK\r\n\r\n"),
             std::string_view("HTTX/1.1 200 OK\r\n\r\n"),
             std::string_view("<html>hello</html>\n\n"),
             std::string_view("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"),
             std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx"),
         }) {
        ResponseRelay relay("GET", Version{1, 1}, true, kSelf);
        std::string to_client;
        relay.feed(server, to_client);
        EXPECT_EQ(relay.state(), State::kFailed) << server;
        EXPECT_FALSE(relay.started()) << server;
        EXPECT_FALSE(relay.error().empty()) << server;
        EXPECT_TRUE(to_client.empty()) << server;
        // Nothing is taken after a failure.
        relay.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", to_client);
        EXPECT_EQ(relay.state(), State::kFailed);
        EXPECT_TRUE(to_client.empty());
    }
}

TEST(ResponseRelayTest, MalformedFirstChunkSizeFailsBeforeStarting) {
    // The head is held back until the first chunk's data: a server whose chunked framing is
    // wrong from the start still earns the client a 502, not a cut-off 200.
    for (const std::string_view body : {std::string_view("xyz\r\n"), std::string_view("5 6\r\n"),
                                        std::string_view("5\rhello"), std::string_view("\r\n")}) {
        for (const Version version : {Version{1, 1}, Version{1, 0}}) {
            ResponseRelay relay("GET", version, true, kSelf);
            std::string to_client;
            relay.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", to_client);
            relay.feed(body, to_client);
            EXPECT_EQ(relay.state(), State::kFailed) << body;
            EXPECT_FALSE(relay.started()) << body;
            EXPECT_TRUE(to_client.empty()) << to_client;
            EXPECT_EQ(relay.error(), "malformed chunked body");
        }
    }
}

TEST(ResponseRelayTest, MalformedChunkAfterDataFailsAfterStarting) {
    // All in one feed() or byte by byte, the same: the data started the response.
    expect_same_in_pieces(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nxyz\r\n");
    ResponseRelay relay("GET", Version{1, 1}, true, kSelf);
    std::string to_client;
    relay.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nxyz\r\n",
               to_client);
    EXPECT_EQ(relay.state(), State::kFailed);
    EXPECT_TRUE(relay.started());
    EXPECT_FALSE(relay.error().empty());
    EXPECT_TRUE(to_client.starts_with("HTTP/1.1 200 OK\r\n")) << to_client;
    EXPECT_TRUE(to_client.ends_with("\r\n\r\n5\r\nhello\r\n")) << to_client;
}

TEST(ResponseRelayTest, ChunkedHeadIsHeldUntilTheFirstData) {
    ResponseRelay relay("POST", Version{1, 1}, true, kSelf);
    std::string to_client;
    relay.feed("HTTP/1.1 100 Continue\r\n\r\n", to_client);
    const std::string interim = to_client;
    EXPECT_FALSE(interim.empty());

    relay.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", to_client);
    EXPECT_EQ(relay.state(), State::kBody);
    EXPECT_FALSE(relay.started());
    EXPECT_EQ(to_client, interim) << "only whole interim responses before the start";
    relay.feed("5;ext=1\r", to_client);
    relay.feed("\n", to_client);
    EXPECT_FALSE(relay.started());
    EXPECT_EQ(to_client, interim);

    relay.feed("h", to_client);
    EXPECT_TRUE(relay.started());
    EXPECT_EQ(to_client, interim + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" +
                             std::string(kOurVia11) + "\r\n5;ext=1\r\nh");
    relay.feed("ello\r\n0\r\n\r\n", to_client);
    EXPECT_EQ(relay.state(), State::kDone);
    EXPECT_TRUE(to_client.ends_with("5;ext=1\r\nhello\r\n0\r\n\r\n")) << to_client;
}

TEST(ResponseRelayTest, ChunkedServerThatClosesBeforeAnyDataFailsBeforeStarting) {
    const auto out =
        relay("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n", {}, 0, true);
    EXPECT_EQ(out.state, State::kFailed);
    EXPECT_FALSE(out.started);
    EXPECT_TRUE(out.to_client.empty());
}

TEST(ResponseRelayTest, EmptyChunkedBodyStartsAtItsEnd) {
    const std::string body = "0\r\n\r\n";
    const auto out = relay("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_TRUE(out.started);
    EXPECT_TRUE(out.to_client.ends_with("\r\n\r\n" + body)) << out.to_client;
    EXPECT_EQ(out.body_bytes, 0u);
}

TEST(ResponseRelayTest, LengthHeadStartsAtOnce) {
    // Nothing in a Content-Length body can be malformed: its head goes out as soon as it is read.
    const auto out = relay("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(out.state, State::kBody);
    EXPECT_TRUE(out.started);
    EXPECT_TRUE(out.to_client.ends_with(std::string(kOurVia11) + "\r\n")) << out.to_client;
}

TEST(ResponseRelayTest, TenInterimResponsesAreRelayedAnEleventhFails) {
    std::string interims;
    for (int i = 0; i < ResponseRelay::kMaxInterimResponses; ++i)
        interims += "HTTP/1.1 102 Processing\r\n\r\n";
    const std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    const auto ten = relay(interims + final_response);
    EXPECT_EQ(ten.state, State::kDone);
    EXPECT_EQ(ten.status, 200);
    expect_same_in_pieces(interims + final_response);

    ResponseRelay eleven("GET", Version{1, 1}, true, kSelf);
    std::string to_client;
    eleven.feed(interims + "HTTP/1.1 103 Early Hints\r\n\r\n" + final_response, to_client);
    EXPECT_EQ(eleven.state(), State::kFailed);
    EXPECT_FALSE(eleven.started());
    EXPECT_EQ(eleven.error(), "too many interim responses");
    EXPECT_EQ(to_client.find("200 OK"), std::string::npos);
}

TEST(ResponseRelayTest, BodyBytesCountsWhatWentThrough) {
    ResponseRelay relay("GET", Version{1, 1}, true, kSelf);
    std::string to_client;
    relay.feed("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab", to_client);
    EXPECT_EQ(relay.body_bytes(), 2u);
    EXPECT_EQ(relay.state(), State::kBody);
    relay.feed("cd", to_client);
    EXPECT_EQ(relay.body_bytes(), 4u);
    relay.feed("efgh", to_client);
    EXPECT_EQ(relay.body_bytes(), 6u);
    EXPECT_EQ(relay.state(), State::kDone);
    EXPECT_TRUE(to_client.ends_with("\r\n\r\nabcdef")) << to_client;
}

TEST(ResponseRelayTest, ClientThatAskedToCloseIsClosed) {
    const auto out = relay("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                           Client{"GET", Version{1, 1}, false});
    EXPECT_EQ(out.state, State::kDone);
    EXPECT_FALSE(out.keep_alive);
    EXPECT_NE(out.to_client.find("Connection: close\r\n"), std::string::npos);
}

}  // namespace
}  // namespace web_proxy
