// Who may use the proxy and where it may go: client networks (CIDR blocks), the ports a tunnel
// or a plain request may name, destination addresses checked after the name lookup (loopback,
// the proxy's own listening address), a per-client connection count, and the client limit fitted
// to the descriptor limit. Pure apart from ClientCounts' mutex: addresses and numbers in,
// decisions out; the caller gathers the local interface addresses and the limits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/address.hpp"
#include "proxy_rules.hpp"

namespace web_proxy {

// An IPv4 or IPv6 network: "10.0.0.0/8", "fd00::/8", or one host ("192.168.1.7", "::1"). An
// IPv4-mapped block ("::ffff:10.0.0.0/104") is kept as the IPv4 block it names.
class Cidr {
  public:
    // Parses CIDR text. Throws net::UsageError for anything else, naming the text: not an
    // address, a prefix out of range, or bits set past the prefix ("10.0.0.1/8": a typo for
    // 10.0.0.0/8 or for a host, so it is refused rather than guessed).
    static Cidr parse(std::string_view text);

    // Whether `address`' IP is in this network; the port is ignored. An IPv4-mapped IPv6
    // address (::ffff:a.b.c.d, how a socket bound to :: sees an IPv4 client) is matched as the
    // IPv4 address it carries.
    [[nodiscard]] bool contains(const net::SocketAddress& address) const;
    // "10.0.0.0/8", "::1/128".
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const Cidr&, const Cidr&) = default;

  private:
    Cidr() = default;
    int family_ = 0;                        // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes_{};  // network order; 4 used for AF_INET
    unsigned prefix_ = 0;                   // bits that must match
};

// The clients allowed to use the proxy: a connection from elsewhere is closed before any byte
// is read. The default is this host only: 127.0.0.0/8 and ::1.
class ClientPolicy {
  public:
    ClientPolicy();
    explicit ClientPolicy(std::vector<Cidr> networks);
    // The networks as given on the command line; none gives the default. Throws net::UsageError.
    static ClientPolicy parse(const std::vector<std::string>& texts);

    [[nodiscard]] bool allows(const net::SocketAddress& client) const;
    [[nodiscard]] const std::vector<Cidr>& networks() const { return networks_; }

  private:
    std::vector<Cidr> networks_;
};

// A set of TCP ports as ranges: "443", "80,443,1025-65535". Spaces around the items are
// allowed; port 0, reversed ranges ("90-80"), empty items and anything not a number are not.
class PortList {
  public:
    // Throws net::UsageError naming the bad item ("'0' is not a port (1-65535) in '0,80'").
    static PortList parse(std::string_view text);

    [[nodiscard]] bool contains(std::uint16_t port) const;
    // "80,443,1025-65535": the ranges as given, in order.
    [[nodiscard]] std::string to_string() const;

  private:
    std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges_;  // first <= last
};

// The ports CONNECT may open a tunnel to: 443 only, so the proxy is no relay for SMTP, SSH
// and the like.
PortList default_connect_ports();
// The ports a plain http:// request may go to: 80, 443 and the unprivileged ones (1025-65535),
// not the well-known ports of other protocols (25, 22, ...).
PortList default_http_ports();

// The ports a request may name, checked before any name lookup.
struct PortRules {
    PortList connect = default_connect_ports();  // for CONNECT
    PortList http = default_http_ports();        // for http:// requests
};
// 403 for a destination port outside the list for its kind of request, saying which ports are
// allowed; nullopt when the port is allowed.
std::optional<Refusal> refuse_port(const PortRules& rules, bool tunnel,
                                   const Destination& destination);

// 127.0.0.0/8, ::1, and ::ffff:127.x.y.z.
bool is_loopback(const net::SocketAddress& address);
// 0.0.0.0 and :: (and ::ffff:0.0.0.0): bound, every interface; connected to, this host.
bool is_unspecified(const net::SocketAddress& address);

// The proxy's own listening socket: the address it is bound to and the addresses of this
// host's interfaces (loopback ones included), which the caller reads (getifaddrs) and passes in.
struct ListenAddresses {
    net::SocketAddress bound;
    std::vector<net::SocketAddress> local;  // ports ignored
};

// Whether connecting to `destination` reaches the proxy's own listening socket: the same IP and
// port as `bound`; or, when bound to a wildcard (0.0.0.0 or ::), the bound port on any
// loopback, unspecified or local address. IPv4-mapped IPv6 addresses count as the IPv4 ones;
// a wildcard :: is taken as dual-stack (Linux's default), so it covers IPv4 too.
bool is_own_listener(const net::SocketAddress& destination, const ListenAddresses& listen);

// What the proxy does with a destination address it looked up, before connecting to it:
// `refusal` empty to go ahead.
struct DestinationVerdict {
    std::optional<Refusal> refusal;
    [[nodiscard]] bool allowed() const { return !refusal; }
};

// The checks on a looked-up address, in this order:
//   1. the proxy's own listening socket (is_own_listener): 508, always: the request or tunnel
//      would come back to the proxy, and a CONNECT loop is invisible to the Via check;
//   2. this host (loopback or unspecified): 403, unless the client is itself on this host
//      (a loopback address or one of `listen.local`: it could connect there without the proxy,
//      so nothing is exposed) or `hosts` names the destination's host explicitly (an
//      --allow-host entry that matches; an empty list, which allows everywhere, does not count);
//   3. anything else: allowed.
// `destination` is the host and port as the request named them; `address` what it resolved to.
DestinationVerdict check_destination(const net::SocketAddress& client,
                                     const Destination& destination,
                                     const net::SocketAddress& address, const Policy& hosts,
                                     const ListenAddresses& listen);

// Connections open per client IP address (the port is ignored, and an IPv4-mapped address
// counts as its IPv4 address), for a per-client cap. Thread-safe: the loop threads share one;
// each call takes the mutex briefly. An address whose count drops to 0 is forgotten, so memory
// follows the clients connected now.
class ClientCounts {
  public:
    // One counted connection; releases it when destroyed. Move-only; a moved-from or
    // default-constructed token holds nothing. It must not outlive its ClientCounts.
    class Token {
      public:
        Token() = default;
        Token(const Token&) = delete;
        Token& operator=(const Token&) = delete;
        Token(Token&& other) noexcept;
        Token& operator=(Token&& other) noexcept;
        ~Token();

        [[nodiscard]] bool holds() const { return counts_ != nullptr; }

      private:
        friend class ClientCounts;
        Token(ClientCounts* counts, std::string key) : counts_(counts), key_(std::move(key)) {}
        void reset() noexcept;

        ClientCounts* counts_ = nullptr;
        std::string key_;
    };

    ClientCounts() = default;
    ClientCounts(const ClientCounts&) = delete;
    ClientCounts& operator=(const ClientCounts&) = delete;

    // Counts one more connection from `client` if it has fewer than `max` now; false (nothing
    // counted) otherwise. `max` 0 refuses every client.
    bool try_acquire(const net::SocketAddress& client, std::size_t max);
    // Uncounts one connection from `client`; nothing when it has none.
    void release(const net::SocketAddress& client);
    // try_acquire as a token: nullopt when over `max`.
    std::optional<Token> acquire(const net::SocketAddress& client, std::size_t max);

    [[nodiscard]] std::size_t count(const net::SocketAddress& client) const;
    // Distinct client addresses with a connection open.
    [[nodiscard]] std::size_t clients() const;

  private:
    bool try_acquire_key(const std::string& key, std::size_t max);
    void release_key(const std::string& key) noexcept;

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> counts_;  // key: the IP's bytes
};

// --max-clients fitted to the descriptor limit (RLIMIT_NOFILE): each client takes its own
// descriptor plus `fds_per_client` kept for its server connections, and `fixed_overhead`
// descriptors (listener, event loops, timers, standard streams, log) are needed whatever the
// number of clients.
struct ClientLimit {
    std::uint64_t max_clients = 0;  // at most the one asked for; 0 when not even one fits
    std::string note;               // for the log when lowered; empty when not
};
ClientLimit fit_clients_to_descriptors(std::uint64_t max_clients, std::uint64_t fd_limit,
                                       std::uint64_t fds_per_client, std::uint64_t fixed_overhead);

}  // namespace web_proxy
