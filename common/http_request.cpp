// Request heads: the request line, the fields, Host, and how the body is delimited.
#include "http_request.hpp"

#include <algorithm>

#include "ascii.hpp"
#include "http_reuse.hpp"

namespace net::http {
namespace {

using Result = HeadResult<Request>;

// The request target: visible ASCII only (no spaces, controls or raw non-ASCII bytes).
bool is_valid_target(std::string_view target) {
    return !target.empty() && std::all_of(target.begin(), target.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f;
    });
}

// Host = uri-host [ ":" port ] (RFC 9110 7.2): a reg-name, IPv4 or [IPv6] literal, optional port.
// Empty is allowed (RFC 9112 3.2, for targets without an authority).
bool is_valid_host(std::string_view host) {
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return false;
        const auto literal = host.substr(1, close - 1);
        if (literal.empty() || !std::all_of(literal.begin(), literal.end(), [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                       c == ':' || c == '.';
            })) {
            return false;
        }
        host.remove_prefix(close + 1);
        if (host.empty()) return true;
        if (host.front() != ':') return false;
        host.remove_prefix(1);
        return std::all_of(host.begin(), host.end(), [](char c) { return c >= '0' && c <= '9'; });
    }
    const auto colon = host.find(':');
    const auto name = host.substr(0, colon);
    const bool name_ok = std::all_of(name.begin(), name.end(), [](char c) {
        // unreserved / pct-encoded / sub-delims
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
    });
    if (!name_ok) return false;
    if (colon == std::string_view::npos) return true;
    const auto port = host.substr(colon + 1);
    return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result fail(Status status, std::string reason) {
    Result result;
    result.kind = HeadKind::kError;
    result.error = {status, std::move(reason)};
    return result;
}

std::optional<Result> parse_request_line(std::string_view line, const Limits& limits,
                                         Request& request) {
    const auto first_space = line.find(' ');
    const auto last_space = line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == last_space) {
        if (line.size() > limits.max_request_line)
            return fail(Status::kUriTooLong, "request line too long");
        return fail(Status::kBadRequest, "malformed request line");
    }
    const auto method = line.substr(0, first_space);
    const auto target = line.substr(first_space + 1, last_space - first_space - 1);
    const auto version_text = line.substr(last_space + 1);
    if (!is_token(method)) return fail(Status::kBadRequest, "invalid method");
    if (line.size() > limits.max_request_line)
        return fail(Status::kUriTooLong, "request target too long");
    if (!is_valid_target(target)) return fail(Status::kBadRequest, "invalid request target");
    const auto version = parse_version(version_text);
    if (!version) return fail(Status::kBadRequest, "invalid HTTP version");
    if (version->major != 1)
        return fail(Status::kVersionNotSupported, "HTTP version not supported");
    request.method = std::string(method);
    request.target = std::string(target);
    request.version = *version;
    return std::nullopt;
}

// Decides how the body is delimited, refusing every ambiguity a smuggler could use.
std::optional<Result> decide_body(Request& request) {
    const Headers& headers = request.headers;
    const bool has_te = headers.count("Transfer-Encoding") > 0;
    const bool has_cl = headers.count("Content-Length") > 0;
    if (has_te && has_cl) {
        return fail(Status::kBadRequest, "both Content-Length and Transfer-Encoding");
    }
    if (has_te) {
        // Checked before the codings, so any Transfer-Encoding in 1.0 ("gzip, chunked" too) is
        // 400, not 501. RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing.
        if (request.version.minor == 0) {
            return fail(Status::kBadRequest, "Transfer-Encoding in an HTTP/1.0 request");
        }
        const auto codings = headers.list("Transfer-Encoding");
        if (codings.empty() || !iequals(codings.back(), "chunked")) {
            return fail(Status::kBadRequest, "chunked is not the final transfer coding");
        }
        if (std::count_if(codings.begin(), codings.end(),
                          [](std::string_view c) { return iequals(c, "chunked"); }) > 1) {
            // RFC 9112 7: a sender must not apply chunked more than once.
            return fail(Status::kBadRequest, "chunked applied more than once");
        }
        if (codings.size() > 1) {
            return fail(Status::kNotImplemented, "unsupported transfer coding");
        }
        request.body = BodyKind::kChunked;
        return std::nullopt;
    }
    if (has_cl) {
        std::string_view why;
        const auto length = content_length(headers, why);
        if (!length) return fail(Status::kBadRequest, std::string(why));
        request.content_length = *length;
        request.body = *length > 0 ? BodyKind::kLength : BodyKind::kNone;
    }
    return std::nullopt;
}

}  // namespace

HeadResult<Request> parse_request_head(std::string_view bytes, const Limits& limits) {
    // RFC 9112 2.2: ignore empty lines received before the request line.
    std::size_t skipped = 0;
    while (skipped < bytes.size() && (bytes[skipped] == '\r' || bytes[skipped] == '\n'))
        ++skipped;
    const std::string_view head_bytes = bytes.substr(skipped);

    const auto first_lf = head_bytes.find('\n');
    // The request line is measured without the CR that precedes (or may yet precede) its LF,
    // so a line of exactly max_request_line bytes passes whether it arrives whole or a byte at a
    // time; a too-long line is refused at once, not after the rest of the head (where a 431
    // would hide the 414).
    std::string_view first_line = head_bytes.substr(0, first_lf);
    if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
    if (first_line.size() > limits.max_request_line) {
        Request ignored;
        if (first_lf != std::string_view::npos) {
            if (auto error = parse_request_line(first_line, limits, ignored)) return *error;
        }
        return fail(Status::kUriTooLong, "request line too long");
    }
    // The blank line may directly follow the request line: search from just before it.
    const auto end = first_lf == std::string_view::npos
                         ? std::nullopt
                         : find_head_end(head_bytes, first_lf > 0 ? first_lf - 1 : 0);
    // The skipped empty lines count toward the limit too: a client sending CRLFs forever gets
    // 431, not kNeedMore forever while the caller buffers them all.
    if (!end) {
        if (bytes.size() > limits.max_head_bytes) {
            return fail(Status::kHeadersTooLarge, "request header fields too large");
        }
        return {};
    }
    if (skipped + *end > limits.max_head_bytes) {
        return fail(Status::kHeadersTooLarge, "request header fields too large");
    }

    Result result;
    Request& request = result.head;
    std::string_view rest = head_bytes.substr(0, *end);
    if (auto error = parse_request_line(next_line(rest), limits, request)) return *error;

    if (auto error = parse_field_lines(rest, limits, request.headers)) {
        return fail(error->status, std::move(error->reason));
    }

    // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host.
    const auto hosts = request.headers.count("Host");
    if (hosts > 1 || (hosts == 0 && request.version.minor >= 1)) {
        return fail(Status::kBadRequest, hosts > 1 ? "several Host fields" : "no Host field");
    }
    if (const auto host = request.headers.get("Host"); host && !is_valid_host(*host)) {
        return fail(Status::kBadRequest, "invalid Host");
    }
    if (auto error = decide_body(request)) return *error;

    request.keep_alive =
        lets_reuse({.asks_to_close = asks_to_close(request.version, request.headers)});
    result.kind = HeadKind::kComplete;
    result.consumed = skipped + *end;
    return result;
}

}  // namespace net::http
