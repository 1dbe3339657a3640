// What request and response heads share (RFC 9112 2-5): the version, how a body is delimited,
// the limits a head is read under, the one result both head parsers return, and the line and
// field steps both take. Pure: no sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http_fields.hpp"
#include "http_status.hpp"

namespace net::http {

struct Version {
    int major = 1;
    int minor = 1;
    friend bool operator==(const Version&, const Version&) = default;
};

// How the body that follows a head is delimited (RFC 9112 section 6.3).
enum class BodyKind { kNone, kLength, kChunked, kUntilClose };

// Limits with the reply they trigger (for a response head, every one is a 502).
struct Limits {
    std::size_t max_request_line =
        8 * 1024;  // request or status line -> 414 (400 if the method is to blame)
    std::size_t max_head_bytes = 16 * 1024;  // start line + headers -> 431
    std::size_t max_headers = 100;           // -> 431
};

struct ParseError {
    Status status;
    std::string reason;  // for the log and the error page: "invalid header name"
};

// How far a head parser got.
enum class HeadKind { kNeedMore, kComplete, kError };

// The outcome of parse_request_head() (Head = Request) and parse_response_head() (Response).
template <typename Head>
struct HeadResult {
    using Kind = HeadKind;
    Kind kind = Kind::kNeedMore;
    std::size_t consumed = 0;  // with kComplete: bytes of the head, CRLFCRLF included
    Head head;                 // with kComplete
    ParseError error{Status::kBadRequest, ""};  // with kError
};

// Where the head ends ("\r\n\r\n" or "\n\n", mixed ends allowed), searching from `from`;
// the offset just past it, or nullopt. Callers keep `from` to avoid rescanning: the blank line's
// first LF must be at or after `from`, so after a failed search of n bytes resume from n - 2
// (0 when n < 2), or an end split as "\n\r" | "\n" is missed.
std::optional<std::size_t> find_head_end(std::string_view bytes, std::size_t from = 0);

// Splits off the next line of a head (without its LF or CRLF); `rest` moves past it.
std::string_view next_line(std::string_view& rest);

// HTTP-version = "HTTP/" DIGIT "." DIGIT; nullopt for anything else.
std::optional<Version> parse_version(std::string_view text);

// Reads the header field lines of `rest` (up to the blank line) into `headers`. Strict where it
// matters for safety: no obsolete line folding, no whitespace before the colon, token names, no
// control bytes in values; more than limits.max_headers fields -> 431.
std::optional<ParseError> parse_field_lines(std::string_view rest, const Limits& limits,
                                            Headers& headers);

// The one value of the Content-Length fields (several equal values are one, RFC 9110 8.6);
// nullopt with `why` when there is none, one is malformed or they differ.
std::optional<std::uint64_t> content_length(const Headers& headers, std::string_view& why);

}  // namespace net::http
