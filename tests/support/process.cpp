// Process: fork/exec with redirections, one poll loop over the child's pipes, bounded waits.
#include "tests/support/process.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "tests/support/tools.hpp"

extern char** environ;

namespace net::test {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

[[noreturn]] void throw_errno(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

// Writes to a pipe whose reader is gone must fail with EPIPE, not kill the test.
void ignore_sigpipe_once() {
    static std::once_flag once;
    std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

void set_flag(int fd, int flag) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | flag) != 0) throw_errno(errno, "fcntl");
}

// Moves `fd` above 2, so dup2()ing the child's 0, 1 and 2 in order never clobbers a source
// (possible when the test itself runs with a standard descriptor closed).
Fd above_stdio(Fd fd) {
    if (fd.get() > 2) return fd;
    Fd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
    if (!moved) throw_errno(errno, "fcntl(F_DUPFD_CLOEXEC)");
    return moved;
}

struct Pipe {
    Fd read;
    Fd write;
};

Pipe make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
    return {above_stdio(Fd(fds[0])), above_stdio(Fd(fds[1]))};
}

Fd open_file(const std::filesystem::path& path, int flags) {
    Fd fd(::open(path.c_str(), flags | O_CLOEXEC, 0644));
    if (!fd) throw_errno(errno, "cannot open " + path.string());
    return above_stdio(std::move(fd));
}

// One standard descriptor of the child being prepared: what the child dup2()s into place, and
// the test's end of its pipe.
struct Wiring {
    Fd child_side;      // owned by us, dup2()ed by the child
    int borrowed = -1;  // a descriptor owned by the caller (Redirect::fd)
    bool inherit = false;
    Fd parent_side;  // our end of the pipe

    [[nodiscard]] int source() const { return child_side ? child_side.get() : borrowed; }
};

Wiring wire(const Redirect& redirect, bool is_input) {
    Wiring w;
    switch (redirect.kind()) {
        case Redirect::Kind::kPipe: {
            Pipe p = make_pipe();
            if (is_input) {
                w.child_side = std::move(p.read);
                w.parent_side = std::move(p.write);
            } else {
                w.child_side = std::move(p.write);
                w.parent_side = std::move(p.read);
            }
            // Only our end is non-blocking: the child sees an ordinary blocking pipe.
            set_flag(w.parent_side.get(), O_NONBLOCK);
            break;
        }
        case Redirect::Kind::kNull:
            w.child_side = open_file("/dev/null", is_input ? O_RDONLY : O_WRONLY);
            break;
        case Redirect::Kind::kFile:
            w.child_side =
                open_file(redirect.path(), is_input ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC));
            break;
        case Redirect::Kind::kFd:
            if (redirect.descriptor() <= 2) {
                // dup it above 2 so the ordered dup2()s in the child stay safe.
                w.child_side = Fd(::fcntl(redirect.descriptor(), F_DUPFD_CLOEXEC, 3));
                if (!w.child_side) throw_errno(errno, "fcntl(F_DUPFD_CLOEXEC)");
            } else {
                w.borrowed = redirect.descriptor();
            }
            break;
        case Redirect::Kind::kInherit:
            w.inherit = true;
            break;
    }
    return w;
}

// Writes an errno value to the error pipe and ends the child; async-signal-safe.
[[noreturn]] void child_fail(int error_pipe, int error) {
    const ssize_t ignored = ::write(error_pipe, &error, sizeof error);
    (void)ignored;
    ::_exit(127);
}

int pidfd_open(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

std::filesystem::path resolve_program(const std::filesystem::path& program) {
    if (program.has_parent_path()) return program;
    const std::string found = find_tool(program.string());
    if (found.empty()) throw_errno(ENOENT, "cannot run " + program.string());
    return found;
}

}  // namespace

std::filesystem::path bin_path(std::string_view program) {
    if (const char* dir = std::getenv("TOPDOWN_BIN_DIR"); dir != nullptr && *dir != '\0') {
        return std::filesystem::path(dir) / program;
    }
    return std::filesystem::path(TOPDOWN_BIN_DIR) / program;
}

ExitStatus ExitStatus::from_wait_status(int status) {
    if (WIFSIGNALED(status)) return killed_by(WTERMSIG(status));
    return exit_code(WEXITSTATUS(status));
}

std::string ExitStatus::describe() const {
    if (exited) return "exit " + std::to_string(code);
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
}

Process Process::start(const std::filesystem::path& program, std::vector<std::string> args,
                       ProcessOptions options) {
    ignore_sigpipe_once();
    const std::filesystem::path path = resolve_program(program);

    // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
    std::vector<std::string> argv_strings;
    argv_strings.push_back(path.filename().string());
    for (auto& a : args)
        argv_strings.push_back(std::move(a));
    std::vector<char*> argv;
    for (auto& a : argv_strings)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const std::string_view key = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& [k, v] : options.env)
            overridden = overridden || k == key;
        if (!overridden) env_strings.emplace_back(entry);
    }
    for (const auto& [k, v] : options.env)
        env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    std::array<Wiring, 3> wiring{wire(options.in, true), wire(options.out, false),
                                 wire(options.err, false)};
    Pipe error_pipe = make_pipe();
    const pid_t parent = ::getpid();
    const bool new_session = options.new_session;
    const bool die_with_parent = options.die_with_parent;
    const rlimit open_files{options.open_files, options.open_files};
    const std::string path_string = path.string();

    const pid_t pid = ::fork();
    if (pid < 0) throw_errno(errno, "fork");
    if (pid == 0) {
        const int err_fd = error_pipe.write.get();
        // Start from a clean slate: default dispositions (SIG_IGN survives exec) and no mask.
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig)
            ::sigaction(sig, &dfl, nullptr);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (die_with_parent) {
            if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(err_fd, errno);
            if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
        }
        if (new_session && ::setsid() < 0) child_fail(err_fd, errno);
        if (open_files.rlim_cur != 0 && ::setrlimit(RLIMIT_NOFILE, &open_files) != 0) {
            child_fail(err_fd, errno);
        }
        for (int target = 0; target < 3; ++target) {
            const Wiring& w = wiring[static_cast<std::size_t>(target)];
            if (w.inherit) continue;
            if (::dup2(w.source(), target) < 0) child_fail(err_fd, errno);
        }
        if (new_session && ::isatty(0) && ::ioctl(0, TIOCSCTTY, 0) != 0) {
            child_fail(err_fd, errno);
        }
        // Nothing else of the test leaks into the child (sockets, other children's pipes).
        if (err_fd > 3) ::close_range(3, static_cast<unsigned>(err_fd) - 1, 0);
        ::close_range(static_cast<unsigned>(err_fd) + 1, ~0U, 0);
        ::execve(path_string.c_str(), argv.data(), envp.data());
        child_fail(err_fd, errno);
    }

    Process process;
    process.name_ = path.filename().string();
    process.pid_ = pid;
    process.pidfd_ = Fd(pidfd_open(pid));  // may fail on old kernels: wait() falls back
    error_pipe.write.reset();
    // The error pipe closes on a successful exec (O_CLOEXEC) and carries errno otherwise.
    int child_errno = 0;
    ssize_t n;
    do {
        n = ::read(error_pipe.read.get(), &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        process.reap(0);
        throw_errno(child_errno, "cannot run " + path_string);
    }
    process.in_ = std::move(wiring[0].parent_side);
    process.out_.fd = std::move(wiring[1].parent_side);
    process.out_.eof = !process.out_.fd;
    process.err_.fd = std::move(wiring[2].parent_side);
    process.err_.eof = !process.err_.fd;
    return process;
}

Process::Process(Process&& other) noexcept
    : name_(std::move(other.name_)),
      pid_(std::exchange(other.pid_, -1)),
      status_(other.status_),
      pidfd_(std::move(other.pidfd_)),
      in_(std::move(other.in_)),
      in_pending_(std::move(other.in_pending_)),
      out_(std::move(other.out_)),
      err_(std::move(other.err_)) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        kill();
        name_ = std::move(other.name_);
        pid_ = std::exchange(other.pid_, -1);
        status_ = other.status_;
        pidfd_ = std::move(other.pidfd_);
        in_ = std::move(other.in_);
        in_pending_ = std::move(other.in_pending_);
        out_ = std::move(other.out_);
        err_ = std::move(other.err_);
    }
    return *this;
}

Process::~Process() {
    kill();
}

bool Process::reap(int options) {
    if (status_) return true;
    if (pid_ < 0) return false;
    int status = 0;
    pid_t rc;
    do {
        rc = ::waitpid(pid_, &status, options);
    } while (rc < 0 && errno == EINTR);
    if (rc == pid_) {
        status_ = ExitStatus::from_wait_status(status);
        pidfd_.reset();
        return true;
    }
    return false;
}

void Process::kill() {
    if (pid_ < 0 || status_) return;
    ::kill(pid_, SIGKILL);
    reap(0);
}

bool Process::signal(int sig) {
    if (pid_ < 0 || status_) return false;
    return ::kill(pid_, sig) == 0;
}

bool Process::running() {
    return pid_ >= 0 && !reap(WNOHANG);
}

std::optional<ExitStatus> Process::wait(const Deadline& deadline) {
    if (pid_ < 0) return std::nullopt;
    if (reap(WNOHANG)) return status_;
    if (pidfd_) {
        // The pidfd turns readable when the child ends; keep the pipes flowing meanwhile so a
        // child blocked on a full stdout/stderr pipe can still finish.
        for (;;) {
            std::array<pollfd, 3> fds{};
            std::size_t count = 0;
            fds[count++] = {pidfd_.get(), POLLIN, 0};
            const bool pump_out = out_.fd && !out_.eof;
            const bool pump_err = err_.fd && !err_.eof;
            if (pump_out) fds[count++] = {out_.fd.get(), POLLIN, 0};
            if (pump_err) fds[count++] = {err_.fd.get(), POLLIN, 0};
            if (net::wait_any({fds.data(), count}, deadline) == 0)
                return reap(WNOHANG) ? status_ : std::nullopt;
            std::size_t i = 1;
            if (pump_out && fds[i++].revents != 0) read_channel(out_);
            if (pump_err && fds[i].revents != 0) read_channel(err_);
            if (fds[0].revents != 0 && reap(WNOHANG)) return status_;
        }
    }
    // No pidfd (kernel older than 5.3): the only portable bounded wait is to look again.
    while (!deadline.expired()) {
        const Deadline tick(milliseconds(10));
        if ((out_.fd && !out_.eof) || (err_.fd && !err_.eof)) {
            pump_once(tick);
        } else {
            net::wait_any({}, tick);
        }
        if (reap(WNOHANG)) return status_;
    }
    return reap(WNOHANG) ? status_ : std::nullopt;
}

bool Process::read_channel(Channel& channel) {
    if (!channel.fd || channel.eof) return false;
    char chunk[kReadChunk];
    for (;;) {
        const ssize_t n = ::read(channel.fd.get(), chunk, sizeof chunk);
        if (n > 0) {
            channel.buffer.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        // 0 (EOF) or an error: nothing more will come.
        channel.eof = true;
        channel.fd.reset();
        return false;
    }
}

void Process::pump_once(const Deadline& deadline) {
    std::array<pollfd, 3> fds{};
    std::size_t count = 0;
    int in_index = -1;
    int out_index = -1;
    int err_index = -1;
    if (in_ && !in_pending_.empty()) {
        in_index = static_cast<int>(count);
        fds[count++] = {in_.get(), POLLOUT, 0};
    }
    if (out_.fd && !out_.eof) {
        out_index = static_cast<int>(count);
        fds[count++] = {out_.fd.get(), POLLIN, 0};
    }
    if (err_.fd && !err_.eof) {
        err_index = static_cast<int>(count);
        fds[count++] = {err_.fd.get(), POLLIN, 0};
    }
    if (count == 0) return;
    if (net::wait_any({fds.data(), count}, deadline) == 0) return;

    if (in_index >= 0 && fds[static_cast<std::size_t>(in_index)].revents != 0) {
        const ssize_t n = ::write(in_.get(), in_pending_.data(), in_pending_.size());
        if (n > 0) {
            in_pending_.erase(0, static_cast<std::size_t>(n));
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            // EPIPE: the child closed its stdin (or ended); the rest can never be delivered.
            in_pending_.clear();
            in_.reset();
        }
    }
    if (out_index >= 0 && fds[static_cast<std::size_t>(out_index)].revents != 0) {
        read_channel(out_);
    }
    if (err_index >= 0 && fds[static_cast<std::size_t>(err_index)].revents != 0) {
        read_channel(err_);
    }
}

template <typename Done>
bool Process::pump(const Deadline& deadline, Done done) {
    for (;;) {
        if (done()) return true;
        const bool can_progress =
            (in_ && !in_pending_.empty()) || (out_.fd && !out_.eof) || (err_.fd && !err_.eof);
        if (!can_progress || deadline.expired()) return done();
        pump_once(deadline);
    }
}

bool Process::write_stdin(std::string_view bytes, const Deadline& deadline) {
    if (!in_) return false;
    in_pending_.append(bytes);
    const bool written = pump(deadline, [this] { return in_pending_.empty(); });
    if (!written || !in_) {
        in_pending_.clear();
        return false;
    }
    return true;
}

void Process::close_stdin() {
    in_pending_.clear();
    in_.reset();
}

std::optional<std::string> Process::read_line(Channel& channel, const Deadline& deadline) {
    pump(deadline,
         [&channel] { return channel.eof || channel.buffer.find('\n') != std::string::npos; });
    const auto eol = channel.buffer.find('\n');
    if (eol != std::string::npos) {
        std::string line = channel.buffer.substr(0, eol);
        channel.buffer.erase(0, eol + 1);
        return line;
    }
    if (channel.eof && !channel.buffer.empty()) return std::exchange(channel.buffer, {});
    return std::nullopt;
}

std::optional<std::string> Process::read_line(const Deadline& deadline) {
    return read_line(out_, deadline);
}

std::optional<std::string> Process::read_stderr_line(const Deadline& deadline) {
    return read_line(err_, deadline);
}

std::string Process::read_stdout(const Deadline& deadline) {
    pump(deadline, [this] { return out_.eof; });
    return std::exchange(out_.buffer, {});
}

std::string Process::read_stderr(const Deadline& deadline) {
    pump(deadline, [this] { return err_.eof; });
    return std::exchange(err_.buffer, {});
}

std::string Process::read_stdout_bytes(std::size_t n, const Deadline& deadline) {
    pump(deadline, [this, n] { return out_.eof || out_.buffer.size() >= n; });
    const std::size_t take = std::min(n, out_.buffer.size());
    std::string bytes = out_.buffer.substr(0, take);
    out_.buffer.erase(0, take);
    return bytes;
}

std::optional<std::string> Process::read_stdout_until(std::string_view needle,
                                                      const Deadline& deadline) {
    pump(deadline,
         [this, needle] { return out_.eof || out_.buffer.find(needle) != std::string::npos; });
    const auto at = out_.buffer.find(needle);
    if (at == std::string::npos) return std::nullopt;
    std::string bytes = out_.buffer.substr(0, at + needle.size());
    out_.buffer.erase(0, at + needle.size());
    return bytes;
}

Finished Process::finish(const Deadline& deadline) {
    // Deliver what write_stdin() could not yet, then EOF.
    pump(deadline, [this] { return in_pending_.empty(); });
    close_stdin();
    pump(deadline, [this] { return out_.eof && err_.eof; });
    const auto status = wait(deadline);
    Finished finished{status.value_or(ExitStatus{}), std::exchange(out_.buffer, {}),
                      std::exchange(err_.buffer, {})};
    if (!status) {
        const std::string what =
            name_ + " did not finish in time (" + (out_.eof ? "" : "stdout still open, ") +
            (err_.eof ? "" : "stderr still open, ") + "still running); stdout so far: [" +
            finished.out + "] stderr so far: [" + finished.err + "]";
        kill();
        throw std::runtime_error(what);
    }
    return finished;
}

Finished run(const std::filesystem::path& program, std::vector<std::string> args,
             std::string_view input, Clock::duration timeout, ProcessOptions options) {
    const Deadline deadline(timeout);
    options.in = Redirect::pipe();
    options.out = Redirect::pipe();
    options.err = Redirect::pipe();
    Process process = Process::start(program, std::move(args), std::move(options));
    process.write_stdin(input, deadline);
    return process.finish(deadline);
}

}  // namespace net::test
