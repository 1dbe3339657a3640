// udp_ping_server: the book's UDPPingerServer.py. Receives pings (step 1), drops some to simulate
// loss (step 2: "rand < 4" drops 30%; here --loss P), and sends the rest back upper-cased
// (step 3). Also the assignment's heartbeat exercise: it follows each client's sequence numbers,
// logs one-way delays and gaps, and notices when a client stops. The steps are in PingServer
// (ping_server.cpp); this file reads the options and runs the event loop.
#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "common/cli.hpp"
#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "udp_ping/ping_server.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 12000;
constexpr auto kDefaultHeartbeatTimeout = 5s;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "udp_ping_server",
         .synopsis = "[-b ADDR] [-p PORT] [--loss P] [--delay MS[-MS]] [--seed N] "
                     "[--heartbeat-timeout SEC] [-q]",
         .description = "Echoes UDP pings upper-cased, dropping and delaying some on request, and "
                        "logs each\nclient's one-way delays, lost pings and silence. The first "
                        "line on stdout is the address it bound.",
         .options = {
             {"bind", 'b', "ADDR", "address to listen on (default 127.0.0.1; :: for all)"},
             {"port", 'p', "PORT", "port (default 12000; 0 picks a free one)"},
             {"loss", 0, "P", "drop this fraction of pings, 0 to 1 (default 0; the book: 0.3)"},
             {"delay", 0, "MS[-MS]", "delay each reply this many ms, or a random time between two"},
             {"seed", 0, "N", "seed for --loss and --delay, to repeat a run exactly"},
             {"heartbeat-timeout", 0, "SEC", "report a client stopped after this long (default 5)"},
             {"quiet", 'q', "", "print errors only"},
         }});
}

ping::DelayRange parse_delay(const std::string& text) {
    const auto dash = text.find('-');
    const auto parse = [&](const std::string& part) {
        const auto value = net::parse_seconds(part);  // same number syntax; milliseconds here
        if (!value) throw net::UsageError("invalid --delay '" + text + "' (expected MS or MS-MS)");
        return static_cast<double>(value->count()) / 1000.0;
    };
    ping::DelayRange range;
    range.min_ms = parse(text.substr(0, dash));
    range.max_ms = dash == std::string::npos ? range.min_ms : parse(text.substr(dash + 1));
    if (range.max_ms < range.min_ms)
        throw net::UsageError("invalid --delay '" + text + "' (MS-MS must rise)");
    return range;
}

double parse_loss(const net::Args& args) {
    const auto text = args.value("loss");
    if (!text) return 0;
    char* end = nullptr;
    const double loss = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !(loss >= 0 && loss <= 1)) {
        throw net::UsageError("invalid --loss '" + *text + "' (expected a fraction from 0 to 1)");
    }
    return loss;
}

int serve(const net::Args& args) {
    net::reject_stray_arguments(args);
    const auto log = net::Logger::queued(
        "udp_ping_server", args.has("quiet") ? net::LogLevel::kError : net::LogLevel::kInfo);
    const std::string host = net::strip_brackets(args.value_or("bind", "127.0.0.1"));
    const auto port = args.port_or("port", kDefaultPort);
    ping::PingServerOptions options;
    options.loss = parse_loss(args);
    if (const auto text = args.value("delay")) options.delay = parse_delay(*text);
    options.seed =
        args.has("seed") ? args.uint_or("seed", 0, 0, UINT64_MAX) : std::random_device{}();
    options.heartbeat_timeout =
        args.seconds_or("heartbeat-timeout", kDefaultHeartbeatTimeout, 1ms, 86400s);

    net::TerminationSignals signals(net::Hangup::kIgnore);  // a service: SIGHUP must not end it
    net::EventLoop loop;
    ping::PingServer server(loop, net::bind_udp(host, std::to_string(port)), log, options);
    loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
        if (signals.take() != 0) loop.stop();
    });
    net::announce("udp_ping_server: listening on " + server.address().to_string());
    loop.run();
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
