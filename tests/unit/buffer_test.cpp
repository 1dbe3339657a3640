// Buffer: after every operation the three regions (consumed | readable | writable) are checked,
// as muduo's Buffer_unittest does; read_into/write_from (common/io) run against pipes and
// socketpairs.
#include "common/buffer.hpp"
#include "common/fd.hpp"
#include "common/io.hpp"
#include "tests/support/pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <ostream>
#include <string>
#include <utility>

namespace net {

// Readable names in failure messages (static: each test file may define its own).
[[maybe_unused]] static void PrintTo(IoStatus status, std::ostream* out) {
    static constexpr const char* kNames[] = {"kOk", "kWouldBlock", "kClosed", "kError"};
    *out << kNames[static_cast<int>(status)];
}

namespace {

using test::make_pipe;
using test::Pipe;

constexpr std::size_t kKiB = 1024;

std::string pattern(std::size_t size, std::size_t seed = 0) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        data[i] = static_cast<char>(((i + seed) * 13 + (i + seed) / 251) & 0xff);
    return data;
}

// The invariant every state of a Buffer keeps.
void expect_regions(const Buffer& buffer, std::size_t consumed, std::size_t readable) {
    EXPECT_EQ(buffer.consumed_bytes(), consumed);
    EXPECT_EQ(buffer.readable_bytes(), readable);
    EXPECT_EQ(buffer.consumed_bytes() + buffer.readable_bytes() + buffer.writable_bytes(),
              buffer.capacity());
    EXPECT_EQ(buffer.empty(), readable == 0);
    EXPECT_EQ(buffer.view().size(), readable);
}

std::string drain(int fd, std::size_t n) {
    std::string data(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        const auto r = ::read(fd, data.data() + got, n - got);
        if (r <= 0) break;
        got += static_cast<std::size_t>(r);
    }
    data.resize(got);
    return data;
}

// ---------------------------------------------------------------------------- indices

TEST(BufferTest, StartsEmpty) {
    const Buffer buffer;
    expect_regions(buffer, 0, 0);
    EXPECT_EQ(buffer.view(), "");
    EXPECT_EQ(buffer.find_crlf(), std::nullopt);
    EXPECT_EQ(buffer.find_eol(), std::nullopt);
}

TEST(BufferTest, AppendThenTakeAndConsume) {
    Buffer buffer;
    const std::string data = pattern(200);
    buffer.append(data);
    expect_regions(buffer, 0, 200);
    EXPECT_EQ(buffer.view(), data);
    EXPECT_GE(buffer.capacity(), 200U);

    const std::string first = buffer.take(50);
    EXPECT_EQ(first, data.substr(0, 50));
    expect_regions(buffer, 50, 150);
    EXPECT_EQ(buffer.view(), data.substr(50));

    buffer.consume(100);
    expect_regions(buffer, 150, 50);
    EXPECT_EQ(buffer.view(), data.substr(150));

    buffer.append("tail");
    EXPECT_EQ(buffer.readable_bytes(), 54U);
    EXPECT_EQ(buffer.view(), data.substr(150) + "tail");

    EXPECT_EQ(buffer.take(54), data.substr(150) + "tail");
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.readable_bytes(), 0U);
}

TEST(BufferTest, AppendEmptyChangesNothing) {
    Buffer buffer;
    buffer.append("");
    expect_regions(buffer, 0, 0);
    buffer.append("abc");
    const auto capacity = buffer.capacity();
    buffer.append("");
    expect_regions(buffer, 0, 3);
    EXPECT_EQ(buffer.capacity(), capacity);
}

TEST(BufferTest, TakeAndConsumeBeyondTheEndStopAtTheEnd) {
    Buffer buffer;
    buffer.append("abcdef");
    EXPECT_EQ(buffer.take(100), "abcdef");
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.take(1), "");

    buffer.append("abcdef");
    buffer.consume(6);
    EXPECT_TRUE(buffer.empty());
    buffer.append("abcdef");
    buffer.consume(1000);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.readable_bytes(), 0U);
    EXPECT_EQ(buffer.consumed_bytes() + buffer.writable_bytes(), buffer.capacity());
}

TEST(BufferTest, ConsumeAllResetsBothIndices) {
    Buffer buffer;
    buffer.append(pattern(300));
    buffer.consume(120);
    const auto capacity = buffer.capacity();
    buffer.consume_all();
    expect_regions(buffer, 0, 0);
    EXPECT_EQ(buffer.writable_bytes(), capacity);
}

TEST(BufferTest, GrowsAndKeepsTheBytes) {
    Buffer buffer;
    std::string expected;
    for (std::size_t i = 0; i < 64; ++i) {
        const std::string piece = pattern(1000 + i, i);
        buffer.append(piece);
        expected += piece;
        ASSERT_EQ(buffer.readable_bytes(), expected.size());
    }
    EXPECT_EQ(buffer.view(), expected);
    EXPECT_GE(buffer.capacity(), expected.size());
    expect_regions(buffer, 0, expected.size());
}

TEST(BufferTest, EnsureWritableMovesDataToTheFrontInsteadOfGrowing) {
    Buffer buffer;
    buffer.append(pattern(1000));
    const std::size_t capacity = buffer.capacity();
    buffer.append(pattern(capacity - 1000, 1000));  // exactly full
    ASSERT_EQ(buffer.writable_bytes(), 0U);
    ASSERT_EQ(buffer.capacity(), capacity);
    const std::string full = std::string(buffer.view());

    buffer.consume(capacity - 100);
    expect_regions(buffer, capacity - 100, 100);
    EXPECT_EQ(buffer.writable_bytes(), 0U);

    // 500 bytes fit once the consumed space is reclaimed: no growth.
    buffer.ensure_writable(500);
    EXPECT_EQ(buffer.capacity(), capacity);
    expect_regions(buffer, 0, 100);
    EXPECT_EQ(buffer.writable_bytes(), capacity - 100);
    EXPECT_EQ(buffer.view(), full.substr(capacity - 100));
}

TEST(BufferTest, EnsureWritableGrowsWhenReclaimingIsNotEnough) {
    Buffer buffer;
    buffer.append(pattern(1000));
    buffer.consume(900);
    const std::size_t capacity = buffer.capacity();
    const std::string kept = std::string(buffer.view());

    buffer.ensure_writable(capacity * 2);
    EXPECT_GE(buffer.writable_bytes(), capacity * 2);
    EXPECT_GT(buffer.capacity(), capacity);
    expect_regions(buffer, 0, 100);  // the readable bytes moved to the front
    EXPECT_EQ(buffer.view(), kept);
}

TEST(BufferTest, EnsureWritableWithRoomChangesNothing) {
    Buffer buffer;
    buffer.append("abcdef");
    buffer.consume(2);
    const std::size_t capacity = buffer.capacity();
    ASSERT_GE(buffer.writable_bytes(), 10U);
    buffer.ensure_writable(10);
    EXPECT_EQ(buffer.capacity(), capacity);
    EXPECT_EQ(buffer.view(), "cdef");
    EXPECT_GE(buffer.writable_bytes(), 10U);
}

TEST(BufferTest, WritableSpanAndCommit) {
    Buffer buffer;
    buffer.append("GET ");
    buffer.ensure_writable(5);
    const auto span = buffer.writable_span();
    ASSERT_GE(span.size(), 5U);
    EXPECT_EQ(span.size(), buffer.writable_bytes());
    std::string_view("/ x").copy(span.data(), 3);
    buffer.commit(3);
    expect_regions(buffer, 0, 7);
    EXPECT_EQ(buffer.view(), "GET / x");
}

TEST(BufferTest, MoveKeepsTheBytes) {
    Buffer source;
    source.append("moved bytes");
    source.consume(6);
    Buffer target(std::move(source));
    EXPECT_EQ(target.view(), "bytes");

    Buffer other;
    other.append("old");
    other = std::move(target);
    EXPECT_EQ(other.view(), "bytes");
}

// ---------------------------------------------------------------------------- find

TEST(BufferTest, FindCrlf) {
    Buffer buffer;
    buffer.append("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(buffer.find_crlf(), 14U);
    EXPECT_EQ(buffer.find_crlf(14), 14U);
    EXPECT_EQ(buffer.find_crlf(15), 23U);  // from the "\n": that CRLF started before `from`
    EXPECT_EQ(buffer.find_crlf(24), 25U);
    EXPECT_EQ(buffer.find_crlf(26), std::nullopt);
    EXPECT_EQ(buffer.find_crlf(27), std::nullopt);
    EXPECT_EQ(buffer.find_crlf(1000), std::nullopt);

    // Offsets are from peek(), not from the start of the storage.
    buffer.consume(16);
    EXPECT_EQ(buffer.view(), "Host: x\r\n\r\n");
    EXPECT_EQ(buffer.find_crlf(), 7U);
    EXPECT_EQ(buffer.find_crlf(8), 9U);
}

TEST(BufferTest, FindCrlfNeedsBothBytes) {
    Buffer buffer;
    buffer.append("abc\r");
    EXPECT_EQ(buffer.find_crlf(), std::nullopt);
    buffer.append("x\n");
    EXPECT_EQ(buffer.find_crlf(), std::nullopt);  // "\r" and "\n" apart
    buffer.append("\r\n");
    EXPECT_EQ(buffer.find_crlf(), 6U);
}

TEST(BufferTest, FindCrlfIgnoresConsumedBytes) {
    Buffer buffer;
    buffer.append("a\r\nbc");
    buffer.consume(3);
    EXPECT_EQ(buffer.find_crlf(), std::nullopt);
}

TEST(BufferTest, FindEol) {
    Buffer buffer;
    buffer.append("one\ntwo\r\n\n");
    EXPECT_EQ(buffer.find_eol(), 3U);
    EXPECT_EQ(buffer.find_eol(3), 3U);
    EXPECT_EQ(buffer.find_eol(4), 8U);
    EXPECT_EQ(buffer.find_eol(9), 9U);
    EXPECT_EQ(buffer.find_eol(10), std::nullopt);
    EXPECT_EQ(buffer.find_eol(11), std::nullopt);

    buffer.consume(4);
    EXPECT_EQ(buffer.view(), "two\r\n\n");
    EXPECT_EQ(buffer.find_eol(), 4U);
}

TEST(BufferTest, FindEolWithoutNewline) {
    Buffer buffer;
    buffer.append("no newline here");
    EXPECT_EQ(buffer.find_eol(), std::nullopt);
    EXPECT_EQ(buffer.find_eol(5), std::nullopt);
}

TEST(BufferTest, FindSeesBinaryBytes) {
    Buffer buffer;
    buffer.append(std::string_view("\0\xff\r\n", 4));
    EXPECT_EQ(buffer.find_crlf(), 2U);
    EXPECT_EQ(buffer.find_eol(), 3U);
}

// ---------------------------------------------------------------------------- shrink_if_empty

TEST(BufferTest, ShrinkIfEmptyReleasesABigIdleBuffer) {
    Buffer buffer;
    buffer.append(pattern(100 * kKiB));
    ASSERT_GT(buffer.capacity(), 16 * kKiB);
    buffer.consume_all();

    buffer.shrink_if_empty(16 * kKiB);
    EXPECT_LE(buffer.capacity(), 16 * kKiB);
    expect_regions(buffer, 0, 0);

    buffer.append("still usable");
    EXPECT_EQ(buffer.view(), "still usable");
}

TEST(BufferTest, ShrinkIfEmptyKeepsABufferWithData) {
    Buffer buffer;
    buffer.append(pattern(100 * kKiB));
    buffer.consume(100 * kKiB - 1);
    const std::size_t capacity = buffer.capacity();
    const std::string last = std::string(buffer.view());

    buffer.shrink_if_empty(16 * kKiB);
    EXPECT_EQ(buffer.capacity(), capacity);
    EXPECT_EQ(buffer.view(), last);
}

TEST(BufferTest, ShrinkIfEmptyKeepsASmallBuffer) {
    Buffer buffer;
    buffer.append("small");
    buffer.consume_all();
    const std::size_t capacity = buffer.capacity();
    ASSERT_LE(capacity, 16 * kKiB);

    buffer.shrink_if_empty(16 * kKiB);
    EXPECT_EQ(buffer.capacity(), capacity);
    expect_regions(buffer, 0, 0);
}

// ---------------------------------------------------------------------------- read_into /
// write_from

TEST(BufferTest, ReadFromAPipe) {
    const Pipe pipe = make_pipe();
    ASSERT_EQ(::write(pipe.write_end.get(), "hello", 5), 5);
    Buffer buffer;
    buffer.append(">");
    const auto result = net::read_into(buffer, pipe.read_end.get());
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, 5U);
    expect_regions(buffer, 0, 6);
    EXPECT_EQ(buffer.view(), ">hello");
}

TEST(BufferTest, ReadFromEmptyNonblockingPipeWouldBlock) {
    const Pipe pipe = make_pipe(O_NONBLOCK);
    Buffer buffer;
    buffer.append("kept");
    const auto result = net::read_into(buffer, pipe.read_end.get());
    EXPECT_EQ(result.status, IoStatus::kWouldBlock);
    EXPECT_EQ(result.bytes, 0U);
    EXPECT_EQ(buffer.view(), "kept");
}

TEST(BufferTest, ReadFromClosedPipeIsClosed) {
    Pipe pipe = make_pipe();
    pipe.write_end.reset();
    Buffer buffer;
    const auto result = net::read_into(buffer, pipe.read_end.get());
    EXPECT_EQ(result.status, IoStatus::kClosed);
    EXPECT_EQ(result.bytes, 0U);
    EXPECT_TRUE(buffer.empty());
}

TEST(BufferTest, ReadFromBadDescriptorIsAnError) {
    Buffer buffer;
    const auto result = net::read_into(buffer, -1);
    EXPECT_EQ(result.status, IoStatus::kError);
    EXPECT_EQ(result.error, EBADF);
    EXPECT_TRUE(buffer.empty());
}

TEST(BufferTest, ReadFromAnEmptyBufferUsesTheSpillArea) {
    const Pipe pipe = make_pipe();
    const std::string data = pattern(10 * kKiB);
    ASSERT_EQ(::write(pipe.write_end.get(), data.data(), data.size()),
              static_cast<ssize_t>(data.size()));
    Buffer buffer;  // no storage yet: everything goes through the spill area
    const auto result = net::read_into(buffer, pipe.read_end.get());
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, data.size());
    expect_regions(buffer, 0, data.size());
    EXPECT_EQ(buffer.view(), data);
}

TEST(BufferTest, ReadFromFillsTheWritableSpaceThenSpills) {
    Buffer buffer;
    const std::string head = pattern(1000);
    buffer.append(head);
    const std::size_t writable = buffer.writable_bytes();
    ASSERT_LT(writable + 5000, net::kReadChunk);

    const Pipe pipe = make_pipe();
    const std::string data = pattern(writable + 5000, 7);
    ASSERT_EQ(::write(pipe.write_end.get(), data.data(), data.size()),
              static_cast<ssize_t>(data.size()));
    const auto result = net::read_into(buffer, pipe.read_end.get());
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, data.size());
    EXPECT_EQ(buffer.readable_bytes(), head.size() + data.size());
    EXPECT_EQ(buffer.view(), head + data);
}

TEST(BufferTest, ReadFromMoreThan64KiBInOneCall) {
    const Pipe pipe = make_pipe();
    ASSERT_GE(::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, 1024 * kKiB),
              1024 * static_cast<int>(kKiB));
    const std::string data = pattern(150 * kKiB);
    ASSERT_EQ(::write(pipe.write_end.get(), data.data(), data.size()),
              static_cast<ssize_t>(data.size()));

    Buffer buffer;
    buffer.ensure_writable(100 * kKiB);  // 100 KiB direct + the 64 KiB spill area
    const auto result = net::read_into(buffer, pipe.read_end.get(), 256 * kKiB);
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, data.size());
    expect_regions(buffer, 0, data.size());
    EXPECT_TRUE(buffer.view() == data);
}

TEST(BufferTest, ReadFromHonoursMax) {
    const Pipe pipe = make_pipe();
    ASSERT_GE(::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, 1024 * kKiB),
              1024 * static_cast<int>(kKiB));
    const std::string data = pattern(150 * kKiB);
    ASSERT_EQ(::write(pipe.write_end.get(), data.data(), data.size()),
              static_cast<ssize_t>(data.size()));

    Buffer buffer;
    buffer.ensure_writable(200 * kKiB);
    auto result = net::read_into(buffer, pipe.read_end.get());  // the default max
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, net::kReadChunk);
    EXPECT_EQ(buffer.view(), data.substr(0, net::kReadChunk));

    result = net::read_into(buffer, pipe.read_end.get(), 10);
    EXPECT_EQ(result.bytes, 10U);
    EXPECT_EQ(buffer.readable_bytes(), net::kReadChunk + 10);

    Buffer small;  // max smaller than the spill area, no storage of its own
    result = net::read_into(small, pipe.read_end.get(), 100);
    EXPECT_EQ(result.bytes, 100U);
    EXPECT_EQ(small.view(), data.substr(net::kReadChunk + 10, 100));
}

TEST(BufferTest, ReadFromWithZeroMaxIsNotTheEndOfTheStream) {
    // A caller whose budget ran out (max computed as "limit - readable") must not be told the
    // peer closed: read(2) of 0 bytes returns 0 without the stream having ended.
    const Pipe pipe = make_pipe(O_NONBLOCK);
    ASSERT_EQ(::write(pipe.write_end.get(), "data", 4), 4);
    Buffer buffer;
    buffer.append("full");
    const auto result = net::read_into(buffer, pipe.read_end.get(), 0);
    EXPECT_NE(result.status, IoStatus::kClosed);
    EXPECT_EQ(result.bytes, 0U);
    EXPECT_EQ(buffer.view(), "full");
}

TEST(BufferTest, WriteToConsumesWhatWasWritten) {
    const Pipe pipe = make_pipe();
    Buffer buffer;
    buffer.append("xxhello world");
    buffer.consume(2);
    const auto result = net::write_from(buffer, pipe.write_end.get());
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, 11U);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(drain(pipe.read_end.get(), 11), "hello world");
}

TEST(BufferTest, WriteToASocketPair) {
    int fds[2] = {-1, -1};
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    const Fd a(fds[0]);
    const Fd b(fds[1]);
    Buffer buffer;
    buffer.append("over a socket");
    const auto result = net::write_from(buffer, a.get());
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, 13U);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(drain(b.get(), 13), "over a socket");
}

TEST(BufferTest, WriteToAFullPipeIsPartialThenWouldBlock) {
    const Pipe pipe = make_pipe(O_NONBLOCK);
    const int pipe_size = ::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, 4096);
    ASSERT_GT(pipe_size, 0);
    const std::string data = pattern(static_cast<std::size_t>(pipe_size) + 10000);
    Buffer buffer;
    buffer.append(data);

    const auto first = net::write_from(buffer, pipe.write_end.get());
    ASSERT_EQ(first.status, IoStatus::kOk);
    ASSERT_GT(first.bytes, 0U);
    ASSERT_LT(first.bytes, data.size());
    EXPECT_EQ(buffer.readable_bytes(), data.size() - first.bytes);
    EXPECT_EQ(buffer.view(), std::string_view(data).substr(first.bytes));

    const auto second = net::write_from(buffer, pipe.write_end.get());
    EXPECT_EQ(second.status, IoStatus::kWouldBlock);
    EXPECT_EQ(second.bytes, 0U);
    EXPECT_EQ(buffer.readable_bytes(), data.size() - first.bytes);  // nothing lost

    EXPECT_EQ(drain(pipe.read_end.get(), first.bytes), data.substr(0, first.bytes));
}

TEST(BufferTest, WriteToAClosedPipeIsAnErrorAndKeepsTheBytes) {
    Pipe pipe = make_pipe();
    pipe.read_end.reset();
    Buffer buffer;
    buffer.append("unsent");
    // write_some uses write() on pipes, so SIGPIPE must not be fatal here.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction previous {};
    ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &previous), 0);
    const auto result = net::write_from(buffer, pipe.write_end.get());
    ::sigaction(SIGPIPE, &previous, nullptr);
    EXPECT_EQ(result.status, IoStatus::kError);
    EXPECT_EQ(result.error, EPIPE);
    EXPECT_EQ(buffer.view(), "unsent");
}

}  // namespace
}  // namespace net
