// ProxyService: one loop's share of web_proxy.
#include "proxy_service.hpp"

#include "proxy_session.hpp"

namespace web_proxy {
namespace {

// A client the proxy will not serve: it gets `status` with a page saying why, and the
// connection closes once that is written. Nothing it sends is read.
class TurnAway final : public net::ConnectionHandler {
  public:
    TurnAway(int status, std::string detail) : status_(status), detail_(std::move(detail)) {}

    void on_open(net::TcpConnection& conn) override {
        conn.send(error_response(status_, detail_, false));
        conn.close_after_write();
    }
    void on_data(net::TcpConnection& conn) override { conn.input().consume_all(); }

  private:
    int status_;
    std::string detail_;
};

}  // namespace

ProxyStats ProxyShared::stats() const {
    const auto now = std::time(nullptr);
    const auto cached = store != nullptr ? store->stats() : cache::StoreStats{};
    return {.uptime_seconds = static_cast<std::uint64_t>(now > started ? now - started : 0),
            .clients = counters.clients.load(),
            .requests = counters.requests.load(),
            .tunnels = counters.tunnels.load(),
            .cache_entries = cached.entries,
            .cache_bytes = cached.bytes,
            .cache_hits = cached.hits,
            .cache_misses = cached.misses,
            .bytes_in = counters.bytes_in.load(),
            .bytes_out = counters.bytes_out.load(),
            .upstream_opened = counters.upstream_opened.load(),
            .upstream_reused = counters.upstream_reused.load()};
}

ProxyService::ProxyService(net::EventLoop& loop, const ProxySettings& settings, ProxyShared& shared,
                           net::WorkerPool& lookups, const net::Logger& log,
                           net::SharedOutput* access_log)
    : loop_(loop),
      settings_(settings),
      shared_(shared),
      log_(log),
      access_log_(access_log ? std::make_unique<net::LoopOutput>(loop, *access_log) : nullptr),
      cache_(shared.store, settings.cache_max_object),
      pool_(loop, settings.pool),
      upstreams_(loop),
      connector_(loop, lookups) {}

std::shared_ptr<net::ConnectionHandler> ProxyService::make_handler(net::TcpConnection& conn) {
    const auto& peer = conn.peer();
    if (!settings_.clients.allows(peer)) {
        log_.info(peer.to_string() + " refused: not in --allow-client");
        return std::make_shared<TurnAway>(
            403, "This proxy serves only the networks it was told to (see --allow-client).");
    }
    auto token = shared_.client_counts.acquire(peer, settings_.max_per_client);
    if (!token) {
        log_.warning(peer.to_string() + " turned away: over --max-per-client " +
                     std::to_string(settings_.max_per_client));
        return std::make_shared<TurnAway>(
            503, "Too many connections from your address at once; try again shortly.");
    }
    return std::make_shared<ProxySession>(*this, conn, std::move(*token));
}

void ProxyService::stopping() {
    stopping_ = true;
    pool_.stop();
}

void ProxyService::drained() {
    if (access_log_) access_log_->flush();
}

void ProxyService::log_access(const net::AccessRecord& record) {
    std::string line = net::format_access_log_line(record);
    if (access_log_) {
        access_log_->buffer() += line;
    } else if (log_.enabled(net::LogLevel::kInfo)) {
        line.pop_back();  // the logger ends the line itself
        log_.info(line);
    }
}

}  // namespace web_proxy
