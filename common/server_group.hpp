// ServerGroup: the skeleton of every multi-loop TCP server in the suite. It owns the shared
// listener, one event loop per thread with a TcpServer and the protocol's LoopService on each,
// the stop sequence: signal -> stop accepting -> drain (a grace period) -> stop, and SIGHUP (the
// server's logs reopened, nothing else disturbed). A server
// is its handler class, its LoopService and a short main.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "address.hpp"
#include "cli.hpp"
#include "loop_group.hpp"
#include "signals.hpp"
#include "tcp_server.hpp"

namespace net {

// -b ADDR, -p PORT and (optionally) -t THREADS: where and on how many loops a server listens.
struct ListenSpec {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::size_t threads = 1;
};
// The option lines for --help.
std::vector<OptionSpec> listen_options(std::uint16_t default_port, bool threads_option = true);
// Reads them (defaults: 127.0.0.1, `default_port`, one loop per core). Throws UsageError.
ListenSpec listen_spec(const Args& args, std::uint16_t default_port);

// One loop's share of a server: makes a handler per accepted connection and keeps whatever the
// loop's connections share (a cache, a log buffer). Lives on its loop's thread.
class LoopService {
  public:
    virtual ~LoopService() = default;
    virtual std::shared_ptr<ConnectionHandler> make_handler(TcpConnection& conn) = 0;
    // The server is stopping: called on the loop before its connections are told.
    virtual void stopping() {}
    // The loop's last connection has gone during a drain: flush whatever the loop buffers.
    virtual void drained() {}
};

struct ServerGroupOptions {
    ListenSpec listen;
    // max_connections is for the whole server (each loop takes its share).
    TcpServerOptions server;
    // On the first signal, connections get this long to finish; a second signal ends it at once.
    std::chrono::milliseconds grace_period{10'000};
    // SIGHUP (with Hangup::kDeliver): called on the thread in run(), while the loops go on
    // serving; a server reopens its log files here. Without it, SIGHUP does nothing.
    std::function<void()> on_hangup{};
};

class ServerGroup {
  public:
    using ServiceFactory = std::function<std::unique_ptr<LoopService>(EventLoop&)>;

    // Listens (throws std::system_error "cannot listen on ...") and builds a service per loop.
    // Block the termination signals (TerminationSignals) before: the loops' threads inherit it.
    ServerGroup(ServerGroupOptions options, const ServiceFactory& make_service);
    ServerGroup(const ServerGroup&) = delete;
    ServerGroup& operator=(const ServerGroup&) = delete;
    ~ServerGroup();

    // The address the listener got (the real port after -p 0).
    [[nodiscard]] const SocketAddress& address() const { return address_; }

    // Runs the loops until SIGINT/SIGTERM, drains, stops them, and returns the signal's number;
    // a SIGHUP on the way (before the stop or during the drain) calls on_hangup. From then on
    // the process ignores SIGINT, SIGTERM and SIGHUP (ignore_termination_signals): it is
    // stopping. Call once, from the thread that built the group.
    int run(TerminationSignals& signals);

  private:
    // Waits until every loop's connections are gone (true), or the grace period ended, or a
    // second signal came (false).
    bool drain(TerminationSignals& signals);
    void hangup() const;
    // Closes the connections left on every loop, on their loops.
    void abort_remaining();

    ServerGroupOptions options_;
    SocketAddress address_;
    LoopGroup loops_;
    std::vector<std::unique_ptr<LoopService>> services_;  // one per loop, before its server
    std::vector<std::unique_ptr<TcpServer>> servers_;
};

}  // namespace net
