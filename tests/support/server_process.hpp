// ServerProcess: one of the suite's servers started on an ephemeral port (-p 0), with the
// address it announced on its first stdout line ("tcp_server: listening on 127.0.0.1:41234").
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace net::test {

// The address a server announced: "listening on 127.0.0.1:41234", "[::1]:41234",
// "http://[::]:8080/" (a scheme and a path are tolerated for later servers).
struct Announced {
    std::string host;  // "127.0.0.1", "::1", "::" (no brackets)
    std::uint16_t port = 0;
};
// Parses the text after "listening on " in `line` or, in a line without it, the last word that is
// an http:// or https:// URL ("web_server: serving www at http://127.0.0.1:8080/"); nullopt when
// there is none or it is malformed.
std::optional<Announced> parse_listening_line(std::string_view line);

struct ServerOptions {
    // Appends "-p 0" unless the arguments already choose a port (-p/--port).
    bool ephemeral_port = true;
    // How long start-up may take before its first line (generous for sanitizer builds).
    Clock::duration startup_timeout = seconds(30);
    ProcessOptions process{};  // `out` is always a pipe; `err` as a pipe becomes the log file
};

// Move-only. Its stderr goes to a log file read by log(), so a chatty server never blocks on a
// full pipe and a failing test can print what the server said. Its stdin is /dev/null.
// The destructor kills the server (SIGKILL) if the test did not stop() it.
class ServerProcess {
  public:
    // Starts bin_path(program) with `args`, waits for its first stdout line and parses it.
    // Throws std::runtime_error with the server's status and log when it fails to announce.
    static ServerProcess start(std::string_view program, std::vector<std::string> args = {},
                               ServerOptions options = {});

    // The first line, exactly as printed.
    [[nodiscard]] const std::string& first_line() const { return first_line_; }
    // The host as announced ("127.0.0.1", "::1", "::", "0.0.0.0").
    [[nodiscard]] const std::string& host() const { return announced_.host; }
    [[nodiscard]] std::uint16_t port() const { return announced_.port; }
    [[nodiscard]] std::string port_string() const { return std::to_string(announced_.port); }
    // Where a client on this machine reaches it: a wildcard address becomes loopback.
    [[nodiscard]] std::string connect_host() const;
    // connect_host() and port as a client argument: "127.0.0.1:41234" or "[::1]:41234".
    [[nodiscard]] std::string endpoint() const;

    // Everything the server wrote to stderr so far.
    [[nodiscard]] std::string log() const;
    // Resident memory from /proc/PID/status (VmRSS), in bytes; nullopt when not readable.
    [[nodiscard]] std::optional<std::size_t> rss_bytes() const;

    // Sends `sig` and waits for the exit; nullopt when it has not exited by the deadline.
    std::optional<ExitStatus> stop(int sig = SIGTERM, Clock::duration timeout = seconds(15));

    Process& process() { return process_; }
    [[nodiscard]] bool running() { return process_.running(); }

  private:
    ServerProcess(TempDir dir, std::filesystem::path log_path, Process process)
        : dir_(std::move(dir)), log_path_(std::move(log_path)), process_(std::move(process)) {}

    TempDir dir_;  // declared before process_: the server dies before its log is removed
    std::filesystem::path log_path_;
    Process process_;
    std::string first_line_;
    Announced announced_;
};

// Polls the server's log until it holds `needle`; true when it did before the deadline.
bool wait_for_log(const ServerProcess& server, std::string_view needle, const Deadline& deadline);

// Connects to the server again and again until a connection is refused: its listener is closed,
// as when it drains after SIGTERM. True when that came before the deadline. `each_try` runs
// before every attempt (a test keeping a slow client trickling meanwhile).
bool wait_until_refusing(const ServerProcess& server, const Deadline& deadline,
                         const std::function<void()>& each_try = {});

// VmRSS of any process, in bytes; nullopt when /proc/PID/status cannot be read.
std::optional<std::size_t> rss_bytes(pid_t pid);

}  // namespace net::test
