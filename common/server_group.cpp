// ServerGroup: listen, a TcpServer and a LoopService per loop, and the graceful stop.
#include "server_group.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <system_error>

#include "blocking.hpp"
#include "socket.hpp"

namespace net {
namespace {

// How long the main thread waits for the loops to close what the grace period left.
constexpr std::chrono::milliseconds kAbortWait{1000};

}  // namespace

std::vector<OptionSpec> listen_options(std::uint16_t default_port, bool threads_option) {
    std::vector<OptionSpec> options{
        {"bind", 'b', "ADDR", "address to listen on (default 127.0.0.1; :: for all, dual-stack)"},
        {"port", 'p', "PORT",
         "port to listen on (default " + std::to_string(default_port) + "; 0 picks a free one)"},
    };
    if (threads_option) {
        options.push_back(
            {"threads", 't', "THREADS", "event loops, one per thread (default: one per core)"});
    }
    return options;
}

ListenSpec listen_spec(const Args& args, std::uint16_t default_port) {
    return {.host = strip_brackets(args.value_or("bind", "127.0.0.1")),
            .port = args.port_or("port", default_port),
            .threads = static_cast<std::size_t>(
                args.uint_or("threads", LoopGroup::default_count(), 1, 1024))};
}

ServerGroup::ServerGroup(ServerGroupOptions options, const ServiceFactory& make_service)
    : options_(std::move(options)), loops_(options_.listen.threads) {
    BoundSocket bound = listen_tcp(options_.listen.host, std::to_string(options_.listen.port));
    address_ = bound.address;
    const auto listener = std::make_shared<Fd>(std::move(bound.fd));
    TcpServerOptions per_loop = options_.server;
    per_loop.open_count = std::make_shared<std::atomic<std::size_t>>(0);
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        services_.push_back(make_service(loops_.loop(i)));
        LoopService& service = *services_.back();
        servers_.push_back(std::make_unique<TcpServer>(
            loops_.loop(i), listener,
            [&service](TcpConnection& conn) { return service.make_handler(conn); }, per_loop));
    }
}

ServerGroup::~ServerGroup() {
    loops_.stop();
    servers_.clear();  // their connections' handlers may still use the services
    services_.clear();
}

int ServerGroup::run(TerminationSignals& signals) {
    loops_.start();
    int signal = signals.wait();
    for (; signal == SIGHUP; signal = signals.wait())
        hangup();
    if (!drain(signals)) abort_remaining();
    loops_.stop();
    // Stopped: a signal that comes now (a second Ctrl-C while the program exits) must not turn
    // its clean exit into death by signal once the mask is restored.
    ignore_termination_signals();
    return signal;
}

bool ServerGroup::drain(TerminationSignals& signals) {
    // The last loop to empty says so through an eventfd, so this thread can wait for it, the
    // grace period and a second signal at once.
    const auto emptied = std::make_shared<Fd>(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!*emptied) throw std::system_error(errno, std::generic_category(), "eventfd");
    const auto busy = std::make_shared<std::atomic<std::size_t>>(servers_.size());
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        loops_.loop(i).post(
            [server = servers_[i].get(), service = services_[i].get(), emptied, busy] {
                service->stopping();
                server->begin_drain([service, emptied, busy] {
                    service->drained();
                    if (busy->fetch_sub(1) == 1) {
                        const std::uint64_t one = 1;
                        [[maybe_unused]] const auto n = ::write(emptied->get(), &one, sizeof one);
                    }
                });
            });
    }
    const Deadline deadline(options_.grace_period);
    for (;;) {
        std::array<pollfd, 2> fds{pollfd{emptied->get(), POLLIN, 0},
                                  pollfd{signals.fd(), POLLIN, 0}};
        wait_any(fds, deadline);
        if ((fds[0].revents & POLLIN) != 0) return true;
        if ((fds[1].revents & POLLIN) == 0) return false;  // the grace period is over
        // A second signal ends the wait. It is taken here, or it would kill the process with
        // its default action once the signal mask is restored on the way out. A SIGHUP (or a
        // signal another reader took first) is no reason to stop waiting.
        const int signal = signals.take();
        if (signal == SIGHUP) {
            hangup();
        } else if (signal != 0) {
            return false;
        }
    }
}

void ServerGroup::hangup() const {
    if (options_.on_hangup) options_.on_hangup();
}

void ServerGroup::abort_remaining() {
    // Each loop closes its own connections (their handlers' last words included); this thread
    // waits for all of them, a short while at most: a loop stuck in a handler must not hold the
    // exit.
    const auto done = std::make_shared<Fd>(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!*done) throw std::system_error(errno, std::generic_category(), "eventfd");
    const auto left = std::make_shared<std::atomic<std::size_t>>(servers_.size());
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        loops_.loop(i).post([server = servers_[i].get(), done, left] {
            server->abort_all();
            if (left->fetch_sub(1) == 1) {
                const std::uint64_t one = 1;
                [[maybe_unused]] const auto n = ::write(done->get(), &one, sizeof one);
            }
        });
    }
    std::array<pollfd, 1> fds{pollfd{done->get(), POLLIN, 0}};
    wait_any(fds, Deadline(kAbortWait));
}

}  // namespace net
