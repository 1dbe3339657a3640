// ICMP errors as ping prints them: "From 127.0.0.1 icmp_seq=1 Destination Port Unreachable".
// Pure: the Pinger reads the type, code and reporting address off the socket's error queue
// (IP_RECVERR) and hands them here.
#pragma once

#include <cstdint>
#include <string>

namespace ping {

enum class IcmpFamily { kIcmpV4, kIcmpV6 };

// One error the network sent back about a ping, or one the local stack raised.
struct IcmpError {
    std::string from = {};  // the address that reported it ("127.0.0.1"); empty when unknown
    IcmpFamily family = IcmpFamily::kIcmpV4;
    bool local = false;  // raised by this host's stack (e.g. message too long), not by ICMP
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t info = 0;         // the MTU for "fragmentation needed" / "packet too big"
    std::string local_reason = {};  // for a local error: strerror's text
};

// What iputils ping says for the error: "Destination Port Unreachable" (ICMPv4 type 3 code 3),
// "Destination unreachable: Port unreachable" (ICMPv6 type 1 code 4), "Time to live exceeded"...
std::string describe_icmp(const IcmpError& error);

// ping's line for it: "From 127.0.0.1 icmp_seq=1 Destination Port Unreachable".
std::string format_icmp_line(const IcmpError& error, std::uint64_t seq);

}  // namespace ping
