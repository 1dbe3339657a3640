// Process: one child program run by a test, with its stdin, stdout and stderr wired to pipes,
// files or /dev/null, and every wait bounded by a Deadline.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"

namespace net::test {

// The full path of one of the suite's programs in the build's bin/ folder ("tcp_server").
// The environment variable TOPDOWN_BIN_DIR, when set, overrides the folder chosen at build time.
std::filesystem::path bin_path(std::string_view program);

// How a child ended: exited with a status, or killed by a signal.
struct ExitStatus {
    bool exited = true;
    int code = 0;    // meaningful when exited
    int signal = 0;  // meaningful when !exited

    static ExitStatus exit_code(int code) { return {true, code, 0}; }
    static ExitStatus killed_by(int signal) { return {false, 0, signal}; }
    static ExitStatus from_wait_status(int status);

    [[nodiscard]] bool ok() const { return exited && code == 0; }
    // "exit 64" or "killed by signal 9 (Killed)".
    [[nodiscard]] std::string describe() const;

    friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
    friend std::ostream& operator<<(std::ostream& out, const ExitStatus& s) {
        return out << s.describe();
    }
};

// Where one of the child's standard descriptors goes.
class Redirect {
  public:
    enum class Kind { kPipe, kNull, kFile, kFd, kInherit };

    // A pipe to the test: write_stdin() for stdin, read_line()/read_*() for stdout and stderr.
    static Redirect pipe() { return Redirect(Kind::kPipe); }
    static Redirect null() { return Redirect(Kind::kNull); }
    // stdin reads the file; stdout/stderr create or truncate it.
    static Redirect file(std::filesystem::path path) {
        Redirect r(Kind::kFile);
        r.path_ = std::move(path);
        return r;
    }
    // A descriptor the caller keeps owning (a pty slave, a socket); the child gets a copy.
    static Redirect fd(int fd) {
        Redirect r(Kind::kFd);
        r.fd_ = fd;
        return r;
    }
    // The test's own descriptor (its terminal or ctest's log).
    static Redirect inherit() { return Redirect(Kind::kInherit); }

    [[nodiscard]] Kind kind() const { return kind_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] int descriptor() const { return fd_; }

  private:
    explicit Redirect(Kind kind) : kind_(kind) {}
    Kind kind_;
    std::filesystem::path path_;
    int fd_ = -1;
};

struct ProcessOptions {
    Redirect in = Redirect::null();
    Redirect out = Redirect::pipe();
    Redirect err = Redirect::pipe();
    // NAME=VALUE pairs set on top of the test's own environment (which the child inherits,
    // ASAN_OPTIONS and all).
    std::vector<std::pair<std::string, std::string>> env{};
    // setsid(), and when stdin is a terminal make it the controlling terminal (for pty tests).
    bool new_session = false;
    // PR_SET_PDEATHSIG: the child gets SIGKILL when the *thread* that started it exits, so a
    // crashed test leaves no server behind. Start long-lived children from the test's own thread.
    bool die_with_parent = true;
    // RLIMIT_NOFILE, soft and hard, for the child alone (0: the test's own): a server run as
    // under `ulimit -n N`.
    unsigned long open_files = 0;
};

// What a finished child left: its status and everything it wrote to its pipes.
struct Finished {
    ExitStatus status;
    std::string out;
    std::string err;
};

// A running child. Move-only. The destructor kills it with SIGKILL and reaps it, so no test
// leaves a process behind. Not thread-safe: one owner, one thread at a time.
//
// Reads and writes on the pipes go through one poll loop that serves all three at once, so a
// child blocked writing stderr never deadlocks a test waiting for its stdout: whatever arrives on
// a pipe the test is not asking about is buffered for later.
class Process {
  public:
    // Starts `program` (a path, or a name looked up in PATH) with `args` (argv[1]...).
    // Throws std::system_error (with the program's name) when it cannot be started.
    static Process start(const std::filesystem::path& program, std::vector<std::string> args,
                         ProcessOptions options = {});

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process();

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& name() const { return name_; }

    // --- stdin (Redirect::pipe only) ---
    // Writes all of `bytes`; false when the deadline passed first or the child closed its end
    // (what was not written is dropped).
    bool write_stdin(std::string_view bytes, const Deadline& deadline);
    // Sends EOF. Safe to call more than once.
    void close_stdin();

    // --- stdout and stderr (Redirect::pipe only) ---
    // The next line of stdout without its "\n"; nullopt on timeout or at EOF (see stdout_eof()).
    // At EOF an unterminated last line is returned once as a line.
    std::optional<std::string> read_line(const Deadline& deadline);
    // The same for stderr (a program whose stdout carries data, its messages on stderr).
    std::optional<std::string> read_stderr_line(const Deadline& deadline);
    // Everything until EOF on stdout (or stderr), including what was buffered before. Returns what
    // arrived even when the deadline passed first; stdout_eof()/stderr_eof() tell which.
    std::string read_stdout(const Deadline& deadline);
    std::string read_stderr(const Deadline& deadline);
    // Reads stdout until it holds at least `n` bytes (returns them, leaving the rest buffered),
    // EOF or the deadline (returns what there is).
    std::string read_stdout_bytes(std::size_t n, const Deadline& deadline);
    // Reads stdout until `needle` appears; returns everything up to and including it (and leaves
    // the rest buffered), or nullopt at EOF or the deadline (the bytes stay buffered).
    std::optional<std::string> read_stdout_until(std::string_view needle, const Deadline& deadline);
    [[nodiscard]] bool stdout_eof() const { return out_.eof; }
    [[nodiscard]] bool stderr_eof() const { return err_.eof; }

    // --- the process ---
    // Sends `sig`; false when the child is already reaped.
    bool signal(int sig);
    // Waits until the child ends; nullopt when it is still running at the deadline.
    std::optional<ExitStatus> wait(const Deadline& deadline);
    std::optional<ExitStatus> wait(Clock::duration timeout) { return wait(Deadline(timeout)); }
    // True while the child has not ended (reaps it when it has).
    bool running();
    // SIGKILL and reap. Safe to call more than once.
    void kill();

    // Closes stdin, reads stdout and stderr to EOF and waits for the exit, all within one
    // deadline. Throws std::runtime_error naming what did not finish (and kills the child) when
    // the deadline passes first, with what the child had written so far.
    Finished finish(const Deadline& deadline);

  private:
    struct Channel {
        Fd fd;
        std::string buffer;
        bool eof = true;  // no pipe: nothing will ever come
    };

    Process() = default;
    // Moves bytes on every pipe until `done()` holds or the deadline passes; returns done().
    template <typename Done>
    bool pump(const Deadline& deadline, Done done);
    void pump_once(const Deadline& deadline);
    std::optional<std::string> read_line(Channel& channel, const Deadline& deadline);
    static bool read_channel(Channel& channel);
    bool reap(int options);

    std::string name_;
    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
    Fd pidfd_;
    Fd in_;
    std::string in_pending_;
    Channel out_;
    Channel err_;
};

// Starts `program`, feeds it `input` on stdin, and collects its status and output within
// `timeout` (throws std::runtime_error if it does not finish in time).
Finished run(const std::filesystem::path& program, std::vector<std::string> args,
             std::string_view input = {}, Clock::duration timeout = seconds(30),
             ProcessOptions options = {});

}  // namespace net::test
