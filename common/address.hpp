// Addresses: parsing "host", "host:port", "[v6]:port"; resolving with getaddrinfo; printing.
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace net {

// A host and a port as the user wrote them; either may be empty when not given.
struct HostPort {
    std::string host;
    std::string port;
    friend bool operator==(const HostPort&, const HostPort&) = default;
};

// Splits "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 literal such as "::1" (more
// than one colon and no brackets: all host). Returns nullopt for malformed text (unclosed
// bracket, junk after "]", empty port after ":").
std::optional<HostPort> split_host_port(std::string_view text);

// Parses a decimal port 0..65535; nullopt for anything else (sign, spaces, overflow).
std::optional<std::uint16_t> parse_port(std::string_view text);

// An IPv4 or IPv6 socket address, copied out of the kernel's structures.
class SocketAddress {
  public:
    SocketAddress() = default;
    SocketAddress(const sockaddr* addr, socklen_t len);

    [[nodiscard]] const sockaddr* get() const {
        return reinterpret_cast<const sockaddr*>(&storage_);
    }
    [[nodiscard]] sockaddr* get_mut() { return reinterpret_cast<sockaddr*>(&storage_); }
    [[nodiscard]] socklen_t size() const { return len_; }
    [[nodiscard]] socklen_t capacity() const { return sizeof storage_; }
    void set_size(socklen_t len) { len_ = len; }
    [[nodiscard]] int family() const { return storage_.ss_family; }
    [[nodiscard]] std::uint16_t port() const;

    // "127.0.0.1" or "::1" (no brackets).
    [[nodiscard]] std::string host() const;
    // "127.0.0.1:12000" or "[::1]:12000"; IPv4-mapped IPv6 addresses print as IPv4.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const SocketAddress& a, const SocketAddress& b);

  private:
    sockaddr_storage storage_{};
    socklen_t len_ = 0;
};

// A getaddrinfo failure ("unknown host"), kept apart from system errors so callers can say so.
class ResolveError : public std::runtime_error {
  public:
    ResolveError(const std::string& what, int gai_code)
        : std::runtime_error(what), gai_code_(gai_code) {}
    [[nodiscard]] int gai_code() const { return gai_code_; }

  private:
    int gai_code_;
};

enum class Transport { kTcp, kUdp };

struct ResolveOptions {
    Transport transport = Transport::kTcp;
    bool passive = false;    // for bind(): an empty host means every interface
    int family = AF_UNSPEC;  // AF_INET or AF_INET6 to force one
};

// Every address `host` and `port` resolve to, in getaddrinfo's order. Throws ResolveError.
std::vector<SocketAddress> resolve(const std::string& host, const std::string& port,
                                   const ResolveOptions& options = {});

}  // namespace net
