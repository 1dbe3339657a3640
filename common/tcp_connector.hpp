// TcpConnector: opens outbound TCP connections from an event loop without ever blocking it.
// The name lookup runs on a worker thread; then every address is tried in turn with a
// non-blocking connect, each try and the whole bounded by deadlines; the result comes back on
// the loop as a started TcpConnection, or as an error that names the step that failed.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "address.hpp"
#include "event_loop.hpp"
#include "tcp_connection.hpp"
#include "worker_pool.hpp"

namespace net {

// kRefused: every address the lookup gave was refused by the request's allow_address.
enum class ConnectStep { kLookup, kConnect, kRefused };

struct ConnectError {
    ConnectStep step = ConnectStep::kConnect;
    // errno for a connect (ETIMEDOUT when a deadline passed, at either step); the getaddrinfo
    // code (EAI_*) for a lookup that failed by itself.
    int error = 0;
    std::string message;                     // "cannot connect to 127.0.0.1:9: Connection refused"
    std::optional<SocketAddress> refused{};  // with kRefused: the first address refused
    [[nodiscard]] bool timed_out() const { return error == ETIMEDOUT; }
};

struct ConnectRequest {
    std::string host;  // a name or an address literal (no brackets)
    std::string port;  // numeric
    int family = AF_UNSPEC;
    std::chrono::milliseconds timeout{10'000};     // the whole: lookup and every try
    std::chrono::milliseconds attempt_timeout{0};  // one address; 0: as long as the whole allows
    // Addresses already known: the lookup is skipped and these are tried in order.
    std::vector<SocketAddress> addresses{};
    // Asked of every address before it is tried (after the lookup, so a name cannot hide an
    // address the caller must not reach): an address it refuses is skipped. Null: all allowed.
    std::function<bool(const SocketAddress&)> allow_address{};
};

struct ConnectResult {
    TcpConnection* connection = nullptr;  // owned by the ConnectionSet given to connect()
    std::optional<ConnectError> error;    // set exactly when connection is null
};

// Runs on a worker thread: every address `host`/`port` has (net::resolve by default).
using Resolver = std::function<std::vector<SocketAddress>(const std::string& host,
                                                          const std::string& port, int family)>;

// Loop thread only (but for construction). Outlives nothing it started: destroying it (or
// cancel()) drops attempts under way, and their callbacks never run.
class TcpConnector {
  public:
    using AttemptId = std::uint64_t;
    using Callback = std::function<void(ConnectResult)>;

    // Lookups of names run on `lookups` (a pool with WorkerPool::AtExit::kAbandon lets a
    // stopping program leave a slow lookup behind).
    TcpConnector(EventLoop& loop, WorkerPool& lookups, Resolver resolver = {});
    TcpConnector(const TcpConnector&) = delete;
    TcpConnector& operator=(const TcpConnector&) = delete;
    ~TcpConnector();

    // Starts connecting. On success the connection is added to `into` with a handler from
    // `make_handler` (whose on_open runs first), then `done` gets it; on failure `done` gets
    // the error. `done` runs on the loop, later, never inside this call.
    AttemptId connect(ConnectRequest request, ConnectionSet& into, HandlerFactory make_handler,
                      ConnectionOptions options, Callback done);
    // Drops an attempt under way; its callback never runs. Unknown ids are ignored.
    void cancel(AttemptId id);

    [[nodiscard]] std::size_t pending() const { return attempts_.size(); }

  private:
    struct Attempt;

    void start_lookup(Attempt& attempt);
    void lookup_done(AttemptId id, std::vector<SocketAddress> addresses,
                     std::optional<ConnectError> error);
    [[nodiscard]] Attempt* find(AttemptId id);
    void try_next_address(Attempt& attempt);
    void socket_ready(AttemptId id);
    void attempt_timed_out(AttemptId id);
    // The try under way failed with `error`: close it and go on with the next address.
    void abandon_try(Attempt& attempt, int error);
    // Stops watching the try's socket and cancels its timer; the socket itself stays.
    void stop_watching_try(Attempt& attempt);
    void deadline_passed(AttemptId id);
    void succeed(Attempt& attempt);
    void fail(Attempt& attempt, ConnectError error);
    // Ends an attempt: stops watching its socket and timers, takes it out of the table.
    std::unique_ptr<Attempt> finish(Attempt& attempt);

    EventLoop& loop_;
    WorkerPool& lookups_;
    Resolver resolver_;
    std::unordered_map<AttemptId, std::unique_ptr<Attempt>> attempts_;
    AttemptId next_id_ = 1;
    // Where a lookup's answer goes. A worker thread posts to the loop only while the connector
    // lives (its destructor clears `loop` under the mutex), and the posted task runs only while
    // it still does: a lookup may outlive the connector, the loop and the pool that ran it.
    struct Mailbox {
        std::mutex mutex;
        EventLoop* loop = nullptr;
    };
    std::shared_ptr<Mailbox> mailbox_ = std::make_shared<Mailbox>();
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace net
