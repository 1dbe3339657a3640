// Socket helpers. Every errno is sorted here, once, so callers see IoResult or one exception.
#include "socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace net {
namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

void set_option(int fd, int level, int name, int value, const char* what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) != 0) throw_errno(errno, what);
}

Fd open_socket(int family, int type) {
    Fd fd(::socket(family, type | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno(errno, "socket");
    return fd;
}

bool is_unspecified_v6(const SocketAddress& address) {
    if (address.family() != AF_INET6) return false;
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address.get());
    return IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

// Waits for `fd` to be ready for `events` until `deadline`; false on timeout.
bool wait_until(int fd, short events, Clock::time_point deadline, bool forever) {
    pollfd p{fd, events, 0};
    for (;;) {
        int timeout_ms = -1;
        if (!forever) {
            const auto left = deadline - Clock::now();
            if (left <= Clock::duration::zero()) {
                timeout_ms = 0;
            } else {
                // Round up, so we never wake a hair early and spin.
                timeout_ms =
                    static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
            }
        }
        const int rc = ::poll(&p, 1, timeout_ms);
        if (rc > 0) return true;
        if (rc == 0) {
            if (forever || Clock::now() >= deadline) return false;
            continue;
        }
        if (errno != EINTR) throw_errno(errno, "poll");
    }
}

bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    return wait_until(fd, events, Clock::now() + timeout, timeout.count() < 0);
}

}  // namespace

BoundSocket listen_tcp(const SocketAddress& address, const ListenOptions& options) {
    Fd fd = open_socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK);
    set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
    if (is_unspecified_v6(address)) {
        set_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "setsockopt(IPV6_V6ONLY)");
    }
    if (::bind(fd.get(), address.get(), address.size()) != 0) {
        throw_errno(errno, "cannot listen on " + address.to_string());
    }
    if (::listen(fd.get(), options.backlog) != 0) {
        throw_errno(errno, "cannot listen on " + address.to_string());
    }
    const SocketAddress bound = local_address(fd.get());
    return {std::move(fd), bound};
}

BoundSocket listen_tcp(const std::string& host, const std::string& port,
                       const ListenOptions& options) {
    const auto addresses = resolve(
        host, port, {.transport = Transport::kTcp, .passive = true, .family = options.family});
    // getaddrinfo never returns an empty list on success, but stay defensive.
    if (addresses.empty()) throw_errno(EADDRNOTAVAIL, "cannot listen on " + host + ":" + port);
    return listen_tcp(addresses.front(), options);
}

Connected connect_tcp(const std::string& host, const std::string& port,
                      std::chrono::milliseconds timeout, int family) {
    const auto addresses =
        resolve(host, port, {.transport = Transport::kTcp, .passive = false, .family = family});
    const auto deadline = Clock::now() + timeout;
    int last_error = ETIMEDOUT;
    SocketAddress last_address = addresses.front();
    for (const auto& address : addresses) {
        last_address = address;
        Fd fd = open_socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK);
        int rc = ::connect(fd.get(), address.get(), address.size());
        if (rc != 0 && errno == EINPROGRESS) {
            if (!wait_until(fd.get(), POLLOUT, deadline, false)) {
                last_error = ETIMEDOUT;
                break;  // the whole attempt is out of time
            }
            int error = 0;
            socklen_t len = sizeof error;
            if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
            rc = error == 0 ? 0 : -1;
            errno = error;
        }
        if (rc == 0) {
            set_nonblocking(fd.get(), false);
            return {std::move(fd), address};
        }
        last_error = errno;
    }
    throw_errno(last_error, "cannot connect to " + last_address.to_string());
}

BoundSocket bind_udp(const std::string& host, const std::string& port) {
    const auto addresses = resolve(host, port, {.transport = Transport::kUdp, .passive = true});
    const SocketAddress& address = addresses.front();
    Fd fd = open_socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK);
    if (is_unspecified_v6(address)) {
        set_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "setsockopt(IPV6_V6ONLY)");
    }
    if (::bind(fd.get(), address.get(), address.size()) != 0) {
        throw_errno(errno, "cannot bind to " + address.to_string());
    }
    const SocketAddress bound = local_address(fd.get());
    return {std::move(fd), bound};
}

Fd connect_udp(const SocketAddress& address) {
    Fd fd = open_socket(address.family(), SOCK_DGRAM);
    if (::connect(fd.get(), address.get(), address.size()) != 0) {
        throw_errno(errno, "cannot connect to " + address.to_string());
    }
    return fd;
}

SocketAddress local_address(int fd) {
    SocketAddress address;
    socklen_t len = address.capacity();
    if (::getsockname(fd, address.get_mut(), &len) != 0) throw_errno(errno, "getsockname");
    address.set_size(len);
    return address;
}

SocketAddress peer_address(int fd) {
    SocketAddress address;
    socklen_t len = address.capacity();
    if (::getpeername(fd, address.get_mut(), &len) != 0) throw_errno(errno, "getpeername");
    address.set_size(len);
    return address;
}

void set_nonblocking(int fd, bool on) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) throw_errno(errno, "fcntl(F_GETFL)");
    const int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) != 0) throw_errno(errno, "fcntl(F_SETFL)");
}

void set_nodelay(int fd, bool on) {
    set_option(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, "setsockopt(TCP_NODELAY)");
}

IoResult read_some(int fd, std::span<char> into) {
    if (into.empty()) return {IoStatus::kOk, 0, 0};  // read(2) of 0 bytes returns 0: not a FIN
    for (;;) {
        const ssize_t n = ::read(fd, into.data(), into.size());
        if (n > 0) return {IoStatus::kOk, static_cast<std::size_t>(n), 0};
        if (n == 0) return {IoStatus::kClosed, 0, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::kWouldBlock, 0, 0};
        return {IoStatus::kError, 0, errno};
    }
}

IoResult write_some(int fd, std::span<const char> from) {
    for (;;) {
        // send() with MSG_NOSIGNAL on sockets; write() for pipes, files and terminals.
        ssize_t n = ::send(fd, from.data(), from.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = ::write(fd, from.data(), from.size());
        if (n >= 0) return {IoStatus::kOk, static_cast<std::size_t>(n), 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::kWouldBlock, 0, 0};
        return {IoStatus::kError, 0, errno};
    }
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto result = write_some(fd, bytes);
        switch (result.status) {
            case IoStatus::kOk:
                bytes.remove_prefix(result.bytes);
                break;
            case IoStatus::kWouldBlock:
                wait_for(fd, POLLOUT, std::chrono::milliseconds(-1));
                break;
            case IoStatus::kClosed:
            case IoStatus::kError:
                throw_errno(result.error, "write");
        }
    }
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
    return wait_for(fd, POLLIN, timeout);
}

bool wait_writable(int fd, std::chrono::milliseconds timeout) {
    return wait_for(fd, POLLOUT, timeout);
}

std::string local_host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
    return name.data();
}

}  // namespace net
