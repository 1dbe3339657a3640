// The chunked decoder: one state per place in the framing, one byte at a time except for data.
#include "http_chunked.hpp"

#include <algorithm>

#include "http_fields.hpp"

namespace net::http {
namespace {

constexpr std::size_t kMaxChunkLine = 4096;     // chunk-size line with extensions -> 400
constexpr std::size_t kMaxTrailerBytes = 8192;  // all trailer fields together -> 400
constexpr std::uint64_t kMaxChunkSize = std::uint64_t{1} << 60;

}  // namespace

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
                    // Refused before the multiplication can overflow: every size stays below
                    // 2^60, so no size wraps to 0 and reads as the last chunk (a smuggling
                    // vector: "10000000000000000").
                    if (remaining_ >= kMaxChunkSize / 16) return error();
                    remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
                    size_digits_ = true;
                } else if (!size_digits_) {
                    return error();
                } else if (c == ';') {
                    state_ = State::kSizeExtension;
                } else if (is_ows(c)) {
                    // chunk-ext allows only BWS before its ';' (RFC 9112 7.1.1): after
                    // whitespace comes ';' or the line end, so "5 6" or "5 x" is an error, not
                    // size 5.
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

}  // namespace net::http
