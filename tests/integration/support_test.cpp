// The test-support library itself, against ordinary system programs (cat, sh): every wait ends
// at its deadline, pipes never deadlock, failures say what happened.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <system_error>

#include "tests/support/process.hpp"
#include "tests/support/pty.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

TEST(Support, ParsesListeningLines) {
    const auto v4 = parse_listening_line("tcp_server: listening on 127.0.0.1:41234");
    ASSERT_TRUE(v4.has_value());
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 41234);

    const auto v6 = parse_listening_line("udp_server: listening on [::1]:12000");
    ASSERT_TRUE(v6.has_value());
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 12000);

    const auto url = parse_listening_line("web_server: listening on http://[::]:8080/");
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(url->host, "::");
    EXPECT_EQ(url->port, 8080);

    EXPECT_FALSE(parse_listening_line("tcp_server: starting").has_value());
    EXPECT_FALSE(parse_listening_line("listening on 127.0.0.1").has_value());
    EXPECT_FALSE(parse_listening_line("listening on 127.0.0.1:0").has_value());
    EXPECT_FALSE(parse_listening_line("listening on 127.0.0.1:65536").has_value());
    EXPECT_FALSE(parse_listening_line("listening on [::1:80").has_value());
}

TEST(Support, FindsToolsInPath) {
    EXPECT_FALSE(find_tool("sh").empty());
    EXPECT_EQ(find_tool("no-such-tool-anywhere"), "");
}

TEST(Support, RunCollectsOutputStatusAndLargeInputWithoutDeadlock) {
    // 4 MiB through cat: far more than a pipe holds, both ways at once.
    const std::string input(4 * 1024 * 1024, 'x');
    const Finished result = run("cat", {}, input, 30s);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0));
    EXPECT_TRUE(result.out == input);
    EXPECT_EQ(result.err, "");

    const Finished failing = run("sh", {"-c", "echo out; echo err >&2; exit 3"}, {}, 30s);
    EXPECT_EQ(failing.status, ExitStatus::exit_code(3));
    EXPECT_EQ(failing.out, "out\n");
    EXPECT_EQ(failing.err, "err\n");
}

TEST(Support, ReadLineEndsAtItsDeadline) {
    Process cat = Process::start("cat", {}, {.in = Redirect::pipe()});
    const auto start = Clock::now();
    EXPECT_EQ(cat.read_line(Deadline(200ms)), std::nullopt);
    EXPECT_GE(Clock::now() - start, 200ms);
    EXPECT_LT(Clock::now() - start, 10s);

    ASSERT_TRUE(cat.write_stdin("one\ntwo", Deadline(10s)));
    EXPECT_EQ(cat.read_line(Deadline(10s)), "one");
    cat.close_stdin();
    EXPECT_EQ(cat.read_line(Deadline(10s)), "two");  // the unterminated last line
    EXPECT_EQ(cat.read_line(Deadline(10s)), std::nullopt);
    EXPECT_TRUE(cat.stdout_eof());
    EXPECT_EQ(cat.wait(10s), ExitStatus::exit_code(0));
}

TEST(Support, WaitReportsSignalsAndTimesOut) {
    Process cat = Process::start("cat", {}, {.in = Redirect::pipe()});
    EXPECT_EQ(cat.wait(100ms), std::nullopt);
    EXPECT_TRUE(cat.running());
    EXPECT_TRUE(cat.signal(SIGTERM));
    EXPECT_EQ(cat.wait(10s), ExitStatus::killed_by(SIGTERM));
    EXPECT_FALSE(cat.running());
    EXPECT_FALSE(cat.signal(SIGTERM));
}

TEST(Support, FinishThrowsWhenTheChildOutlivesTheDeadline) {
    // sleep keeps running (and holds stdout open) after its stdin closes.
    Process sh = Process::start("sh", {"-c", "echo started; exec sleep 60"});
    EXPECT_EQ(sh.read_line(Deadline(10s)), "started");
    EXPECT_THROW(sh.finish(Deadline(200ms)), std::runtime_error);
    EXPECT_FALSE(sh.running());  // finish() killed it
}

TEST(Support, StartFailsClearlyForAMissingProgram) {
    try {
        Process::start("/nonexistent/program", {});
        ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/program"), std::string::npos);
    }
}

TEST(Support, RedirectsFilesAndPassesEnvironment) {
    TempDir dir;
    const auto in = dir.write_file("in.txt", "from a file\n");
    const auto out = dir.file("out.txt");
    Process cat = Process::start("sh", {"-c", "cat; echo \"$TOPDOWN_PROBE\""},
                                 {.in = Redirect::file(in),
                                  .out = Redirect::file(out),
                                  .env = {{"TOPDOWN_PROBE", "probe value"}}});
    const Finished result = cat.finish(Deadline(10s));
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(read_file(out), "from a file\nprobe value\n");
}

TEST(Support, TempDirIsRemoved) {
    std::filesystem::path path;
    {
        TempDir dir;
        path = dir.path();
        dir.write_file("a", "b");
        EXPECT_TRUE(std::filesystem::is_directory(path));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Support, RunsAProgramOnATerminal) {
    PseudoTerminal tty;
    Process sh = Process::start(
        "sh", {"-c", "if [ -t 0 ]; then echo tty; fi; read line; echo \"got $line\""},
        {.in = Redirect::fd(tty.slave()),
         .out = Redirect::fd(tty.slave()),
         .err = Redirect::fd(tty.slave()),
         .new_session = true});
    tty.close_slave();
    EXPECT_EQ(tty.read_until("tty\n", Deadline(10s)), "tty\n");
    tty.type("typed\n", Deadline(10s));
    EXPECT_EQ(tty.read_until("\n", Deadline(10s)), "got typed\n");
    EXPECT_EQ(sh.wait(10s), ExitStatus::exit_code(0));
}

TEST(Support, UnusedPortRefusesConnections) {
    const auto port = unused_port(Transport::kTcp);
    EXPECT_THROW(connect_tcp("127.0.0.1", port, Deadline(10s)), std::system_error);
}

}  // namespace
}  // namespace net::test
