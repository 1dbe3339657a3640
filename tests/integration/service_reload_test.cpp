// Servers run as services: SIGHUP reopens web_server's, web_proxy's and mail_server's log files
// (logrotate renames the file, then sends SIGHUP) while they go on serving, and the servers
// with no log file (tcp_server, udp_server, udp_ping_server) ignore it.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_until.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // generous for sanitizer builds

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t count(std::string_view text, std::string_view part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

// Waits until the file at `path` holds `part` `times` times (lines reach a log file through the
// server's writer thread, a little after the response).
bool wait_for_file(const std::filesystem::path& path, std::string_view part, std::size_t times,
                   const Deadline& deadline) {
    return wait_until([&] { return count(file_text(path), part) >= times; }, deadline);
}

// logrotate's part: rename the log, then SIGHUP; returns once the server says it reopened it
// (every line logged after that goes to the new file).
void rotate(ServerProcess& server, const std::filesystem::path& log,
            const std::filesystem::path& rotated, const Deadline& deadline) {
    std::filesystem::rename(log, rotated);
    ASSERT_TRUE(server.process().signal(SIGHUP));
    ASSERT_TRUE(wait_for_log(server, "reopened " + log.string(), deadline)) << server.log();
}

HttpResponse get(HttpConnection& connection, std::string_view target, const Deadline& deadline) {
    connection.send("GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n\r\n", deadline);
    return connection.read_response(deadline);
}

TEST(ServiceReload, WebServerReopensItsAccessLogOnSighup) {
    StaticSite site;
    site.add_file("before.txt", "before\n");
    site.add_file("after.txt", "after\n");
    const TempDir logs;
    const auto log = logs.file("access.log");
    const auto rotated = logs.file("access.log.1");
    ServerProcess server = ServerProcess::start(
        "web_server", {"-r", site.root().string(), "--access-log", log.string()});
    const Deadline deadline(kIo);

    auto kept = HttpConnection::open("127.0.0.1", server.port(), deadline);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(get(kept, "/before.txt", deadline).status, 200);
    ASSERT_TRUE(wait_for_file(log, "GET /before.txt", 3, deadline)) << file_text(log);

    rotate(server, log, rotated, deadline);

    // The connection opened before the SIGHUP goes on, and so does a new one.
    ASSERT_EQ(get(kept, "/after.txt", deadline).status, 200);
    auto fresh = HttpConnection::open("127.0.0.1", server.port(), deadline);
    ASSERT_EQ(get(fresh, "/after.txt", deadline).status, 200);
    ASSERT_TRUE(wait_for_file(log, "GET /after.txt", 2, deadline)) << file_text(log);

    EXPECT_TRUE(server.running());
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
    const std::string old_text = file_text(rotated);
    const std::string new_text = file_text(log);
    EXPECT_EQ(count(old_text, "\n"), 3U) << old_text;
    EXPECT_EQ(count(old_text, "GET /before.txt"), 3U) << old_text;
    EXPECT_EQ(count(new_text, "\n"), 2U) << new_text;
    EXPECT_EQ(count(new_text, "GET /after.txt"), 2U) << new_text;
}

TEST(ServiceReload, WebServerWithItsLogOnStdoutGoesOnAfterSighup) {
    StaticSite site;
    site.add_file("a.txt", "a\n");
    ServerProcess server = ServerProcess::start("web_server", {"-r", site.root().string()});
    const Deadline deadline(kIo);
    auto kept = HttpConnection::open("127.0.0.1", server.port(), deadline);
    ASSERT_EQ(get(kept, "/a.txt", deadline).status, 200);
    ASSERT_TRUE(server.process().signal(SIGHUP));
    ASSERT_EQ(get(kept, "/a.txt", deadline).status, 200);
    // Both lines on stdout, whole.
    for (int i = 0; i < 2; ++i) {
        const auto line = server.process().read_line(deadline);
        ASSERT_TRUE(line.has_value());
        EXPECT_NE(line->find("\"GET /a.txt HTTP/1.1\" 200 2 "), std::string::npos) << *line;
    }
    EXPECT_TRUE(server.running());
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
}

TEST(ServiceReload, WebProxyReopensItsAccessLogOnSighup) {
    StaticSite site;
    site.add_file("before.txt", "before\n");
    site.add_file("after.txt", "after\n");
    ServerProcess origin = ServerProcess::start("web_server", {"-r", site.root().string(), "-q"});
    const std::string base = "http://" + origin.endpoint();
    const TempDir logs;
    const auto log = logs.file("access.log");
    const auto rotated = logs.file("access.log.1");
    ServerProcess proxy = ServerProcess::start("web_proxy", {"--access-log", log.string()});
    const Deadline deadline(kIo);

    auto kept = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(get(kept, base + "/before.txt", deadline).status, 200);
    ASSERT_TRUE(wait_for_file(log, "/before.txt", 3, deadline)) << file_text(log);

    rotate(proxy, log, rotated, deadline);

    ASSERT_EQ(get(kept, base + "/after.txt", deadline).status, 200);
    auto fresh = HttpConnection::open("127.0.0.1", proxy.port(), deadline);
    ASSERT_EQ(get(fresh, base + "/after.txt", deadline).status, 200);
    ASSERT_TRUE(wait_for_file(log, "/after.txt", 2, deadline)) << file_text(log);

    EXPECT_TRUE(proxy.running());
    EXPECT_EQ(proxy.stop(SIGTERM), ExitStatus::exit_code(0)) << proxy.log();
    const std::string old_text = file_text(rotated);
    const std::string new_text = file_text(log);
    EXPECT_EQ(count(old_text, "\n"), 3U) << old_text;
    EXPECT_EQ(count(old_text, "\"GET " + base + "/before.txt HTTP/1.1\" 200 7 "), 3U) << old_text;
    EXPECT_EQ(count(new_text, "\n"), 2U) << new_text;
    EXPECT_EQ(count(new_text, "\"GET " + base + "/after.txt HTTP/1.1\" 200 6 "), 2U) << new_text;
    // Nothing of the access log on stderr once it has a file.
    EXPECT_EQ(proxy.log().find("/before.txt"), std::string::npos) << proxy.log();
}

TEST(ServiceReload, MailServerReopensItsTranscriptOnSighup) {
    const TempDir logs;
    const auto log = logs.file("transcript.log");
    const auto rotated = logs.file("transcript.log.1");
    ServerProcess server =
        ServerProcess::start("mail_server", {"--no-store", "--log", log.string()});
    const Deadline deadline(kIo);

    auto kept = SmtpClient::connect("127.0.0.1", server.port(), deadline);
    ASSERT_EQ(kept.read_reply(deadline).code, 220);
    ASSERT_EQ(kept.command("EHLO before.example", deadline).code, 250);
    ASSERT_TRUE(wait_for_file(log, "EHLO before.example", 1, deadline)) << file_text(log);

    rotate(server, log, rotated, deadline);

    // The session begun before the SIGHUP goes on; its later lines are in the new file.
    ASSERT_EQ(kept.command("NOOP after", deadline).code, 250);
    auto fresh = SmtpClient::connect("127.0.0.1", server.port(), deadline);
    ASSERT_EQ(fresh.read_reply(deadline).code, 220);
    ASSERT_EQ(fresh.command("EHLO after.example", deadline).code, 250);
    ASSERT_TRUE(wait_for_file(log, "EHLO after.example", 1, deadline)) << file_text(log);
    ASSERT_TRUE(wait_for_file(log, "NOOP after", 1, deadline)) << file_text(log);

    EXPECT_TRUE(server.running());
    EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
    const std::string old_text = file_text(rotated);
    const std::string new_text = file_text(log);
    EXPECT_NE(old_text.find("EHLO before.example"), std::string::npos) << old_text;
    EXPECT_EQ(old_text.find("after"), std::string::npos) << old_text;
    EXPECT_EQ(new_text.find("before"), std::string::npos) << new_text;
    EXPECT_TRUE(old_text.ends_with("\n")) << "a line cut across the two files";
}

// A service manager's reload (ExecReload=kill -HUP) must not stop a server with no log file.
TEST(ServiceReload, ServersWithoutALogFileIgnoreSighup) {
    const Deadline deadline(kIo);
    {
        SCOPED_TRACE("tcp_server");
        ServerProcess server = ServerProcess::start("tcp_server");
        auto kept = connect_tcp("127.0.0.1", server.port(), deadline);
        ASSERT_TRUE(server.process().signal(SIGHUP));
        send_all(kept.get(), "after the hangup\n", deadline);
        EXPECT_EQ(recv_exactly(kept.get(), 17, deadline), "AFTER THE HANGUP\n");
        EXPECT_TRUE(server.running());
        EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
    }
    {
        SCOPED_TRACE("udp_server");
        ServerProcess server = ServerProcess::start("udp_server");
        const Fd socket = udp_connect("127.0.0.1", server.port());
        ASSERT_TRUE(server.process().signal(SIGHUP));
        send_datagram(socket.get(), "after the hangup");
        EXPECT_EQ(recv_datagram(socket.get(), deadline), "AFTER THE HANGUP");
        EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
    }
    {
        SCOPED_TRACE("udp_ping_server");
        ServerProcess server = ServerProcess::start("udp_ping_server");
        ASSERT_TRUE(server.process().signal(SIGHUP));
        // A second signal after the first: the process has had the first by the time it takes
        // this one (SIGTERM, answered with a clean exit only by a process still running).
        EXPECT_EQ(server.stop(SIGTERM), ExitStatus::exit_code(0)) << server.log();
    }
}

}  // namespace
}  // namespace net::test
