// MailServerProcess: mail_server started on an ephemeral port, with its transcript (stdout)
// collected by a thread as it comes. Unlike ServerProcess (whose stdout is read only when a test
// asks), a test can wait for a transcript line with a deadline, and a busy server never blocks
// writing its transcript to a full pipe the test is not reading.
#pragma once

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace net::test {

// Move-only. stderr goes to a log file (log()); stdin is /dev/null. The destructor kills the
// server (SIGKILL) if the test did not stop() it.
class MailServerProcess {
  public:
    // Starts bin_path("mail_server") with `args` plus "-p 0" (unless they choose a port), and
    // waits for its first line. Throws std::runtime_error with its status and log when it
    // announces nothing usable.
    // `open_files`: RLIMIT_NOFILE for the server alone, as under `ulimit -n` (0: the test's).
    static MailServerProcess start(std::vector<std::string> args,
                                   Clock::duration startup_timeout = seconds(30),
                                   unsigned long open_files = 0);

    MailServerProcess(MailServerProcess&&) noexcept;
    MailServerProcess& operator=(MailServerProcess&&) noexcept;
    ~MailServerProcess();

    [[nodiscard]] const std::string& first_line() const;
    [[nodiscard]] const std::string& host() const;  // "127.0.0.1", "::1"
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::string port_string() const { return std::to_string(port()); }
    // "127.0.0.1:41234" or "[::1]:41234", for a client's --server.
    [[nodiscard]] std::string endpoint() const;

    // stdout after the first line, as much as has arrived.
    [[nodiscard]] std::string output() const;
    // Waits until stdout after the first line holds `needle`; false at EOF or the deadline.
    bool wait_for_output(std::string_view needle, const Deadline& deadline) const;
    // Waits for EOF on stdout (the server exited) and returns stdout after the first line;
    // nullopt when the deadline passed first.
    std::optional<std::string> output_to_eof(const Deadline& deadline) const;

    // Everything the server wrote to stderr so far.
    [[nodiscard]] std::string log() const;
    [[nodiscard]] std::optional<std::size_t> rss_bytes() const;

    // Sends `sig` and waits for the exit; nullopt when it has not exited by the deadline.
    std::optional<ExitStatus> stop(int sig = SIGTERM, Clock::duration timeout = seconds(15));
    Process& process();
    [[nodiscard]] bool running();

  private:
    struct State;
    explicit MailServerProcess(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

// mail_server as most tests run it: named mail.test, storing in a Maildir of its own (maildir,
// inside dir) unless `args` choose --maildir, --mbox or --no-store themselves.
struct TestMailServer {
    TempDir dir;
    std::filesystem::path maildir;
    MailServerProcess process;

    // The files in maildir/new, maildir/tmp.
    [[nodiscard]] std::vector<std::filesystem::path> new_files() const;
    [[nodiscard]] std::vector<std::filesystem::path> tmp_files() const;
};
TestMailServer start_mail_server(std::vector<std::string> args = {}, unsigned long open_files = 0);

// The port of the web inbox of a server started with --web, from its second line ("mail_server:
// web inbox on http://127.0.0.1:PORT/"); 0 (and a test failure) when that line does not come.
std::uint16_t web_inbox_port(const MailServerProcess& server, const Deadline& deadline);

// A connection whose greeting was read (and checked to be 220), with nothing sent yet.
SmtpClient connect_smtp(const MailServerProcess& server, const Deadline& deadline);
// The same after "EHLO client.example" was answered 250.
SmtpClient greeted_smtp(const MailServerProcess& server, const Deadline& deadline);

}  // namespace net::test
