// tcp_server: the book's TCPServer.py as a real server. It listens (steps 1-2), accepts any
// number of clients at once on event loops (step 3), and sends every byte back upper-cased.
#include <memory>
#include <string>

#include "common/cli.hpp"
#include "common/log.hpp"
#include "common/resource_limits.hpp"
#include "common/server_group.hpp"
#include "common/signals.hpp"
#include "upper_case_service.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 12000;  // serverPort = 12000, as in the book
constexpr auto kDefaultIdleTimeout = 300s;

net::CommandLine command_line() {
    auto options = net::listen_options(kDefaultPort);
    options.push_back(
        {"timeout", 0, "SEC", "close connections idle this long (default 300; 0: never)"});
    options.push_back({"quiet", 'q', "", "print errors only"});
    options.push_back({"verbose", 'v', "", "log every connection"});
    return net::CommandLine(
        {.name = "tcp_server",
         .synopsis = "[-b ADDR] [-p PORT] [-t THREADS] [--timeout SEC] [-q | -v]",
         .description = "Listens on TCP and sends back every byte it receives with the ASCII "
                        "letters upper-cased.\nThe first line on stdout is the address it bound.",
         .options = std::move(options)});
}

int serve(const net::Args& args) {
    net::reject_stray_arguments(args);
    const auto log = net::Logger::queued(
        "tcp_server", net::Logger::level_from_flags(args.has("quiet"), args.count("verbose")));
    const net::ServerGroupOptions options{
        .listen = net::listen_spec(args, kDefaultPort),
        .server = {.connection = {.idle_timeout = args.seconds_or("timeout", kDefaultIdleTimeout,
                                                                  0ms, 86400s * 365)}}};

    net::raise_open_file_limit();  // thousands of clients need more than the default 1,024
    // Before any thread starts, so all inherit the mask. No log file: SIGHUP is ignored.
    net::TerminationSignals signals(net::Hangup::kIgnore);
    net::ServerGroup server(
        options, [&log](net::EventLoop&) { return std::make_unique<tcp::UpperCaseService>(log); });
    net::announce("tcp_server: listening on " + server.address().to_string());
    const int signal = server.run(signals);
    log.debug(std::string("stopped on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
