// LineReader: splits a byte stream into lines with a maximum length. Pure: bytes go into
// buffer() (from a socket, a file, or a test), complete lines come out of next().
#pragma once

#include <cstddef>
#include <string_view>

#include "buffer.hpp"

namespace net {

enum class LineEnd {
    kLf,    // "\n" ends a line; a "\r" before it is dropped too
    kCrlf,  // only "\r\n" ends a line (SMTP, HTTP strict); a bare "\n" is data
};

enum class LineStatus {
    kLine,      // `line` holds a complete line, without its terminator
    kNeedMore,  // no complete line yet: feed more bytes
    kTooLong,   // a line exceeded the maximum; its bytes are dropped up to its terminator
    kEof,       // (only after set_eof) `line` holds the unterminated tail, or is empty at the end
};

struct LineResult {
    LineStatus status;
    std::string_view line;  // valid until the reader is used again
};

// Not thread-safe.
class LineReader {
  public:
    LineReader(std::size_t max_line, LineEnd end = LineEnd::kLf) : max_line_(max_line), end_(end) {}

    Buffer& buffer() { return buffer_; }
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    // No more bytes will come: next() returns the unterminated tail, then kEof with no line.
    void set_eof() { eof_ = true; }

    LineResult next();

  private:
    [[nodiscard]] std::optional<std::size_t> find_terminator() const;

    Buffer buffer_;
    std::size_t max_line_;
    LineEnd end_;
    std::size_t pending_consume_ = 0;  // the line returned last, still in the buffer
    std::size_t scanned_ = 0;          // bytes already searched for a terminator
    bool discarding_ = false;          // inside an over-long line, skipping to its end
    bool eof_ = false;
};

}  // namespace net
