// Following HTTP messages through the proxy as bytes arrive: where a body ends in a stream
// (BodyCursor) and how a server's response turns into what the client gets (ResponseRelay).
// Pure: bytes in, bytes and states out; the connection code only moves them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/http_chunked.hpp"
#include "common/http_head.hpp"
#include "common/http_response.hpp"
#include "proxy_rules.hpp"

namespace web_proxy {

// One message body as framed by `kind` (RFC 9112 6.3). take() passes on the bytes that belong to
// the body, raw (a relay keeps the framing) or, with `decode_chunks`, as the decoded data.
class BodyCursor {
  public:
    BodyCursor(net::http::BodyKind kind, std::uint64_t length, bool decode_chunks = false);

    struct Step {
        std::size_t consumed = 0;  // bytes of the input that belonged to the body
        bool error = false;        // malformed chunked framing
    };
    // Consumes the body's part of `bytes`, appending what goes on to `out`.
    Step take(std::string_view bytes, std::string& out);
    // The whole body has gone through (never, for a body that ends with the connection).
    [[nodiscard]] bool done() const { return done_; }
    [[nodiscard]] bool until_close() const { return kind_ == net::http::BodyKind::kUntilClose; }
    // Body bytes seen so far (decoded data for chunked bodies).
    [[nodiscard]] std::uint64_t body_bytes() const;

  private:
    net::http::BodyKind kind_;
    std::uint64_t remaining_;
    bool decode_chunks_;
    bool done_;
    std::uint64_t raw_bytes_ = 0;
    net::http::ChunkedDecoder chunked_;
};

// A request body on its way to the server, re-framed so that the server reads exactly the body
// the proxy read, whatever the client sent: a server connection that is pooled and reused must
// never see the end of a body somewhere else than the proxy did (request smuggling).
//   - Content-Length: the bytes pass as they are (there is no framing inside to disagree on).
//   - chunked: decoded by ChunkedDecoder and sent again as canonical chunks: "<hex size>\r\n"
//     <data> "\r\n" for the data of each take(), then "0\r\n\r\n". The rule: what ChunkedDecoder
//     accepts is accepted, and only the canonical form goes on. Beyond the RFC 9112 7.1 grammar
//     it accepts a bare LF for any CRLF, whitespace between the size and the line end or ';'
//     ("5 \r\n"), leading zeros, extension text of any bytes but controls other than tab, and
//     trailer lines of any text (8 KiB in all); none of that reaches the server. It refuses
//     (take() reports an error: 400, close) a size line without hex digits or with junk after
//     the size ("5 6", "5x", "0x5"), a size of 2^60 or more, a CR not followed by LF after a
//     size line or chunk data, data followed by anything but a line end, and a size line over
//     4 KiB. Chunk extensions are dropped (RFC 9112 7.1.1: a recipient must ignore the ones it
//     does not know, and the proxy knows none), and so are trailer fields (7.1.2: a recipient
//     that removes the chunked coding may discard them).
// After an error nothing more goes out: the body sent so far is incomplete, so the server
// connection must be closed, never reused.
class RequestBodyRelay {
  public:
    RequestBodyRelay(net::http::BodyKind kind, std::uint64_t length);

    using Step = BodyCursor::Step;
    // Consumes the body's part of `bytes`, appending what goes to the server to `out`.
    Step take(std::string_view bytes, std::string& out);
    [[nodiscard]] bool done() const { return cursor_.done(); }
    // Body bytes seen so far (decoded data for chunked bodies).
    [[nodiscard]] std::uint64_t body_bytes() const { return cursor_.body_bytes(); }

  private:
    bool chunked_;
    bool failed_ = false;
    BodyCursor cursor_;
    std::string data_;  // decoded data of the current take(), before its chunk line
};

// A server's answer to one request, turned into what the client gets: interim 1xx heads passed
// to HTTP/1.1 clients, the final head rewritten (client_response_head), the body as framed.
// A server that sends more than kMaxInterimResponses interim responses fails the relay.
class ResponseRelay {
  public:
    ResponseRelay(std::string request_method, net::http::Version client_version,
                  bool client_keep_alive, Identity self);

    enum class State { kHead, kBody, kDone, kFailed };

    // What the caller (the cache) makes of the final head before any of it goes to the client.
    struct HeadDecision {
        std::string extra_fields;  // complete field lines ("Cache-Status: ...\r\n") to add
        // Keep the body's data (decoded) as it passes, up to `capture_limit` bytes; past that
        // the capture is dropped.
        bool capture = false;
        std::size_t capture_limit = 0;
        // Send nothing of this response to the client (a 304 the cache answers for itself).
        bool withhold = false;
    };
    using HeadHook = std::function<HeadDecision(const net::http::Response&)>;
    // Called once, with the final response head, before it is given out.
    void on_final_head(HeadHook hook) { head_hook_ = std::move(hook); }

    // Takes bytes from the server, appending what the client should get to `to_client`.
    // Bytes after the end of the response are not relayed; overran() tells they came.
    void feed(std::string_view bytes, std::string& to_client);
    // The server closed its side: the end of an until-close body, a failure otherwise.
    void server_closed();

    // Interim (1xx) responses to one request before the final one; one more fails the relay
    // ("too many interim responses" -> 502): a server must not keep the exchange waiting on
    // an endless stream of them.
    static constexpr int kMaxInterimResponses = 10;

    [[nodiscard]] State state() const { return state_; }
    // True once any byte of the final response has been appended to `to_client`: after that a
    // failure can only cut the response short; before it, the caller may still answer with an
    // error of its own (502, 504), and `to_client` holds nothing but whole interim responses.
    // For a body of known length or one that ends with the connection, the final head is given
    // out as soon as it is read. For a chunked body it is held back until the first byte of
    // chunk data arrives or the body ends (an empty one): so a bad first chunk-size line, or a
    // server that closes or stalls before any data, fails before anything was started. Only the
    // bytes decide, never how they were split between feed() calls.
    [[nodiscard]] bool started() const { return started_; }
    // After kDone: whether the client connection stays open.
    [[nodiscard]] bool keep_alive() const { return framing_.keep_alive; }
    [[nodiscard]] int status() const { return response_.status; }
    // The final response head as the server sent it (after kHead).
    [[nodiscard]] const net::http::Response& response() const { return response_; }
    // The body's data kept so far, while the capture asked for by the head hook holds.
    [[nodiscard]] bool capturing() const { return capture_; }
    [[nodiscard]] std::string take_captured() { return std::move(captured_); }
    // The head hook withheld the response: nothing of it went to the client.
    [[nodiscard]] bool withheld() const { return withhold_; }
    // Whether any byte came from the server (a reused connection that fails before one did
    // may be retried).
    [[nodiscard]] bool received_any() const { return received_any_; }
    // The server sent bytes past the end of its response: its connection cannot be reused.
    [[nodiscard]] bool overran() const { return overran_; }
    // The server's own wish about its connection (Connection: close, HTTP/1.0).
    [[nodiscard]] bool server_keep_alive() const { return response_.keep_alive; }
    // The body ends when the server closes.
    [[nodiscard]] bool until_close() const { return body_.until_close(); }
    [[nodiscard]] std::uint64_t body_bytes() const { return body_.body_bytes(); }
    // With kFailed: what the server did wrong ("invalid status line").
    [[nodiscard]] const std::string& error() const { return error_; }

  private:
    void feed_head(std::string_view bytes, std::string& to_client);
    void feed_body(std::string_view bytes, std::string& to_client);
    // Gives out the held final head (and framing): the response has begun.
    void start(std::string& to_client);
    // Keeps the data of the body bytes just taken (`raw`, and what take() appended to
    // `appended`).
    void capture(std::string_view raw, std::string_view appended);
    void fail(std::string why);

    std::string method_;
    net::http::Version client_version_;
    bool client_keep_alive_;
    Identity self_;
    State state_ = State::kHead;
    bool started_ = false;
    bool received_any_ = false;
    bool overran_ = false;
    std::string head_;  // the head so far
    std::string held_;  // the final head and chunked framing, while not yet started
    int interim_responses_ = 0;
    net::http::Response response_;
    ClientFraming framing_;
    BodyCursor body_{net::http::BodyKind::kNone, 0};
    std::string error_;
    HeadHook head_hook_;
    bool capture_ = false;
    std::size_t capture_limit_ = 0;
    std::string captured_;
    net::http::ChunkedDecoder capture_decoder_;  // a chunked body relayed with its framing
    bool withhold_ = false;
    std::string withheld_bytes_;  // where a withheld response's bytes go (and are dropped)
};

}  // namespace web_proxy
