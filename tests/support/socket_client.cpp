// Client socket helpers with deadlines.
#include "tests/support/socket_client.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "common/socket.hpp"

namespace net::test {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxDatagram = 65535;

[[noreturn]] void throw_errno(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

// One non-blocking send; returns bytes sent, 0 when the socket is full. Throws on error.
std::size_t send_now(int fd, std::string_view bytes) {
    for (;;) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        throw_errno(errno, "send");
    }
}

// One non-blocking receive appended to `into`: bytes read, 0 when nothing is there yet,
// -1 at EOF. Errors come back through `error`.
ssize_t recv_now(int fd, std::string& into, int& error) {
    char chunk[kChunk];
    for (;;) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0) {
            into.append(chunk, static_cast<std::size_t>(n));
            return n;
        }
        if (n == 0) return -1;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        error = errno;
        return -2;
    }
}

bool wait_for(int fd, short events, const Deadline& deadline) {
    pollfd p{fd, events, 0};
    return net::wait_any({&p, 1}, deadline) > 0;
}

}  // namespace

Fd connect_tcp(const std::string& host, std::uint16_t port, const Deadline& deadline) {
    return net::connect_tcp(host, std::to_string(port), deadline.remaining()).fd;
}

Fd connect_from(const std::string& source, std::uint16_t port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw std::system_error(errno, std::generic_category(), "socket");
    const SocketAddress from = resolve(source, "0").front();
    if (::bind(fd.get(), from.get(), from.size()) != 0) {
        throw std::system_error(errno, std::generic_category(), "bind " + source);
    }
    const SocketAddress to = resolve("127.0.0.1", std::to_string(port)).front();
    if (::connect(fd.get(), to.get(), to.size()) != 0) {
        throw std::system_error(errno, std::generic_category(), "connect");
    }
    return fd;
}

void send_all(int fd, std::string_view bytes, const Deadline& deadline) {
    const std::size_t total = bytes.size();
    while (!bytes.empty()) {
        const std::size_t n = send_now(fd, bytes);
        bytes.remove_prefix(n);
        if (n == 0 && !wait_for(fd, POLLOUT, deadline)) {
            throw std::runtime_error("send timed out after " +
                                     std::to_string(total - bytes.size()) + " of " +
                                     std::to_string(total) + " bytes");
        }
    }
}

std::size_t send_until_blocked(int fd, std::string_view bytes, const Deadline& deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const std::size_t n = send_now(fd, bytes.substr(sent));
        sent += n;
        if (n == 0 && !wait_for(fd, POLLOUT, deadline)) break;
    }
    return sent;
}

std::string recv_exactly(int fd, std::size_t n, const Deadline& deadline) {
    std::string bytes;
    while (bytes.size() < n) {
        int error = 0;
        // Never read past n: whatever follows belongs to the next call.
        char chunk[kChunk];
        const std::size_t want = std::min(n - bytes.size(), sizeof chunk);
        const ssize_t got = ::recv(fd, chunk, want, MSG_DONTWAIT);
        if (got > 0) {
            bytes.append(chunk, static_cast<std::size_t>(got));
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        const bool would_block = got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        if (got < 0 && !would_block) error = errno;
        if (got == 0 || error != 0) {
            throw std::runtime_error(
                "expected " + std::to_string(n) + " bytes, got " + std::to_string(bytes.size()) +
                (got == 0 ? " then EOF" : " then " + std::system_category().message(error)) +
                "; the start of what arrived: [" + bytes.substr(0, 200) + "]");
        }
        if (!wait_for(fd, POLLIN, deadline)) {
            throw std::runtime_error(
                "expected " + std::to_string(n) + " bytes, got " + std::to_string(bytes.size()) +
                " before the deadline; the start of what arrived: [" + bytes.substr(0, 200) + "]");
        }
    }
    return bytes;
}

Received recv_until_eof(int fd, const Deadline& deadline) {
    Received received;
    for (;;) {
        int error = 0;
        const ssize_t got = recv_now(fd, received.bytes, error);
        if (got == -1) {
            received.end = StreamEnd::kEof;
            return received;
        }
        if (got == -2) {
            received.end = error == ECONNRESET ? StreamEnd::kReset : StreamEnd::kError;
            received.error = error;
            return received;
        }
        if (got == 0 && !wait_for(fd, POLLIN, deadline)) {
            received.end = StreamEnd::kTimeout;
            return received;
        }
    }
}

std::string send_and_receive(int fd, std::string_view bytes, std::size_t expect,
                             const Deadline& deadline, bool shutdown_after) {
    std::string received;
    std::size_t sent = 0;
    bool shut = false;
    for (;;) {
        if (sent == bytes.size() && shutdown_after && !shut) {
            shutdown_write(fd);
            shut = true;
        }
        if (received.size() >= expect) return received;
        std::array<pollfd, 1> p{{{fd, POLLIN, 0}}};
        if (sent < bytes.size()) p[0].events |= POLLOUT;
        if (net::wait_any(p, deadline) == 0) {
            throw std::runtime_error("sent " + std::to_string(sent) + " of " +
                                     std::to_string(bytes.size()) + " bytes and received " +
                                     std::to_string(received.size()) + " of " +
                                     std::to_string(expect) + " before the deadline");
        }
        if ((p[0].revents & POLLOUT) != 0) sent += send_now(fd, bytes.substr(sent));
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            int error = 0;
            const ssize_t got = recv_now(fd, received, error);
            if (got < 0 && received.size() < expect) {
                throw std::runtime_error(
                    "sent " + std::to_string(sent) + " of " + std::to_string(bytes.size()) +
                    " bytes; received " + std::to_string(received.size()) + " of " +
                    std::to_string(expect) + " then " +
                    (got == -1 ? std::string("EOF") : std::system_category().message(error)));
            }
        }
    }
}

Received send_and_receive_to_eof(int fd, std::string_view bytes, const Deadline& deadline) {
    Received received;
    std::size_t sent = 0;
    for (;;) {
        std::array<pollfd, 1> p{{{fd, POLLIN, 0}}};
        if (sent < bytes.size()) p[0].events |= POLLOUT;
        if (net::wait_any(p, deadline) == 0) {
            received.end = StreamEnd::kTimeout;
            return received;
        }
        if ((p[0].revents & POLLOUT) != 0 && sent < bytes.size()) {
            try {
                sent += send_now(fd, bytes.substr(sent));
            } catch (const std::system_error&) {
                sent = bytes.size();  // the peer is gone; read what it said before
            }
        }
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            int error = 0;
            const ssize_t got = recv_now(fd, received.bytes, error);
            if (got == -1) {
                received.end = StreamEnd::kEof;
                return received;
            }
            if (got == -2) {
                received.end = error == ECONNRESET ? StreamEnd::kReset : StreamEnd::kError;
                received.error = error;
                return received;
            }
        }
    }
}

void shutdown_write(int fd) {
    if (::shutdown(fd, SHUT_WR) != 0) throw_errno(errno, "shutdown");
}

void close_with_reset(Fd fd) {
    const linger option{1, 0};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &option, sizeof option) != 0) {
        throw_errno(errno, "setsockopt(SO_LINGER)");
    }
    fd.reset();
}

Fd udp_connect(const std::string& host, std::uint16_t port) {
    const auto addresses = resolve(host, std::to_string(port), {.transport = Transport::kUdp});
    return connect_udp(addresses.front());
}

void send_datagram(int fd, std::string_view payload) {
    for (;;) {
        const ssize_t n = ::send(fd, payload.data(), payload.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            if (static_cast<std::size_t>(n) != payload.size()) {
                throw std::runtime_error("short datagram send");
            }
            return;
        }
        if (errno == EINTR) continue;
        throw_errno(errno, "send datagram");
    }
}

std::optional<std::string> recv_datagram(int fd, const Deadline& deadline) {
    std::vector<char> buffer(kMaxDatagram + 1);
    for (;;) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n >= 0) return std::string(buffer.data(), static_cast<std::size_t>(n));
        if (errno == EINTR) continue;
        if (errno == ECONNREFUSED) return std::nullopt;
        if (errno != EAGAIN && errno != EWOULDBLOCK) throw_errno(errno, "recv datagram");
        if (!wait_for(fd, POLLIN, deadline)) return std::nullopt;
    }
}

std::uint16_t unused_port(Transport transport, const std::string& host) {
    BoundSocket bound = transport == Transport::kTcp ? listen_tcp(host, "0") : bind_udp(host, "0");
    return bound.address.port();  // the socket closes here, leaving the port free
}

bool ipv6_loopback_available() {
    try {
        (void)bind_udp("::1", "0");
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace net::test
