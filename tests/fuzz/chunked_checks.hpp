// The chunked decoder's promises, shared by the targets that meet chunked bodies
// (http_chunked_fuzz on its own, http_request_fuzz after a request head).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_chunked.hpp"
#include "tests/fuzz/check.hpp"

namespace fuzz {

namespace detail {

constexpr int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace detail

// A slow, whole-buffer reading of a chunked body the decoder accepted (`message` is exactly
// what it consumed): the body, or nullopt where the framing disagrees. Catches a decoder that
// misreads a size (a wrapped 2^64 "ends" the body early) or a line end.
inline std::optional<std::string> reference_chunked(std::string_view message) {
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
        for (; i < line.size() && detail::hex_digit(line[i]) >= 0; ++i) {
            size = size * 16 + static_cast<std::uint64_t>(detail::hex_digit(line[i]));
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

// Same bytes, fed one at a time: the decoder must reach the same end, never taking more than the
// byte it was given nor giving more data than it took.
inline void check_chunked_bytewise(std::string_view body, const std::string& whole_out,
                                   const net::http::ChunkedDecoder::Result& whole) {
    net::http::ChunkedDecoder decoder;
    std::string out;
    std::size_t consumed = 0;
    net::http::ChunkedDecoder::Result last;
    for (std::size_t i = 0; i < body.size() && !last.done && !last.error; ++i) {
        const std::size_t before = out.size();
        last = decoder.decode(body.substr(i, 1), &out);
        check(last.consumed <= 1 && out.size() - before <= last.consumed);
        consumed += last.consumed;
    }
    check(last.done == whole.done && last.error == whole.error);
    if (!whole.error) check(consumed == whole.consumed && out == whole_out);
}

// Decodes `body` whole and checks what the decoder promises: it never consumes more than it was
// given, never gives more data than it consumed, never is done and failed at once, takes
// everything while it is neither, and reads a finished body as the reference does. Returns the
// data and the result, for callers with more to check.
struct Decoded {
    std::string data;
    net::http::ChunkedDecoder::Result result;
};
inline Decoded check_chunked(std::string_view body) {
    net::http::ChunkedDecoder decoder;
    Decoded decoded;
    const auto result = decoder.decode(body, &decoded.data);
    decoded.result = result;
    check(result.consumed <= body.size());
    check(!(result.done && result.error));
    check(decoder.body_bytes() == decoded.data.size());
    check(decoded.data.size() <= result.consumed);
    if (!result.done && !result.error) check(result.consumed == body.size());
    if (result.done) check(reference_chunked(body.substr(0, result.consumed)) == decoded.data);
    if (body.size() <= 4096) check_chunked_bytewise(body, decoded.data, result);
    // Without somewhere to put the data (a relay that only counts), the same verdict.
    net::http::ChunkedDecoder counting;
    const auto counted = counting.decode(body, nullptr);
    check(counted.consumed == result.consumed && counted.done == result.done &&
          counted.error == result.error && counting.body_bytes() == decoder.body_bytes());
    return decoded;
}

}  // namespace fuzz
