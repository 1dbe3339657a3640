// Client sockets for tests: connect, send and receive with a deadline on every step.
// Sockets stay in blocking mode; every call here uses MSG_DONTWAIT and poll(2), so a socket from
// anywhere (net::connect_tcp, accept) can be passed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.hpp"
#include "common/fd.hpp"
#include "tests/support/deadline.hpp"

namespace net::test {

// A TCP connection to host:port within the deadline. Throws (net::ResolveError,
// std::system_error) like net::connect_tcp.
Fd connect_tcp(const std::string& host, std::uint16_t port, const Deadline& deadline);

// A TCP connection to 127.0.0.1:`port` from another loopback address `source` (127.0.0.2...):
// another client, as far as per-address limits go. Throws std::system_error.
Fd connect_from(const std::string& source, std::uint16_t port);

// Sends every byte; throws std::runtime_error on timeout (saying how much went out) or error.
void send_all(int fd, std::string_view bytes, const Deadline& deadline);

// Sends as much of `bytes` as the peer takes before the deadline; returns the count. For
// pushing at a peer that may have stopped reading. Throws on errors other than "full".
std::size_t send_until_blocked(int fd, std::string_view bytes, const Deadline& deadline);

// Exactly `n` bytes; throws std::runtime_error at EOF, error or timeout (with what arrived).
std::string recv_exactly(int fd, std::size_t n, const Deadline& deadline);

// How a read to the end stopped.
enum class StreamEnd { kEof, kTimeout, kReset, kError };
struct Received {
    std::string bytes;
    StreamEnd end = StreamEnd::kEof;
    int error = 0;  // errno for kReset/kError
};
// Everything until the peer's FIN (or the deadline, or an error).
Received recv_until_eof(int fd, const Deadline& deadline);

// Sends `bytes` while reading what comes back, until `expect` bytes arrived (the right way to
// talk to an echo-like server with more data than the socket buffers hold). With
// `shutdown_after`, half-closes once everything is sent. Throws std::runtime_error on timeout.
std::string send_and_receive(int fd, std::string_view bytes, std::size_t expect,
                             const Deadline& deadline, bool shutdown_after = false);

// Sends `bytes` while reading what comes back, until the peer's FIN (or an error, or the
// deadline: see Received::end). For a peer that stops reading while its answers go unread.
// Whatever was not sent when the peer closed is dropped.
Received send_and_receive_to_eof(int fd, std::string_view bytes, const Deadline& deadline);

// shutdown(SHUT_WR): our FIN, the peer may go on sending.
void shutdown_write(int fd);
// Closes with SO_LINGER {1, 0}: the peer gets an RST instead of a FIN.
void close_with_reset(Fd fd);

// A UDP socket connect()ed to host:port (so replies from anyone else are filtered out).
Fd udp_connect(const std::string& host, std::uint16_t port);
// Sends one datagram on a connected UDP socket; throws on error.
void send_datagram(int fd, std::string_view payload);
// The next datagram, or nullopt at the deadline. Up to 65535 bytes. Throws on errors other
// than ECONNREFUSED (which, on a connected socket, says nobody listens: returns nullopt too).
std::optional<std::string> recv_datagram(int fd, const Deadline& deadline);

// A port with no server right now, found by binding an ephemeral port and closing it again.
// (Nothing stops another program from taking it later; on loopback in a test run that is rare.)
std::uint16_t unused_port(Transport transport, const std::string& host = "127.0.0.1");

// Whether ::1 can be bound here (containers without IPv6 cannot).
bool ipv6_loopback_available();

}  // namespace net::test
