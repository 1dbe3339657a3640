// SharedOutput: the bounded log queue and its writer thread, on pipes and files of this process:
// order kept, a full queue drops whole texts and says how many lines, shutdown writes what is
// queued and never hangs on a pipe nobody reads.
#include "common/batched_output.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/blocking.hpp"
#include "common/deadline.hpp"
#include "tests/support/pipe.hpp"
#include "tests/support/temp_dir.hpp"

namespace net {
namespace {

using namespace std::chrono_literals;
using test::make_pipe;
using test::Pipe;

constexpr auto kIo = 10s;  // generous for sanitizer builds

// "line 000042 ........\n": 21 bytes, numbered.
std::string numbered_line(int n) {
    char text[32];
    std::snprintf(text, sizeof text, "line %06d ........\n", n);
    return text;
}

// Reads `fd` until `n` bytes or EOF, each wait bounded by one deadline.
std::string read_bytes(int fd, std::size_t n, const Deadline& deadline) {
    std::string out;
    char buffer[65536];
    while (out.size() < n && wait_readable(fd, deadline)) {
        const ssize_t got = ::read(fd, buffer, std::min(sizeof buffer, n - out.size()));
        if (got <= 0) break;
        out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
}

// Reads `fd` until a line holds `needle`; returns everything read (up to the end of that line).
std::optional<std::string> read_until_line_with(int fd, std::string_view needle,
                                                const Deadline& deadline) {
    std::string out;
    char c = 0;
    while (wait_readable(fd, deadline) && ::read(fd, &c, 1) == 1) {
        out.push_back(c);
        if (c != '\n') continue;
        const auto start = out.rfind('\n', out.size() - 2);
        const std::string_view line =
            std::string_view(out).substr(start == std::string::npos ? 0 : start + 1);
        if (line.find(needle) != std::string_view::npos) return out;
    }
    return std::nullopt;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        lines.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

// Checks lines written as "T LINE" by `threads` threads, `lines_each` numbered lines each: every
// line whole, each thread's lines in order, none missing. `lines` is what was read, in order.
void expect_each_threads_lines_whole_and_in_order(const std::vector<std::string>& lines,
                                                  int threads, int lines_each) {
    std::vector<int> next(static_cast<std::size_t>(threads), 0);
    for (const auto& line : lines) {
        ASSERT_GE(line.size(), 2U);
        const int t = line[0] - '0';
        ASSERT_TRUE(t >= 0 && t < threads) << line;
        auto& expected = next[static_cast<std::size_t>(t)];
        ASSERT_EQ(line.substr(2) + "\n", numbered_line(expected)) << line;
        ++expected;
    }
    for (int t = 0; t < threads; ++t)
        EXPECT_EQ(next[static_cast<std::size_t>(t)], lines_each) << "thread " << t;
}

// A pipe of one page, filled: a writer to it waits until the test reads.
Pipe full_pipe() {
    Pipe p = make_pipe();
    const int size = ::fcntl(p.write_end.get(), F_SETPIPE_SZ, 4096);
    EXPECT_EQ(size, 4096);
    const std::string filler(static_cast<std::size_t>(size), 'f');
    EXPECT_EQ(::write(p.write_end.get(), filler.data(), filler.size()),
              static_cast<ssize_t>(filler.size()));
    return p;
}

TEST(SharedOutputTest, ShutdownWritesEverythingQueuedInOrder) {
    Pipe p = make_pipe();
    std::string expected;
    std::string got;
    std::jthread reader([&] { got = read_bytes(p.read_end.get(), SIZE_MAX, Deadline(kIo)); });
    {
        SharedOutput output(p.write_end.get(), "prog");
        for (int i = 0; i < 20'000; ++i) {
            expected += numbered_line(i);
            output.write(numbered_line(i));
        }
    }  // joined here, everything written
    p.write_end.reset();
    reader.join();
    EXPECT_TRUE(got == expected) << got.size() << " bytes of " << expected.size();
}

TEST(SharedOutputTest, WritesAWholeBatchToAFile) {
    const Fd file(::memfd_create("shared_output_test", MFD_CLOEXEC));
    ASSERT_TRUE(file.valid());
    std::string batch;
    for (int i = 0; i < 1000; ++i)
        batch += numbered_line(i);
    {
        SharedOutput output(file.get(), "prog");
        output.write(batch);
        output.write("last\n");
    }
    std::string got(batch.size() + 6, '\0');  // one byte more than expected: none comes
    ASSERT_EQ(::pread(file.get(), got.data(), got.size(), 0), static_cast<ssize_t>(got.size() - 1));
    got.pop_back();
    EXPECT_TRUE(got == batch + "last\n");
}

TEST(SharedOutputTest, FullQueueDropsLinesThenSaysHowManyInTheirPlace) {
    Pipe p = full_pipe();
    constexpr std::size_t kCapacity = 1000;  // 47 lines of 21 bytes
    SharedOutput output(p.write_end.get(), "prog", {.capacity = kCapacity});
    constexpr int kLines = 200;
    for (int i = 1; i <= kLines; ++i)
        output.write(numbered_line(i));

    // Nothing more fits until the reader comes: the filler, then the lines in order, each run of
    // lost ones replaced by one line with their count. How the runs fall depends on when the
    // writer thread took the queue out (once when it was full, or more often); the queue's worth
    // is always kept, and every one of the 200 lines is either there or counted.
    EXPECT_EQ(read_bytes(p.read_end.get(), 4096, Deadline(kIo)), std::string(4096, 'f'));
    const std::string suffix = " log lines dropped: the output was not read fast enough";
    int next = 1;
    int kept = 0;
    int drops = 0;
    while (next <= kLines) {
        const auto line = read_until_line_with(p.read_end.get(), "", Deadline(kIo));
        ASSERT_TRUE(line.has_value()) << "lines from " << next << " neither came nor were counted";
        if (line->starts_with("prog: ")) {
            ASSERT_TRUE(line->ends_with(suffix + "\n")) << *line;
            const int count = std::stoi(line->substr(6));
            EXPECT_GT(count, 0);
            next += count;
            ++drops;
        } else {
            ASSERT_EQ(*line, numbered_line(next));
            ++next;
            ++kept;
        }
    }
    EXPECT_EQ(next, kLines + 1);
    EXPECT_GE(kept, 47);
    EXPECT_LE(kept, kLines - 1);
    EXPECT_GE(drops, 1);

    // Room again: the next line goes out after the count.
    output.write(numbered_line(kLines + 1));
    EXPECT_EQ(read_bytes(p.read_end.get(), 21, Deadline(kIo)), numbered_line(kLines + 1));
}

TEST(SharedOutputTest, ANewLineThatFitsAfterADropComesAfterTheCount) {
    Pipe p = full_pipe();
    SharedOutput output(p.write_end.get(), "prog", {.capacity = 100});
    output.write("first\n");
    output.write(std::string(200, 'x') + "\n" + std::string(10, 'y') + "\n");  // two lines
    output.write("second\n");
    EXPECT_EQ(read_bytes(p.read_end.get(), 4096, Deadline(kIo)), std::string(4096, 'f'));
    const auto text = read_until_line_with(p.read_end.get(), "second", Deadline(kIo));
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text,
              "first\n"
              "prog: 2 log lines dropped: the output was not read fast enough\n"
              "second\n");
}

TEST(SharedOutputTest, ATextLargerThanTheQueueIsDroppedAndCountedByItsLines) {
    Pipe p = make_pipe();
    SharedOutput output(p.write_end.get(), "prog", {.capacity = 100});
    std::string big;
    for (int i = 0; i < 10; ++i)
        big += numbered_line(i);
    output.write(big);
    output.write("unterminated tail");  // one line too, though it lacks its newline
    output.write(std::string(150, 'z'));
    output.write("after\n");
    const auto text = read_until_line_with(p.read_end.get(), "after", Deadline(kIo));
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text,
              "prog: 10 log lines dropped: the output was not read fast enough\n"
              "unterminated tail"
              "prog: 1 log line dropped: the output was not read fast enough\n"
              "after\n");
}

TEST(SharedOutputTest, ShutdownDoesNotHangOnAPipeNobodyReads) {
    Pipe p = full_pipe();
    const auto start = std::chrono::steady_clock::now();
    {
        SharedOutput output(p.write_end.get(), "prog");
        for (int i = 0; i < 1000; ++i)
            output.write(numbered_line(i));
    }
    // It gives up after a second without progress; the bound only proves it is not stuck.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(SharedOutputTest, ShutdownWaitsForASlowReader) {
    Pipe p = full_pipe();
    std::string got;
    std::jthread reader([&] {
        // Starts late, then reads slowly, for longer in all than the writer's patience with a
        // pipe that takes nothing: progress keeps the writer going.
        char buffer[128];
        pollfd none{-1, 0, 0};
        ::poll(&none, 1, 300);
        const Deadline deadline(kIo);
        while (wait_readable(p.read_end.get(), deadline)) {
            const ssize_t n = ::read(p.read_end.get(), buffer, sizeof buffer);
            if (n <= 0) break;
            got.append(buffer, static_cast<std::size_t>(n));
            ::poll(&none, 1, 8);
        }
    });
    std::string expected(4096, 'f');
    {
        SharedOutput output(p.write_end.get(), "prog");
        for (int i = 0; i < 1000; ++i) {
            expected += numbered_line(i);
            output.write(numbered_line(i));
        }
    }
    p.write_end.reset();
    reader.join();
    EXPECT_TRUE(got == expected) << got.size() << " bytes of " << expected.size();
}

TEST(SharedOutputTest, WriteThroughIsOutWhenWriteReturnsAndQueuedWhenItCannotBe) {
    Pipe p = make_pipe();
    ASSERT_EQ(::fcntl(p.write_end.get(), F_SETPIPE_SZ, 4096), 4096);
    SharedOutput output(p.write_end.get(), "prog", {.write_through = true});
    output.write("one\n");
    ASSERT_TRUE(wait_readable(p.read_end.get(), Deadline(0s))) << "not written at once";
    EXPECT_EQ(read_bytes(p.read_end.get(), 4, Deadline(kIo)), "one\n");
    // A full pipe: the text waits in the queue, and write() does not.
    const std::string filler(4096, 'f');
    ASSERT_EQ(::write(p.write_end.get(), filler.data(), filler.size()), 4096);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i)
        output.write(numbered_line(i));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    std::string expected = filler;
    for (int i = 0; i < 100; ++i)
        expected += numbered_line(i);
    EXPECT_EQ(read_bytes(p.read_end.get(), expected.size(), Deadline(kIo)), expected);
}

TEST(SharedOutputTest, TextsFromManyThreadsLandWholeAndInEachThreadsOrder) {
    Pipe p = make_pipe();
    std::string got;
    std::jthread reader([&] { got = read_bytes(p.read_end.get(), SIZE_MAX, Deadline(kIo)); });
    constexpr int kThreads = 4;
    constexpr int kLines = 5000;
    {
        SharedOutput output(p.write_end.get(), "prog");
        std::vector<std::jthread> writers;
        for (int t = 0; t < kThreads; ++t) {
            writers.emplace_back([&output, t] {
                for (int i = 0; i < kLines; ++i)
                    output.write(std::to_string(t) + " " + numbered_line(i));
            });
        }
    }
    p.write_end.reset();
    reader.join();
    expect_each_threads_lines_whole_and_in_order(split_lines(got), kThreads, kLines);
}

// ---------------------------------------------------------------------------- replace()

// A log file as web_server opens one: appended to, created when missing.
Fd open_appending(const std::filesystem::path& path) {
    return Fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
}

std::string read_whole_file(const std::filesystem::path& path) {
    std::string out;
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char buffer[65536];
    for (ssize_t n; fd && (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;)
        out.append(buffer, static_cast<std::size_t>(n));
    return out;
}

// logrotate's sequence: the file is renamed, then the output moves to a new one by its name.
TEST(SharedOutputTest, ReplaceSendsEarlierTextToTheOldFileAndLaterTextToTheNew) {
    for (const bool write_through : {false, true}) {
        SCOPED_TRACE(write_through ? "write-through" : "queued");
        const test::TempDir dir;
        const auto path = dir.file("access.log");
        int old_number = -1;
        {
            Fd first = open_appending(path);
            ASSERT_TRUE(first);
            old_number = first.get();
            SharedOutput output(std::move(first), "prog", {.write_through = write_through});
            output.write("one\n");
            output.write("two\n");
            std::filesystem::rename(path, dir.file("access.log.1"));
            Fd second = open_appending(path);
            ASSERT_TRUE(second);
            output.replace(std::move(second));
            output.write("three\n");
        }
        EXPECT_EQ(read_whole_file(dir.file("access.log.1")), "one\ntwo\n");
        EXPECT_EQ(read_whole_file(path), "three\n");
        EXPECT_EQ(::fcntl(old_number, F_GETFD), -1) << "the old descriptor is still open";
    }
}

// Writers going on through the switch: every line lands whole in exactly one file, and each
// writer's lines in the old file come before its lines in the new one.
TEST(SharedOutputTest, ReplaceWhileThreadsWriteLosesAndSplitsNoLine) {
    const test::TempDir dir;
    const auto path = dir.file("access.log");
    constexpr int kThreads = 4;
    constexpr int kLines = 5000;
    {
        Fd first = open_appending(path);
        ASSERT_TRUE(first);
        SharedOutput output(std::move(first), "prog");
        std::atomic<int> written{0};
        std::vector<std::jthread> writers;
        for (int t = 0; t < kThreads; ++t) {
            writers.emplace_back([&output, &written, t] {
                for (int i = 0; i < kLines; ++i) {
                    output.write(std::to_string(t) + " " + numbered_line(i));
                    ++written;
                }
            });
        }
        // The switch comes while the writers are under way (a bounded wait: they never stop).
        const Deadline deadline(kIo);
        while (written.load() < kThreads * kLines / 4 && !deadline.expired())
            std::this_thread::yield();
        std::filesystem::rename(path, dir.file("access.log.1"));
        Fd second = open_appending(path);
        ASSERT_TRUE(second);
        output.replace(std::move(second));
    }
    const auto old_lines = split_lines(read_whole_file(dir.file("access.log.1")));
    const auto new_lines = split_lines(read_whole_file(path));
    EXPECT_FALSE(old_lines.empty());
    EXPECT_FALSE(new_lines.empty());
    auto lines = old_lines;
    lines.insert(lines.end(), new_lines.begin(), new_lines.end());
    expect_each_threads_lines_whole_and_in_order(lines, kThreads, kLines);
}

// Two switches in a row (the second perhaps before the writer has made the first): the text
// goes to the newest descriptor, none to the one in the middle.
TEST(SharedOutputTest, TwoReplacesInARowLeaveNothingInTheMiddleOne) {
    const test::TempDir dir;
    {
        SharedOutput output(open_appending(dir.file("a")), "prog");
        output.write("to a\n");
        output.replace(open_appending(dir.file("b")));
        output.replace(open_appending(dir.file("c")));
        output.write("to c\n");
    }
    EXPECT_EQ(read_whole_file(dir.file("a")), "to a\n");
    EXPECT_EQ(read_whole_file(dir.file("c")), "to c\n");
    EXPECT_EQ(read_whole_file(dir.file("b")).find("to a"), std::string::npos);
}

}  // namespace
}  // namespace net
