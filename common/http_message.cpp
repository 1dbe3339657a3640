// HTTP/1.1 request heads and chunked bodies, parsed without sockets.
#include "http_message.hpp"

#include <algorithm>
#include <charconv>

#include "ascii.hpp"

namespace net::http {
namespace {

constexpr std::size_t kMaxChunkLine = 4096;     // chunk-size line with extensions -> 400
constexpr std::size_t kMaxTrailerBytes = 8192;  // all trailer fields together -> 400
constexpr std::uint64_t kMaxChunkSize = std::uint64_t{1} << 60;

constexpr bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

constexpr bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && is_ows(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_ows(text.back()))
        text.remove_suffix(1);
    return text;
}

// A field value may hold visible characters, spaces, tabs and obs-text; never NUL, CR, LF or
// other controls (RFC 9110 5.5): those are how header injection and smuggling begin.
bool is_valid_field_value(std::string_view value) {
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

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

HeadResult fail(Status status, std::string reason) {
    HeadResult result;
    result.kind = HeadResult::Kind::kError;
    result.error = {status, std::move(reason)};
    return result;
}

// Splits off the next line (without its LF or CRLF); `rest` moves past it.
std::string_view next_line(std::string_view& rest) {
    const auto lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::optional<Version> parse_version(std::string_view text) {
    // HTTP-version = "HTTP/" DIGIT "." DIGIT
    if (text.size() != 8 || !text.starts_with("HTTP/") || text[6] != '.') return std::nullopt;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!digit(text[5]) || !digit(text[7])) return std::nullopt;
    return Version{text[5] - '0', text[7] - '0'};
}

std::optional<HeadResult> parse_request_line(std::string_view line, const Limits& limits,
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

// Reads the header field lines of `rest` (up to the blank line) into `headers`.
std::optional<ParseError> parse_fields(std::string_view rest, const Limits& limits,
                                       Headers& headers) {
    for (std::string_view line = next_line(rest); !line.empty(); line = next_line(rest)) {
        if (is_ows(line.front())) return ParseError{Status::kBadRequest, "obsolete line folding"};
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return ParseError{Status::kBadRequest, "header without colon"};
        const auto name = line.substr(0, colon);
        if (!is_token(name)) return ParseError{Status::kBadRequest, "invalid header name"};
        const auto value = trim_ows(line.substr(colon + 1));
        if (!is_valid_field_value(value))
            return ParseError{Status::kBadRequest, "invalid header value"};
        if (headers.size() >= limits.max_headers) {
            return ParseError{Status::kHeadersTooLarge, "too many header fields"};
        }
        headers.add(std::string(name), std::string(value));
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || text.front() == '+') return std::nullopt;
    return value;
}

// The one value of the Content-Length fields (several equal values are one, RFC 9110 8.6);
// nullopt with `why` when one is malformed or they differ.
std::optional<std::uint64_t> content_length(const Headers& headers, std::string_view& why) {
    std::optional<std::uint64_t> length;
    for (const auto value : headers.list("Content-Length")) {
        const auto parsed = parse_decimal(value);
        if (!parsed) {
            why = "invalid Content-Length";
            return std::nullopt;
        }
        if (length && *length != *parsed) {
            why = "differing Content-Length values";
            return std::nullopt;
        }
        length = parsed;
    }
    if (!length) why = "invalid Content-Length";
    return length;
}

// Decides how the body is delimited, refusing every ambiguity a smuggler could use.
std::optional<HeadResult> decide_body(Request& request) {
    const Headers& headers = request.headers;
    const bool has_te = headers.count("Transfer-Encoding") > 0;
    const bool has_cl = headers.count("Content-Length") > 0;
    if (has_te && has_cl) {
        return fail(Status::kBadRequest, "both Content-Length and Transfer-Encoding");
    }
    if (has_te) {
        // Fix (web-helper): checked first, so "gzip, chunked" in 1.0 is 400 too, not 501.
        if (request.version.minor == 0) {
            // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; close after.
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

// ---------------------------------------------------------------------------- Headers

void Headers::add(std::string name, std::string value) {
    fields_.push_back({std::move(name), std::move(value)});
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& field : fields_) {
        if (iequals(field.name, name)) return std::string_view(field.value);
    }
    return std::nullopt;
}

std::size_t Headers::count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(
        fields_.begin(), fields_.end(), [&](const Header& f) { return iequals(f.name, name); }));
}

std::vector<std::string_view> Headers::list(std::string_view name) const {
    std::vector<std::string_view> items;
    for (const auto& field : fields_) {
        if (!iequals(field.name, name)) continue;
        std::string_view rest = field.value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto item = trim_ows(rest.substr(0, comma));
            if (!item.empty()) items.push_back(item);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return items;
}

bool Headers::has_token(std::string_view name, std::string_view token) const {
    const auto items = list(name);
    return std::any_of(items.begin(), items.end(),
                       [&](std::string_view item) { return iequals(item, token); });
}

void Headers::remove(std::string_view name) {
    std::erase_if(fields_, [&](const Header& f) { return iequals(f.name, name); });
}

// ---------------------------------------------------------------------------- request heads

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
}

std::optional<std::size_t> find_head_end(std::string_view bytes, std::size_t from) {
    // Look for LF (CR)? LF: the blank line that ends the head, whatever the line ends were.
    for (auto lf = bytes.find('\n', from); lf != std::string_view::npos;
         lf = bytes.find('\n', lf + 1)) {
        std::size_t next = lf + 1;
        if (next < bytes.size() && bytes[next] == '\r') ++next;
        if (next < bytes.size() && bytes[next] == '\n') return next + 1;
    }
    return std::nullopt;
}

HeadResult parse_request_head(std::string_view bytes, const Limits& limits) {
    // RFC 9112 2.2: ignore empty lines received before the request line.
    std::size_t skipped = 0;
    while (skipped < bytes.size() && (bytes[skipped] == '\r' || bytes[skipped] == '\n'))
        ++skipped;
    const std::string_view head_bytes = bytes.substr(skipped);

    const auto first_lf = head_bytes.find('\n');
    // Fix (web-helper): measure the request line without the CR that precedes (or may yet
    // precede) its LF, so a line of exactly max_request_line bytes passes whether it arrives
    // whole or a byte at a time; and refuse a too-long complete line at once rather than wait
    // for the rest of the head (then 431 would hide the 414).
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
    // Fix (web-helper): the skipped empty lines count toward the limit too; before, a client
    // sending CRLFs forever got kNeedMore forever and the caller buffered them all.
    if (!end) {
        if (bytes.size() > limits.max_head_bytes) {
            return fail(Status::kHeadersTooLarge, "request header fields too large");
        }
        return {};
    }
    if (skipped + *end > limits.max_head_bytes) {
        return fail(Status::kHeadersTooLarge, "request header fields too large");
    }

    HeadResult result;
    Request& request = result.request;
    std::string_view rest = head_bytes.substr(0, *end);
    if (auto error = parse_request_line(next_line(rest), limits, request)) return *error;

    if (auto error = parse_fields(rest, limits, request.headers)) {
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

    if (request.version.minor == 0) {
        request.keep_alive = request.headers.has_token("Connection", "keep-alive");
    } else {
        request.keep_alive = !request.headers.has_token("Connection", "close");
    }
    result.kind = HeadResult::Kind::kComplete;
    result.consumed = skipped + *end;
    return result;
}

// ---------------------------------------------------------------------------- response heads

namespace {

ResponseHeadResult bad_response(std::string reason) {
    ResponseHeadResult result;
    result.kind = ResponseHeadResult::Kind::kError;
    result.error = std::move(reason);
    return result;
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ]
bool parse_status_line(std::string_view line, Response& response) {
    if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) return false;
    const auto version = parse_version(line.substr(0, 8));
    if (!version || version->major != 1) return false;
    const auto code = line.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        code[0] < '1' || code[0] > '5') {
        return false;
    }
    const auto reason = line.size() > 13 ? line.substr(13) : std::string_view{};
    if (!is_valid_field_value(reason)) return false;
    response.version = *version;
    response.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    response.reason = std::string(reason);
    return true;
}

// RFC 9112 6.3, in its order.
std::optional<std::string> decide_response_body(Response& response,
                                                std::string_view request_method) {
    const Headers& headers = response.headers;
    const int status = response.status;
    if (request_method == "HEAD" || status < 200 || status == 204 || status == 304) {
        response.body = BodyKind::kNone;
        return std::nullopt;
    }
    if (request_method == "CONNECT" && status < 300) {
        response.body = BodyKind::kNone;
        return std::nullopt;
    }
    if (headers.count("Transfer-Encoding") > 0) {
        const auto codings = headers.list("Transfer-Encoding");
        const bool chunked_last =
            !codings.empty() && iequals(codings.back(), "chunked") && response.version.minor >= 1;
        response.body = chunked_last ? BodyKind::kChunked : BodyKind::kUntilClose;
        // With a Content-Length beside it the message may be a smuggling attempt: the
        // connection is not reused (RFC 9112 6.1).
        if (headers.count("Content-Length") > 0 || !chunked_last) response.keep_alive = false;
        return std::nullopt;
    }
    if (headers.count("Content-Length") > 0) {
        std::string_view why;
        const auto length = content_length(headers, why);
        if (!length) return std::string(why);
        response.body = BodyKind::kLength;
        response.content_length = *length;
        return std::nullopt;
    }
    response.body = BodyKind::kUntilClose;
    response.keep_alive = false;
    return std::nullopt;
}

}  // namespace

ResponseHeadResult parse_response_head(std::string_view bytes, std::string_view request_method,
                                       const Limits& limits) {
    const auto first_lf = bytes.find('\n');
    if (first_lf == std::string_view::npos) {
        if (bytes.size() > limits.max_request_line) return bad_response("status line too long");
        return {};
    }
    const auto end = find_head_end(bytes, first_lf > 0 ? first_lf - 1 : 0);
    if (!end) {
        if (bytes.size() > limits.max_head_bytes) return bad_response("response head too large");
        return {};
    }
    if (*end > limits.max_head_bytes) return bad_response("response head too large");

    ResponseHeadResult result;
    Response& response = result.response;
    std::string_view rest = bytes.substr(0, *end);
    const auto status_line = next_line(rest);
    if (status_line.size() > limits.max_request_line) return bad_response("status line too long");
    if (!parse_status_line(status_line, response)) return bad_response("invalid status line");
    if (auto error = parse_fields(rest, limits, response.headers)) {
        return bad_response(std::move(error->reason));
    }
    if (response.version.minor == 0) {
        response.keep_alive = response.headers.has_token("Connection", "keep-alive");
    } else {
        response.keep_alive = !response.headers.has_token("Connection", "close");
    }
    if (auto error = decide_response_body(response, request_method)) {
        return bad_response(std::move(*error));
    }
    result.kind = ResponseHeadResult::Kind::kComplete;
    result.consumed = *end;
    return result;
}

// ---------------------------------------------------------------------------- chunked bodies

ChunkedDecoder::Result ChunkedDecoder::decode(std::string_view input, std::string* out) {
    Result result;
    std::size_t i = 0;
    const auto error = [&] {
        result.consumed = i;
        result.error = true;
        return result;
    };
    while (i < input.size() && state_ != State::kDone) {
        const char c = input[i];
        switch (state_) {
            case State::kSize: {
                int digit = -1;
                if (c >= '0' && c <= '9')
                    digit = c - '0';
                else if (c >= 'a' && c <= 'f')
                    digit = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                    digit = c - 'A' + 10;
                if (digit >= 0) {
                    // Fix (web-helper): was `remaining_ > kMaxChunkSize`, which let 2^60 * 16
                    // wrap to 0 ("10000000000000000" read as the last chunk: a smuggling
                    // vector) and admitted sizes up to 2^64-1. Now every size is < 2^60.
                    if (remaining_ >= kMaxChunkSize / 16) return error();
                    remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
                    size_digits_ = true;
                } else if (!size_digits_) {
                    return error();
                } else if (c == ';') {
                    state_ = State::kSizeExtension;
                } else if (is_ows(c)) {
                    // Fix (web-helper): was straight to kSizeExtension, so "5 6" or "5 x" read
                    // as size 5; chunk-ext allows only BWS before its ';' (RFC 9112 7.1.1).
                    state_ = State::kSizeOws;
                } else if (c == '\r') {
                    state_ = State::kSizeLf;
                } else if (c == '\n') {
                    state_ = State::kSizeLf;
                    continue;  // handle the LF in kSizeLf
                } else {
                    return error();
                }
                if (++line_bytes_ > kMaxChunkLine) return error();
                ++i;
                break;
            }
            case State::kSizeOws:
                if (c == ';') {
                    state_ = State::kSizeExtension;
                } else if (c == '\r' || c == '\n') {
                    state_ = State::kSizeLf;
                    if (c == '\n') continue;
                } else if (!is_ows(c)) {
                    return error();
                }
                if (++line_bytes_ > kMaxChunkLine) return error();
                ++i;
                break;
            case State::kSizeExtension:
                if (c == '\r' || c == '\n') {
                    state_ = State::kSizeLf;
                    if (c == '\n') continue;
                } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
                    return error();
                }
                if (++line_bytes_ > kMaxChunkLine) return error();
                ++i;
                break;
            case State::kSizeLf:
                if (c != '\n') return error();
                ++i;
                line_bytes_ = 0;
                size_digits_ = false;
                state_ = remaining_ == 0 ? State::kTrailer : State::kData;
                trailer_empty_line_ = true;
                break;
            case State::kData: {
                const auto take =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - i));
                if (out != nullptr) out->append(input.substr(i, take));
                i += take;
                remaining_ -= take;
                body_bytes_ += take;
                if (remaining_ == 0) state_ = State::kDataCr;
                break;
            }
            case State::kDataCr:
                if (c == '\r') {
                    state_ = State::kDataLf;
                    ++i;
                } else if (c == '\n') {
                    state_ = State::kDataLf;
                } else {
                    return error();
                }
                break;
            case State::kDataLf:
                if (c != '\n') return error();
                ++i;
                state_ = State::kSize;
                break;
            case State::kTrailer:
                // Trailer fields are read and dropped; an empty line ends the message.
                if (c == '\n') {
                    if (trailer_empty_line_) {
                        state_ = State::kDone;
                    }
                    trailer_empty_line_ = true;
                } else if (c != '\r') {
                    trailer_empty_line_ = false;
                }
                if (++line_bytes_ > kMaxTrailerBytes) return error();
                ++i;
                break;
            case State::kDone:
                break;
        }
    }
    result.consumed = i;
    result.done = state_ == State::kDone;
    return result;
}

// ---------------------------------------------------------------------------- reason phrases

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 407:
            return "Proxy Authentication Required";
        case 408:
            return "Request Timeout";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 416:
            return "Range Not Satisfiable";
        case 417:
            return "Expectation Failed";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        case 508:
            return "Loop Detected";
        default:
            return "Unknown";
    }
}

}  // namespace net::http
