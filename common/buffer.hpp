// Buffer: a growable byte buffer with read and write indices (muduo's net/Buffer):
//
//   +-------------------+------------------+------------------+
//   | consumed          |  readable bytes  |  writable bytes  |
//   +-------------------+------------------+------------------+
//   0       <=      read_index   <=   write_index   <=    capacity
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace net {

// Not thread-safe: owned by one connection on one loop.
class Buffer {
  public:
    Buffer() = default;
    Buffer(Buffer&&) noexcept = default;
    Buffer& operator=(Buffer&&) noexcept = default;

    [[nodiscard]] std::size_t readable_bytes() const { return write_index_ - read_index_; }
    [[nodiscard]] std::size_t writable_bytes() const { return capacity_ - write_index_; }
    [[nodiscard]] std::size_t consumed_bytes() const { return read_index_; }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] bool empty() const { return readable_bytes() == 0; }

    [[nodiscard]] const char* peek() const { return data_.get() + read_index_; }
    [[nodiscard]] char* peek_mut() { return data_.get() + read_index_; }
    [[nodiscard]] std::string_view view() const { return {peek(), readable_bytes()}; }

    // Drops `n` readable bytes (all of them when n >= readable_bytes()).
    void consume(std::size_t n);
    void consume_all() { read_index_ = write_index_ = 0; }
    // Removes and returns the first `n` readable bytes.
    std::string take(std::size_t n);

    void append(std::string_view bytes);
    // Makes room for at least `n` more bytes, moving the readable bytes to the front first.
    void ensure_writable(std::size_t n);
    [[nodiscard]] std::span<char> writable_span() {
        return {data_.get() + write_index_, writable_bytes()};
    }
    // Marks `n` bytes of writable_span() as filled.
    void commit(std::size_t n) { write_index_ += n; }

    // Offset (from peek()) of the first "\r\n" at or after `from`, or nullopt.
    [[nodiscard]] std::optional<std::size_t> find_crlf(std::size_t from = 0) const;
    // Offset of the first '\n' at or after `from`, or nullopt.
    [[nodiscard]] std::optional<std::size_t> find_eol(std::size_t from = 0) const;

    // Releases the storage when nothing is readable and it is larger than `keep` bytes, so an
    // idle connection does not hold on to the peak of its traffic.
    void shrink_if_empty(std::size_t keep);

  private:
    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t read_index_ = 0;
    std::size_t write_index_ = 0;
};

}  // namespace net
