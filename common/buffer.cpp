// Buffer: grows by doubling, reuses consumed space before growing.
#include "buffer.hpp"

#include <algorithm>
#include <cstring>

namespace net {

void Buffer::consume(std::size_t n) {
    if (n >= readable_bytes()) {
        consume_all();
    } else {
        read_index_ += n;
    }
}

std::string Buffer::take(std::size_t n) {
    n = std::min(n, readable_bytes());
    std::string result(peek(), n);
    consume(n);
    return result;
}

void Buffer::append(std::string_view bytes) {
    if (bytes.empty()) return;
    ensure_writable(bytes.size());
    std::memcpy(data_.get() + write_index_, bytes.data(), bytes.size());
    write_index_ += bytes.size();
}

void Buffer::ensure_writable(std::size_t n) {
    if (writable_bytes() >= n) return;
    const std::size_t readable = readable_bytes();
    if (read_index_ + writable_bytes() >= n && read_index_ > 0) {
        // Enough room once the consumed bytes are reclaimed: slide the readable bytes forward.
        std::memmove(data_.get(), peek(), readable);
    } else {
        std::size_t capacity = std::max<std::size_t>(capacity_, 1024);
        while (capacity < readable + n)
            capacity *= 2;
        auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
        if (readable > 0) std::memcpy(bigger.get(), peek(), readable);
        data_ = std::move(bigger);
        capacity_ = capacity;
    }
    read_index_ = 0;
    write_index_ = readable;
}

std::optional<std::size_t> Buffer::find_crlf(std::size_t from) const {
    const auto text = view();
    if (from >= text.size()) return std::nullopt;
    const auto at = text.find("\r\n", from);
    if (at == std::string_view::npos) return std::nullopt;
    return at;
}

std::optional<std::size_t> Buffer::find_eol(std::size_t from) const {
    if (from >= readable_bytes()) return std::nullopt;
    const void* at = std::memchr(peek() + from, '\n', readable_bytes() - from);
    if (at == nullptr) return std::nullopt;
    return static_cast<std::size_t>(static_cast<const char*>(at) - peek());
}

void Buffer::shrink_if_empty(std::size_t keep) {
    if (!empty()) return;
    consume_all();
    if (capacity_ > keep) {
        data_.reset();
        capacity_ = 0;
    }
}

}  // namespace net
