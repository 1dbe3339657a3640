// ProxyService: web_proxy on one event loop. It makes a ProxySession per client connection and
// keeps what the loop's sessions share: the connector that opens server connections (name
// lookups on worker threads, so the loop never blocks), the server connections themselves, and
// the pool of idle ones.
#pragma once

#include <chrono>
#include <memory>

#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/server_group.hpp"
#include "common/tcp_connection.hpp"
#include "common/tcp_connector.hpp"
#include "common/worker_pool.hpp"
#include "proxy_rules.hpp"
#include "upstream.hpp"

namespace web_proxy {

struct ProxySettings {
    Identity self;
    Policy policy;
    std::chrono::milliseconds idle_timeout{60'000};     // no byte either way for this long: close
    std::chrono::milliseconds connect_timeout{10'000};  // lookup and connect, every address
    std::size_t buffer_limit = 256 * 1024;              // bytes waiting per direction
    PoolOptions pool;
};

class ProxyService final : public net::LoopService {
  public:
    // `lookups` runs the name lookups; it must outlive the service.
    ProxyService(net::EventLoop& loop, const ProxySettings& settings, net::WorkerPool& lookups,
                 const net::Logger& log);

    std::shared_ptr<net::ConnectionHandler> make_handler(net::TcpConnection& conn) override;
    void stopping() override;

    // For sessions.
    [[nodiscard]] const ProxySettings& settings() const { return settings_; }
    [[nodiscard]] const net::Logger& log() const { return log_; }
    [[nodiscard]] net::EventLoop& loop() { return loop_; }
    [[nodiscard]] net::TcpConnector& connector() { return connector_; }
    [[nodiscard]] net::ConnectionSet& upstreams() { return upstreams_; }
    [[nodiscard]] UpstreamPool& pool() { return pool_; }
    [[nodiscard]] bool stopping_now() const { return stopping_; }
    [[nodiscard]] net::ConnectionOptions upstream_options() const {
        return {.idle_timeout = settings_.idle_timeout, .high_water_mark = settings_.buffer_limit};
    }

  private:
    net::EventLoop& loop_;
    const ProxySettings& settings_;
    const net::Logger& log_;
    // Declared in this order so the pool outlives the connections it points at, and the
    // connector (which adds to the set) goes first.
    UpstreamPool pool_;
    net::ConnectionSet upstreams_;
    net::TcpConnector connector_;
    bool stopping_ = false;
};

}  // namespace web_proxy
