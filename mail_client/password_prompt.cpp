// The no-echo password prompt on the controlling terminal.
#include "mail_client/password_prompt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <span>

#include "common/blocking.hpp"
#include "common/cli.hpp"
#include "common/fd.hpp"
#include "common/signals.hpp"

namespace mail_client {

TypedLine read_typed_line(int fd) {
    net::TerminationSignals signals;
    TypedLine line;
    while (true) {
        std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {signals.fd(), POLLIN, 0}}};
        net::wait_any(fds, net::Deadline::never());
        if ((fds[1].revents & POLLIN) != 0) {
            line.interrupted = signals.take();
            if (line.interrupted != 0) return line;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        std::array<char, 256> chunk{};
        const auto n = ::read(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return line;
        line.text.append(chunk.data(), static_cast<std::size_t>(n));
        if (const auto end = line.text.find('\n'); end != std::string::npos) {
            line.text.resize(end);
            return line;
        }
    }
}

namespace {

// Turns the terminal's echo off for its lifetime (or until restore()), so an exception on the
// way never leaves the user's terminal silent. Does nothing when `fd` is not a terminal.
class EchoOff {
  public:
    explicit EchoOff(int fd) : fd_(fd), on_(::tcgetattr(fd, &saved_) == 0) {
        if (!on_) return;
        // Echo off before the prompt shows: what is typed after seeing it is never echoed,
        // nor flushed away.
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd_, TCSAFLUSH, &quiet);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    ~EchoOff() { restore(); }

    void restore() {
        if (on_) ::tcsetattr(fd_, TCSANOW, &saved_);
        on_ = false;
    }

  private:
    int fd_;
    termios saved_{};
    bool on_;
};

}  // namespace

std::string ask_password(const std::string& user) {
    const net::Fd terminal(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
    if (!terminal) {
        throw net::UsageError("--user " + user +
                              " needs --password-env, --password-file or a terminal to ask on");
    }
    const int fd = terminal.get();
    EchoOff echo_off(fd);
    net::write_all(fd, "Password for " + user + ": ");
    auto typed = read_typed_line(fd);
    echo_off.restore();
    net::write_all(fd, "\n");
    if (typed.interrupted != 0) std::raise(typed.interrupted);
    if (typed.text.ends_with('\r')) typed.text.pop_back();
    return typed.text;
}

}  // namespace mail_client
