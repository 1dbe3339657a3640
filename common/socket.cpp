// Socket helpers. Start-up failures become one std::system_error naming the address.
#include "socket.hpp"

#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

}  // namespace

BoundSocket listen_tcp(const SocketAddress& address, const ListenOptions& options) {
    Fd fd = open_socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK);
    set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
    if (is_unspecified_v6(address)) {
        set_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "setsockopt(IPV6_V6ONLY)");
    }
    if (::bind(fd.get(), address.get(), address.size()) != 0 ||
        ::listen(fd.get(), options.backlog) != 0) {
        throw BindError(errno, "cannot listen on " + address.to_string(), address.port());
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
            if (!wait_writable(fd.get(), Deadline::at(deadline))) {
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
        throw BindError(errno, "cannot bind to " + address.to_string(), address.port());
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

std::string local_host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
    return name.data();
}

std::vector<SocketAddress> local_interface_addresses() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return {};
    const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
    std::vector<SocketAddress> addresses;
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        const sockaddr* addr = entry->ifa_addr;
        if (addr == nullptr) continue;
        if (addr->sa_family == AF_INET) {
            addresses.emplace_back(addr, static_cast<socklen_t>(sizeof(sockaddr_in)));
        } else if (addr->sa_family == AF_INET6) {
            addresses.emplace_back(addr, static_cast<socklen_t>(sizeof(sockaddr_in6)));
        }
    }
    return addresses;
}

}  // namespace net
