// Client networks, port lists, destination checks, per-client counts, the client limit.
#include "access_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/cli.hpp"
#include "common/http_fields.hpp"

namespace web_proxy {
namespace {

// An IP address without its port, IPv4-mapped IPv6 addresses turned into IPv4: the form every
// comparison here uses.
struct Ip {
    int family = 0;  // AF_INET, AF_INET6, or 0 for a socket address of another family
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const Ip&, const Ip&) = default;
};

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

Ip ip_of(const net::SocketAddress& address) {
    Ip ip;
    if (address.family() == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(address.get());
        ip.family = AF_INET;
        std::memcpy(ip.bytes.data(), &in->sin_addr, 4);
    } else if (address.family() == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address.get());
        std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
        ip.family = AF_INET6;
        if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), ip.bytes.begin())) {
            ip.family = AF_INET;
            std::memmove(ip.bytes.data(), ip.bytes.data() + 12, 4);
            std::fill(ip.bytes.begin() + 4, ip.bytes.end(), std::uint8_t{0});
        }
    }
    return ip;
}

std::size_t ip_size(int family) {
    return family == AF_INET ? 4 : 16;
}

// Whether the first `prefix` bits of `a` and `b` agree.
bool same_prefix(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 unsigned prefix) {
    const unsigned whole = prefix / 8;
    if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

std::string ip_text(const Ip& ip) {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(ip.family, ip.bytes.data(), text, sizeof text);
    return text;
}

// Whether `ip` is the IP of one of `addresses`.
bool among(const Ip& ip, const std::vector<net::SocketAddress>& addresses) {
    return std::any_of(addresses.begin(), addresses.end(),
                       [&](const net::SocketAddress& address) { return ip_of(address) == ip; });
}

// The key ClientCounts files a client under: family and address bytes.
std::string count_key(const net::SocketAddress& client) {
    const Ip ip = ip_of(client);
    std::string key(1, static_cast<char>(ip.family == AF_INET ? 4 : 6));
    key.append(reinterpret_cast<const char*>(ip.bytes.data()), ip_size(ip.family));
    return key;
}

}  // namespace

// ---------------------------------------------------------------------------- Cidr

Cidr Cidr::parse(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return net::UsageError("'" + std::string(text) + "' " + std::string(why));
    };
    const auto slash = text.find('/');
    const std::string address(text.substr(0, slash));
    Cidr cidr;
    if (::inet_pton(AF_INET, address.c_str(), cidr.bytes_.data()) == 1) {
        cidr.family_ = AF_INET;
    } else if (::inet_pton(AF_INET6, address.c_str(), cidr.bytes_.data()) == 1) {
        cidr.family_ = AF_INET6;
    } else {
        throw bad("is not an IP address or network (such as 10.0.0.0/8 or fd00::/8)");
    }
    const unsigned bits = cidr.family_ == AF_INET ? 32 : 128;
    cidr.prefix_ = bits;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), cidr.prefix_);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
            cidr.prefix_ > bits) {
            throw bad("has a prefix length that is not 0-" + std::to_string(bits));
        }
    }
    // Host bits past the prefix must be zero.
    std::array<std::uint8_t, 16> masked{};
    for (unsigned bit = 0; bit < cidr.prefix_; ++bit) {
        const auto flag = static_cast<std::uint8_t>(0x80 >> (bit % 8));
        masked[bit / 8] |= static_cast<std::uint8_t>(cidr.bytes_[bit / 8] & flag);
    }
    if (masked != cidr.bytes_) {
        Cidr network = cidr;
        network.bytes_ = masked;
        throw bad("has bits set past the prefix: the network is " + network.to_string() +
                  ", one host is " + address);
    }
    // ::ffff:a.b.c.d/n with n >= 96 is the IPv4 network a.b.c.d/(n-96).
    if (cidr.family_ == AF_INET6 && cidr.prefix_ >= 96 &&
        std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), cidr.bytes_.begin())) {
        cidr.family_ = AF_INET;
        std::memmove(cidr.bytes_.data(), cidr.bytes_.data() + 12, 4);
        std::fill(cidr.bytes_.begin() + 4, cidr.bytes_.end(), std::uint8_t{0});
        cidr.prefix_ -= 96;
    }
    return cidr;
}

bool Cidr::contains(const net::SocketAddress& address) const {
    const Ip ip = ip_of(address);
    return ip.family == family_ && same_prefix(ip.bytes, bytes_, prefix_);
}

std::string Cidr::to_string() const {
    return ip_text(Ip{family_, bytes_}) + "/" + std::to_string(prefix_);
}

// ---------------------------------------------------------------------------- ClientPolicy

ClientPolicy::ClientPolicy() : networks_{Cidr::parse("127.0.0.0/8"), Cidr::parse("::1")} {}

ClientPolicy::ClientPolicy(std::vector<Cidr> networks) : networks_(std::move(networks)) {}

ClientPolicy ClientPolicy::parse(const std::vector<std::string>& texts) {
    if (texts.empty()) return ClientPolicy();
    std::vector<Cidr> networks;
    networks.reserve(texts.size());
    for (const auto& text : texts)
        networks.push_back(Cidr::parse(text));
    return ClientPolicy(std::move(networks));
}

bool ClientPolicy::allows(const net::SocketAddress& client) const {
    return std::any_of(networks_.begin(), networks_.end(),
                       [&](const Cidr& network) { return network.contains(client); });
}

// ---------------------------------------------------------------------------- PortList

PortList PortList::parse(std::string_view text) {
    PortList list;
    std::string_view rest = text;
    for (;;) {
        const auto comma = rest.find(',');
        const std::string_view item = net::http::trim_ows(rest.substr(0, comma));
        const auto bad = [&](std::string_view why) {
            return net::UsageError("'" + std::string(item) + "' " + std::string(why) + " in '" +
                                   std::string(text) + "'");
        };
        if (item.empty()) {
            throw net::UsageError("an empty item in the port list '" + std::string(text) +
                                  "' (write ports and ranges such as 80,443,8000-8999)");
        }
        const auto dash = item.find('-');
        const auto port = [&](std::string_view digits) {
            const auto parsed = net::parse_port(digits);
            if (!parsed || *parsed == 0) throw bad("is not a port (1-65535) or range (a-b)");
            return *parsed;
        };
        const std::uint16_t first = port(item.substr(0, dash));
        const std::uint16_t last =
            dash == std::string_view::npos ? first : port(item.substr(dash + 1));
        if (last < first) throw bad("is a range that ends before it starts");
        list.ranges_.emplace_back(first, last);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return list;
}

bool PortList::contains(std::uint16_t port) const {
    return std::any_of(ranges_.begin(), ranges_.end(), [&](const auto& range) {
        return range.first <= port && port <= range.second;
    });
}

std::string PortList::to_string() const {
    std::string out;
    for (const auto& [first, last] : ranges_) {
        if (!out.empty()) out += ',';
        out += std::to_string(first);
        if (last != first) out += "-" + std::to_string(last);
    }
    return out;
}

PortList default_connect_ports() {
    return PortList::parse("443");
}

PortList default_http_ports() {
    return PortList::parse("80,443,1025-65535");
}

std::optional<Refusal> refuse_port(const PortRules& rules, bool tunnel,
                                   const Destination& destination) {
    const PortList& allowed = tunnel ? rules.connect : rules.http;
    if (allowed.contains(destination.port)) return std::nullopt;
    return Refusal{403, std::string(tunnel ? "This proxy opens no tunnels"
                                           : "This proxy forwards no requests") +
                            " to port " + std::to_string(destination.port) +
                            " (ports allowed: " + allowed.to_string() + ")."};
}

// ---------------------------------------------------------------------------- destinations

bool is_loopback(const net::SocketAddress& address) {
    const Ip ip = ip_of(address);
    if (ip.family == AF_INET) return ip.bytes[0] == 127;
    if (ip.family != AF_INET6) return false;
    return std::all_of(ip.bytes.begin(), ip.bytes.begin() + 15, [](auto b) { return b == 0; }) &&
           ip.bytes[15] == 1;
}

bool is_unspecified(const net::SocketAddress& address) {
    const Ip ip = ip_of(address);
    if (ip.family == 0) return false;
    return std::all_of(ip.bytes.begin(), ip.bytes.begin() + ip_size(ip.family),
                       [](auto b) { return b == 0; });
}

bool is_own_listener(const net::SocketAddress& destination, const ListenAddresses& listen) {
    if (destination.port() != listen.bound.port()) return false;
    const Ip target = ip_of(destination);
    const Ip bound = ip_of(listen.bound);
    if (!is_unspecified(listen.bound)) {
        // Bound to one address: only that address reaches it; and connecting to 0.0.0.0 or ::
        // connects to this host's loopback address of that family.
        Ip reached = target;
        if (is_unspecified(destination)) {
            if (reached.family == AF_INET) {
                reached.bytes[0] = 127;  // 127.0.0.1
                reached.bytes[3] = 1;
            } else {
                reached.bytes[15] = 1;  // ::1
            }
        }
        return reached == bound;
    }
    // A 0.0.0.0 listener takes IPv4 only; a :: listener (dual-stack) takes both.
    if (bound.family == AF_INET && target.family != AF_INET) return false;
    if (is_loopback(destination) || is_unspecified(destination)) return true;
    return among(target, listen.local);
}

DestinationVerdict check_destination(const net::SocketAddress& client,
                                     const Destination& destination,
                                     const net::SocketAddress& address, const Policy& hosts,
                                     const ListenAddresses& listen) {
    if (is_own_listener(address, listen)) {
        return {Refusal{508, destination.host + " port " + std::to_string(destination.port) +
                                 " is this proxy: the request would loop forever."}};
    }
    if (is_loopback(address) || is_unspecified(address)) {
        const bool client_here = is_loopback(client) || among(ip_of(client), listen.local);
        const bool named = !hosts.allowed_hosts.empty() && allows(hosts, destination);
        if (!client_here && !named) {
            return {Refusal{403, destination.host +
                                     " is on the proxy's own host, which this proxy does not "
                                     "open to other hosts (see --allow-host)."}};
        }
    }
    return {};
}

// ---------------------------------------------------------------------------- ClientCounts

ClientCounts::Token::Token(Token&& other) noexcept
    : counts_(std::exchange(other.counts_, nullptr)), key_(std::move(other.key_)) {}

ClientCounts::Token& ClientCounts::Token::operator=(Token&& other) noexcept {
    if (this != &other) {
        reset();
        counts_ = std::exchange(other.counts_, nullptr);
        key_ = std::move(other.key_);
    }
    return *this;
}

ClientCounts::Token::~Token() {
    reset();
}

void ClientCounts::Token::reset() noexcept {
    if (counts_ != nullptr) counts_->release_key(key_);
    counts_ = nullptr;
}

bool ClientCounts::try_acquire(const net::SocketAddress& client, std::size_t max) {
    return try_acquire_key(count_key(client), max);
}

void ClientCounts::release(const net::SocketAddress& client) {
    release_key(count_key(client));
}

std::optional<ClientCounts::Token> ClientCounts::acquire(const net::SocketAddress& client,
                                                         std::size_t max) {
    std::string key = count_key(client);
    if (!try_acquire_key(key, max)) return std::nullopt;
    return Token(this, std::move(key));
}

std::size_t ClientCounts::count(const net::SocketAddress& client) const {
    const std::lock_guard lock(mutex_);
    const auto found = counts_.find(count_key(client));
    return found == counts_.end() ? 0 : found->second;
}

std::size_t ClientCounts::clients() const {
    const std::lock_guard lock(mutex_);
    return counts_.size();
}

bool ClientCounts::try_acquire_key(const std::string& key, std::size_t max) {
    const std::lock_guard lock(mutex_);
    auto& count = counts_[key];
    if (count >= max) {
        if (count == 0) counts_.erase(key);
        return false;
    }
    ++count;
    return true;
}

void ClientCounts::release_key(const std::string& key) noexcept {
    const std::lock_guard lock(mutex_);
    const auto found = counts_.find(key);
    if (found == counts_.end()) return;
    if (--found->second == 0) counts_.erase(found);
}

// ---------------------------------------------------------------------------- descriptors

ClientLimit fit_clients_to_descriptors(std::uint64_t max_clients, std::uint64_t fd_limit,
                                       std::uint64_t fds_per_client, std::uint64_t fixed_overhead) {
    const std::uint64_t per_client = 1 + fds_per_client;
    const std::uint64_t fit =
        fd_limit > fixed_overhead ? (fd_limit - fixed_overhead) / per_client : 0;
    if (fit >= max_clients) return {max_clients, {}};
    return {fit, "--max-clients " + std::to_string(max_clients) + " lowered to " +
                     std::to_string(fit) + ": the descriptor limit (ulimit -n) is " +
                     std::to_string(fd_limit) + ", " + std::to_string(per_client) +
                     " a client and " + std::to_string(fixed_overhead) + " for the proxy itself"};
}

}  // namespace web_proxy
