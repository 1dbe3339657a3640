// LineReader: incremental line splitting that never rescans bytes it has already searched.
#include "line_reader.hpp"

namespace net {

std::optional<std::size_t> LineReader::find_terminator() const {
    if (end_ == LineEnd::kLf) return buffer_.find_eol(scanned_);
    // A "\r" may be the last byte scanned, its "\n" just arrived: back up one.
    return buffer_.find_crlf(scanned_ > 0 ? scanned_ - 1 : 0);
}

LineResult LineReader::next() {
    buffer_.consume(pending_consume_);
    pending_consume_ = 0;
    for (;;) {
        const auto at = find_terminator();
        if (!at) {
            scanned_ = buffer_.readable_bytes();
            if (discarding_) {
                // Inside an over-long line: drop what we have (keep a trailing '\r' for CRLF).
                const bool keep_cr =
                    end_ == LineEnd::kCrlf && !buffer_.empty() && buffer_.view().back() == '\r';
                buffer_.consume(buffer_.readable_bytes() - (keep_cr ? 1 : 0));
                scanned_ = buffer_.readable_bytes();
                if (eof_) {
                    // The input ended inside the over-long line: report it, then the end.
                    discarding_ = false;
                    buffer_.consume_all();
                    scanned_ = 0;
                    return {LineStatus::kTooLong, {}};
                }
                return {LineStatus::kNeedMore, {}};
            }
            // One byte of slack: a "\r" whose "\n" has not arrived yet is not content.
            if (buffer_.readable_bytes() > max_line_ + 1) {
                discarding_ = true;
                continue;  // drop and report once
            }
            if (eof_) {
                if (buffer_.readable_bytes() > max_line_) {
                    buffer_.consume_all();
                    scanned_ = 0;
                    return {LineStatus::kTooLong, {}};
                }
                const std::string_view tail = buffer_.view();
                pending_consume_ = tail.size();
                scanned_ = 0;
                return {LineStatus::kEof, tail};
            }
            return {LineStatus::kNeedMore, {}};
        }
        const std::size_t terminator = end_ == LineEnd::kLf ? 1 : 2;
        std::size_t length = *at;
        if (end_ == LineEnd::kLf && length > 0 && buffer_.peek()[length - 1] == '\r') --length;
        scanned_ = 0;
        if (discarding_) {
            discarding_ = false;
            buffer_.consume(*at + terminator);
            return {LineStatus::kTooLong, {}};
        }
        if (length > max_line_) {
            buffer_.consume(*at + terminator);
            return {LineStatus::kTooLong, {}};
        }
        pending_consume_ = *at + terminator;
        return {LineStatus::kLine, std::string_view(buffer_.peek(), length)};
    }
}

}  // namespace net
