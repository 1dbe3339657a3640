// TcpServer: accepts connections on one EventLoop and gives each a handler from the protocol's
// factory. The bytes move in TcpConnection; the protocol lives in its ConnectionHandler.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "acceptor.hpp"
#include "event_loop.hpp"
#include "fd.hpp"
#include "tcp_connection.hpp"

namespace net {

struct TcpServerOptions {
    ConnectionOptions connection{};
    std::size_t max_connections = 0;  // 0: no limit; beyond it new ones are closed
    // Shared by the servers of a group (one per loop), so max_connections counts them all;
    // null: each server counts its own.
    std::shared_ptr<std::atomic<std::size_t>> open_count{};
    // Written (best effort, never blocking) to a connection closed for being over the limit,
    // e.g. SMTP's "421 ... too many connections" (RFC 5321 3.8).
    std::string over_limit_reply{};
};

// Accepts on a listening socket in one loop. A multi-threaded server is one TcpServer per loop,
// all sharing one listener: each loop watches it with EPOLLEXCLUSIVE, so the kernel wakes one
// idle loop per new connection. (Not SO_REUSEPORT listeners: those would let a second copy of
// the server join the port silently instead of failing with "address in use".) Loop thread only,
// but for construction before the loop runs.
class TcpServer {
  public:
    // The listener is shared: it closes when the last server using it stops accepting.
    TcpServer(EventLoop& loop, std::shared_ptr<Fd> listener, HandlerFactory make_handler,
              TcpServerOptions options = {});
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;
    ~TcpServer();

    // Stops accepting (the listener closes once no server shares it); connections go on.
    void stop_accepting();
    // Graceful stop: stops accepting, tells every handler on_server_stopping, and calls
    // `on_empty` (on this loop) once no connection is left.
    void begin_drain(std::function<void()> on_empty);
    // Closes every connection now.
    void close_all() { connections_.close_all(); }
    // The end of a grace period: every handler's on_server_abort (its last words), then
    // close_all().
    void abort_all();

    [[nodiscard]] std::size_t connection_count() const { return connections_.size(); }
    [[nodiscard]] bool draining() const { return draining_; }
    [[nodiscard]] EventLoop& loop() { return loop_; }
    [[nodiscard]] const TcpServerOptions& options() const { return options_; }

  private:
    void handle_accept();
    // Counts a new connection in; false when it is over max_connections.
    bool admit();
    void report_if_empty();

    EventLoop& loop_;
    std::shared_ptr<Fd> listener_;
    Acceptor acceptor_;
    HandlerFactory make_handler_;
    TcpServerOptions options_;
    ConnectionSet connections_;
    bool draining_ = false;
    std::function<void()> on_empty_;
};

}  // namespace net
