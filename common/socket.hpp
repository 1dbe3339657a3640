// Socket helpers: listen, connect with a timeout, UDP bind/connect, and I/O that survives
// partial writes and EINTR. Start-up failures throw std::system_error whose what() reads
// "cannot listen on 127.0.0.1:80: Permission denied".
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "address.hpp"
#include "fd.hpp"

namespace net {

using Clock = std::chrono::steady_clock;

// A bound socket and the address the kernel actually gave it (the real port after -p 0).
struct BoundSocket {
    Fd fd;
    SocketAddress address;
};

struct ListenOptions {
    int backlog = 1024;
    int family = AF_UNSPEC;
};

// Listens on the first address `host`/`port` resolves to. SO_REUSEADDR is set; "::" accepts
// IPv4 too (dual-stack); port "0" takes an ephemeral port. The socket is non-blocking.
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

// A non-blocking UDP socket bound to `host`/`port` ("::" is dual-stack).
BoundSocket bind_udp(const std::string& host, const std::string& port);
// A blocking UDP socket connect()ed to `address`, so ICMP errors come back as ECONNREFUSED.
Fd connect_udp(const SocketAddress& address);

SocketAddress local_address(int fd);
SocketAddress peer_address(int fd);

// This machine's name (gethostname), or "localhost" when it has none: for greetings and HELO.
std::string local_host_name();

void set_nonblocking(int fd, bool on = true);
void set_nodelay(int fd, bool on = true);

// The outcome of one non-blocking read or write.
enum class IoStatus { kOk, kWouldBlock, kClosed, kError };
struct IoResult {
    IoStatus status = IoStatus::kOk;
    std::size_t bytes = 0;
    int error = 0;  // errno when status == kError
};

// One read(2)/recv, retried on EINTR. kClosed means the peer sent FIN (a read of 0).
IoResult read_some(int fd, std::span<char> into);
// One write/send (MSG_NOSIGNAL on sockets), retried on EINTR; may write less than asked.
IoResult write_some(int fd, std::span<const char> from);

// Writes every byte, waiting (poll) whenever the descriptor is non-blocking and full.
// Throws std::system_error on failure.
void write_all(int fd, std::string_view bytes);

// poll(2) for one descriptor until `timeout` (negative: forever), on the monotonic clock and
// resumed after EINTR. True when ready (readable, or hung up / in error: the next read tells).
bool wait_readable(int fd, std::chrono::milliseconds timeout);
bool wait_writable(int fd, std::chrono::milliseconds timeout);

}  // namespace net
