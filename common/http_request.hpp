// HTTP/1.1 request heads (RFC 9112 3, RFC 9110): a pure parser, bytes in, a request or a precise
// error with the status it earns out. web_server and web_proxy both feed it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http_fields.hpp"
#include "http_head.hpp"

namespace net::http {

struct Request {
    std::string method;  // case-sensitive token, e.g. "GET"
    std::string target;  // as sent: "/path?query", "http://host/path", "host:443", "*"
    Version version;
    Headers headers;
    BodyKind body = BodyKind::kNone;
    std::uint64_t content_length = 0;  // with BodyKind::kLength
    // What the client asked for: the head does not ask to close (see http_reuse.hpp).
    bool keep_alive = true;
};

// Parses one request head from the start of `bytes`. Lines may end in CRLF or a bare LF;
// empty lines before the request line are skipped (RFC 9112 2.2). Strict where it matters for
// safety: no whitespace before a header's colon, no obsolete line folding, no control bytes,
// Content-Length and Transfer-Encoding together -> 400, differing Content-Lengths -> 400, a
// Transfer-Encoding other than a final "chunked" -> 501 (or 400 when chunked is not last).
HeadResult<Request> parse_request_head(std::string_view bytes, const Limits& limits = {});

}  // namespace net::http
