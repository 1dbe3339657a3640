// web_proxy's access policy: client networks (CIDR, IPv4-mapped clients of a :: listener), port
// lists, the destination checks made after a name lookup (loopback 403, the proxy itself 508,
// the --allow-host override), per-client counts under threads, and --max-clients fitted to the
// descriptor limit. No sockets: addresses are built from text.
#include "web_proxy/access_policy.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/cli.hpp"

namespace web_proxy {
namespace {

// A socket address from a numeric IPv4 or IPv6 literal.
net::SocketAddress addr(const std::string& ip, std::uint16_t port = 40000) {
    sockaddr_in in{};
    if (::inet_pton(AF_INET, ip.c_str(), &in.sin_addr) == 1) {
        in.sin_family = AF_INET;
        in.sin_port = htons(port);
        return {reinterpret_cast<const sockaddr*>(&in), sizeof in};
    }
    sockaddr_in6 in6{};
    EXPECT_EQ(::inet_pton(AF_INET6, ip.c_str(), &in6.sin6_addr), 1) << ip;
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    return {reinterpret_cast<const sockaddr*>(&in6), sizeof in6};
}

// The message of the UsageError `parse` throws; a failure when it throws none.
template <typename Parse>
std::string usage_error(Parse parse) {
    try {
        parse();
    } catch (const net::UsageError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no UsageError";
    return {};
}

// ---------------------------------------------------------------------------- Cidr

TEST(CidrTest, ParsesNetworksAndHosts) {
    EXPECT_EQ(Cidr::parse("127.0.0.0/8").to_string(), "127.0.0.0/8");
    EXPECT_EQ(Cidr::parse("10.0.0.0/8").to_string(), "10.0.0.0/8");
    EXPECT_EQ(Cidr::parse("192.168.1.7").to_string(), "192.168.1.7/32");
    EXPECT_EQ(Cidr::parse("::1").to_string(), "::1/128");
    EXPECT_EQ(Cidr::parse("fd00::/8").to_string(), "fd00::/8");
    EXPECT_EQ(Cidr::parse("0.0.0.0/0").to_string(), "0.0.0.0/0");
    EXPECT_EQ(Cidr::parse("::/0").to_string(), "::/0");
    EXPECT_EQ(Cidr::parse("192.168.1.7/32"), Cidr::parse("192.168.1.7"));
}

TEST(CidrTest, Ipv4MappedNetworkIsTheIpv4One) {
    EXPECT_EQ(Cidr::parse("::ffff:10.0.0.0/104"), Cidr::parse("10.0.0.0/8"));
    EXPECT_EQ(Cidr::parse("::ffff:192.168.1.7"), Cidr::parse("192.168.1.7"));
}

TEST(CidrTest, RejectsWithAMessageNamingTheText) {
    for (const std::string_view text :
         {"", "x", "10.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x", "::1/129",
          "[::1]", "localhost", "10.0.0.0/ 8", "10.0.0.0/8/8"}) {
        const auto message = usage_error([&] { Cidr::parse(text); });
        EXPECT_NE(message.find("'" + std::string(text) + "'"), std::string::npos) << message;
    }
}

TEST(CidrTest, RejectsBitsPastThePrefixAndSaysWhichNetwork) {
    const auto message = usage_error([] { Cidr::parse("10.1.2.3/8"); });
    EXPECT_NE(message.find("10.0.0.0/8"), std::string::npos) << message;
    EXPECT_NE(message.find("10.1.2.3"), std::string::npos) << message;
    usage_error([] { Cidr::parse("fd00::1/8"); });
    usage_error([] { Cidr::parse("192.168.1.129/25"); });
    EXPECT_EQ(Cidr::parse("192.168.1.128/25").to_string(), "192.168.1.128/25");
}

TEST(CidrTest, ContainsComparesThePrefixOnly) {
    const auto net8 = Cidr::parse("10.0.0.0/8");
    EXPECT_TRUE(net8.contains(addr("10.0.0.0")));
    EXPECT_TRUE(net8.contains(addr("10.255.255.255", 1)));
    EXPECT_FALSE(net8.contains(addr("11.0.0.0")));
    EXPECT_FALSE(net8.contains(addr("9.255.255.255")));

    const auto net25 = Cidr::parse("192.168.1.128/25");
    EXPECT_TRUE(net25.contains(addr("192.168.1.128")));
    EXPECT_TRUE(net25.contains(addr("192.168.1.255")));
    EXPECT_FALSE(net25.contains(addr("192.168.1.127")));

    const auto host = Cidr::parse("192.168.1.7");
    EXPECT_TRUE(host.contains(addr("192.168.1.7", 5)));
    EXPECT_FALSE(host.contains(addr("192.168.1.8")));

    const auto ula = Cidr::parse("fd00::/8");
    EXPECT_TRUE(ula.contains(addr("fd12:3456::1")));
    EXPECT_FALSE(ula.contains(addr("fe80::1")));

    EXPECT_TRUE(Cidr::parse("0.0.0.0/0").contains(addr("203.0.113.9")));
    EXPECT_FALSE(Cidr::parse("0.0.0.0/0").contains(addr("2001:db8::1")));
    EXPECT_TRUE(Cidr::parse("::/0").contains(addr("2001:db8::1")));
}

TEST(CidrTest, FamiliesDoNotMixExceptThroughMappedAddresses) {
    // ::1 is not 0.0.0.1, and an IPv6 network never holds a plain IPv4 client.
    EXPECT_FALSE(Cidr::parse("0.0.0.0/8").contains(addr("::1")));
    EXPECT_FALSE(Cidr::parse("::/96").contains(addr("0.0.0.1")));
    // A :: listener sees IPv4 clients as ::ffff:a.b.c.d: they match IPv4 networks.
    EXPECT_TRUE(Cidr::parse("127.0.0.0/8").contains(addr("::ffff:127.0.0.1")));
    EXPECT_TRUE(Cidr::parse("10.0.0.0/8").contains(addr("::ffff:10.9.8.7")));
    EXPECT_FALSE(Cidr::parse("10.0.0.0/8").contains(addr("::ffff:11.9.8.7")));
    EXPECT_TRUE(Cidr::parse("::ffff:10.0.0.0/104").contains(addr("10.1.1.1")));
}

// ---------------------------------------------------------------------------- ClientPolicy

TEST(ClientPolicyTest, DefaultIsThisHostOnly) {
    const ClientPolicy policy;
    EXPECT_TRUE(policy.allows(addr("127.0.0.1")));
    EXPECT_TRUE(policy.allows(addr("127.1.2.3")));
    EXPECT_TRUE(policy.allows(addr("::1")));
    EXPECT_TRUE(policy.allows(addr("::ffff:127.0.0.1")));  // an IPv4 client of a :: listener
    EXPECT_FALSE(policy.allows(addr("192.168.1.7")));
    EXPECT_FALSE(policy.allows(addr("::ffff:192.168.1.7")));
    EXPECT_FALSE(policy.allows(addr("fe80::1")));
    EXPECT_FALSE(policy.allows(addr("::")));
    EXPECT_EQ(ClientPolicy::parse({}).networks(), policy.networks());
}

TEST(ClientPolicyTest, GivenNetworksReplaceTheDefault) {
    const auto policy = ClientPolicy::parse({"10.0.0.0/8", "fd00::/8"});
    EXPECT_TRUE(policy.allows(addr("10.1.2.3")));
    EXPECT_TRUE(policy.allows(addr("::ffff:10.1.2.3")));
    EXPECT_TRUE(policy.allows(addr("fd00::5")));
    EXPECT_FALSE(policy.allows(addr("127.0.0.1")));
    EXPECT_FALSE(policy.allows(addr("::1")));
    usage_error([] { ClientPolicy::parse({"10.0.0.0/8", "nonsense"}); });
}

// ---------------------------------------------------------------------------- PortList

TEST(PortListTest, SinglePortsAndRanges) {
    const auto list = PortList::parse("80,443,1025-65535");
    EXPECT_TRUE(list.contains(80));
    EXPECT_TRUE(list.contains(443));
    EXPECT_TRUE(list.contains(1025));
    EXPECT_TRUE(list.contains(8080));
    EXPECT_TRUE(list.contains(65535));
    EXPECT_FALSE(list.contains(0));
    EXPECT_FALSE(list.contains(22));
    EXPECT_FALSE(list.contains(81));
    EXPECT_FALSE(list.contains(1024));
    EXPECT_EQ(list.to_string(), "80,443,1025-65535");

    const auto one = PortList::parse("443");
    EXPECT_TRUE(one.contains(443));
    EXPECT_FALSE(one.contains(444));
    EXPECT_EQ(PortList::parse("8000-8000").to_string(), "8000");
    EXPECT_EQ(PortList::parse(" 80 , 443 ").to_string(), "80,443");
}

TEST(PortListTest, RejectsZeroReversedRangesAndGarbage) {
    struct Case {
        std::string_view text;
        std::string_view says;
    };
    for (const Case& c : {
             Case{"0", "'0' is not a port"},
             Case{"80,0", "'0' is not a port"},
             Case{"0-80", "'0-80' is not a port"},
             Case{"90-80", "'90-80' is a range that ends before it starts"},
             Case{"65536", "'65536' is not a port"},
             Case{"http", "'http' is not a port"},
             Case{"-80", "'-80' is not a port"},
             Case{"80-", "'80-' is not a port"},
             Case{"1-2-3", "'1-2-3' is not a port"},
             Case{"+80", "'+80' is not a port"},
             Case{"", "an empty item"},
             Case{"80,", "an empty item"},
             Case{"80,,443", "an empty item"},
             Case{"80;443", "'80;443' is not a port"},
         }) {
        const auto message = usage_error([&] { PortList::parse(c.text); });
        EXPECT_NE(message.find(c.says), std::string::npos) << c.text << ": " << message;
        EXPECT_NE(message.find("'" + std::string(c.text) + "'"), std::string::npos) << message;
    }
}

TEST(PortListTest, Defaults) {
    const auto connect = default_connect_ports();
    EXPECT_TRUE(connect.contains(443));
    for (const std::uint16_t port : {22, 25, 80, 8443})
        EXPECT_FALSE(connect.contains(port)) << port;
    const auto http = default_http_ports();
    for (const std::uint16_t port : {80, 443, 1025, 8080, 65535})
        EXPECT_TRUE(http.contains(port)) << port;
    for (const std::uint16_t port : {1, 22, 25, 110, 1024})
        EXPECT_FALSE(http.contains(port)) << port;
}

TEST(PortListTest, RefusePortByKindOfRequest) {
    const PortRules rules;
    EXPECT_FALSE(refuse_port(rules, true, {"example.org", 443}));
    EXPECT_FALSE(refuse_port(rules, false, {"example.org", 80}));
    EXPECT_FALSE(refuse_port(rules, false, {"example.org", 8080}));

    const auto ssh = refuse_port(rules, true, {"example.org", 22});
    ASSERT_TRUE(ssh);
    EXPECT_EQ(ssh->status, 403);
    EXPECT_EQ(ssh->detail, "This proxy opens no tunnels to port 22 (ports allowed: 443).");
    const auto smtp = refuse_port(rules, false, {"example.org", 25});
    ASSERT_TRUE(smtp);
    EXPECT_EQ(smtp->status, 403);
    EXPECT_EQ(smtp->detail,
              "This proxy forwards no requests to port 25 (ports allowed: 80,443,1025-65535).");

    const PortRules wide{PortList::parse("1-65535"), PortList::parse("80")};
    EXPECT_FALSE(refuse_port(wide, true, {"example.org", 22}));
    EXPECT_TRUE(refuse_port(wide, false, {"example.org", 8080}));
}

// ---------------------------------------------------------------------------- addresses

TEST(DestinationAddressTest, Loopback) {
    for (const std::string ip : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"})
        EXPECT_TRUE(is_loopback(addr(ip))) << ip;
    for (const std::string ip :
         {"128.0.0.1", "126.0.0.1", "0.0.0.0", "::", "::2", "::127.0.0.1", "fe80::1", "10.0.0.1"})
        EXPECT_FALSE(is_loopback(addr(ip))) << ip;
    EXPECT_FALSE(is_loopback(net::SocketAddress{}));
}

TEST(DestinationAddressTest, Unspecified) {
    for (const std::string ip : {"0.0.0.0", "::", "::ffff:0.0.0.0"})
        EXPECT_TRUE(is_unspecified(addr(ip))) << ip;
    for (const std::string ip : {"0.0.0.1", "::1", "127.0.0.1"})
        EXPECT_FALSE(is_unspecified(addr(ip))) << ip;
    EXPECT_FALSE(is_unspecified(net::SocketAddress{}));
}

TEST(OwnListenerTest, BoundToOneAddress) {
    const ListenAddresses listen{addr("127.0.0.1", 8888), {addr("192.168.1.2"), addr("127.0.0.1")}};
    EXPECT_TRUE(is_own_listener(addr("127.0.0.1", 8888), listen));
    EXPECT_TRUE(is_own_listener(addr("::ffff:127.0.0.1", 8888), listen));
    // Connecting to 0.0.0.0 reaches 127.0.0.1.
    EXPECT_TRUE(is_own_listener(addr("0.0.0.0", 8888), listen));
    EXPECT_FALSE(is_own_listener(addr("127.0.0.1", 8889), listen));
    EXPECT_FALSE(is_own_listener(addr("127.0.0.2", 8888), listen));
    EXPECT_FALSE(is_own_listener(addr("192.168.1.2", 8888), listen));
    EXPECT_FALSE(is_own_listener(addr("::1", 8888), listen));

    const ListenAddresses v6{addr("::1", 8888), {}};
    EXPECT_TRUE(is_own_listener(addr("::1", 8888), v6));
    EXPECT_TRUE(is_own_listener(addr("::", 8888), v6));
    EXPECT_FALSE(is_own_listener(addr("127.0.0.1", 8888), v6));

    const ListenAddresses lan{addr("192.168.1.2", 3128), {addr("192.168.1.2")}};
    EXPECT_TRUE(is_own_listener(addr("192.168.1.2", 3128), lan));
    EXPECT_FALSE(is_own_listener(addr("127.0.0.1", 3128), lan));
    EXPECT_FALSE(is_own_listener(addr("0.0.0.0", 3128), lan));
}

TEST(OwnListenerTest, BoundToTheIpv4Wildcard) {
    const ListenAddresses listen{addr("0.0.0.0", 8888),
                                 {addr("127.0.0.1"), addr("192.168.1.2"), addr("fd00::2")}};
    for (const std::string ip :
         {"127.0.0.1", "127.0.0.2", "0.0.0.0", "192.168.1.2", "::ffff:192.168.1.2"})
        EXPECT_TRUE(is_own_listener(addr(ip, 8888), listen)) << ip;
    EXPECT_FALSE(is_own_listener(addr("192.168.1.3", 8888), listen));
    EXPECT_FALSE(is_own_listener(addr("192.168.1.2", 80), listen));
    // An IPv4 wildcard takes no IPv6 connections.
    EXPECT_FALSE(is_own_listener(addr("::1", 8888), listen));
    EXPECT_FALSE(is_own_listener(addr("fd00::2", 8888), listen));
}

TEST(OwnListenerTest, BoundToTheIpv6WildcardCoversBothFamilies) {
    const ListenAddresses listen{
        addr("::", 8888), {addr("127.0.0.1"), addr("::1"), addr("192.168.1.2"), addr("fd00::2")}};
    for (const std::string ip : {"::1", "::", "fd00::2", "127.0.0.1", "127.9.9.9", "0.0.0.0",
                                 "192.168.1.2", "::ffff:192.168.1.2"})
        EXPECT_TRUE(is_own_listener(addr(ip, 8888), listen)) << ip;
    EXPECT_FALSE(is_own_listener(addr("fd00::3", 8888), listen));
    EXPECT_FALSE(is_own_listener(addr("fd00::2", 8889), listen));
}

// ---------------------------------------------------------------------------- check_destination

// A proxy on [::]:8888 of a host whose LAN address is 192.168.1.2.
ListenAddresses listen_addresses() {
    return {addr("::", 8888), {addr("192.168.1.2"), addr("127.0.0.1")}};
}

int verdict_status(const DestinationVerdict& verdict) {
    return verdict.refusal ? verdict.refusal->status : 0;
}

TEST(CheckDestinationTest, OrdinaryDestinationsAreAllowed) {
    const auto verdict = check_destination(addr("192.168.1.50"), {"example.org", 80},
                                           addr("93.184.215.14", 80), {}, listen_addresses());
    EXPECT_TRUE(verdict.allowed());
    EXPECT_EQ(verdict_status(verdict), 0);
    // Another port on this host's LAN address is not loopback: allowed.
    EXPECT_TRUE(check_destination(addr("192.168.1.50"), {"nas", 5000}, addr("192.168.1.2", 5000),
                                  {}, listen_addresses())
                    .allowed());
}

TEST(CheckDestinationTest, TheProxyItselfIs508ForEveryone) {
    for (const std::string client : {"127.0.0.1", "192.168.1.50"}) {
        for (const std::string target : {"127.0.0.1", "192.168.1.2", "::1", "0.0.0.0"}) {
            const auto verdict =
                check_destination(addr(client), {"loop.test", 8888}, addr(target, 8888),
                                  Policy{{"loop.test"}}, listen_addresses());
            EXPECT_EQ(verdict_status(verdict), 508) << client << " to " << target;
            EXPECT_NE(verdict.refusal->detail.find("loop.test"), std::string::npos);
        }
    }
}

TEST(CheckDestinationTest, LoopbackIs403ForOtherHostsClients) {
    for (const std::string target : {"127.0.0.1", "127.0.0.53", "::1", "0.0.0.0", "::"}) {
        const auto verdict = check_destination(addr("192.168.1.50"), {"rebound.example", 6379},
                                               addr(target, 6379), {}, listen_addresses());
        EXPECT_EQ(verdict_status(verdict), 403) << target;
        EXPECT_NE(verdict.refusal->detail.find("rebound.example"), std::string::npos);
        EXPECT_NE(verdict.refusal->detail.find("--allow-host"), std::string::npos);
    }
    // A client of a :: listener from elsewhere, seen IPv4-mapped, is still from elsewhere.
    EXPECT_EQ(verdict_status(check_destination(addr("::ffff:192.168.1.50"), {"localhost", 80},
                                               addr("127.0.0.1", 80), {}, listen_addresses())),
              403);
}

TEST(CheckDestinationTest, LoopbackIsAllowedToClientsOnThisHost) {
    // They could connect there themselves: the proxy exposes nothing.
    for (const std::string client :
         {"127.0.0.1", "::1", "::ffff:127.0.0.1", "192.168.1.2", "::ffff:192.168.1.2"}) {
        EXPECT_TRUE(check_destination(addr(client), {"localhost", 8080}, addr("127.0.0.1", 8080),
                                      {}, listen_addresses())
                        .allowed())
            << client;
    }
}

TEST(CheckDestinationTest, AllowHostOverridesTheLoopbackRule) {
    const Policy hosts{{"127.0.0.1", "*.internal.test"}};
    const auto client = addr("192.168.1.50");
    EXPECT_TRUE(check_destination(client, {"127.0.0.1", 8080}, addr("127.0.0.1", 8080), hosts,
                                  listen_addresses())
                    .allowed());
    EXPECT_TRUE(check_destination(client, {"app.internal.test", 8080}, addr("127.0.0.1", 8080),
                                  hosts, listen_addresses())
                    .allowed());
    // A host the list does not name gets no override, even if it resolves to the same address.
    EXPECT_EQ(verdict_status(check_destination(client, {"evil.example", 8080},
                                               addr("127.0.0.1", 8080), hosts, listen_addresses())),
              403);
    // An empty list allows every host name, but overrides nothing.
    EXPECT_EQ(verdict_status(check_destination(client, {"127.0.0.1", 8080}, addr("127.0.0.1", 8080),
                                               Policy{}, listen_addresses())),
              403);
}

// ---------------------------------------------------------------------------- ClientCounts

TEST(ClientCountsTest, CountsPerAddressUpToTheMax) {
    ClientCounts counts;
    const auto a1 = addr("192.168.1.50", 1000);
    const auto a2 = addr("192.168.1.50", 2000);  // same client, another port
    const auto b = addr("192.168.1.51", 1000);
    EXPECT_TRUE(counts.try_acquire(a1, 2));
    EXPECT_TRUE(counts.try_acquire(a2, 2));
    EXPECT_FALSE(counts.try_acquire(a1, 2));
    EXPECT_EQ(counts.count(a1), 2u);
    EXPECT_TRUE(counts.try_acquire(b, 2));
    EXPECT_EQ(counts.count(b), 1u);
    EXPECT_EQ(counts.clients(), 2u);

    counts.release(a2);
    EXPECT_EQ(counts.count(a1), 1u);
    EXPECT_TRUE(counts.try_acquire(a1, 2));
    counts.release(a1);
    counts.release(a1);
    counts.release(b);
    EXPECT_EQ(counts.count(a1), 0u);
    EXPECT_EQ(counts.clients(), 0u);  // forgotten at 0
    counts.release(b);                // nothing to release: no effect
    EXPECT_EQ(counts.count(b), 0u);
    EXPECT_EQ(counts.clients(), 0u);
}

TEST(ClientCountsTest, MappedAndPlainIpv4AreOneClient) {
    ClientCounts counts;
    EXPECT_TRUE(counts.try_acquire(addr("10.0.0.1"), 1));
    EXPECT_FALSE(counts.try_acquire(addr("::ffff:10.0.0.1"), 1));
    EXPECT_TRUE(counts.try_acquire(addr("::1"), 1));
    EXPECT_EQ(counts.clients(), 2u);
}

TEST(ClientCountsTest, MaxZeroRefusesAndLeavesNoEntry) {
    ClientCounts counts;
    EXPECT_FALSE(counts.try_acquire(addr("10.0.0.1"), 0));
    EXPECT_EQ(counts.clients(), 0u);
    EXPECT_FALSE(counts.acquire(addr("10.0.0.1"), 0));
}

TEST(ClientCountsTest, TokenReleasesWhenDestroyedAndMoves) {
    ClientCounts counts;
    const auto client = addr("10.0.0.1");
    {
        auto token = counts.acquire(client, 2);
        ASSERT_TRUE(token);
        EXPECT_TRUE(token->holds());
        EXPECT_EQ(counts.count(client), 1u);

        ClientCounts::Token moved = std::move(*token);
        EXPECT_FALSE(token->holds());
        EXPECT_TRUE(moved.holds());
        EXPECT_EQ(counts.count(client), 1u);

        auto second = counts.acquire(client, 2);
        ASSERT_TRUE(second);
        EXPECT_FALSE(counts.acquire(client, 2));
        EXPECT_EQ(counts.count(client), 2u);
        // Assigning over a token releases what it held.
        *second = std::move(moved);
        EXPECT_EQ(counts.count(client), 1u);
        EXPECT_TRUE(second->holds());
    }
    EXPECT_EQ(counts.count(client), 0u);
    EXPECT_EQ(counts.clients(), 0u);
    EXPECT_FALSE(ClientCounts::Token{}.holds());
}

TEST(ClientCountsTest, ThreadsNeverPassTheMax) {
    ClientCounts counts;
    const auto client = addr("10.0.0.1");
    constexpr std::size_t kMax = 3;
    constexpr int kThreads = 4;
    constexpr int kRounds = 2000;
    std::atomic<int> over{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                if (auto token = counts.acquire(client, kMax)) {
                    if (counts.count(client) > kMax) ++over;
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(over.load(), 0);
    EXPECT_EQ(counts.count(client), 0u);
    EXPECT_EQ(counts.clients(), 0u);
}

// ---------------------------------------------------------------------------- descriptors

TEST(FitClientsTest, KeptWhenTheLimitAllowsIt) {
    const auto limit = fit_clients_to_descriptors(1000, 1'048'576, 2, 16);
    EXPECT_EQ(limit.max_clients, 1000u);
    EXPECT_TRUE(limit.note.empty());
    // Exactly enough: 16 + 1000 * 3.
    EXPECT_EQ(fit_clients_to_descriptors(1000, 3016, 2, 16).max_clients, 1000u);
}

TEST(FitClientsTest, LoweredWithANote) {
    const auto limit = fit_clients_to_descriptors(1000, 1024, 2, 16);
    EXPECT_EQ(limit.max_clients, 336u);  // (1024 - 16) / 3
    EXPECT_NE(limit.note.find("1000"), std::string::npos) << limit.note;
    EXPECT_NE(limit.note.find("336"), std::string::npos) << limit.note;
    EXPECT_NE(limit.note.find("1024"), std::string::npos) << limit.note;
    EXPECT_EQ(fit_clients_to_descriptors(1000, 3015, 2, 16).max_clients, 999u);
}

TEST(FitClientsTest, NotEvenOneFits) {
    EXPECT_EQ(fit_clients_to_descriptors(10, 16, 2, 16).max_clients, 0u);
    EXPECT_EQ(fit_clients_to_descriptors(10, 8, 2, 16).max_clients, 0u);
    EXPECT_FALSE(fit_clients_to_descriptors(10, 8, 2, 16).note.empty());
}

}  // namespace
}  // namespace web_proxy
