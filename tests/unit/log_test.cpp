// Logger: the level from -q/-v, filtering, the "prog: message" line format, lines through a
// shared sink; announce().
#include "common/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/batched_output.hpp"
#include "common/blocking.hpp"
#include "tests/support/pipe.hpp"

namespace net {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::CaptureStdout;
using ::testing::internal::GetCapturedStderr;
using ::testing::internal::GetCapturedStdout;

TEST(LoggerTest, LevelFromFlags) {
    EXPECT_EQ(Logger::level_from_flags(false, 0), LogLevel::kInfo);
    EXPECT_EQ(Logger::level_from_flags(true, 0), LogLevel::kError);
    EXPECT_EQ(Logger::level_from_flags(false, 1), LogLevel::kDebug);
    EXPECT_EQ(Logger::level_from_flags(false, 3), LogLevel::kDebug);
}

TEST(LoggerTest, EnabledFollowsTheLevel) {
    const Logger info("prog", LogLevel::kInfo);
    EXPECT_EQ(info.level(), LogLevel::kInfo);
    EXPECT_EQ(info.program(), "prog");
    EXPECT_TRUE(info.enabled(LogLevel::kError));
    EXPECT_TRUE(info.enabled(LogLevel::kWarning));
    EXPECT_TRUE(info.enabled(LogLevel::kInfo));
    EXPECT_FALSE(info.enabled(LogLevel::kDebug));

    const Logger quiet("prog", LogLevel::kError);
    EXPECT_TRUE(quiet.enabled(LogLevel::kError));
    EXPECT_FALSE(quiet.enabled(LogLevel::kWarning));
    EXPECT_FALSE(quiet.enabled(LogLevel::kInfo));

    const Logger debug("prog", LogLevel::kDebug);
    EXPECT_TRUE(debug.enabled(LogLevel::kDebug));
}

TEST(LoggerTest, WritesOneLinePrefixedWithTheProgram) {
    const Logger logger("tcp_server", LogLevel::kInfo);
    CaptureStderr();
    logger.info("listening on 127.0.0.1:12000");
    const std::string out = GetCapturedStderr();
    EXPECT_EQ(out, "tcp_server: listening on 127.0.0.1:12000\n");
}

TEST(LoggerTest, ErrorsAndWarningsNameTheProgram) {
    const Logger logger("tcp_server", LogLevel::kInfo);
    CaptureStderr();
    logger.error("boom");
    logger.warning("careful");
    const std::string out = GetCapturedStderr();
    EXPECT_TRUE(out.starts_with("tcp_server: ")) << out;
    EXPECT_NE(out.find("boom\n"), std::string::npos) << out;
    EXPECT_NE(out.find("careful\n"), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}

TEST(LoggerTest, FilteredLevelsWriteNothing) {
    const Logger quiet("prog", LogLevel::kError);
    CaptureStderr();
    quiet.warning("w");
    quiet.info("i");
    quiet.debug("d");
    quiet.write(LogLevel::kDebug, "d");
    EXPECT_EQ(GetCapturedStderr(), "");

    const Logger debug("prog", LogLevel::kDebug);
    CaptureStderr();
    debug.debug("details");
    EXPECT_EQ(GetCapturedStderr(), "prog: details\n");
}

TEST(LoggerTest, CopiesShareTheSettings) {
    const Logger original("prog", LogLevel::kWarning);
    const Logger copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.level(), LogLevel::kWarning);
    EXPECT_EQ(copy.program(), "prog");
}

TEST(LoggerTest, LinesFromThreadsDoNotInterleave) {
    const Logger logger("prog", LogLevel::kInfo);
    constexpr int kThreads = 4;
    constexpr int kLines = 200;
    CaptureStderr();
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&logger, t] {
                const std::string message(100, static_cast<char>('a' + t));
                for (int i = 0; i < kLines; ++i)
                    logger.info(message);
            });
        }
    }
    const std::string out = GetCapturedStderr();
    std::size_t lines = 0;
    std::size_t start = 0;
    while (start < out.size()) {
        const auto end = out.find('\n', start);
        ASSERT_NE(end, std::string::npos);
        const std::string_view text(out.data() + start, end - start);
        ASSERT_EQ(text.size(), 106U) << text;
        ASSERT_TRUE(text.starts_with("prog: ")) << text;
        EXPECT_EQ(text.substr(6).find_first_not_of(text[6]), std::string_view::npos) << text;
        ++lines;
        start = end + 1;
    }
    EXPECT_EQ(lines, static_cast<std::size_t>(kThreads * kLines));
}

TEST(LoggerTest, CopiesShareOneSinkAndItsOrder) {
    test::Pipe p = test::make_pipe();
    auto sink = std::make_shared<SharedOutput>(p.write_end.get(), "prog");
    {
        const Logger logger("prog", LogLevel::kInfo, sink);
        const Logger copy = logger;  // NOLINT(performance-unnecessary-copy-initialization)
        logger.info("one");
        copy.warning("two");
        logger.debug("filtered");
        copy.error("three");
    }
    sink.reset();  // the last owner: everything queued is written before this returns
    p.write_end.reset();
    std::string out(256, '\0');
    ASSERT_TRUE(wait_readable(p.read_end.get(), std::chrono::seconds(10)));
    const ssize_t n = ::read(p.read_end.get(), out.data(), out.size());
    ASSERT_GT(n, 0);
    out.resize(static_cast<std::size_t>(n));
    EXPECT_EQ(out, "prog: one\nprog: warning: two\nprog: three\n");
}

TEST(LoggerTest, QueuedWritesToStderrByTheTimeItIsGone) {
    CaptureStderr();
    {
        const Logger logger = Logger::queued("web_server", LogLevel::kInfo);
        for (int i = 0; i < 100; ++i)
            logger.info("line " + std::to_string(i));
    }
    const std::string out = GetCapturedStderr();
    std::string expected;
    for (int i = 0; i < 100; ++i)
        expected += "web_server: line " + std::to_string(i) + "\n";
    EXPECT_EQ(out, expected);
}

TEST(AnnounceTest, PrintsOneLineOnStdout) {
    CaptureStdout();
    announce("listening on 127.0.0.1:12000");
    EXPECT_EQ(GetCapturedStdout(), "listening on 127.0.0.1:12000\n");
}

}  // namespace
}  // namespace net
