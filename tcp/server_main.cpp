// tcp_server: the book's TCPServer.py as a real server. It listens (steps 1-2), accepts any
// number of clients at once on event loops (step 3), and sends every byte back upper-cased.
#include <memory>
#include <vector>

#include "common/cli.hpp"
#include "common/log.hpp"
#include "common/loop_group.hpp"
#include "common/resource_limits.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "common/tcp_server.hpp"
#include "upper_case_service.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 12000;  // serverPort = 12000, as in the book
constexpr auto kDefaultIdleTimeout = 300s;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "tcp_server",
         .synopsis = "[-b ADDR] [-p PORT] [-t THREADS] [--timeout SEC] [-q | -v]",
         .description = "Listens on TCP and sends back every byte it receives with the ASCII "
                        "letters upper-cased.\nThe first line on stdout is the address it bound.",
         .options = {
             {"bind", 'b', "ADDR",
              "address to listen on (default 127.0.0.1; :: for all, dual-stack)"},
             {"port", 'p', "PORT", "port to listen on (default 12000; 0 picks a free one)"},
             {"threads", 't', "THREADS", "event loops, one per thread (default: one per core)"},
             {"timeout", 0, "SEC", "close connections idle this long (default 300; 0: never)"},
             {"quiet", 'q', "", "print errors only"},
             {"verbose", 'v', "", "log every connection"},
         }});
}

int serve(const net::Args& args) {
    if (!args.positionals().empty()) {
        throw net::UsageError("unexpected argument '" + args.positionals().front() + "'");
    }
    const net::Logger log("tcp_server",
                          net::Logger::level_from_flags(args.has("quiet"), args.count("verbose")));
    const std::string host = net::strip_brackets(args.value_or("bind", "127.0.0.1"));
    const auto port = args.port_or("port", kDefaultPort);
    const auto threads = args.uint_or("threads", net::LoopGroup::default_count(), 1, 1024);
    const net::TcpServerOptions options{
        .idle_timeout = args.seconds_or("timeout", kDefaultIdleTimeout, 0ms, 86400s * 365)};

    net::raise_open_file_limit();     // thousands of clients need more than the default 1,024
    net::TerminationSignals signals;  // before any thread starts, so all inherit the mask
    net::BoundSocket bound = net::listen_tcp(host, std::to_string(port));
    const auto listener = std::make_shared<net::Fd>(std::move(bound.fd));

    net::LoopGroup loops(threads);
    std::vector<std::unique_ptr<net::TcpServer>> servers;
    const auto callbacks = tcp::upper_case_callbacks(log);
    for (std::size_t i = 0; i < loops.size(); ++i) {
        servers.push_back(
            std::make_unique<net::TcpServer>(loops.loop(i), listener, callbacks, options));
    }
    net::announce("tcp_server: listening on " + bound.address.to_string());
    loops.start();

    const int signal = signals.wait();
    log.debug(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    loops.stop();  // joins the threads; then the servers close their connections
    servers.clear();
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
