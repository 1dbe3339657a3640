// udp_ping: the book's UDP Pinger client. Sends pings over UDP (step 1), waits at most a timeout
// for each reply (step 2), prints each round-trip time or "Request timed out" (step 3), and ends
// with ping's statistics (the assignment's min/max/average RTT and loss rate). The steps are in
// Pinger (pinger.cpp); this file reads the options and opens the socket.
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "common/address.hpp"
#include "common/cli.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "udp_ping/pinger.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* kDefaultPort = "12000";  // the book's server port
constexpr std::uint64_t kDefaultCount = 10;    // "send 10 pings"
constexpr auto kDefaultInterval = 1s;
constexpr auto kDefaultTimeout = 1s;        // "wait up to one second for a reply"
constexpr std::uint64_t kDefaultSize = 56;  // ping's default payload size
constexpr std::size_t kMaxDatagram = 65507;
// Flood mode, as ping -f: the next ping goes when the reply arrives, or after this at the latest
// ("as fast as they come back or one hundred times per second, whichever is more").
constexpr auto kFloodInterval = 10ms;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "udp_ping",
         .synopsis = "[-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] [-w DEADLINE] [-f] [-q] "
                     "[--json] [-4|-6] HOST [PORT]",
         .description = "Sends 'Ping <seq> <time>' datagrams to a UDP echo server (default port "
                        "12000) and reports\nthe round-trip times and losses in ping's format. "
                        "Exit status: 0 if any reply came, 1 if none, 68 for an unknown host, 2 on "
                        "other errors.",
         .options = {
             {"count", 'c', "COUNT", "pings to send (default 10; 0: until interrupted)"},
             {"interval", 'i', "SEC", "time between pings (default 1)"},
             {"timeout", 'W', "SEC", "how long to wait for each reply (default 1)"},
             {"size", 's', "SIZE", "datagram size in bytes, padded (default 56)"},
             {"deadline", 'w', "SEC", "stop after this long, whatever the count"},
             {"flood", 'f', "", "send the next ping as soon as the reply (or timeout) comes"},
             {"quiet", 'q', "", "only the summary"},
             {"json", 0, "", "one JSON document with every probe and the summary"},
             {"ipv4", '4', "", "IPv4 only"},
             {"ipv6", '6', "", "IPv6 only"},
         }});
}

ping::PingOptions parse_options(const net::Args& args) {
    const auto& words = args.positionals();
    if (words.empty()) throw net::UsageError("missing HOST");
    ping::PingOptions options;
    const net::Target target = net::parse_target(words, {"", kDefaultPort});
    options.host = target.host;
    options.port = target.port;
    options.count = args.uint_or("count", kDefaultCount, 0, 1'000'000'000);
    options.interval = args.seconds_or("interval", kDefaultInterval, 1ms, 3600s);
    options.timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 3600s);
    options.size = args.uint_or("size", kDefaultSize, 0, kMaxDatagram);
    if (args.has("deadline"))
        options.deadline = args.seconds_or("deadline", 0ms, 1ms, 86400s * 365);
    options.flood = args.has("flood");
    if (options.flood && !args.has("interval")) options.interval = kFloodInterval;
    options.quiet = args.has("quiet");
    options.json = args.has("json");
    if (args.has("ipv4") && args.has("ipv6")) throw net::UsageError("-4 and -6 exclude each other");
    if (args.has("ipv4")) options.family = AF_INET;
    if (args.has("ipv6")) options.family = AF_INET6;
    return options;
}

int run(const net::Args& args) {
    ping::PingOptions options = parse_options(args);
    net::TerminationSignals signals;
    // An unknown host ends in run_main as ResolveError: exit 68 (EX_NOHOST).
    const auto addresses = net::resolve(
        options.host, options.port, {.transport = net::Transport::kUdp, .family = options.family});
    net::Fd sock;
    try {
        sock = net::connect_udp(addresses.front());
    } catch (const std::system_error& e) {
        throw net::FatalError(2, e.what());
    }
    const std::string target = addresses.front().to_string();
    ping::Pinger pinger(std::move(options), std::move(sock), target);
    return pinger.run(signals);
}

}  // namespace

int main(int argc, char** argv) {
    const int status = net::run_main(argc, argv, command_line(), run);
    // ping's convention: 0 some reply, 1 none, 2 an error; a bad command line stays 64 (EX_USAGE)
    // and an unknown host 68 (EX_NOHOST) like every program of the suite.
    return status == 0 || status == 1 || status == net::kExitUsage || status == net::kExitNoHost
               ? status
               : 2;
}
