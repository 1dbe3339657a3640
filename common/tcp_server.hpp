// TcpServer and TcpConnection: accept connections on an EventLoop and move their bytes.
// The protocol lives in the callbacks; this layer only reads, writes and keeps limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acceptor.hpp"
#include "address.hpp"
#include "buffer.hpp"
#include "event_loop.hpp"
#include "fd.hpp"

namespace net {

class TcpServer;

// One accepted connection. Owned by its TcpServer; lives on the server's loop thread only.
class TcpConnection {
  public:
    TcpConnection(TcpServer& server, Fd fd, SocketAddress peer, std::uint64_t id);
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;
    ~TcpConnection();

    // Sends `bytes`: written directly when the output buffer is empty, the rest buffered and
    // written as the socket drains. Never blocks.
    void send(std::string_view bytes);
    // Sends `length` bytes of `file` from `offset` with sendfile(2), after everything queued
    // so far; bytes send() queues meanwhile follow the file. The file never passes through user
    // space. `file` stays open until its last byte is written.
    void send_file(std::shared_ptr<const Fd> file, std::uint64_t offset, std::uint64_t length);
    // TCP_CORK: while corked, the kernel holds partial segments, so a response head and the
    // start of its body leave in the same packet. Uncorking sends what is held at once.
    void set_cork(bool on);
    // Sends FIN once everything buffered is written (the peer still may send).
    void shutdown_write();
    // Closes now, dropping unsent output. The object is destroyed after the current event.
    void close();
    // Closes as soon as everything queued is written, without waiting for the peer's FIN
    // (what an SMTP server does after 221); nothing more is read meanwhile.
    void close_after_write();

    // Backpressure: stop/start reading from the peer (e.g. while our output is too large).
    void pause_reading();
    void resume_reading();

    [[nodiscard]] Buffer& input() { return input_; }
    // Bytes queued but not yet written (file bytes included).
    [[nodiscard]] std::uint64_t output_bytes() const {
        return output_.readable_bytes() + file_remaining_ + after_file_.readable_bytes();
    }
    [[nodiscard]] const SocketAddress& peer() const { return peer_; }
    [[nodiscard]] std::uint64_t id() const { return id_; }
    [[nodiscard]] int fd() const { return fd_.get(); }
    [[nodiscard]] bool closed() const { return state_ == State::kClosed; }
    [[nodiscard]] bool peer_closed() const { return peer_closed_; }

    // A slot for the protocol's per-connection state (a session, a parser...).
    std::shared_ptr<void> context;

  private:
    friend class TcpServer;
    enum class State { kOpen, kShuttingDown, kClosed };

    void start();
    void handle_events(std::uint32_t events);
    void handle_read();
    void handle_write();
    // Writes the pending file; false when the connection failed and was closed.
    bool write_file();
    [[nodiscard]] bool output_pending() const { return !output_.empty() || file_ != nullptr; }
    void update_interest();
    void touch();
    void arm_idle_timer();

    TcpServer& server_;
    Fd fd_;
    SocketAddress peer_;
    std::uint64_t id_;
    Buffer input_;
    Buffer output_;
    std::shared_ptr<const Fd> file_;  // being sent after output_; then after_file_ follows
    std::uint64_t file_offset_ = 0;
    std::uint64_t file_remaining_ = 0;
    Buffer after_file_;
    State state_ = State::kOpen;
    bool reading_ = true;
    bool peer_closed_ = false;
    bool close_when_written_ = false;
    std::uint32_t interest_ = 0;
    EventLoop::Clock::time_point last_active_;
    EventLoop::TimerId idle_timer_ = 0;
};

struct TcpServerOptions {
    std::chrono::milliseconds idle_timeout{0};  // 0: never time out
    std::size_t max_connections = 0;            // 0: no limit; beyond it new ones are closed
    // Written (best effort, never blocking) to a connection closed for being over the limit,
    // e.g. SMTP's "421 ... too many connections" (RFC 5321 3.8).
    std::string over_limit_reply{};
};

// What the protocol does; every callback runs on the server's loop thread.
struct TcpCallbacks {
    std::function<void(TcpConnection&)> on_open;
    // Bytes arrived; they are in conn.input(). Consume what was handled.
    std::function<void(TcpConnection&)> on_data;
    // The peer sent FIN. Default: shut our side down once output is written.
    std::function<void(TcpConnection&)> on_peer_closed;
    // The output buffer just became empty.
    std::function<void(TcpConnection&)> on_drained;
    // The connection was idle for idle_timeout. Default: close it.
    std::function<void(TcpConnection&)> on_idle;
    // The connection is closing (any reason); it is destroyed right after.
    std::function<void(TcpConnection&)> on_close;
};

// Accepts on a listening socket in one loop. A multi-threaded server is one TcpServer per loop,
// all sharing one listener: each loop watches it with EPOLLEXCLUSIVE, so the kernel wakes one
// idle loop per new connection. (Not SO_REUSEPORT listeners: those would let a second copy of
// the server join the port silently instead of failing with "address in use".)
class TcpServer {
  public:
    // The listener is shared: it closes when the last server using it stops accepting.
    TcpServer(EventLoop& loop, std::shared_ptr<Fd> listener, TcpCallbacks callbacks,
              TcpServerOptions options = {});
    TcpServer(EventLoop& loop, Fd listener, TcpCallbacks callbacks, TcpServerOptions options = {})
        : TcpServer(loop, std::make_shared<Fd>(std::move(listener)), std::move(callbacks),
                    options) {}
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;
    ~TcpServer();

    // Stops accepting (the listener closes once no server shares it); connections go on.
    void stop_accepting();
    // Closes every connection now.
    void close_all();
    // Calls `visit` for every open connection (it may close the one it is given).
    void for_each_connection(const std::function<void(TcpConnection&)>& visit);

    [[nodiscard]] std::size_t connection_count() const { return connections_.size(); }
    [[nodiscard]] EventLoop& loop() { return loop_; }
    [[nodiscard]] const TcpServerOptions& options() const { return options_; }
    [[nodiscard]] const TcpCallbacks& callbacks() const { return callbacks_; }

  private:
    friend class TcpConnection;
    void handle_accept();
    void destroy_later(std::uint64_t id);

    EventLoop& loop_;
    std::shared_ptr<Fd> listener_;
    Acceptor acceptor_;
    TcpCallbacks callbacks_;
    TcpServerOptions options_;
    std::unordered_map<std::uint64_t, std::unique_ptr<TcpConnection>> connections_;
    // Closed connections, kept alive until the event that closed them has been handled.
    std::vector<std::unique_ptr<TcpConnection>> closed_;
    std::uint64_t next_id_ = 1;
    // Posted clean-ups check this, so none runs after the server is gone.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace net
