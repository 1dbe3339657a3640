// TcpConnection: one established TCP connection on an EventLoop, whichever side opened it (an
// accepted client or a connection we made), and the interfaces around it: the protocol's
// ConnectionHandler and the ConnectionOwner that frees it once closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "address.hpp"
#include "buffer.hpp"
#include "event_loop.hpp"
#include "fd.hpp"

namespace net {

class TcpConnection;

// Above this much unsent output a connection reports on_high_water: the one backpressure
// threshold of the suite (a peer that sends without reading cannot make us buffer without bound).
constexpr std::size_t kDefaultHighWaterMark = 1024 * 1024;

// The protocol's per-connection state: one object per connection, made when it opens (a server
// makes it per accepted client; a client makes it per connection it opens). Every call runs on
// the connection's loop thread. The defaults are what most protocols want.
class ConnectionHandler {
  public:
    virtual ~ConnectionHandler() = default;

    // The connection is established and watched; nothing has been read yet.
    virtual void on_open(TcpConnection&) {}
    // Bytes arrived; they are in conn.input(). Consume what was handled.
    virtual void on_data(TcpConnection& conn) = 0;
    // The peer sent FIN. Default: shut our side down once the output is written.
    virtual void on_peer_closed(TcpConnection& conn);
    // Unsent output passed the high-water mark. Default: stop reading from this peer (a proxy
    // pauses the other side instead).
    virtual void on_high_water(TcpConnection& conn);
    // The output buffer just became empty. Default: read again (undoing on_high_water's pause).
    virtual void on_drained(TcpConnection& conn);
    // Nothing moved for the idle timeout. Default: close.
    virtual void on_idle(TcpConnection& conn);
    // The server is stopping gracefully. Default: close now (a protocol with an exchange under
    // way finishes it first, then closes).
    virtual void on_server_stopping(TcpConnection& conn);
    // The grace period is over: the connection is closed right after this call. Last words
    // only (a short reply a send() writes at once). Default: nothing.
    virtual void on_server_abort(TcpConnection&) {}
    // The connection is closing, for any reason; the handler is released soon after.
    virtual void on_close(TcpConnection&) {}
};

// Whoever owns a connection: told when it closes, it must keep the object alive until the
// current batch of events is over (its handlers may be on the stack) and free it after.
class ConnectionOwner {
  public:
    virtual void connection_closed(TcpConnection& conn) = 0;

  protected:
    ~ConnectionOwner() = default;
};

struct ConnectionOptions {
    std::chrono::milliseconds idle_timeout{0};  // 0: never time out
    std::size_t high_water_mark = kDefaultHighWaterMark;
};

// Makes the protocol's handler for a new connection (on the connection's loop thread, before
// the connection is watched).
using HandlerFactory = std::function<std::shared_ptr<ConnectionHandler>(TcpConnection&)>;

// Lives on its loop's thread only (checked in debug builds). Owned by its ConnectionOwner.
class TcpConnection {
  public:
    // `fd` is a connected, non-blocking socket to `peer` (accept4 and the connector make them
    // so). `make_handler` is called once, here. Call start() to begin watching it.
    TcpConnection(EventLoop& loop, Fd fd, SocketAddress peer, std::uint64_t id,
                  ConnectionOwner& owner, const HandlerFactory& make_handler,
                  ConnectionOptions options = {});
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;
    ~TcpConnection();

    // Starts watching the socket and calls the handler's on_open.
    void start();

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

    // Backpressure: stop/start reading from the peer.
    void pause_reading();
    void resume_reading();
    [[nodiscard]] bool reading() const { return reading_; }

    [[nodiscard]] Buffer& input() { return input_; }
    // Bytes queued but not yet written (file bytes included).
    [[nodiscard]] std::uint64_t output_bytes() const {
        return output_.readable_bytes() + file_remaining_ + after_file_.readable_bytes();
    }
    [[nodiscard]] bool above_high_water() const {
        return output_bytes() > options_.high_water_mark;
    }
    [[nodiscard]] const SocketAddress& peer() const { return peer_; }
    // Our end's address (asked of the kernel the first time).
    [[nodiscard]] const SocketAddress& local() const;
    [[nodiscard]] std::uint64_t id() const { return id_; }
    [[nodiscard]] int fd() const { return fd_.get(); }
    [[nodiscard]] EventLoop& loop() { return loop_; }
    [[nodiscard]] bool closed() const { return state_ == State::kClosed; }
    [[nodiscard]] bool peer_closed() const { return peer_closed_; }
    [[nodiscard]] ConnectionHandler& handler() { return *handler_; }

  private:
    enum class State { kOpen, kShuttingDown, kClosed };

    void handle_events(std::uint32_t events);
    void handle_read();
    void handle_write();
    // Writes the pending file; false when the connection failed and was closed.
    bool write_file();
    [[nodiscard]] bool output_pending() const { return !output_.empty() || file_ != nullptr; }
    // Calls on_high_water once per crossing of the mark.
    void check_high_water();
    void update_interest();
    void touch();
    void arm_idle_timer();

    EventLoop& loop_;
    Fd fd_;
    SocketAddress peer_;
    mutable std::optional<SocketAddress> local_;
    std::uint64_t id_;
    ConnectionOwner& owner_;
    // Shared so a handler can hand out weak references to itself (work finished on another
    // thread comes back only if the connection is still there).
    std::shared_ptr<ConnectionHandler> handler_;
    ConnectionOptions options_;
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
    bool above_mark_ = false;  // on_high_water reported, the output not drained since
    std::uint32_t interest_ = 0;
    EventLoop::Clock::time_point last_active_;
    EventLoop::TimerId idle_timer_ = 0;
};

// A ConnectionOwner that keeps connections by id: open ones in a table, closed ones until the
// current batch of events is over. `on_closed` (optional) runs each time one leaves the table.
// Loop thread only.
class ConnectionSet final : public ConnectionOwner {
  public:
    explicit ConnectionSet(EventLoop& loop, std::function<void()> on_closed = {})
        : loop_(loop), on_closed_(std::move(on_closed)) {}
    ConnectionSet(const ConnectionSet&) = delete;
    ConnectionSet& operator=(const ConnectionSet&) = delete;
    ~ConnectionSet();

    // Takes `fd` as a new connection to `peer` with a handler from `make_handler`, starts it
    // (its handler's on_open runs) and returns it.
    TcpConnection& add(Fd fd, SocketAddress peer, const HandlerFactory& make_handler,
                       ConnectionOptions options);

    // Calls `visit` for every open connection (it may close the one it is given).
    template <typename Visit>
    void for_each(Visit&& visit) {
        std::vector<TcpConnection*> open;
        open.reserve(open_.size());
        for (auto& [id, conn] : open_)
            open.push_back(conn.get());
        for (auto* conn : open) {
            if (!conn->closed()) visit(*conn);
        }
    }
    void close_all();

    [[nodiscard]] std::size_t size() const { return open_.size(); }
    [[nodiscard]] EventLoop& loop() { return loop_; }

    void connection_closed(TcpConnection& conn) override;

  private:
    EventLoop& loop_;
    std::function<void()> on_closed_;
    std::unordered_map<std::uint64_t, std::unique_ptr<TcpConnection>> open_;
    std::vector<std::unique_ptr<TcpConnection>> closed_;
    std::uint64_t next_id_ = 1;
    // Posted clean-ups check this, so none runs after the set is gone.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace net
