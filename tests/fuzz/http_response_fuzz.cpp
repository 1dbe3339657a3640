// libFuzzer target for the response head parser (what web_proxy reads from upstream servers).
// The first byte picks the request method the response answers and the limits; the rest is
// the server's bytes. Checks:
// - a complete head is complete (and the same) in exactly its own bytes, and no shorter prefix
//   completes; it never exceeds the limits;
// - RFC 9112 6.3: no body after HEAD, 1xx, 204, 304 or a 2xx to CONNECT; chunked only when
//   Transfer-Encoding ends in it on HTTP/1.1; a length only from Content-Length without
//   Transfer-Encoding; a connection whose body ends at close, or whose framing is in doubt, is
//   never reused;
// - written back out (status line, fields), the head parses to the same response.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "common/http_response.hpp"
#include "tests/fuzz/check.hpp"
#include "tests/fuzz/http_text.hpp"

namespace {

using fuzz::check;
using net::http::BodyKind;
using net::http::HeadKind;

constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "CONNECT"};

void check_framing(const net::http::Response& response, std::string_view method) {
    const auto& headers = response.headers;
    const int status = response.status;
    const bool bodiless = method == "HEAD" || status < 200 || status == 204 || status == 304 ||
                          (method == "CONNECT" && status < 300);
    if (bodiless) check(response.body == BodyKind::kNone);
    if (!bodiless) check(response.body != BodyKind::kNone);
    const bool has_te = headers.count("Transfer-Encoding") > 0;
    const bool has_cl = headers.count("Content-Length") > 0;
    switch (response.body) {
        case BodyKind::kNone:
            break;
        case BodyKind::kChunked: {
            const auto codings = headers.list("Transfer-Encoding");
            check(!codings.empty() && net::iequals(codings.back(), "chunked"));
            check(response.version.minor >= 1);
            break;
        }
        case BodyKind::kLength:
            check(has_cl && !has_te);
            break;
        case BodyKind::kUntilClose:
            check(has_te || !has_cl);
            check(!response.keep_alive);
            break;
    }
    if (!bodiless && has_te && has_cl) check(!response.keep_alive);
    if (headers.has_token("Connection", "close")) check(!response.keep_alive);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view method = kMethods[data[0] % 4];
    net::http::Limits limits;
    if ((data[0] & 4) != 0) {
        limits.max_request_line = 64;  // small limits reach the limit paths with small inputs
        limits.max_head_bytes = 256;
        limits.max_headers = 4;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto parsed = net::http::parse_response_head(bytes, method, limits);
    if (parsed.kind == HeadKind::kError) {
        check(parsed.error.status == net::http::Status::kBadGateway);
        check(!parsed.error.reason.empty());
        return 0;
    }
    if (parsed.kind == HeadKind::kNeedMore) {
        check(bytes.size() <= limits.max_head_bytes);
        return 0;
    }
    const auto& response = parsed.head;
    check(parsed.consumed > 0 && parsed.consumed <= bytes.size());
    check(parsed.consumed <= limits.max_head_bytes);
    check(response.headers.size() <= limits.max_headers);
    const auto exact =
        net::http::parse_response_head(bytes.substr(0, parsed.consumed), method, limits);
    check(exact.kind == HeadKind::kComplete && exact.consumed == parsed.consumed);
    const auto shorter =
        net::http::parse_response_head(bytes.substr(0, parsed.consumed - 1), method, limits);
    check(shorter.kind == HeadKind::kNeedMore);

    check(response.version.major == 1);
    check(response.status >= 100 && response.status <= 599);
    check(net::http::is_valid_field_value(response.reason));
    check_framing(response, method);

    // Parse, write, parse: the same response.
    std::string text = fuzz::version_text(response.version) + " " +
                       std::to_string(response.status) + " " + response.reason + "\r\n";
    text += fuzz::fields_text(response.headers);
    const auto again = net::http::parse_response_head(text, method, net::http::Limits{});
    check(again.kind == HeadKind::kComplete && again.consumed == text.size());
    check(again.head.version == response.version && again.head.status == response.status &&
          again.head.reason == response.reason);
    check(fuzz::same_fields(again.head.headers, response.headers));
    check(again.head.body == response.body &&
          again.head.content_length == response.content_length &&
          again.head.keep_alive == response.keep_alive);
    return 0;
}
