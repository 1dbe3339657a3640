// libFuzzer target for the request parser: the head, a chunked body after it, the target's path
// and the header values the file server interprets (Range, conditionals, dates). Checks the
// parsers' own promises, so a wrong answer is a crash, not just a wrong byte: a complete head is
// complete in exactly its bytes and parses the same once written back out; the chunked body as
// chunked_checks.hpp checks it; the path as request_path_fuzz does, more briefly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/byte_range.hpp"
#include "common/http_conditional.hpp"
#include "common/http_date.hpp"
#include "common/http_request.hpp"
#include "tests/fuzz/check.hpp"
#include "tests/fuzz/chunked_checks.hpp"
#include "tests/fuzz/http_text.hpp"
#include "web_server/request_path.hpp"

namespace {

using fuzz::check;

void fuzz_path(std::string_view target) {
    const auto result = web::parse_request_path(target);
    if (!result.path) return;
    const std::string& relative = result.path->relative;
    check(!relative.starts_with('/'));
    check(relative.find('\0') == std::string::npos);
    check(relative.find('\\') == std::string::npos);
    std::string_view rest = relative;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        check(!segment.empty() && segment != "." && segment != "..");
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    // Re-encoding the result and parsing it again is a fixed point.
    const auto again = web::parse_request_path("/" + web::percent_encode_path(relative));
    check(again.path && again.path->relative == relative);
}

// The header values the file server interprets, with what each promises.
void fuzz_header_values(const net::http::Headers& headers) {
    constexpr std::uint64_t kSize = 1000;
    if (const auto range = headers.get("Range")) {
        const auto decision = net::http::decide_range(*range, kSize);
        if (decision.outcome == net::http::RangeOutcome::kPartial) {
            check(decision.range.first <= decision.range.last && decision.range.last < kSize);
        }
        check(net::http::decide_range(*range, 0).outcome != net::http::RangeOutcome::kPartial);
    }
    const net::http::Validators current{net::http::make_etag(kSize, 1700000000, 5), 1700000000};
    (void)net::http::not_modified(headers.get("If-None-Match"), headers.get("If-Modified-Since"),
                                  current);
    (void)net::http::if_range_allows(headers.get("If-Range"), current);
    if (const auto date = headers.get("Date")) {
        if (const auto when = net::http::parse_http_date(*date)) {
            const auto formatted = net::http::format_http_date(*when);
            if (*when >= 0 && *when <= 253402300799) {
                check(net::http::parse_http_date(formatted) == *when);
            }
        }
    }
}

// Parse, write the head back out, parse: the same request, framed the same way.
// (CRLF line ends may make it longer than the original: the byte limits are lifted.)
void check_written_back(const net::http::Request& request, net::http::Limits limits) {
    limits.max_request_line = limits.max_head_bytes = std::size_t{1} << 20;
    const std::string text = request.method + " " + request.target + " " +
                             fuzz::version_text(request.version) + "\r\n" +
                             fuzz::fields_text(request.headers);
    const auto again = net::http::parse_request_head(text, limits);
    check(again.kind == net::http::HeadKind::kComplete && again.consumed == text.size());
    const auto& parsed = again.head;
    check(parsed.method == request.method && parsed.target == request.target &&
          parsed.version == request.version);
    check(fuzz::same_fields(parsed.headers, request.headers));
    check(parsed.body == request.body && parsed.content_length == request.content_length &&
          parsed.keep_alive == request.keep_alive);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    net::http::Limits limits;
    limits.max_request_line = 512;  // small limits reach the limit paths with small inputs
    limits.max_head_bytes = 1024;
    limits.max_headers = 16;
    const auto head = net::http::parse_request_head(bytes, limits);

    // A complete head is also complete (and the same) in any longer buffer, and no shorter
    // prefix than `consumed` completes.
    if (head.kind == net::http::HeadKind::kComplete) {
        check(head.consumed > 0 && head.consumed <= bytes.size());
        check(head.consumed <= limits.max_head_bytes);
        const auto prefix = net::http::parse_request_head(bytes.substr(0, head.consumed), limits);
        check(prefix.kind == net::http::HeadKind::kComplete);
        check(prefix.consumed == head.consumed);
        if (head.consumed > 0) {
            const auto shorter =
                net::http::parse_request_head(bytes.substr(0, head.consumed - 1), limits);
            check(shorter.kind == net::http::HeadKind::kNeedMore);
        }
        check(net::http::is_token(head.head.method));
        check(head.head.version.major == 1);
        check_written_back(head.head, limits);
        fuzz_path(head.head.target);
        fuzz_header_values(head.head.headers);
        if (head.head.body == net::http::BodyKind::kChunked) {
            (void)fuzz::check_chunked(bytes.substr(head.consumed));
        }
    } else {
        // Bytes the head parser never saw whole still go through the other two parsers.
        (void)fuzz::check_chunked(bytes);
        fuzz_path(bytes.substr(0, 2048));
    }
    return 0;
}
