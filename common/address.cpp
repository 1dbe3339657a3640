// Address parsing, resolution and printing.
#include "address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

namespace net {

std::optional<HostPort> split_host_port(std::string_view text) {
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        HostPort result{std::string(text.substr(1, close - 1)), ""};
        const auto rest = text.substr(close + 1);
        if (rest.empty()) return result;
        if (!rest.starts_with(':') || rest.size() == 1) return std::nullopt;
        result.port = std::string(rest.substr(1));
        return result;
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return HostPort{std::string(text), ""};
    if (text.find(':', colon + 1) != std::string_view::npos) {
        return HostPort{std::string(text), ""};  // a bare IPv6 literal such as ::1
    }
    if (colon + 1 == text.size()) return std::nullopt;
    return HostPort{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

SocketAddress::SocketAddress(const sockaddr* addr, socklen_t len)
    : len_(std::min<socklen_t>(len, sizeof storage_)) {
    std::memcpy(&storage_, addr, len_);
}

std::uint16_t SocketAddress::port() const {
    if (family() == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    if (family() == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    }
    return 0;
}

std::string SocketAddress::host() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text,
                    sizeof text);
    } else if (family() == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&in6)) {
            ::inet_ntop(AF_INET, &in6.s6_addr[12], text, sizeof text);
        } else {
            ::inet_ntop(AF_INET6, &in6, text, sizeof text);
        }
    } else {
        return "?";
    }
    return text;
}

std::string SocketAddress::to_string() const {
    auto text = host();
    const bool bracket = text.find(':') != std::string::npos;
    return (bracket ? "[" + text + "]" : text) + ":" + std::to_string(port());
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
    return a.len_ == b.len_ && std::memcmp(&a.storage_, &b.storage_, a.len_) == 0;
}

std::vector<SocketAddress> resolve(const std::string& host, const std::string& port,
                                   const ResolveOptions& options) {
    addrinfo hints{};
    hints.ai_family = options.family;
    hints.ai_socktype = options.transport == Transport::kTcp ? SOCK_STREAM : SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV | (options.passive ? AI_PASSIVE : 0);
    addrinfo* list = nullptr;
    const int rc =
        ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) {
        const std::string reason = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
        throw ResolveError(
            "cannot resolve " + (host.empty() ? std::string("*") : host) + ": " + reason, rc);
    }
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(list, &::freeaddrinfo);
    std::vector<SocketAddress> result;
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        SocketAddress address(ai->ai_addr, ai->ai_addrlen);
        if (std::find(result.begin(), result.end(), address) == result.end()) {
            result.push_back(address);
        }
    }
    return result;
}

}  // namespace net
