// Server connections: the handler every connection to an origin server gets, and the per-loop
// pool that keeps idle ones for the next request to the same server (RFC 9112 9.3). While an
// exchange uses a connection its events go to that exchange (an UpstreamUser); while it waits in
// the pool, a byte or a FIN from the server ends it, since a server must not speak unasked.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/event_loop.hpp"
#include "common/tcp_connection.hpp"

namespace web_proxy {

// What an exchange needs to hear from the server connection it uses. Loop thread only.
class UpstreamUser {
  public:
    virtual void upstream_data(net::TcpConnection& conn) = 0;
    // The server sent FIN.
    virtual void upstream_peer_closed(net::TcpConnection& conn) = 0;
    // The connection is closing, for any reason; after this call it is gone.
    virtual void upstream_gone(net::TcpConnection& conn) = 0;
    // Backpressure: output to the server passed the high-water mark / drained.
    virtual void upstream_high_water(net::TcpConnection& conn) = 0;
    virtual void upstream_drained(net::TcpConnection& conn) = 0;
    // Nothing moved on it for the idle timeout.
    virtual void upstream_idle(net::TcpConnection& conn) = 0;

  protected:
    ~UpstreamUser() = default;
};

class UpstreamPool;

// The handler of one server connection. Knows the pool key ("host:port") it belongs under.
class UpstreamHandler final : public net::ConnectionHandler {
  public:
    UpstreamHandler(net::TcpConnection& conn, UpstreamPool& pool, std::string key)
        : conn_(conn), pool_(pool), key_(std::move(key)) {}

    [[nodiscard]] net::TcpConnection& connection() { return conn_; }
    [[nodiscard]] const std::string& key() const { return key_; }
    // Exchanges served so far on this connection (the one under way included).
    [[nodiscard]] std::uint64_t uses() const { return uses_; }

    // Hands the connection to `user` (an exchange) or takes it back (nullptr).
    void attach(UpstreamUser* user);

    void on_data(net::TcpConnection& conn) override;
    void on_peer_closed(net::TcpConnection& conn) override;
    void on_high_water(net::TcpConnection& conn) override;
    void on_drained(net::TcpConnection& conn) override;
    void on_idle(net::TcpConnection& conn) override;
    void on_server_stopping(net::TcpConnection& conn) override;
    void on_close(net::TcpConnection& conn) override;

  private:
    friend class UpstreamPool;

    net::TcpConnection& conn_;
    UpstreamPool& pool_;
    std::string key_;
    UpstreamUser* user_ = nullptr;
    std::uint64_t uses_ = 0;
    bool pooled_ = false;
    net::EventLoop::TimerId expiry_ = 0;  // while pooled: when it is closed unused
};

struct PoolOptions {
    std::size_t max_idle_per_server = 16;            // idle connections kept per "host:port"
    std::size_t max_idle = 64;                       // idle connections kept in all (a loop's)
    std::chrono::milliseconds idle_timeout{15'000};  // an idle one is closed after this long
};

// The idle server connections of one loop, by "host:port". Loop thread only.
class UpstreamPool {
  public:
    UpstreamPool(net::EventLoop& loop, PoolOptions options) : loop_(loop), options_(options) {}
    UpstreamPool(const UpstreamPool&) = delete;
    UpstreamPool& operator=(const UpstreamPool&) = delete;

    // The most recently used idle connection to `key`, attached to `user`; null when none.
    UpstreamHandler* take(const std::string& key, UpstreamUser& user);
    // Keeps `upstream` for a later exchange, or closes it when the pool is full or stopped.
    void give_back(UpstreamHandler& upstream);
    // Closes every idle connection and keeps none from now on (the proxy is stopping).
    void stop();

    [[nodiscard]] std::size_t idle() const { return idle_count_; }

  private:
    friend class UpstreamHandler;
    // `upstream` left the pool (closed, or taken).
    void forget(UpstreamHandler& upstream);

    net::EventLoop& loop_;
    PoolOptions options_;
    std::unordered_map<std::string, std::vector<UpstreamHandler*>> idle_;
    std::size_t idle_count_ = 0;
    bool stopped_ = false;
};

}  // namespace web_proxy
