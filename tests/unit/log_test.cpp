// Logger: the level from -q/-v, filtering, the "prog: message" line format, lines through a
// shared sink; log files opened and reopened; announce().
#include "common/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/batched_output.hpp"
#include "common/blocking.hpp"
#include "tests/support/pipe.hpp"
#include "tests/support/temp_dir.hpp"

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

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(LogFileTest, OpensForAppendingAndCreatesMissingFiles) {
    const test::TempDir dir;
    const auto path = dir.write_file("access.log", "kept\n");
    {
        SharedOutput output(open_log_file(path.string()), "prog");
        output.write("added\n");
    }
    EXPECT_EQ(file_text(path), "kept\nadded\n");
    const auto created = dir.file("new.log");
    { const Fd fd = open_log_file(created.string()); }
    // 0644, less the umask: the owner may write, nobody else, and nobody runs it.
    using std::filesystem::perms;
    const auto mode = std::filesystem::status(created).permissions();
    EXPECT_NE(mode & perms::owner_write, perms::none);
    EXPECT_EQ(mode & (perms::group_write | perms::others_write), perms::none);
    EXPECT_EQ(mode & (perms::owner_exec | perms::group_exec | perms::others_exec), perms::none);
}

TEST(LogFileTest, AnUnopenableFileThrowsNamingIt) {
    const test::TempDir dir;
    try {
        open_log_file(dir.file("missing/access.log").string());
        ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("missing/access.log"), std::string::npos);
        EXPECT_EQ(e.code().value(), ENOENT);
    }
}

// What a server does on SIGHUP after logrotate renamed its log.
TEST(LogFileTest, ReopenMovesTheOutputToANewFileByTheSameName) {
    const test::TempDir dir;
    const auto path = dir.file("access.log");
    const Logger log("prog", LogLevel::kInfo);
    {
        SharedOutput output(open_log_file(path.string()), "prog");
        output.write("before\n");
        std::filesystem::rename(path, dir.file("access.log.1"));
        reopen_log_file(output, path.string(), log);
        output.write("after\n");
    }
    EXPECT_EQ(file_text(dir.file("access.log.1")), "before\n");
    EXPECT_EQ(file_text(path), "after\n");
}

TEST(LogFileTest, ReopenThatFailsSaysSoAndKeepsTheOldFile) {
    const test::TempDir dir;
    std::filesystem::create_directory(dir.file("logs"));
    const auto path = dir.file("logs/access.log");
    const Logger log("prog", LogLevel::kInfo);
    CaptureStderr();
    {
        SharedOutput output(open_log_file(path.string()), "prog");
        output.write("before\n");
        std::filesystem::rename(dir.file("logs"), dir.file("gone"));
        reopen_log_file(output, path.string(), log);
        output.write("after\n");
    }
    const std::string err = GetCapturedStderr();
    EXPECT_NE(err.find("prog: cannot open " + path.string()), std::string::npos) << err;
    EXPECT_EQ(file_text(dir.file("gone/access.log")), "before\nafter\n");
}

TEST(LogFileTest, ReopenOfStdoutDoesNothing) {
    const Logger log("prog", LogLevel::kInfo);
    CaptureStdout();
    {
        SharedOutput output(open_log_file("-"), "prog");
        output.write("one\n");
        reopen_log_file(output, "-", log);
        output.write("two\n");
    }
    EXPECT_EQ(GetCapturedStdout(), "one\ntwo\n");
}

TEST(AnnounceTest, PrintsOneLineOnStdout) {
    CaptureStdout();
    announce("listening on 127.0.0.1:12000");
    EXPECT_EQ(GetCapturedStdout(), "listening on 127.0.0.1:12000\n");
}

}  // namespace
}  // namespace net
