// Addresses: split_host_port and parse_port (pure), SocketAddress printing, resolve() on
// numeric loopback addresses and on a name under the reserved .invalid TLD.
#include "common/address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <optional>
#include <string>

namespace net {
namespace {

// ---------------------------------------------------------------------------- split_host_port

TEST(SplitHostPortTest, HostAlone) {
    EXPECT_EQ(split_host_port("host"), (HostPort{"host", ""}));
    EXPECT_EQ(split_host_port("127.0.0.1"), (HostPort{"127.0.0.1", ""}));
}

TEST(SplitHostPortTest, HostAndPort) {
    EXPECT_EQ(split_host_port("host:80"), (HostPort{"host", "80"}));
    EXPECT_EQ(split_host_port("127.0.0.1:12000"), (HostPort{"127.0.0.1", "12000"}));
}

TEST(SplitHostPortTest, PortWithoutHost) {
    EXPECT_EQ(split_host_port(":80"), (HostPort{"", "80"}));
}

TEST(SplitHostPortTest, BracketedIpv6WithPort) {
    EXPECT_EQ(split_host_port("[::1]:80"), (HostPort{"::1", "80"}));
    EXPECT_EQ(split_host_port("[fe80::1]:8080"), (HostPort{"fe80::1", "8080"}));
}

TEST(SplitHostPortTest, BracketedIpv6Alone) {
    EXPECT_EQ(split_host_port("[::1]"), (HostPort{"::1", ""}));
}

TEST(SplitHostPortTest, BareIpv6LiteralIsAllHost) {
    EXPECT_EQ(split_host_port("::1"), (HostPort{"::1", ""}));
    EXPECT_EQ(split_host_port("fe80::1"), (HostPort{"fe80::1", ""}));
    EXPECT_EQ(split_host_port("::"), (HostPort{"::", ""}));
}

TEST(SplitHostPortTest, MalformedTextIsRejected) {
    EXPECT_EQ(split_host_port("[::1"), std::nullopt) << "unclosed bracket";
    EXPECT_EQ(split_host_port("[::1]x"), std::nullopt) << "junk after ]";
    EXPECT_EQ(split_host_port("[::1]x:80"), std::nullopt) << "junk after ]";
    EXPECT_EQ(split_host_port("host:"), std::nullopt) << "empty port";
    EXPECT_EQ(split_host_port("[::1]:"), std::nullopt) << "empty port";
}

// ---------------------------------------------------------------------------- parse_port

TEST(ParsePortTest, AcceptsTheWholeRange) {
    EXPECT_EQ(parse_port("0"), std::optional<std::uint16_t>(0));
    EXPECT_EQ(parse_port("1"), std::optional<std::uint16_t>(1));
    EXPECT_EQ(parse_port("12000"), std::optional<std::uint16_t>(12000));
    EXPECT_EQ(parse_port("65535"), std::optional<std::uint16_t>(65535));
}

TEST(ParsePortTest, RejectsOverflow) {
    EXPECT_EQ(parse_port("65536"), std::nullopt);
    EXPECT_EQ(parse_port("100000"), std::nullopt);
    EXPECT_EQ(parse_port("4294967296"), std::nullopt);  // wraps to 0 in 32 bits
    EXPECT_EQ(parse_port("99999999999999999999999"), std::nullopt);
}

TEST(ParsePortTest, RejectsSignsSpacesAndJunk) {
    EXPECT_EQ(parse_port("-1"), std::nullopt);
    EXPECT_EQ(parse_port("+1"), std::nullopt);
    EXPECT_EQ(parse_port(" 1"), std::nullopt);
    EXPECT_EQ(parse_port("1 "), std::nullopt);
    EXPECT_EQ(parse_port(""), std::nullopt);
    EXPECT_EQ(parse_port("12a"), std::nullopt);
    EXPECT_EQ(parse_port("0x10"), std::nullopt);
    EXPECT_EQ(parse_port("http"), std::nullopt);
}

// ---------------------------------------------------------------------------- SocketAddress

SocketAddress make_v4(const char* text, std::uint16_t port) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    EXPECT_EQ(::inet_pton(AF_INET, text, &in.sin_addr), 1);
    return SocketAddress(reinterpret_cast<const sockaddr*>(&in), sizeof in);
}

SocketAddress make_v6(const char* text, std::uint16_t port) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    EXPECT_EQ(::inet_pton(AF_INET6, text, &in6.sin6_addr), 1);
    return SocketAddress(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
}

TEST(SocketAddressTest, DefaultIsEmpty) {
    const SocketAddress address;
    EXPECT_EQ(address.size(), 0U);
    EXPECT_GE(address.capacity(), sizeof(sockaddr_in6));
}

TEST(SocketAddressTest, PrintsIpv4) {
    const SocketAddress address = make_v4("127.0.0.1", 12000);
    EXPECT_EQ(address.family(), AF_INET);
    EXPECT_EQ(address.size(), sizeof(sockaddr_in));
    EXPECT_EQ(address.port(), 12000);
    EXPECT_EQ(address.host(), "127.0.0.1");
    EXPECT_EQ(address.to_string(), "127.0.0.1:12000");
}

TEST(SocketAddressTest, PrintsIpv6InBrackets) {
    const SocketAddress address = make_v6("::1", 80);
    EXPECT_EQ(address.family(), AF_INET6);
    EXPECT_EQ(address.size(), sizeof(sockaddr_in6));
    EXPECT_EQ(address.port(), 80);
    EXPECT_EQ(address.host(), "::1");
    EXPECT_EQ(address.to_string(), "[::1]:80");
}

TEST(SocketAddressTest, PrintsV4MappedIpv6AsIpv4) {
    const SocketAddress address = make_v6("::ffff:127.0.0.1", 8080);
    EXPECT_EQ(address.family(), AF_INET6);
    EXPECT_EQ(address.port(), 8080);
    EXPECT_EQ(address.host(), "127.0.0.1");
    EXPECT_EQ(address.to_string(), "127.0.0.1:8080");
}

TEST(SocketAddressTest, KeepsTheHighPortByteOrder) {
    EXPECT_EQ(make_v4("10.1.2.3", 65535).to_string(), "10.1.2.3:65535");
    EXPECT_EQ(make_v4("10.1.2.3", 256).port(), 256);
}

TEST(SocketAddressTest, EqualityComparesFamilyAddressAndPort) {
    EXPECT_EQ(make_v4("127.0.0.1", 80), make_v4("127.0.0.1", 80));
    EXPECT_FALSE(make_v4("127.0.0.1", 80) == make_v4("127.0.0.1", 81));
    EXPECT_FALSE(make_v4("127.0.0.1", 80) == make_v4("127.0.0.2", 80));
    EXPECT_FALSE(make_v4("127.0.0.1", 80) == make_v6("::ffff:127.0.0.1", 80));
}

TEST(SocketAddressTest, SetSizeAfterFillingTheStorage) {
    SocketAddress address;
    auto* in = reinterpret_cast<sockaddr_in*>(address.get_mut());
    in->sin_family = AF_INET;
    in->sin_port = htons(7);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.set_size(sizeof(sockaddr_in));
    EXPECT_EQ(address.size(), sizeof(sockaddr_in));
    EXPECT_EQ(address.to_string(), "127.0.0.1:7");
    EXPECT_EQ(address, make_v4("127.0.0.1", 7));
}

// ---------------------------------------------------------------------------- resolve

TEST(ResolveTest, NumericIpv4) {
    const auto addresses = resolve("127.0.0.1", "0");
    ASSERT_EQ(addresses.size(), 1U);
    EXPECT_EQ(addresses.front().family(), AF_INET);
    EXPECT_EQ(addresses.front().to_string(), "127.0.0.1:0");
}

TEST(ResolveTest, NumericIpv6) {
    const auto addresses = resolve("::1", "80");
    ASSERT_EQ(addresses.size(), 1U);
    EXPECT_EQ(addresses.front().family(), AF_INET6);
    EXPECT_EQ(addresses.front().port(), 80);
    EXPECT_EQ(addresses.front().to_string(), "[::1]:80");
}

TEST(ResolveTest, UdpTransport) {
    const auto addresses = resolve("127.0.0.1", "53", {.transport = Transport::kUdp});
    ASSERT_EQ(addresses.size(), 1U);
    EXPECT_EQ(addresses.front().to_string(), "127.0.0.1:53");
}

TEST(ResolveTest, PassiveEmptyHostIsTheWildcard) {
    const auto v4 = resolve("", "8080", {.passive = true, .family = AF_INET});
    ASSERT_FALSE(v4.empty());
    EXPECT_EQ(v4.front().to_string(), "0.0.0.0:8080");

    const auto v6 = resolve("", "8080", {.passive = true, .family = AF_INET6});
    ASSERT_FALSE(v6.empty());
    EXPECT_EQ(v6.front().to_string(), "[::]:8080");
}

TEST(ResolveTest, ForcedFamilyFiltersAddresses) {
    EXPECT_THROW(resolve("::1", "80", {.family = AF_INET}), ResolveError);
    EXPECT_THROW(resolve("127.0.0.1", "80", {.family = AF_INET6}), ResolveError);
}

TEST(ResolveTest, UnknownHostThrowsResolveError) {
    // .invalid is reserved (RFC 2606): it never resolves.
    try {
        (void)resolve("nosuchhost.invalid", "80");
        FAIL() << "resolve() of a .invalid name returned";
    } catch (const ResolveError& e) {
        EXPECT_NE(e.gai_code(), 0);
        EXPECT_NE(std::string(e.what()).find("nosuchhost.invalid"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace net
