// ICMP errors in ping's words: the common codes of both families, local errors, the line.
#include "udp_ping/icmp_error.hpp"

#include <gtest/gtest.h>

namespace ping {
namespace {

IcmpError v4(std::uint8_t type, std::uint8_t code) {
    return {.from = "192.0.2.1", .family = IcmpFamily::kIcmpV4, .type = type, .code = code};
}
IcmpError v6(std::uint8_t type, std::uint8_t code) {
    return {.from = "2001:db8::1", .family = IcmpFamily::kIcmpV6, .type = type, .code = code};
}

TEST(IcmpErrorTest, DestinationUnreachableV4AsIputilsSaysIt) {
    EXPECT_EQ(describe_icmp(v4(3, 3)), "Destination Port Unreachable");
    EXPECT_EQ(describe_icmp(v4(3, 1)), "Destination Host Unreachable");
    EXPECT_EQ(describe_icmp(v4(3, 0)), "Destination Net Unreachable");
    EXPECT_EQ(describe_icmp(v4(3, 13)), "Packet filtered");
    EXPECT_EQ(describe_icmp(v4(3, 99)), "Dest Unreachable, Bad Code: 99");
    IcmpError frag = v4(3, 4);
    frag.info = 1400;
    EXPECT_EQ(describe_icmp(frag), "Frag needed and DF set (mtu = 1400)");
    EXPECT_EQ(describe_icmp(v4(11, 0)), "Time to live exceeded");
}

TEST(IcmpErrorTest, DestinationUnreachableV6AsIputilsSaysIt) {
    EXPECT_EQ(describe_icmp(v6(1, 4)), "Destination unreachable: Port unreachable");
    EXPECT_EQ(describe_icmp(v6(1, 3)), "Destination unreachable: Address unreachable");
    EXPECT_EQ(describe_icmp(v6(1, 40)), "Destination unreachable: Unknown code 40");
    EXPECT_EQ(describe_icmp(v6(3, 0)), "Time exceeded: Hop limit");
}

TEST(IcmpErrorTest, LocalErrorsSayTheReason) {
    const IcmpError local{.local = true, .local_reason = "Message too long"};
    EXPECT_EQ(describe_icmp(local), "local error: Message too long");
    EXPECT_EQ(format_icmp_line(local, 4), "icmp_seq=4 local error: Message too long");
}

TEST(IcmpErrorTest, LineNamesTheSenderAndTheSeq) {
    IcmpError error = v4(3, 3);
    error.from = "127.0.0.1";
    EXPECT_EQ(format_icmp_line(error, 1), "From 127.0.0.1 icmp_seq=1 Destination Port Unreachable");
}

}  // namespace
}  // namespace ping
