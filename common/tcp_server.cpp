// TcpServer: accept, make a handler, hand the socket to a TcpConnection; drain on request.
#include "tcp_server.hpp"

#include <sys/socket.h>

#include <system_error>

#include "socket.hpp"

namespace net {
namespace {

constexpr int kMaxAcceptsPerWakeup = 64;  // then let other descriptors have a turn

}  // namespace

TcpServer::TcpServer(EventLoop& loop, std::shared_ptr<Fd> listener, HandlerFactory make_handler,
                     TcpServerOptions options)
    : loop_(loop),
      listener_(std::move(listener)),
      acceptor_(listener_->get()),
      make_handler_(std::move(make_handler)),
      options_(std::move(options)),
      connections_(loop, [this] {
          if (options_.open_count) options_.open_count->fetch_sub(1);
          report_if_empty();
      }) {
    set_nonblocking(listener_->get());
    loop_.add(listener_->get(), EPOLLIN | EPOLLEXCLUSIVE,
              [this](std::uint32_t) { handle_accept(); });
}

TcpServer::~TcpServer() {
    draining_ = false;  // a drain nobody waits for any more reports nothing
    on_empty_ = nullptr;
    stop_accepting();
    connections_.close_all();
}

void TcpServer::stop_accepting() {
    if (!listener_) return;
    loop_.remove(listener_->get());
    listener_.reset();  // the last server sharing it closes it
}

void TcpServer::begin_drain(std::function<void()> on_empty) {
    draining_ = true;
    on_empty_ = std::move(on_empty);
    stop_accepting();
    connections_.for_each([](TcpConnection& conn) { conn.handler().on_server_stopping(conn); });
    report_if_empty();
}

void TcpServer::abort_all() {
    connections_.for_each([](TcpConnection& conn) { conn.handler().on_server_abort(conn); });
    connections_.close_all();
}

bool TcpServer::admit() {
    const auto max = options_.max_connections;
    if (!options_.open_count) return max == 0 || connections_.size() < max;
    const auto before = options_.open_count->fetch_add(1);
    if (max == 0 || before < max) return true;
    options_.open_count->fetch_sub(1);
    return false;
}

void TcpServer::report_if_empty() {
    if (!draining_ || connections_.size() != 0 || !on_empty_) return;
    // Reported once, after the batch of events that closed the last connection.
    loop_.defer([report = std::exchange(on_empty_, nullptr)] { report(); });
}

void TcpServer::handle_accept() {
    for (int i = 0; i < kMaxAcceptsPerWakeup && listener_; ++i) {
        auto accepted = acceptor_.accept();
        if (!accepted) return;
        const int fd = accepted->fd.get();
        if (!admit()) {
            if (!options_.over_limit_reply.empty()) {
                // A new socket's buffer is empty: the reply fits, or is dropped, never waited on.
                [[maybe_unused]] const auto sent =
                    ::send(fd, options_.over_limit_reply.data(), options_.over_limit_reply.size(),
                           MSG_DONTWAIT | MSG_NOSIGNAL);
            }
            continue;  // over the limit: `accepted` closes it
        }
        try {
            set_nodelay(fd);
        } catch (const std::system_error&) {
            // Not fatal: the connection only loses the small-write latency fix.
        }
        connections_.add(std::move(accepted->fd), accepted->peer, make_handler_,
                         options_.connection);
    }
}

}  // namespace net
