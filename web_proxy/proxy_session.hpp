// ProxySession: one client connection (a browser, curl) as an explicit state machine on its
// loop: read a request head, connect to the server it names (or take a pooled connection),
// relay the exchange, and again while the client keeps the connection; or, for CONNECT, a
// tunnel until both sides have closed. Nothing here blocks: every step is an event.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "access_policy.hpp"
#include "common/event_loop.hpp"
#include "common/http_request.hpp"
#include "common/min_rate.hpp"
#include "common/request_deadlines.hpp"
#include "common/tcp_connection.hpp"
#include "common/tcp_connector.hpp"
#include "message_relay.hpp"
#include "proxy_cache.hpp"
#include "proxy_rules.hpp"
#include "upstream.hpp"

namespace web_proxy {

class ProxyService;

class ProxySession final : public net::ConnectionHandler,
                           public std::enable_shared_from_this<ProxySession>,
                           private UpstreamUser {
  public:
    // `client_slot` counts the connection against its address's --max-per-client.
    ProxySession(ProxyService& service, net::TcpConnection& client,
                 ClientCounts::Token client_slot);
    ~ProxySession() override;
    ProxySession(const ProxySession&) = delete;
    ProxySession& operator=(const ProxySession&) = delete;

    // The client connection's events.
    void on_data(net::TcpConnection&) override;
    void on_peer_closed(net::TcpConnection&) override;
    void on_high_water(net::TcpConnection&) override;
    void on_drained(net::TcpConnection&) override;
    void on_idle(net::TcpConnection&) override;
    void on_server_stopping(net::TcpConnection&) override;
    // The grace period is over: a client still waiting for its response gets a 503.
    void on_server_abort(net::TcpConnection&) override;
    void on_close(net::TcpConnection&) override;

  private:
    enum class State {
        kReadingHead,     // waiting for (the rest of) a request head
        kWaitingForFill,  // another request is fetching this URI for the cache; we wait
        kConnecting,      // looking up and connecting to the server; the client waits
        kForwarding,      // the request goes up, the response comes back
        kTunnel,          // CONNECT: bytes both ways until both sides close
        kLingering,       // our FIN is sent; what the client still sends is read and dropped
        kClosed,
    };

    // The server connection's events (UpstreamUser).
    void upstream_data(net::TcpConnection& conn) override;
    void upstream_peer_closed(net::TcpConnection& conn) override;
    void upstream_gone(net::TcpConnection& conn) override;
    void upstream_high_water(net::TcpConnection& conn) override;
    void upstream_drained(net::TcpConnection& conn) override;
    void upstream_idle(net::TcpConnection& conn) override;

    // Reading requests. A head has the idle timeout from its first byte, a second more for
    // every 500 bytes, and never more than twice the timeout (net::http::request_deadlines, as
    // in web_server); then 408.
    void read_heads();
    void arm_head_timer();
    void cancel_head_timer();
    void handle_request(net::http::Request request);
    // A request addressed to the proxy itself: the PAC file, the status page or the help page.
    void answer_locally();

    // The cache: consulted before going upstream, told of the response head, fed its body.
    void consult_cache(bool collapse);
    cache::FillCallback fill_callback();
    void fill_ended(const std::shared_ptr<const cache::Entry>& entry);
    ResponseRelay::HeadDecision cache_response_head(const net::http::Response& response);
    // Answers from a stored response; the connection then goes on like after a refusal.
    void serve_from_cache(const cache::Entry& entry, bool validated,
                          const cache::CacheStatus& status, std::string_view note);
    // When the server cannot be reached or failed, a stale stored response may answer
    // (RFC 9111 4.2.4): true when it did.
    bool serve_stale_instead(bool origin_unreachable);
    // Takes the pooled connection to the destination, or opens one.
    void go_upstream();

    // Answers the request itself; the connection goes on only when the request is complete.
    void refuse(int status, std::string_view detail);
    // After an answer of the proxy's own (a refusal, a page, a cached response): whether the
    // connection may carry the next request, and going on to it (or closing).
    [[nodiscard]] bool may_go_on_after_own_answer() const;
    void next_request_or_close(bool keep_alive);
    // Sends a final error page and closes gracefully.
    void fail_and_close(int status, std::string_view detail);

    // Reaching the server.
    void open_upstream(const Destination& destination);
    void connected(net::ConnectResult result);
    void connect_failed(const net::ConnectError& error);

    // An exchange.
    void begin_exchange();
    void pump_request_body();
    void relay_response();
    // `connection_lost`: the server closed or reset; a request on a pooled connection may then
    // be retried.
    void exchange_failed(std::string_view what, bool connection_lost = false);
    bool retry_on_fresh_connection();
    void finish_exchange();

    // A tunnel.
    void begin_tunnel();
    void pump_tunnel();
    void finish_tunnel();

    // Both connections' reading follows the other side's output (backpressure) and the state.
    void update_reading();
    // Our FIN now, then what the client still sends is dropped until its FIN or a short wait.
    void linger_close();
    // Ends the session: the client connection closes now, or once its output is written.
    void close_all();
    void close_when_written();
    void close_all_but_client();
    void release_upstream(bool reusable);
    void touch();
    [[nodiscard]] bool idle_for_timeout() const;
    void log_exchange(int status, std::uint64_t bytes, std::string_view note = {}) const;
    [[nodiscard]] std::string destination_text() const;

    ProxyService& service_;
    net::TcpConnection& client_;
    ClientCounts::Token client_slot_;
    State state_ = State::kReadingHead;
    bool stopping_ = false;      // the proxy is stopping: no further request on this connection
    bool client_ended_ = false;  // the client sent FIN

    net::http::Request request_;
    // When request_'s head was complete: the log's timestamp and the start of its duration.
    std::time_t request_when_ = 0;
    net::EventLoop::Clock::time_point request_start_{};
    std::string upstream_head_;  // the head sent upstream for a Forward
    Destination destination_;
    bool tunnel_ = false;

    UpstreamHandler* upstream_ = nullptr;
    net::TcpConnector::AttemptId attempt_ = 0;
    UpstreamHandler* connecting_ = nullptr;  // the handler the connector just made
    bool reused_ = false;                    // the exchange runs on a pooled connection
    bool retried_ = false;                   // and has been tried again on a fresh one
    bool server_ended_ = false;

    std::optional<RequestBodyRelay> request_body_;
    CacheLookup cache_;  // what the cache made of the request under way
    std::shared_ptr<const cache::Entry> answer_from_;  // a revalidated (or stale) entry to serve
    bool refetch_ = false;           // a 304 answered another validator: ask again, unconditionally
    std::time_t request_time_ = 0;   // when the request went upstream (RFC 9111 4.2.3)
    std::time_t response_time_ = 0;  // when its response head came back
    std::optional<ResponseRelay> relay_;
    std::uint64_t tunnel_up_ = 0;
    std::uint64_t tunnel_down_ = 0;

    bool head_started_ = false;  // a byte of the next head has come
    net::RateDeadline head_;     // since that byte
    std::size_t head_counted_ = 0;
    net::EventLoop::TimerId head_timer_ = 0;
    net::EventLoop::TimerId linger_timer_ = 0;
    net::EventLoop::Clock::time_point last_active_;
};

}  // namespace web_proxy
