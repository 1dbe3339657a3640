// Chunked transfer coding (RFC 9112 7.1): a decoder fed bytes as they arrive. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace net::http {

// Decodes a chunked body incrementally (RFC 9112 7.1). Pure: feed bytes, get data out.
class ChunkedDecoder {
  public:
    struct Result {
        std::size_t consumed = 0;  // input bytes used
        bool done = false;         // the last chunk and the trailers have been read
        bool error = false;        // malformed framing -> 400 and close
    };
    // Consumes what it can of `input`, appending body data to `out` (when not null).
    Result decode(std::string_view input, std::string* out);
    [[nodiscard]] std::uint64_t body_bytes() const { return body_bytes_; }

  private:
    // kSizeOws: whitespace after the size, before a ';' or the line end.
    enum class State {
        kSize,
        kSizeOws,
        kSizeExtension,
        kSizeLf,
        kData,
        kDataCr,
        kDataLf,
        kTrailer,
        kDone
    };
    State state_ = State::kSize;
    std::uint64_t remaining_ = 0;
    std::uint64_t body_bytes_ = 0;
    std::size_t line_bytes_ = 0;  // of the current size or trailer line, for its limit
    bool size_digits_ = false;
    bool trailer_empty_line_ = true;
};

}  // namespace net::http
