// ProxyService: web_proxy on one event loop. It makes a ProxySession per client connection and
// keeps what the loop's sessions share: the connector that opens server connections (name
// lookups on worker threads, so the loop never blocks), the server connections themselves, and
// the pool of idle ones.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>

#include "access_policy.hpp"
#include "cache_store.hpp"
#include "common/access_log.hpp"
#include "common/batched_output.hpp"
#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/server_group.hpp"
#include "common/tcp_connection.hpp"
#include "common/tcp_connector.hpp"
#include "common/worker_pool.hpp"
#include "proxy_cache.hpp"
#include "proxy_rules.hpp"
#include "status_page.hpp"
#include "upstream.hpp"

namespace web_proxy {

struct ProxySettings {
    Identity self;
    Policy policy;                     // --allow-host: where requests may go
    ClientPolicy clients;              // --allow-client: who may use the proxy
    PortRules ports;                   // --connect-ports, --http-ports
    std::size_t max_per_client = 256;  // connections from one client address
    ListenAddresses listen;            // the proxy's own address: a request to it is a loop
    std::chrono::milliseconds idle_timeout{60'000};     // no byte either way for this long: close
    std::chrono::milliseconds connect_timeout{10'000};  // lookup and connect, every address
    std::size_t buffer_limit = 256 * 1024;              // bytes waiting per direction
    std::size_t cache_max_object = 1024 * 1024;         // larger responses are not stored
    PoolOptions pool;
};

// Counters every loop adds to, for the status page.
struct SharedCounters {
    std::atomic<std::uint64_t> clients{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> tunnels{0};
    std::atomic<std::uint64_t> bytes_in{0};
    std::atomic<std::uint64_t> bytes_out{0};
    std::atomic<std::uint64_t> upstream_opened{0};
    std::atomic<std::uint64_t> upstream_reused{0};
};

// What the loops share: the per-client counts, the counters, the start time.
struct ProxyShared {
    explicit ProxyShared(cache::CacheStore* store) : store(store) {}

    cache::CacheStore* store;  // null: --cache-size 0
    ClientCounts client_counts;
    SharedCounters counters;
    std::time_t started = std::time(nullptr);

    // The status page's figures now.
    [[nodiscard]] ProxyStats stats() const;
};

class ProxyService final : public net::LoopService {
  public:
    // `lookups` runs the name lookups; it and `shared` must outlive the service. The access
    // log goes to `access_log` (--access-log), or without one to `log` at the info level.
    ProxyService(net::EventLoop& loop, const ProxySettings& settings, ProxyShared& shared,
                 net::WorkerPool& lookups, const net::Logger& log,
                 net::SharedOutput* access_log = nullptr);

    std::shared_ptr<net::ConnectionHandler> make_handler(net::TcpConnection& conn) override;
    void stopping() override;
    void drained() override;

    // An exchange's access log line, if the log is on.
    [[nodiscard]] bool logging_access() const {
        return access_log_ != nullptr || log_.enabled(net::LogLevel::kInfo);
    }
    void log_access(const net::AccessRecord& record);

    // For sessions.
    [[nodiscard]] const ProxySettings& settings() const { return settings_; }
    [[nodiscard]] ProxyShared& shared() { return shared_; }
    [[nodiscard]] const ProxyCache& cache() const { return cache_; }
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
    ProxyShared& shared_;
    const net::Logger& log_;
    std::unique_ptr<net::LoopOutput> access_log_;  // null: the lines go to log_
    // Declared in this order so the pool outlives the connections it points at, and the
    // connector (which adds to the set) goes first.
    ProxyCache cache_;
    UpstreamPool pool_;
    net::ConnectionSet upstreams_;
    net::TcpConnector connector_;
    bool stopping_ = false;
};

}  // namespace web_proxy
