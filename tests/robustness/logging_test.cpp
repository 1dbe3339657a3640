// Logs nobody reads: the servers' stdout and stderr are pipes the test leaves full. Serving must
// never wait on a log: lines beyond the queue are dropped and counted, and the count shows once
// the pipe is read again. Shutdown does not hang on the full pipe either.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

// One exchange with a server that does not block: far more than loopback needs, far less than
// the test's own bound. A server stuck on its log misses it.
constexpr auto kStep = 5s;

// The count in "prog: 1234 log lines dropped: ..." within `text`, or nullopt.
std::optional<std::uint64_t> dropped_count(std::string_view text, std::string_view program) {
    const std::string marker = std::string(program) + ": ";
    for (const auto& line : split_lines(text)) {
        if (!line.starts_with(marker) || line.find(" dropped: ") == std::string::npos) continue;
        try {
            return std::stoull(line.substr(marker.size()));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

// What a test asks of a server whose log it does not read.
constexpr int kRequests = 3000;
constexpr int kSessions = 2000;
constexpr int kConnections = 3000;

// web_server on one loop with its access log on stdout, which ServerProcess reads only the first
// line of: the log fills the pipe (64 KiB), then the queue (4 MiB).
struct WebServerRun {
    StaticSite site;
    ServerProcess server;
    HttpConnection conn;

    WebServerRun()
        : server(start(site)),
          conn(HttpConnection::open(server.connect_host(), server.port(), Deadline(kStep))) {}

    static ServerProcess start(const StaticSite& site) {
        site.add_file("index.html", "<p>hello</p>\n");
        return ServerProcess::start("web_server", {"-r", site.root().string(), "-t", "1"});
    }

    // GET /index.html with Referer http://test/N/rrr...: a 2 KiB access log line naming N.
    // Returns how many got their 200 in time; the first failure's story in `failure`.
    int serve(int first, int count, std::string& failure) {
        static const std::string kTail(2000, 'r');
        for (int i = 0; i < count; ++i) {
            try {
                conn.send(http_request("GET", "/index.html",
                                       "Referer: http://test/" + std::to_string(first + i) + "/" +
                                           kTail + "\r\n"),
                          Deadline(kStep));
                const HttpResponse response = conn.read_response(Deadline(kStep));
                if (response.status != 200) {
                    failure = "status " + std::to_string(response.status);
                    return i;
                }
            } catch (const std::runtime_error& e) {
                failure = e.what();
                return i;
            }
        }
        return count;
    }

    // kRequests requests with stdout unread, from number 0: all must get their 200.
    ::testing::AssertionResult serve_with_log_unread() {
        std::string failure;
        const int served = serve(0, kRequests, failure);
        if (served == kRequests) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "web_server served " << served
               << " requests with its stdout unread, then: " << failure;
    }
};

TEST(LoggingWithAPipeNobodyReads, WebServerServesOnAndCountsTheAccessLogLinesItDropped) {
    WebServerRun run;
    ASSERT_TRUE(run.serve_with_log_unread());

    // Reading the pipe lets the queue out: the lines kept, in order, then how many were dropped.
    Process& process = run.server.process();
    const auto out = process.read_stdout_until(" dropped: ", Deadline(30s));
    ASSERT_TRUE(out.has_value()) << "no dropped-lines line on stdout";
    const auto rest = process.read_line(Deadline(kStep));
    ASSERT_TRUE(rest.has_value());
    const auto dropped = dropped_count(*out + *rest, "web_server");
    ASSERT_TRUE(dropped.has_value()) << *rest;
    // The requests whose lines came before the count: 0, 1, 2... in order.
    std::uint64_t logged = 0;
    for (const auto& line : split_lines(*out)) {
        const auto n = number_after(line, "\"http://test/");
        if (!n) continue;
        EXPECT_EQ(*n, logged) << "out of order: " << line.substr(0, 120);
        ++logged;
    }
    EXPECT_GT(*dropped, 0U);

    // With room again, lines come after the count: the last requests' if they were handed over
    // only after the reading began (a loop logs after it replies), then one more request's.
    std::string failure;
    ASSERT_EQ(run.serve(kRequests, 1, failure), 1) << failure;
    std::uint64_t expected = logged + *dropped;
    for (;;) {
        const auto line = process.read_line(Deadline(kStep));
        ASSERT_TRUE(line.has_value()) << "no line for request " << kRequests;
        const auto n = number_after(*line, "\"http://test/");
        ASSERT_TRUE(n.has_value()) << *line;
        EXPECT_EQ(*n, expected) << "after the count: " << line->substr(0, 120);
        if (*n >= kRequests) break;
        ++expected;
    }
    EXPECT_EQ(expected, static_cast<std::uint64_t>(kRequests))
        << logged << " lines before the count, " << *dropped << " dropped";
    EXPECT_EQ(run.server.stop(SIGTERM), ExitStatus::exit_code(0));
    report_held(std::to_string(kRequests) + " requests (6 MiB of access log) served with stdout " +
                "unread; " + std::to_string(logged) + " lines kept in order, then \"" +
                std::to_string(*dropped) + " log lines dropped\"");
}

TEST(LoggingWithAPipeNobodyReads, WebServerExitsPromptlyWithItsLogStillFull) {
    WebServerRun run;
    ASSERT_TRUE(run.serve_with_log_unread());
    // Process::wait() would read the pipes; a pidfd tells the exit without reading them.
    Process& process = run.server.process();
    const Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, process.pid(), 0)));
    ASSERT_TRUE(pidfd.valid()) << "pidfd_open: " << std::strerror(errno);
    const auto start = Clock::now();
    ASSERT_TRUE(process.signal(SIGTERM));
    const bool ended = wait_readable(pidfd.get(), Deadline(15s));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    ASSERT_TRUE(ended) << "web_server still running 15 s after SIGTERM";
    EXPECT_EQ(process.wait(Deadline(kStep)), ExitStatus::exit_code(0));
    // It gives the pipe a second to take something; the bound proves only that it is not stuck.
    EXPECT_LT(took, 10s);
    report_held("SIGTERM with 4 MiB of access log queued and stdout unread: exit 0 in " +
                std::to_string(took.count()) + " ms");
}

TEST(LoggingWithAPipeNobodyReads, MailServerServesOnAndCountsTheTranscriptLinesItDropped) {
    // -v: the transcript has every message line too. ServerProcess reads stdout's first line only.
    ServerProcess server =
        ServerProcess::start("mail_server", {"--no-store", "-v", "-t", "1", "--hostname", "mx"});
    // A short session, numbered by its HELO name; false with the story in `failure`.
    const auto session = [&](int n, std::string_view message, std::string& failure) {
        try {
            SmtpClient client =
                SmtpClient::connect(server.connect_host(), server.port(), Deadline(kStep));
            if (client.read_reply(Deadline(kStep)).code != 220) return false;
            if (client.command("EHLO client" + std::to_string(n), Deadline(kStep)).code != 250)
                return false;
            const SmtpReply stored =
                send_message(client, "a@example.org", {"b@example.org"}, message, Deadline(kStep));
            if (stored.code != 250) {
                failure = stored.text();
                return false;
            }
            return client.command("QUIT", Deadline(kStep)).code == 221;
        } catch (const std::runtime_error& e) {
            failure = e.what();
            return false;
        }
    };
    std::string failure;
    int served = 0;
    while (served < kSessions && session(served, "Subject: hi\n\nhello\n", failure))
        ++served;
    ASSERT_EQ(served, kSessions) << "mail_server served " << served
                                 << " sessions with its stdout unread, then: " << failure;
    // Three messages of 2 MiB, every line of them in the transcript: beyond the queue.
    std::string big = "Subject: big\n\n";
    while (big.size() < 2 * 1024 * 1024)
        big += std::string(990, 'm') + "\n";
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(session(kSessions + i, big, failure)) << "big message " << i << ": " << failure;
    ASSERT_TRUE(session(kSessions + 3, "Subject: after\n\nstill served\n", failure)) << failure;

    Process& process = server.process();
    const auto out = process.read_stdout_until(" dropped: ", Deadline(30s));
    ASSERT_TRUE(out.has_value()) << "no dropped-lines line on stdout";
    const auto rest = process.read_line(Deadline(kStep));
    ASSERT_TRUE(rest.has_value());
    const auto dropped = dropped_count(*out + *rest, "mail_server");
    ASSERT_TRUE(dropped.has_value());
    EXPECT_GT(*dropped, 0U);
    // The short sessions' transcript came before the drops, whole and in order.
    std::uint64_t helos = 0;
    for (const auto& line : split_lines(*out)) {
        const auto n = number_after(line, "] C: EHLO client");
        if (!n) continue;
        EXPECT_EQ(*n, helos) << line;
        ++helos;
    }
    EXPECT_GE(helos, static_cast<std::uint64_t>(kSessions));
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0));
    report_held(std::to_string(kSessions + 4) + " sessions (3 of 2 MiB, shown line by line) " +
                "with stdout unread; \"" + std::to_string(*dropped) + " log lines dropped\"");
}

TEST(LoggingWithAPipeNobodyReads, TcpServerServesOnWithItsStderrUnread) {
    // -v logs two lines per connection on stderr, a pipe here (ServerProcess would make it a
    // file): about 700 connections fill it.
    Process server = Process::start(bin_path("tcp_server"), {"-p", "0", "-v", "-t", "1"});
    const auto first = server.read_line(Deadline(30s));
    ASSERT_TRUE(first.has_value()) << "tcp_server announced nothing";
    const auto announced = parse_listening_line(*first);
    ASSERT_TRUE(announced.has_value()) << *first;
    int served = 0;
    std::string failure;
    for (; served < kConnections; ++served) {
        try {
            Fd conn = connect_tcp("127.0.0.1", announced->port, Deadline(kStep));
            const std::string reply = send_and_receive(conn.get(), "hello\n", 6, Deadline(kStep));
            if (reply != "HELLO\n") {
                failure = "reply [" + reply + "]";
                break;
            }
        } catch (const std::exception& e) {
            failure = e.what();
            break;
        }
    }
    ASSERT_EQ(served, kConnections) << "tcp_server served " << served
                                    << " connections with its stderr unread, then: " << failure;
    // Every line comes out once stderr is read (0.3 MB: the queue held them), in order.
    ASSERT_TRUE(server.signal(SIGTERM));
    const std::string log = server.read_stderr(Deadline(30s));
    const auto status = server.wait(Deadline(kStep));
    ASSERT_TRUE(status.has_value()) << "tcp_server still running after SIGTERM";
    EXPECT_EQ(*status, ExitStatus::exit_code(0));
    std::uint64_t connections = 0;
    std::uint64_t closed = 0;
    for (const auto& line : split_lines(log)) {
        if (line.find("] connection from ") != std::string::npos) {
            EXPECT_EQ(number_after(line, "tcp_server: ["), connections + 1) << line;
            ++connections;
        }
        if (line.ends_with("] closed")) ++closed;
    }
    EXPECT_EQ(connections, static_cast<std::uint64_t>(kConnections));
    EXPECT_EQ(closed, static_cast<std::uint64_t>(kConnections));
    report_held(std::to_string(kConnections) + " connections served with tcp_server -v's stderr " +
                "unread; all " + std::to_string(connections + closed) +
                " lines there, in order, once read");
}

}  // namespace
}  // namespace net::test
