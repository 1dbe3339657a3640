// The wording of ICMP errors, following iputils ping so the lines read the same as ping's.
#include "udp_ping/icmp_error.hpp"

#include <array>
#include <string_view>

namespace ping {
namespace {

// RFC 792 and RFC 1812 5.2.7.1: the codes of ICMPv4 type 3, Destination Unreachable.
constexpr std::array<std::string_view, 16> kUnreachableV4 = {
    "Destination Net Unreachable",
    "Destination Host Unreachable",
    "Destination Protocol Unreachable",
    "Destination Port Unreachable",
    "Frag needed and DF set",
    "Source Route Failed",
    "Destination Net Unknown",
    "Destination Host Unknown",
    "Source Host Isolated",
    "Destination Net Prohibited",
    "Destination Host Prohibited",
    "Destination Net Unreachable for Type of Service",
    "Destination Host Unreachable for Type of Service",
    "Packet filtered",
    "Precedence Violation",
    "Precedence Cutoff",
};

// RFC 4443 3.1: the codes of ICMPv6 type 1, Destination Unreachable.
constexpr std::array<std::string_view, 7> kUnreachableV6 = {
    "No route",
    "Administratively prohibited",
    "Beyond scope of source address",
    "Address unreachable",
    "Port unreachable",
    "Source address failed ingress/egress policy",
    "Reject route to destination",
};

std::string describe_v4(const IcmpError& e) {
    switch (e.type) {
        case 3:  // Destination Unreachable
            if (e.code == 4) return "Frag needed and DF set (mtu = " + std::to_string(e.info) + ")";
            if (e.code < kUnreachableV4.size()) return std::string(kUnreachableV4[e.code]);
            return "Dest Unreachable, Bad Code: " + std::to_string(e.code);
        case 4:
            return "Source Quench";
        case 5:
            return "Redirect";
        case 11:  // Time Exceeded
            if (e.code == 0) return "Time to live exceeded";
            if (e.code == 1) return "Frag reassembly time exceeded";
            return "Time exceeded, Bad Code: " + std::to_string(e.code);
        case 12:
            return "Parameter problem";
        default:
            return "Bad ICMP type: " + std::to_string(e.type);
    }
}

std::string describe_v6(const IcmpError& e) {
    switch (e.type) {
        case 1:  // Destination Unreachable
            return "Destination unreachable: " + (e.code < kUnreachableV6.size()
                                                      ? std::string(kUnreachableV6[e.code])
                                                      : "Unknown code " + std::to_string(e.code));
        case 2:
            return "Packet too big: mtu=" + std::to_string(e.info);
        case 3:  // Time Exceeded
            if (e.code == 0) return "Time exceeded: Hop limit";
            if (e.code == 1) return "Time exceeded: Defragmentation failure";
            return "Time exceeded: code " + std::to_string(e.code);
        case 4:
            return "Parameter problem: code " + std::to_string(e.code);
        default:
            return "Unknown ICMPv6 type " + std::to_string(e.type);
    }
}

}  // namespace

std::string describe_icmp(const IcmpError& error) {
    if (error.local) return "local error: " + error.local_reason;
    return error.family == IcmpFamily::kIcmpV6 ? describe_v6(error) : describe_v4(error);
}

std::string format_icmp_line(const IcmpError& error, std::uint64_t seq) {
    const std::string from = error.from.empty() ? std::string() : "From " + error.from + " ";
    return from + "icmp_seq=" + std::to_string(seq) + " " + describe_icmp(error);
}

}  // namespace ping
