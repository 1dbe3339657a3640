// PseudoTerminal on openpty(3) (in glibc's libc since 2.34; older glibc needs -lutil).
#include "tests/support/pty.hpp"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace net::test {

PseudoTerminal::PseudoTerminal() {
    int master = -1;
    int slave = -1;
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
        throw std::system_error(errno, std::generic_category(), "openpty");
    }
    master_ = Fd(master);
    slave_ = Fd(slave);
    for (int fd : {master, slave}) {
        if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
            throw std::system_error(errno, std::generic_category(), "fcntl(FD_CLOEXEC)");
        }
    }
    termios mode{};
    if (::tcgetattr(slave, &mode) != 0) {
        throw std::system_error(errno, std::generic_category(), "tcgetattr");
    }
    mode.c_lflag |= ICANON;
    mode.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    mode.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
    if (::tcsetattr(slave, TCSANOW, &mode) != 0) {
        throw std::system_error(errno, std::generic_category(), "tcsetattr");
    }
    const int flags = ::fcntl(master, F_GETFL);
    if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0) {
        throw std::system_error(errno, std::generic_category(), "fcntl(O_NONBLOCK)");
    }
}

void PseudoTerminal::type(std::string_view bytes, const Deadline& deadline) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(master_.get(), bytes.data(), bytes.size());
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) {
            throw std::system_error(errno, std::generic_category(), "write to pty");
        }
        pollfd p{master_.get(), POLLOUT, 0};
        if (net::wait_any({&p, 1}, deadline) == 0) throw std::runtime_error("typing timed out");
    }
}

void PseudoTerminal::type_eof(const Deadline& deadline) {
    termios mode{};
    char eof = '\x04';
    if (::tcgetattr(master_.get(), &mode) == 0 && mode.c_cc[VEOF] != 0) {
        eof = static_cast<char>(mode.c_cc[VEOF]);
    }
    type(std::string_view(&eof, 1), deadline);
}

bool PseudoTerminal::fill(const Deadline& deadline) {
    if (eof_) return false;
    for (;;) {
        char chunk[4096];
        const ssize_t n = ::read(master_.get(), chunk, sizeof chunk);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (n < 0 && errno == EIO)) {
            // EIO: every slave descriptor is closed (the child exited).
            eof_ = true;
            return false;
        }
        if (errno != EAGAIN) throw std::system_error(errno, std::generic_category(), "read pty");
        pollfd p{master_.get(), POLLIN, 0};
        if (net::wait_any({&p, 1}, deadline) == 0) return false;
    }
}

std::optional<std::string> PseudoTerminal::read_until(std::string_view needle,
                                                      const Deadline& deadline) {
    for (;;) {
        const auto at = buffer_.find(needle);
        if (at != std::string::npos) {
            std::string out = buffer_.substr(0, at + needle.size());
            buffer_.erase(0, at + needle.size());
            return out;
        }
        if (!fill(deadline)) return std::nullopt;
    }
}

std::string PseudoTerminal::read_to_eof(const Deadline& deadline) {
    while (fill(deadline)) {
    }
    return std::exchange(buffer_, {});
}

}  // namespace net::test
