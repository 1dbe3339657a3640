// Buffer: grows by doubling, reuses consumed space before growing.
#include "buffer.hpp"

#include <sys/uio.h>

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

IoResult Buffer::read_from(int fd, std::size_t max) {
    if (max == 0) return {IoStatus::kOk, 0, 0};  // read(2) of 0 bytes returns 0: not a FIN
    char spill[kReadChunk];
    const std::size_t direct = std::min(writable_bytes(), max);
    iovec parts[2] = {{data_.get() + write_index_, direct},
                      {spill, std::min(sizeof spill, max - direct)}};
    const int count = parts[1].iov_len > 0 ? 2 : 1;
    for (;;) {
        const ssize_t n = ::readv(fd, parts, count);
        if (n > 0) {
            const auto got = static_cast<std::size_t>(n);
            if (got <= direct) {
                write_index_ += got;
            } else {
                write_index_ += direct;
                append(std::string_view(spill, got - direct));
            }
            return {IoStatus::kOk, got, 0};
        }
        if (n == 0) return {IoStatus::kClosed, 0, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::kWouldBlock, 0, 0};
        return {IoStatus::kError, 0, errno};
    }
}

IoResult Buffer::write_to(int fd) {
    const auto result = write_some(fd, view());
    if (result.status == IoStatus::kOk) consume(result.bytes);
    return result;
}

}  // namespace net
