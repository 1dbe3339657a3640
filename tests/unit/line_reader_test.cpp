// LineReader: LF and CRLF framing, lines split across feeds, the maximum length (reported once,
// then resync at the next terminator), the end of input, and read_line on a pipe.
#include "common/line_reader.hpp"
#include "common/blocking.hpp"
#include "common/fd.hpp"
#include "tests/support/pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace net {
namespace {

using test::make_pipe;
using test::Pipe;

// What next() returned, copied out (the view is only valid until the next call).
struct Event {
    LineStatus status;
    std::string line;
    friend bool operator==(const Event&, const Event&) = default;
};

std::ostream& operator<<(std::ostream& out, const Event& event) {
    static constexpr const char* kNames[] = {"kLine", "kNeedMore", "kTooLong", "kEof"};
    return out << kNames[static_cast<int>(event.status)] << " \"" << event.line << "\"";
}

Event line(std::string text) {
    return {LineStatus::kLine, std::move(text)};
}
const Event kNeedMore{LineStatus::kNeedMore, ""};
const Event kTooLong{LineStatus::kTooLong, ""};
Event eof(std::string tail = "") {
    return {LineStatus::kEof, std::move(tail)};
}

Event next(LineReader& reader) {
    const LineResult result = reader.next();
    return {result.status, std::string(result.line)};
}

// Calls next() until it needs more (or the input ends), collecting every result.
std::vector<Event> drain(LineReader& reader) {
    std::vector<Event> events;
    for (int guard = 0; guard < 100000; ++guard) {
        Event event = next(reader);
        const bool stop = event.status == LineStatus::kNeedMore ||
                          (event.status == LineStatus::kEof && event.line.empty());
        events.push_back(std::move(event));
        if (stop) return events;
    }
    ADD_FAILURE() << "next() never asked for more";
    return events;
}

// Feeds `bytes` one at a time, draining after each; returns every line and kTooLong seen.
std::vector<Event> feed_byte_by_byte(LineReader& reader, std::string_view bytes) {
    std::vector<Event> seen;
    for (const char c : bytes) {
        reader.feed(std::string_view(&c, 1));
        for (Event& event : drain(reader)) {
            if (event.status != LineStatus::kNeedMore) seen.push_back(std::move(event));
        }
    }
    return seen;
}

// ---------------------------------------------------------------------------- LF

TEST(LineReaderTest, LfSplitsLines) {
    LineReader reader(100);
    reader.feed("hello\nworld\n");
    EXPECT_EQ(next(reader), line("hello"));
    EXPECT_EQ(next(reader), line("world"));
    EXPECT_EQ(next(reader), kNeedMore);
    EXPECT_EQ(next(reader), kNeedMore);
}

TEST(LineReaderTest, LfDropsTheCarriageReturn) {
    LineReader reader(100);
    reader.feed("crlf\r\nlf\n\r\n\n");
    EXPECT_EQ(next(reader), line("crlf"));
    EXPECT_EQ(next(reader), line("lf"));
    EXPECT_EQ(next(reader), line(""));
    EXPECT_EQ(next(reader), line(""));
    EXPECT_EQ(next(reader), kNeedMore);
}

TEST(LineReaderTest, LfKeepsCarriageReturnsInsideTheLine) {
    LineReader reader(100);
    reader.feed("a\rb\n");
    EXPECT_EQ(next(reader), line("a\rb"));
    reader.feed("two\r\r\n");
    EXPECT_EQ(next(reader), line("two\r")) << "only the one CR before the LF is dropped";
}

TEST(LineReaderTest, IncompleteLineWaitsForMore) {
    LineReader reader(100);
    reader.feed("par");
    EXPECT_EQ(next(reader), kNeedMore);
    reader.feed("tial");
    EXPECT_EQ(next(reader), kNeedMore);
    reader.feed("\nnext");
    EXPECT_EQ(next(reader), line("partial"));
    EXPECT_EQ(next(reader), kNeedMore);
    reader.feed("\n");
    EXPECT_EQ(next(reader), line("next"));
}

TEST(LineReaderTest, LfByteByByte) {
    LineReader reader(100);
    const auto seen = feed_byte_by_byte(reader, "first\r\nsecond\n\nthird\n");
    EXPECT_EQ(seen, (std::vector<Event>{line("first"), line("second"), line(""), line("third")}));
    EXPECT_EQ(next(reader), kNeedMore);
}

TEST(LineReaderTest, KeepsBinaryBytes) {
    LineReader reader(100);
    const std::string data("\0\xff\xc3\xa9", 4);
    reader.feed(data + "\n");
    EXPECT_EQ(next(reader), line(data));
}

TEST(LineReaderTest, ManyLinesInOneFeed) {
    LineReader reader(100);
    std::string input;
    for (int i = 0; i < 1000; ++i)
        input += "line " + std::to_string(i) + "\n";
    reader.feed(input);
    for (int i = 0; i < 1000; ++i)
        ASSERT_EQ(next(reader), line("line " + std::to_string(i)));
    EXPECT_EQ(next(reader), kNeedMore);
}

// ---------------------------------------------------------------------------- CRLF

TEST(LineReaderTest, CrlfSplitsLines) {
    LineReader reader(100, LineEnd::kCrlf);
    reader.feed("HELO a\r\nMAIL FROM:<x@y>\r\n\r\n");
    EXPECT_EQ(next(reader), line("HELO a"));
    EXPECT_EQ(next(reader), line("MAIL FROM:<x@y>"));
    EXPECT_EQ(next(reader), line(""));
    EXPECT_EQ(next(reader), kNeedMore);
}

TEST(LineReaderTest, CrlfTreatsBareLfAndCrAsData) {
    LineReader reader(100, LineEnd::kCrlf);
    reader.feed("a\nb\rc\r\n");
    EXPECT_EQ(next(reader), line("a\nb\rc"));
    reader.feed("only lf\n");
    EXPECT_EQ(next(reader), kNeedMore);
    reader.feed("\r\n");
    EXPECT_EQ(next(reader), line("only lf\n"));
}

TEST(LineReaderTest, CrlfSplitBetweenFeeds) {
    LineReader reader(100, LineEnd::kCrlf);
    reader.feed("DATA\r");
    EXPECT_EQ(next(reader), kNeedMore);
    reader.feed("\nQUIT\r");
    EXPECT_EQ(next(reader), line("DATA"));
    EXPECT_EQ(next(reader), kNeedMore);
    reader.feed("\n");
    EXPECT_EQ(next(reader), line("QUIT"));
}

TEST(LineReaderTest, CrlfByteByByte) {
    LineReader reader(100, LineEnd::kCrlf);
    const auto seen = feed_byte_by_byte(reader, "EHLO x\r\nRCPT TO:<a\nb>\r\n\r\nend\r\n");
    EXPECT_EQ(seen,
              (std::vector<Event>{line("EHLO x"), line("RCPT TO:<a\nb>"), line(""), line("end")}));
}

// ---------------------------------------------------------------------------- maximum length

TEST(LineReaderTest, ExactMaximumIsAccepted) {
    LineReader reader(5);
    reader.feed("12345\n");
    EXPECT_EQ(next(reader), line("12345"));

    LineReader with_cr(5);
    with_cr.feed("12345\r\n");
    EXPECT_EQ(next(with_cr), line("12345"));

    LineReader crlf(5, LineEnd::kCrlf);
    crlf.feed("12345\r\n");
    EXPECT_EQ(next(crlf), line("12345"));
}

TEST(LineReaderTest, ExactMaximumIsAcceptedByteByByte) {
    LineReader lf(5);
    EXPECT_EQ(feed_byte_by_byte(lf, "12345\r\nabcde\n"),
              (std::vector<Event>{line("12345"), line("abcde")}));

    LineReader crlf(5, LineEnd::kCrlf);
    EXPECT_EQ(feed_byte_by_byte(crlf, "12345\r\nabcde\r\n"),
              (std::vector<Event>{line("12345"), line("abcde")}));
}

TEST(LineReaderTest, OneOverTheMaximumIsTooLong) {
    LineReader reader(5);
    reader.feed("123456\nok\n");
    EXPECT_EQ(next(reader), kTooLong);
    EXPECT_EQ(next(reader), line("ok"));
    EXPECT_EQ(next(reader), kNeedMore);

    LineReader crlf(5, LineEnd::kCrlf);
    crlf.feed("123456\r\nok\r\n");
    EXPECT_EQ(next(crlf), kTooLong);
    EXPECT_EQ(next(crlf), line("ok"));
}

TEST(LineReaderTest, TooLongIsReportedOnceThenResyncs) {
    LineReader reader(8);
    std::vector<Event> seen;
    for (int i = 0; i < 100; ++i) {
        reader.feed("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        for (Event& event : drain(reader)) {
            if (event.status == LineStatus::kNeedMore) {
                // The over-long line's bytes are dropped, not kept.
                EXPECT_LE(reader.buffer().readable_bytes(), 8U + 1U);
            } else {
                seen.push_back(std::move(event));
            }
        }
    }
    reader.feed("xxx\nafter\n");
    for (Event& event : drain(reader)) {
        if (event.status != LineStatus::kNeedMore) seen.push_back(std::move(event));
    }
    EXPECT_EQ(seen, (std::vector<Event>{kTooLong, line("after")}));
}

TEST(LineReaderTest, TooLongByteByByte) {
    LineReader lf(4);
    EXPECT_EQ(feed_byte_by_byte(lf, "abcd\nabcdefghij\r\nabc\n"),
              (std::vector<Event>{line("abcd"), kTooLong, line("abc")}));

    LineReader crlf(4, LineEnd::kCrlf);
    EXPECT_EQ(feed_byte_by_byte(crlf, "abcd\r\nab\ncdefghij\r\nabc\r\n"),
              (std::vector<Event>{line("abcd"), kTooLong, line("abc")}));
}

TEST(LineReaderTest, CrlfTooLongWithTheTerminatorSplitAcrossFeeds) {
    LineReader reader(4, LineEnd::kCrlf);
    std::vector<Event> seen;
    for (const std::string_view piece : {"0123456789\r", "\nok\r\n"}) {
        reader.feed(piece);
        for (Event& event : drain(reader)) {
            if (event.status != LineStatus::kNeedMore) seen.push_back(std::move(event));
        }
    }
    EXPECT_EQ(seen, (std::vector<Event>{kTooLong, line("ok")}));
}

TEST(LineReaderTest, CrlfBareLfDoesNotEndAnOverLongLine) {
    LineReader reader(4, LineEnd::kCrlf);
    reader.feed("0123456789\nabc\r\nok\r\n");
    EXPECT_EQ(next(reader), kTooLong);
    EXPECT_EQ(next(reader), line("ok"));
}

TEST(LineReaderTest, ZeroMaximumAcceptsOnlyEmptyLines) {
    LineReader reader(0);
    reader.feed("\nx\n\n");
    EXPECT_EQ(next(reader), line(""));
    EXPECT_EQ(next(reader), kTooLong);
    EXPECT_EQ(next(reader), line(""));
}

// ---------------------------------------------------------------------------- end of input

TEST(LineReaderTest, EofReturnsTheTailThenTheEnd) {
    LineReader reader(100);
    reader.feed("a\nb");
    EXPECT_EQ(next(reader), line("a"));
    EXPECT_EQ(next(reader), kNeedMore);
    reader.set_eof();
    EXPECT_EQ(next(reader), eof("b"));
    EXPECT_EQ(next(reader), eof());
    EXPECT_EQ(next(reader), eof());
}

TEST(LineReaderTest, EofAfterCompleteLines) {
    LineReader reader(100, LineEnd::kCrlf);
    reader.feed("one\r\ntwo\r\n");
    reader.set_eof();
    EXPECT_EQ(next(reader), line("one"));
    EXPECT_EQ(next(reader), line("two"));
    EXPECT_EQ(next(reader), eof());
}

TEST(LineReaderTest, EofOnNothing) {
    LineReader reader(100);
    reader.set_eof();
    EXPECT_EQ(next(reader), eof());
}

TEST(LineReaderTest, EofInsideAnOverLongLine) {
    LineReader reader(5);
    reader.feed("0123456789");
    std::vector<Event> seen;
    for (Event& event : drain(reader)) {
        if (event.status != LineStatus::kNeedMore) seen.push_back(std::move(event));
    }
    reader.set_eof();
    for (Event& event : drain(reader))
        seen.push_back(std::move(event));
    EXPECT_EQ(seen, (std::vector<Event>{kTooLong, eof()}));
}

TEST(LineReaderTest, EofTailOneOverTheMaximumIsTooLong) {
    // An unterminated tail is still a line: it may not be longer than the maximum either.
    LineReader reader(5);
    reader.feed("123456");
    std::vector<Event> seen;
    for (Event& event : drain(reader)) {
        if (event.status != LineStatus::kNeedMore) seen.push_back(std::move(event));
    }
    reader.set_eof();
    for (Event& event : drain(reader))
        seen.push_back(std::move(event));
    EXPECT_EQ(seen, (std::vector<Event>{kTooLong, eof()}));
}

TEST(LineReaderTest, EofTailOfExactlyTheMaximum) {
    LineReader reader(5);
    reader.feed("12345");
    EXPECT_EQ(next(reader), kNeedMore);
    reader.set_eof();
    EXPECT_EQ(next(reader), eof("12345"));
    EXPECT_EQ(next(reader), eof());
}

// ---------------------------------------------------------------------------- read_line

// Ends the test binary if a blocking read never returns (darkhttpd's "don't wait forever").
class Watchdog {
  public:
    explicit Watchdog(unsigned seconds) { ::alarm(seconds); }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() { ::alarm(0); }
};

Event read_event(LineReader& reader, int fd) {
    const LineResult result = net::read_line(reader, fd);
    return {result.status, std::string(result.line)};
}

TEST(LineReaderTest, ReadLineFromAPipe) {
    const Watchdog watchdog(30);
    Pipe pipe = make_pipe();
    const std::string input = "first\r\nsecond\n\ntoo long for the limit\nthe tail";
    ASSERT_EQ(::write(pipe.write_end.get(), input.data(), input.size()),
              static_cast<ssize_t>(input.size()));
    pipe.write_end.reset();

    LineReader reader(10);
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), line("first"));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), line("second"));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), line(""));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), kTooLong);
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), eof("the tail"));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), eof());
}

TEST(LineReaderTest, ReadLineFromANonblockingPipeWaits) {
    const Watchdog watchdog(30);
    Pipe pipe = make_pipe(O_NONBLOCK);
    LineReader reader(100);
    std::jthread writer([fd = std::move(pipe.write_end)] {
        for (int i = 0; i < 3; ++i) {
            const std::string text = "line " + std::to_string(i) + "\n";
            EXPECT_EQ(::write(fd.get(), text.data(), text.size()),
                      static_cast<ssize_t>(text.size()));
        }
    });  // the write end closes when the thread ends
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), line("line 0"));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), line("line 1"));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), line("line 2"));
    EXPECT_EQ(read_event(reader, pipe.read_end.get()), eof());
}

TEST(LineReaderTest, ReadLineManyLinesFromAWriterThread) {
    const Watchdog watchdog(60);
    Pipe pipe = make_pipe();
    constexpr int kLines = 20000;  // far more than a pipe holds
    std::jthread writer([fd = std::move(pipe.write_end)] {
        std::string text;
        for (int i = 0; i < kLines; ++i)
            text += std::to_string(i) + " some padding to make the line longer\r\n";
        std::size_t written = 0;
        while (written < text.size()) {
            const auto n = ::write(fd.get(), text.data() + written, text.size() - written);
            if (n <= 0) break;
            written += static_cast<std::size_t>(n);
        }
    });
    LineReader reader(100, LineEnd::kCrlf);
    int matched = 0;
    while (matched < kLines &&
           read_event(reader, pipe.read_end.get()) ==
               line(std::to_string(matched) + " some padding to make the line longer")) {
        ++matched;
    }
    EXPECT_EQ(matched, kLines);
    if (matched == kLines) {
        EXPECT_EQ(read_event(reader, pipe.read_end.get()), eof());
    }
    // On a mismatch, drain the pipe so the writer can finish and the thread can be joined.
    char sink[4096];
    while (::read(pipe.read_end.get(), sink, sizeof sink) > 0) {
    }
}

}  // namespace
}  // namespace net
