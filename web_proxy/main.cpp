// web_proxy: the book's multi-threaded web proxy as one a browser can use. It listens (step 1),
// gives each client a thread of its own (step 2), reads the request and sends it on to the
// server it names with the proxy's own head (steps 3-4), relays the answer (step 5), and opens
// CONNECT tunnels for HTTPS.
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <system_error>

#include "client_connection.hpp"
#include "client_threads.hpp"
#include "common/acceptor.hpp"
#include "common/blocking.hpp"
#include "common/cli.hpp"
#include "common/deadline.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "common/resource_limits.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "proxy_rules.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 8888;  // the book's proxy, and tinyproxy's default
constexpr std::uint64_t kDefaultMaxClients = 1000;
// How long a stopping proxy lets exchanges under way finish before it closes them.
constexpr auto kShutdownGrace = 5s;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "web_proxy",
         .synopsis = "[-b ADDR] [-p PORT] [--allow HOST]... [--timeout SEC] "
                     "[--connect-timeout SEC] [--max-clients N] [-q | -v]",
         .description = "An HTTP/1.1 forward proxy: point a browser (or curl -x) at it. It "
                        "forwards http:// requests\nand tunnels HTTPS with CONNECT, a thread per "
                        "client. The first line on stdout is the address\nit bound; a line a "
                        "request goes to stderr.",
         .options = {
             {"bind", 'b', "ADDR",
              "address to listen on (default 127.0.0.1; :: for all, dual-stack)"},
             {"port", 'p', "PORT", "port to listen on (default 8888; 0 picks a free one)"},
             {"timeout", 0, "SEC", "close a connection quiet this long either way (default 60)"},
             {"connect-timeout", 0, "SEC",
              "give up connecting to a server after this long (default 10)"},
             {"allow", 0, "HOST",
              "go only to this host, or *.domain (repeatable; default: anywhere)"},
             {"max-clients", 0, "N", "client connections at once; more get 503 (default 1000)"},
             {"quiet", 'q', "", "print errors only"},
             {"verbose", 'v', "", "also log tunnels closing"},
         }});
}

net::Fd make_eventfd() {
    net::Fd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd) throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}

// Makes `fd` readable for good: every thread polling it wakes, now and later.
void raise_flag(const net::Fd& fd) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd.get(), &one, sizeof one);
}

// Raises the abort flag when it goes out of scope, however serve() leaves: declared after the
// ClientThreads, it runs before their destructor joins them, so no join waits on a client.
class AbortOnExit {
  public:
    explicit AbortOnExit(const net::Fd& abort) : abort_(abort) {}
    AbortOnExit(const AbortOnExit&) = delete;
    AbortOnExit& operator=(const AbortOnExit&) = delete;
    ~AbortOnExit() { raise_flag(abort_); }

  private:
    const net::Fd& abort_;
};

// A client over --max-clients gets a 503 at once. A new socket's send buffer is empty: the page
// fits, or is dropped, never waited on.
void turn_away(const net::Fd& client) {
    const std::string page = web_proxy::error_response(
        503, "The proxy is serving as many clients as it may; try again shortly.", false);
    [[maybe_unused]] const auto sent =
        ::send(client.get(), page.data(), page.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

// After the first signal: lets the exchanges under way finish, for kShutdownGrace at most, or
// until a second signal says stop now.
void finish_exchanges(web_proxy::ClientThreads& threads, net::TerminationSignals& signals,
                      const net::Logger& log) {
    const net::Deadline end(kShutdownGrace);
    for (threads.reap(); threads.active() > 0; threads.reap()) {
        std::array<pollfd, 2> fds{pollfd{threads.finished_fd(), POLLIN, 0},
                                  pollfd{signals.fd(), POLLIN, 0}};
        if (net::wait_any(fds, end) == 0) {
            log.warning("closing the exchanges still under way");
            return;
        }
        if (fds[1].revents != 0) {
            signals.take();
            log.warning("a second signal: closing the exchanges still under way");
            return;
        }
    }
}

int serve(const net::Args& args) {
    if (!args.positionals().empty()) {
        throw net::UsageError("unexpected argument '" + args.positionals().front() + "'");
    }
    const net::Logger log("web_proxy",
                          net::Logger::level_from_flags(args.has("quiet"), args.count("verbose")));
    const std::string host = net::strip_brackets(args.value_or("bind", "127.0.0.1"));
    const auto port = args.port_or("port", kDefaultPort);
    const auto max_clients = args.uint_or("max-clients", kDefaultMaxClients, 1, 1'000'000);
    web_proxy::ProxySettings settings{
        .self = {},
        .policy = {.allowed_hosts = args.values("allow")},
        .idle_timeout = args.seconds_or("timeout", 60s, 1ms, 86400s),
        .connect_timeout = args.seconds_or("connect-timeout", 10s, 1ms, 3600s)};

    net::ignore_sigpipe();
    net::raise_open_file_limit();     // two descriptors a client
    net::TerminationSignals signals;  // before any thread starts, so all inherit the mask
    const net::BoundSocket bound = net::listen_tcp(host, std::to_string(port));
    settings.self.received_by = net::local_host_name() + ":" + std::to_string(bound.address.port());
    const net::Fd drain = make_eventfd();
    const net::Fd abort = make_eventfd();
    const web_proxy::StopFds stop{drain.get(), abort.get()};

    net::Acceptor acceptor(bound.fd.get());
    web_proxy::ClientThreads threads;
    const AbortOnExit abort_on_exit(abort);
    net::announce("web_proxy: listening on " + bound.address.to_string());

    for (;;) {
        std::array<pollfd, 3> fds{pollfd{bound.fd.get(), POLLIN, 0},
                                  pollfd{threads.finished_fd(), POLLIN, 0},
                                  pollfd{signals.fd(), POLLIN, 0}};
        net::wait_any(fds, net::Deadline::never());
        if (fds[2].revents != 0) break;
        if (fds[1].revents != 0) threads.reap();
        if (fds[0].revents == 0) continue;
        while (auto accepted = acceptor.accept()) {
            if (threads.active() >= max_clients) {
                log.warning("over --max-clients " + std::to_string(max_clients) + ": turned " +
                            accepted->peer.to_string() + " away");
                turn_away(accepted->fd);
                continue;
            }
            auto connection = std::make_shared<web_proxy::ClientConnection>(
                std::move(accepted->fd), accepted->peer, settings, stop, log);
            try {
                threads.start([connection] { connection->run(); });
            } catch (const std::system_error& e) {
                log.error(std::string("cannot start a thread for a client: ") + e.what());
            }
        }
    }

    const int signal = signals.take();
    log.debug(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    raise_flag(drain);  // idle connections close now
    finish_exchanges(threads, signals, log);
    return net::kExitOk;  // ~AbortOnExit closes what is left, then ~ClientThreads joins them
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
