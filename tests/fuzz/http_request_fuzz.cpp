// libFuzzer target for the request parser: the head, a chunked body after it, the target's path
// and the header values the file server interprets (Range, conditionals, dates). Checks the
// parsers' own promises, so a wrong answer is a crash, not just a wrong byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/byte_range.hpp"
#include "common/http_chunked.hpp"
#include "common/http_conditional.hpp"
#include "common/http_date.hpp"
#include "common/http_request.hpp"
#include "web_server/request_path.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

constexpr int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A slow, whole-buffer reading of a chunked body the decoder accepted (`message` is exactly
// what it consumed): the body, or nullopt where the framing disagrees. Catches a decoder that
// misreads a size (a wrapped 2^64 "ends" the body early) or a line end.
std::optional<std::string> reference_chunked(std::string_view message) {
    std::string body;
    while (true) {
        const auto lf = message.find('\n');
        if (lf == std::string_view::npos) return std::nullopt;
        std::string_view line = message.substr(0, lf);
        message.remove_prefix(lf + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        std::size_t i = 0;
        while (i < line.size() && line[i] == '0')
            ++i;
        const std::size_t significant_start = i;
        std::uint64_t size = 0;
        for (; i < line.size() && hex_digit(line[i]) >= 0; ++i) {
            size = size * 16 + static_cast<std::uint64_t>(hex_digit(line[i]));
            if (i - significant_start >= 15) return std::nullopt;  // >= 2^60: must be refused
        }
        if (i == 0) return std::nullopt;  // no digit at all
        std::string_view rest = line.substr(i);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
            rest.remove_prefix(1);
        if (!rest.empty() && rest.front() != ';') return std::nullopt;
        if (size == 0) {
            // Trailer lines, then the empty line that is the last thing consumed.
            return message.ends_with('\n') ? std::optional<std::string>(body) : std::nullopt;
        }
        if (message.size() < size) return std::nullopt;
        body.append(message.substr(0, size));
        message.remove_prefix(size);
        if (message.starts_with("\r\n")) {
            message.remove_prefix(2);
        } else if (message.starts_with('\n')) {
            message.remove_prefix(1);
        } else {
            return std::nullopt;
        }
    }
}

// Same bytes, fed one at a time: the decoder must reach the same end.
void check_chunked_bytewise(std::string_view body, const std::string& whole_out,
                            const net::http::ChunkedDecoder::Result& whole) {
    net::http::ChunkedDecoder decoder;
    std::string out;
    std::size_t consumed = 0;
    net::http::ChunkedDecoder::Result last;
    for (std::size_t i = 0; i < body.size() && !last.done && !last.error; ++i) {
        last = decoder.decode(body.substr(i, 1), &out);
        consumed += last.consumed;
    }
    check(last.done == whole.done && last.error == whole.error);
    if (!whole.error) check(consumed == whole.consumed && out == whole_out);
}

void fuzz_chunked(std::string_view body) {
    net::http::ChunkedDecoder decoder;
    std::string out;
    const auto result = decoder.decode(body, &out);
    check(result.consumed <= body.size());
    check(!(result.done && result.error));
    check(decoder.body_bytes() == out.size());
    check(out.size() <= result.consumed);
    if (!result.done && !result.error) check(result.consumed == body.size());
    if (result.done) check(reference_chunked(body.substr(0, result.consumed)) == out);
    if (body.size() <= 4096) check_chunked_bytewise(body, out, result);
}

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
        fuzz_path(head.head.target);
        fuzz_header_values(head.head.headers);
        if (head.head.body == net::http::BodyKind::kChunked) {
            fuzz_chunked(bytes.substr(head.consumed));
        }
    } else {
        // Bytes the head parser never saw whole still go through the other two parsers.
        fuzz_chunked(bytes);
        fuzz_path(bytes.substr(0, 2048));
    }
    return 0;
}
