// Response heads: the status line, the fields, and how the body is delimited.
#include "http_response.hpp"

#include <algorithm>

#include "ascii.hpp"
#include "http_reuse.hpp"

namespace net::http {
namespace {

using Result = HeadResult<Response>;

Result bad_response(std::string reason) {
    Result result;
    result.kind = HeadKind::kError;
    result.error = {Status::kBadGateway, std::move(reason)};
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

// RFC 9112 6.3, in its order. Sets `framing_in_doubt` when the body's end was chosen by
// Transfer-Encoding with a Content-Length beside it.
std::optional<std::string> decide_response_body(Response& response, std::string_view request_method,
                                                bool& framing_in_doubt) {
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
        framing_in_doubt = headers.count("Content-Length") > 0;
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
    return std::nullopt;
}

}  // namespace

HeadResult<Response> parse_response_head(std::string_view bytes, std::string_view request_method,
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

    Result result;
    Response& response = result.head;
    std::string_view rest = bytes.substr(0, *end);
    const auto status_line = next_line(rest);
    if (status_line.size() > limits.max_request_line) return bad_response("status line too long");
    if (!parse_status_line(status_line, response)) return bad_response("invalid status line");
    if (auto error = parse_field_lines(rest, limits, response.headers)) {
        return bad_response(std::move(error->reason));
    }
    bool framing_in_doubt = false;
    if (auto error = decide_response_body(response, request_method, framing_in_doubt)) {
        return bad_response(std::move(*error));
    }
    response.keep_alive =
        lets_reuse({.asks_to_close = asks_to_close(response.version, response.headers),
                    .body_until_close = response.body == BodyKind::kUntilClose,
                    .framing_in_doubt = framing_in_doubt});
    result.kind = HeadKind::kComplete;
    result.consumed = *end;
    return result;
}

}  // namespace net::http
