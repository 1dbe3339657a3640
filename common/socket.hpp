// Socket helpers: listen, connect with a timeout, UDP bind/connect, addresses and options. Start-up
// failures throw std::system_error whose what() reads "cannot listen on 127.0.0.1:80: Permission
// denied".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "address.hpp"
#include "blocking.hpp"
#include "fd.hpp"
#include "io.hpp"

namespace net {

using Clock = std::chrono::steady_clock;

// A bound socket and the address the kernel actually gave it (the real port after -p 0).
struct BoundSocket {
    Fd fd;
    SocketAddress address;
};

// A listening or bound socket that could not take its address ("cannot listen on
// 127.0.0.1:80: Permission denied"). The port it wanted lets main() add a hint (the capability a
// port below 1024 needs, -p 0 for a port in use).
class BindError : public std::system_error {
  public:
    BindError(int error, const std::string& what, std::uint16_t port)
        : std::system_error(error, std::generic_category(), what), port_(port) {}
    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    std::uint16_t port_;
};

struct ListenOptions {
    int backlog = 1024;
    int family = AF_UNSPEC;
};

// Listens on the first address `host`/`port` resolves to. SO_REUSEADDR is set; "::" accepts
// IPv4 too (dual-stack); port "0" takes an ephemeral port. The socket is non-blocking. Throws
// ResolveError for an unknown host and BindError when the address cannot be taken.
BoundSocket listen_tcp(const std::string& host, const std::string& port,
                       const ListenOptions& options = {});
BoundSocket listen_tcp(const SocketAddress& address, const ListenOptions& options = {});

// Connects to every address `host`/`port` resolves to in turn until one answers; the whole
// attempt is bounded by `timeout`. Returns a blocking socket. Throws ResolveError for an unknown
// host and std::system_error ("cannot connect to HOST:PORT: Connection refused") otherwise.
struct Connected {
    Fd fd;
    SocketAddress peer;
};
Connected connect_tcp(const std::string& host, const std::string& port,
                      std::chrono::milliseconds timeout, int family = AF_UNSPEC);

// A non-blocking UDP socket bound to `host`/`port` ("::" is dual-stack). Throws as listen_tcp.
BoundSocket bind_udp(const std::string& host, const std::string& port);
// A blocking UDP socket connect()ed to `address`, so ICMP errors come back as ECONNREFUSED.
Fd connect_udp(const SocketAddress& address);

SocketAddress local_address(int fd);
SocketAddress peer_address(int fd);

// This machine's name (gethostname), or "localhost" when it has none: for greetings and HELO.
std::string local_host_name();
// The addresses of this host's interfaces, loopback included (getifaddrs; ports 0). Empty when
// they cannot be read.
std::vector<SocketAddress> local_interface_addresses();

void set_nonblocking(int fd, bool on = true);
void set_nodelay(int fd, bool on = true);

}  // namespace net
