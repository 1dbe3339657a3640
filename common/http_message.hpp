// HTTP/1.1 message heads (RFC 9110, RFC 9112): a pure parser, bytes in, a request or a precise
// error out. No sockets; web_server and web_proxy both feed it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::http {

struct Header {
    std::string name;   // as received; compare with iequals
    std::string value;  // leading and trailing whitespace removed
};

// Header fields in arrival order; names matched exactly and case-insensitively.
class Headers {
  public:
    void add(std::string name, std::string value);
    // The value of the only (or first) field called `name`, or nullopt.
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
    // Every value of `name`, comma-separated lists split into their elements (RFC 9110 5.6.1).
    [[nodiscard]] std::vector<std::string_view> list(std::string_view name) const;
    // True when a list-valued field (Connection, Transfer-Encoding...) has `token` as an element.
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const;
    void remove(std::string_view name);
    [[nodiscard]] const std::vector<Header>& all() const { return fields_; }
    [[nodiscard]] std::size_t size() const { return fields_.size(); }

  private:
    std::vector<Header> fields_;
};

struct Version {
    int major = 1;
    int minor = 1;
    friend bool operator==(const Version&, const Version&) = default;
};

// How the body that follows a head is delimited (RFC 9112 section 6.3).
enum class BodyKind { kNone, kLength, kChunked, kUntilClose };

struct Request {
    std::string method;  // case-sensitive token, e.g. "GET"
    std::string target;  // as sent: "/path?query", "http://host/path", "host:443", "*"
    Version version;
    Headers headers;
    BodyKind body = BodyKind::kNone;
    std::uint64_t content_length = 0;  // with BodyKind::kLength
    bool keep_alive = true;  // what the client asked for (1.1 default; 1.0 needs keep-alive)
};

// Every way a request head can be wrong, with the status it earns.
enum class Status : int {
    kBadRequest = 400,
    kPayloadTooLarge = 413,
    kUriTooLong = 414,
    kHeadersTooLarge = 431,
    kNotImplemented = 501,
    kVersionNotSupported = 505,
};

struct ParseError {
    Status status;
    std::string reason;  // for the log and the error page: "invalid header name"
};

// Limits with the reply they trigger.
struct Limits {
    std::size_t max_request_line = 8 * 1024;  // -> 414 (or 400 when the method is to blame)
    std::size_t max_head_bytes = 16 * 1024;   // request line + headers -> 431
    std::size_t max_headers = 100;            // -> 431
};

// The outcome of parse_request_head().
struct HeadResult {
    enum class Kind { kNeedMore, kComplete, kError } kind = Kind::kNeedMore;
    std::size_t consumed = 0;  // with kComplete: bytes of the head, CRLFCRLF included
    Request request;           // with kComplete
    ParseError error{Status::kBadRequest, ""};  // with kError
};

// Parses one request head from the start of `bytes`. Lines may end in CRLF or a bare LF;
// empty lines before the request line are skipped (RFC 9112 2.2). Strict where it matters for
// safety: no whitespace before a header's colon, no obsolete line folding, no control bytes,
// Content-Length and Transfer-Encoding together -> 400, differing Content-Lengths -> 400, a
// Transfer-Encoding other than a final "chunked" -> 501 (or 400 when chunked is not last).
HeadResult parse_request_head(std::string_view bytes, const Limits& limits = {});

// A response head as an upstream server sent it (what web_proxy reads).
struct Response {
    Version version;
    int status = 0;      // 100..599
    std::string reason;  // may be empty
    Headers headers;
    BodyKind body = BodyKind::kNone;
    std::uint64_t content_length = 0;  // with BodyKind::kLength
    bool keep_alive = true;            // whether the server lets the connection be reused
};

// The outcome of parse_response_head(). Any error is the server's fault: a proxy answers 502.
struct ResponseHeadResult {
    enum class Kind { kNeedMore, kComplete, kError } kind = Kind::kNeedMore;
    std::size_t consumed = 0;  // with kComplete: bytes of the head, CRLFCRLF included
    Response response;         // with kComplete
    std::string error;         // with kError: "invalid status line"
};

// Parses one response head from the start of `bytes`, and decides how its body is delimited
// (RFC 9112 6.3) given the method of the request it answers: none after HEAD, for 1xx, 204 and
// 304, and for a 2xx to CONNECT; chunked when Transfer-Encoding ends in chunked (it overrides a
// Content-Length, and the connection closes after); until close for any other
// Transfer-Encoding or when neither field is there. Same line rules and limits as requests
// (max_request_line bounds the status line).
ResponseHeadResult parse_response_head(std::string_view bytes, std::string_view request_method,
                                       const Limits& limits = {});

// Where the head ends ("\r\n\r\n" or "\n\n", mixed ends allowed), searching from `from`;
// the offset just past it, or nullopt. Callers keep `from` to avoid rescanning: the blank line's
// first LF must be at or after `from`, so after a failed search of n bytes resume from n - 2
// (0 when n < 2), or an end split as "\n\r" | "\n" is missed.
std::optional<std::size_t> find_head_end(std::string_view bytes, std::size_t from = 0);

// Decodes a chunked body incrementally (RFC 9112 7.1). Pure: feed bytes, get data out.
class ChunkedDecoder {
  public:
    struct Result {
        std::size_t consumed = 0;  // input bytes used
        bool done = false;         // the last chunk and the trailers have been read
        bool error = false;        // malformed framing -> 400 and close
    };
    // Consumes what it can of `input`, appending body data to `out` (when not null).
    Result decode(std::string_view input, std::string* out);
    [[nodiscard]] std::uint64_t body_bytes() const { return body_bytes_; }

  private:
    // kSizeOws: whitespace after the size, before a ';' or the line end (added by web-helper).
    enum class State {
        kSize,
        kSizeOws,
        kSizeExtension,
        kSizeLf,
        kData,
        kDataCr,
        kDataLf,
        kTrailer,
        kDone
    };
    State state_ = State::kSize;
    std::uint64_t remaining_ = 0;
    std::uint64_t body_bytes_ = 0;
    std::size_t line_bytes_ = 0;  // of the current size or trailer line, for its limit
    bool size_digits_ = false;
    bool trailer_empty_line_ = true;
};

// The reason phrase for a status code ("Not Found").
std::string_view reason_phrase(int status);

// Token characters (RFC 9110 5.6.2): what a method or a header name is made of.
bool is_token(std::string_view text);

}  // namespace net::http
