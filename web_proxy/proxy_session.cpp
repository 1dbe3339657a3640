// One client connection's state machine: requests forwarded, CONNECT tunnels, every wait an
// event with a deadline.
#include "proxy_session.hpp"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <utility>
#include <variant>

#include "common/access_log.hpp"
#include "common/http_reuse.hpp"
#include "proxy_service.hpp"

namespace web_proxy {
namespace {

using net::http::BodyKind;
using net::http::Request;

// How long a closing connection keeps reading what the client still sends (see linger_close).
constexpr auto kLinger = std::chrono::seconds(2);

std::string_view view(net::Buffer& buffer) {
    return {buffer.peek(), buffer.readable_bytes()};
}

std::string host_port_text(const Destination& destination) {
    const bool v6 = destination.host.find(':') != std::string::npos;
    return (v6 ? "[" + destination.host + "]" : destination.host) + ":" +
           std::to_string(destination.port);
}

// RFC 9110 9.2.2: methods whose request may be sent again without a different effect.
bool idempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
           method == "PUT" || method == "DELETE";
}

}  // namespace

ProxySession::ProxySession(ProxyService& service, net::TcpConnection& client,
                           ClientCounts::Token client_slot)
    : service_(service),
      client_(client),
      client_slot_(std::move(client_slot)),
      last_active_(service.loop().now()) {
    ++service_.shared().counters.clients;
}

// The client connection is already closed (on_close ran): only what the session started itself
// is left to stop. The connection object is being destroyed, so it is not touched.
ProxySession::~ProxySession() {
    --service_.shared().counters.clients;
    if (head_timer_ != 0) service_.loop().cancel(head_timer_);
    if (linger_timer_ != 0) service_.loop().cancel(linger_timer_);
    if (attempt_ != 0) service_.connector().cancel(attempt_);
    release_upstream(false);
}

// ---------------------------------------------------------------------------- client events

void ProxySession::on_data(net::TcpConnection&) {
    touch();
    service_.shared().counters.bytes_in += client_.input().readable_bytes();
    switch (state_) {
        case State::kReadingHead:
            read_heads();
            break;
        case State::kForwarding:
            pump_request_body();
            break;
        case State::kTunnel:
            pump_tunnel();
            break;
        case State::kLingering:
            client_.input().consume_all();
            break;
        case State::kWaitingForFill:
        case State::kConnecting:
        case State::kClosed:
            break;
    }
}

void ProxySession::on_peer_closed(net::TcpConnection&) {
    client_ended_ = true;
    switch (state_) {
        case State::kReadingHead:
            read_heads();  // complete requests are answered; then the connection ends
            break;
        case State::kLingering:
            close_when_written();
            break;
        case State::kTunnel:
            pump_tunnel();
            break;
        case State::kWaitingForFill:
        case State::kConnecting:
        case State::kForwarding:
            // A half-closed client still gets its response; a body cut short ends the exchange.
            if (request_body_ && !request_body_->done() && state_ == State::kForwarding) {
                log_exchange(0, 0, "the client left before sending the whole body");
                close_all();
            }
            break;
        case State::kClosed:
            break;
    }
}

void ProxySession::on_high_water(net::TcpConnection&) {
    update_reading();
}

void ProxySession::on_drained(net::TcpConnection&) {
    if (state_ == State::kLingering && client_ended_) {
        close_all();
        return;
    }
    update_reading();
}

void ProxySession::on_idle(net::TcpConnection&) {
    switch (state_) {
        case State::kReadingHead:
            if (client_.input().empty()) {
                close_all();  // a keep-alive connection with nothing to do
            } else {
                fail_and_close(408, "The request took too long to arrive.");
            }
            break;
        case State::kForwarding:
        case State::kTunnel:
            // The other side may be busy: idle means nothing moved either way.
            if (idle_for_timeout()) {
                if (state_ == State::kTunnel) {
                    close_all();
                } else {
                    exchange_failed("no answer from " + destination_text() + " in time");
                }
            }
            break;
        case State::kLingering:
            close_all();
            break;
        case State::kConnecting:      // the connector's own deadline ends it
        case State::kWaitingForFill:  // the fill's own deadlines end it
        case State::kClosed:
            break;
    }
}

void ProxySession::on_server_stopping(net::TcpConnection&) {
    stopping_ = true;
    const bool idle_tunnel = state_ == State::kTunnel && client_.output_bytes() == 0 &&
                             (upstream_ == nullptr || upstream_->connection().output_bytes() == 0);
    if ((state_ == State::kReadingHead && client_.input().empty()) || idle_tunnel ||
        state_ == State::kLingering) {
        close_when_written();
    }
}

void ProxySession::on_server_abort(net::TcpConnection&) {
    const bool waiting = state_ == State::kConnecting || state_ == State::kWaitingForFill ||
                         (state_ == State::kForwarding && relay_ && !relay_->started());
    if (!waiting) return;
    log_exchange(503, 0, "the proxy is shutting down");
    client_.send(error_response(503, "The proxy is shutting down.", false));
}

void ProxySession::on_close(net::TcpConnection&) {
    if (state_ == State::kTunnel && upstream_ != nullptr) {
        // What the client sent before it went still reaches the server.
        UpstreamHandler* upstream = std::exchange(upstream_, nullptr);
        upstream->attach(nullptr);
        upstream->connection().close_after_write();
    }
    state_ = State::kClosed;
    close_all();
}

// ---------------------------------------------------------------------------- reading requests

void ProxySession::read_heads() {
    while (state_ == State::kReadingHead && !client_.closed()) {
        if (client_.input().empty()) {
            cancel_head_timer();
            if (client_ended_ || stopping_) close_when_written();
            return;
        }
        auto parsed = net::http::parse_request_head(view(client_.input()));
        if (parsed.kind == net::http::HeadKind::kNeedMore) {
            arm_head_timer();
            if (client_ended_) close_when_written();  // a head cut short: nothing to answer
            return;
        }
        cancel_head_timer();
        if (parsed.kind == net::http::HeadKind::kError) {
            const int status = static_cast<int>(parsed.error.status);
            service_.log().info(client_.peer().to_string() + " bad request: " +
                                parsed.error.reason + " -> " + std::to_string(status));
            fail_and_close(status, "The request was malformed: " + parsed.error.reason + ".");
            return;
        }
        client_.input().consume(parsed.consumed);
        handle_request(std::move(parsed.head));
    }
}

// A head must keep up a minimum rate from its first byte: a client trickling a byte at a time
// does not hold the connection for ever. The timer fires at the deadline the bytes so far give,
// and when later bytes earned more time, waits again for the rest.
void ProxySession::arm_head_timer() {
    auto& loop = service_.loop();
    if (!head_started_) {
        const auto timeout = service_.settings().idle_timeout;
        head_started_ = true;
        head_ = net::RateDeadline(
            net::http::request_deadlines(timeout, net::http::kDefaultMinRate).head, loop.now());
        head_counted_ = 0;
    }
    const std::size_t bytes = client_.input().readable_bytes();
    if (bytes > head_counted_) {
        head_.received(bytes - head_counted_);
        head_counted_ = bytes;
    }
    if (head_timer_ != 0) return;
    head_timer_ = loop.run_at(head_.deadline(), [this] {
        head_timer_ = 0;
        if (state_ != State::kReadingHead || client_.input().empty()) return;
        if (head_.expired(service_.loop().now())) {
            fail_and_close(408, "The request took too long to arrive.");
        } else {
            arm_head_timer();
        }
    });
}

void ProxySession::cancel_head_timer() {
    head_started_ = false;
    if (head_timer_ != 0) service_.loop().cancel(std::exchange(head_timer_, 0));
}

void ProxySession::handle_request(Request request) {
    request_ = std::move(request);
    request_when_ = std::time(nullptr);
    request_start_ = service_.loop().now();
    reused_ = false;
    retried_ = false;
    server_ended_ = false;
    const auto& settings = service_.settings();
    if (request_.target.starts_with("/") && request_.method != "CONNECT") {
        answer_locally();
        return;
    }
    Plan plan = plan_request(request_, settings.self, settings.policy);
    if (auto* refusal = std::get_if<Refusal>(&plan)) {
        refuse(refusal->status, refusal->detail);
        return;
    }
    tunnel_ = std::holds_alternative<Tunnel>(plan);
    destination_ =
        tunnel_ ? std::get<Tunnel>(plan).destination : std::get<Forward>(plan).destination;
    upstream_head_ = tunnel_ ? std::string() : std::move(std::get<Forward>(plan).head);
    // The port is checked before any lookup: a refused request costs the proxy nothing.
    if (const auto refusal = refuse_port(settings.ports, tunnel_, destination_)) {
        refuse(refusal->status, refusal->detail);
        return;
    }
    if (tunnel_) {
        ++service_.shared().counters.tunnels;
        open_upstream(destination_);
        return;
    }
    ++service_.shared().counters.requests;
    consult_cache(true);
}

void ProxySession::go_upstream() {
    if (auto* pooled = service_.pool().take(host_port_text(destination_), *this)) {
        ++service_.shared().counters.upstream_reused;
        upstream_ = pooled;
        reused_ = true;
        begin_exchange();
        return;
    }
    open_upstream(destination_);
}

// ---------------------------------------------------------------------------- the cache

void ProxySession::consult_cache(bool collapse) {
    const auto& cache = service_.cache();
    cache_ = cache.lookup(request_, std::time(nullptr), fill_callback(), collapse);
    answer_from_.reset();
    refetch_ = false;
    switch (cache_.action) {
        case CacheLookup::Action::kServe:
            serve_from_cache(*cache_.entry, false, cache_.status, "HIT");
            return;
        case CacheLookup::Action::kGatewayTimeout:
            refuse(504, "Nothing usable is stored for this request (only-if-cached).");
            return;
        case CacheLookup::Action::kWait:
            state_ = State::kWaitingForFill;
            update_reading();
            return;
        case CacheLookup::Action::kRevalidate: {
            const auto& settings = service_.settings();
            Plan plan = plan_request(cache_.upstream, settings.self, settings.policy);
            if (auto* forward = std::get_if<Forward>(&plan)) upstream_head_ = forward->head;
            break;
        }
        case CacheLookup::Action::kForward:
            break;
    }
    go_upstream();
}

cache::FillCallback ProxySession::fill_callback() {
    // Runs on whichever thread ends the fill: the answer comes back on this session's loop,
    // and only if the session is still there.
    return [loop = &service_.loop(),
            weak = weak_from_this()](std::shared_ptr<const cache::Entry> entry) {
        loop->post([weak, entry = std::move(entry)] {
            if (const auto self = weak.lock()) self->fill_ended(entry);
        });
    };
}

void ProxySession::fill_ended(const std::shared_ptr<const cache::Entry>& entry) {
    if (state_ != State::kWaitingForFill) return;
    if (entry && service_.cache().serves(request_, *entry, std::time(nullptr))) {
        cache::CacheStatus status;
        status.collapsed = true;
        serve_from_cache(*entry, false, status, "HIT, collapsed");
    } else {
        consult_cache(false);  // the fill did not serve this request: on its own now
    }
    if (state_ == State::kReadingHead) read_heads();
}

ResponseRelay::HeadDecision ProxySession::cache_response_head(const net::http::Response& response) {
    response_time_ = std::time(nullptr);
    const auto& cache = service_.cache();
    const bool revalidating = cache_.action == CacheLookup::Action::kRevalidate;
    auto verdict = cache.on_response(request_, response, revalidating ? cache_.entry : nullptr,
                                     cache_.store, request_time_, response_time_);
    ResponseRelay::HeadDecision decision;
    if (verdict.freshened) {
        answer_from_ = std::move(verdict.freshened);
        cache_.status.fwd_status = response.status;
        if (!verdict.status.detail.empty()) cache_.status.detail = verdict.status.detail;
        decision.withhold = true;
        return decision;
    }
    if (revalidating && response.status == 304) {
        // Not modified, but not the response we asked about (another validator): the client
        // never sent this conditional, so it must not see the 304. Asked again, unconditionally.
        refetch_ = true;
        decision.withhold = true;
        return decision;
    }
    cache_.status.fwd_status = response.status;
    cache_.status.stored = verdict.store;
    if (!verdict.status.detail.empty()) cache_.status.detail = verdict.status.detail;
    if (!verdict.store && cache_.fill.pending()) cache_.fill.abandon();  // waiters go on alone
    decision.extra_fields = "Cache-Status: " + cache::format_cache_status(cache_.status) + "\r\n";
    decision.capture = verdict.store;
    decision.capture_limit = cache.max_object();
    return decision;
}

void ProxySession::serve_from_cache(const cache::Entry& entry, bool validated,
                                    const cache::CacheStatus& status, std::string_view note) {
    const bool keep_alive = may_go_on_after_own_answer();
    int code = 200;
    const std::string bytes =
        service_.cache().answer(request_, entry, std::time(nullptr), validated, status,
                                service_.settings().self, keep_alive, &code);
    service_.shared().counters.bytes_out += bytes.size();
    log_exchange(code, entry.body.size(), note);
    client_.send(bytes);
    cache_ = {};
    next_request_or_close(keep_alive);
}

bool ProxySession::serve_stale_instead(bool origin_unreachable) {
    const auto stale = cache_.entry;
    if (!stale || (relay_ && relay_->started()) ||
        !cache::may_serve_stale_on_error(stale->response, request_.headers, std::time(nullptr),
                                         origin_unreachable)) {
        return false;
    }
    release_upstream(false);
    relay_.reset();
    request_body_.reset();
    cache::CacheStatus status = cache_.status;
    status.detail = "stale-on-error";
    serve_from_cache(*stale, false, status, "STALE");
    return true;
}

void ProxySession::answer_locally() {
    // The proxy as the client reached it, for the PAC file's PROXY line.
    const auto host = request_.headers.get("Host");
    const std::string host_port =
        host && !host->empty() ? std::string(*host) : client_.local().to_string();
    const bool keep_alive = may_go_on_after_own_answer();
    const auto page = route_local(request_.method, request_.target);
    const int status = page == LocalPage::kHelp ? 400 : page == LocalPage::kWrongMethod ? 405 : 200;
    log_exchange(status, 0, "the proxy's own page");
    client_.send(local_response(request_.method, request_.target,
                                {.proxy_host_port = host_port,
                                 .stats = service_.shared().stats(),
                                 .now = std::time(nullptr)},
                                keep_alive));
    next_request_or_close(keep_alive);
}

void ProxySession::refuse(int status, std::string_view detail) {
    const bool keep_alive = may_go_on_after_own_answer();
    log_exchange(status, 0, detail);
    client_.send(error_response(status, detail, keep_alive));
    next_request_or_close(keep_alive);
}

// After an answer the proxy gave itself, the request's body (if any) was never read: only a
// request without one leaves the connection at the start of the next request.
bool ProxySession::may_go_on_after_own_answer() const {
    return !stopping_ && !client_ended_ &&
           net::http::may_reuse({.request = {.asks_to_close = !request_.keep_alive,
                                             .complete = request_.body == BodyKind::kNone}});
}

void ProxySession::next_request_or_close(bool keep_alive) {
    if (!keep_alive) {
        linger_close();
        return;
    }
    state_ = State::kReadingHead;
    update_reading();
}

void ProxySession::fail_and_close(int status, std::string_view detail) {
    client_.send(error_response(status, detail, false));
    linger_close();
}

// ---------------------------------------------------------------------------- reaching the server

void ProxySession::open_upstream(const Destination& destination) {
    state_ = State::kConnecting;
    update_reading();
    service_.log().debug(client_.peer().to_string() + " connecting to " +
                         host_port_text(destination));
    ++service_.shared().counters.upstream_opened;
    const auto& settings = service_.settings();
    // Every address the name leads to is checked before it is tried: a name must not lead a
    // remote client to this host, nor anyone to the proxy itself.
    net::ConnectRequest request{.host = destination.host,
                                .port = std::to_string(destination.port),
                                .timeout = settings.connect_timeout,
                                .allow_address = [&settings, client = client_.peer(),
                                                  destination](const net::SocketAddress& address) {
                                    return check_destination(client, destination, address,
                                                             settings.policy, settings.listen)
                                        .allowed();
                                }};
    attempt_ = service_.connector().connect(
        std::move(request), service_.upstreams(),
        [this, key = host_port_text(destination)](net::TcpConnection& conn) {
            auto handler = std::make_shared<UpstreamHandler>(conn, service_.pool(), key);
            connecting_ = handler.get();
            return handler;
        },
        service_.upstream_options(), [this](net::ConnectResult result) { connected(result); });
}

void ProxySession::connected(net::ConnectResult result) {
    attempt_ = 0;
    UpstreamHandler* handler = std::exchange(connecting_, nullptr);
    if (result.error) {
        connect_failed(*result.error);
        return;
    }
    upstream_ = handler;
    upstream_->attach(this);
    if (tunnel_) {
        begin_tunnel();
    } else {
        begin_exchange();
    }
}

void ProxySession::connect_failed(const net::ConnectError& error) {
    if (error.step != net::ConnectStep::kRefused && serve_stale_instead(true)) {
        if (state_ == State::kReadingHead) read_heads();
        return;
    }
    if (error.step == net::ConnectStep::kRefused && error.refused) {
        const auto& settings = service_.settings();
        const auto verdict = check_destination(client_.peer(), destination_, *error.refused,
                                               settings.policy, settings.listen);
        const Refusal refusal =
            verdict.refusal.value_or(Refusal{403, "The proxy does not go there."});
        refuse(refusal.status, refusal.detail);
    } else if (error.step == net::ConnectStep::kLookup && !error.timed_out()) {
        refuse(502, "The proxy cannot find the host " + destination_.host + ".");
    } else if (error.timed_out()) {
        refuse(504, "No answer from " + destination_text() + " within the connect timeout.");
    } else if (error.error == EMFILE || error.error == ENFILE) {
        // The proxy's own shortage, not the server's fault: try again later.
        refuse(503, "The proxy is out of descriptors for server connections; try again shortly.");
    } else {
        refuse(502, "The proxy could not connect to " + destination_text() + ": " +
                        std::generic_category().message(error.error) + ".");
    }
    if (state_ == State::kReadingHead) read_heads();
}

// ---------------------------------------------------------------------------- an exchange

void ProxySession::begin_exchange() {
    state_ = State::kForwarding;
    request_time_ = std::time(nullptr);
    relay_.emplace(request_.method, request_.version, request_.keep_alive,
                   service_.settings().self);
    relay_->on_final_head(
        [this](const net::http::Response& response) { return cache_response_head(response); });
    request_body_.emplace(request_.body, request_.content_length);
    upstream_->connection().send(upstream_head_);
    pump_request_body();
    update_reading();
}

void ProxySession::pump_request_body() {
    if (state_ != State::kForwarding || !request_body_ || request_body_->done()) return;
    auto& input = client_.input();
    if (input.empty()) return;
    std::string to_upstream;
    const auto step = request_body_->take(view(input), to_upstream);
    service_.shared().counters.bytes_out += to_upstream.size();
    input.consume(step.consumed);
    if (step.error) {
        exchange_failed("the request's chunked body is malformed");
        return;
    }
    if (!to_upstream.empty() && upstream_ != nullptr) upstream_->connection().send(to_upstream);
    if (request_body_->done()) update_reading();
}

void ProxySession::relay_response() {
    if (upstream_ == nullptr || !relay_) return;
    auto& input = upstream_->connection().input();
    std::string to_client;
    relay_->feed(view(input), to_client);
    input.consume_all();
    service_.shared().counters.bytes_out += to_client.size();
    if (!to_client.empty()) client_.send(to_client);
    if (relay_->state() == ResponseRelay::State::kFailed) {
        exchange_failed("the server at " + destination_text() +
                        " sent a broken response: " + relay_->error());
    } else if (relay_->state() == ResponseRelay::State::kDone) {
        finish_exchange();
    }
}

// Something went wrong with the server before the exchange completed: the client gets an error
// page if nothing of the response has gone to it yet, else its response is cut short.
void ProxySession::exchange_failed(std::string_view what, bool connection_lost) {
    if (connection_lost && retry_on_fresh_connection()) return;
    if (serve_stale_instead(connection_lost)) {
        if (state_ == State::kReadingHead) read_heads();
        return;
    }
    const bool started = relay_ && relay_->started();
    release_upstream(false);
    if (!started) {
        const bool bad_request = what.starts_with("the request");
        const int status = bad_request ? 400 : what.starts_with("no answer") ? 504 : 502;
        std::string detail(what);
        detail[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(detail[0])));
        log_exchange(status, 0, what);
        fail_and_close(status, detail + ".");
        return;
    }
    log_exchange(relay_->status(), relay_->body_bytes(), "cut short: " + std::string(what));
    close_all();
}

// RFC 9112 9.3.1: a pooled connection the server closed just as the request went out failed
// through no fault of the request; an idempotent one without a body is sent again, once, on a
// connection of its own.
bool ProxySession::retry_on_fresh_connection() {
    if (!reused_ || retried_ || !relay_ || relay_->received_any() ||
        request_.body != BodyKind::kNone || !idempotent(request_.method)) {
        return false;
    }
    retried_ = true;
    reused_ = false;
    release_upstream(false);
    open_upstream(destination_);
    return true;
}

void ProxySession::finish_exchange() {
    const bool request_complete = request_body_ && request_body_->done();
    // The server connection goes back to the pool only when the exchange is complete both ways
    // and neither side said close (and the server sent nothing past its response).
    const bool upstream_reusable =
        !server_ended_ && !relay_->overran() &&
        net::http::may_reuse({.request = {.complete = request_complete},
                              .response = {.asks_to_close = !relay_->server_keep_alive(),
                                           .body_until_close = relay_->until_close()}});
    release_upstream(upstream_reusable);
    if (std::exchange(refetch_, false)) {
        relay_.reset();
        request_body_.reset();
        const auto& settings = service_.settings();
        Plan plan = plan_request(request_, settings.self, settings.policy);
        if (auto* forward = std::get_if<Forward>(&plan)) upstream_head_ = forward->head;
        cache_.action = CacheLookup::Action::kForward;
        go_upstream();
        return;
    }
    if (answer_from_) {
        // A 304 freshened the stored response (or a server error let a stale one stand): the
        // client gets the stored response, its own conditionals applied.
        const auto entry = std::move(answer_from_);
        cache::CacheStatus status = cache_.status;
        relay_.reset();
        request_body_.reset();
        const bool revalidated = status.fwd_status == 304;
        serve_from_cache(*entry, revalidated, status, revalidated ? "REVALIDATED" : "STALE");
        if (state_ == State::kReadingHead) read_heads();
        return;
    }
    if (relay_->capturing()) {
        service_.cache().keep(
            request_, relay_->response(), relay_->take_captured(), request_time_, response_time_,
            cache_.fill,
            cache_.action == CacheLookup::Action::kRevalidate ? cache_.entry : nullptr);
    }
    const auto fwd = cache_.status.fwd;
    const bool bypass = fwd == cache::Forward::kBypass || fwd == cache::Forward::kMethod ||
                        fwd == cache::Forward::kRequest;
    log_exchange(relay_->status(), relay_->body_bytes(),
                 cache_.status.stored ? "MISS, stored"
                 : bypass             ? "BYPASS"
                                      : "MISS");
    cache_ = {};
    const bool client_reusable =
        !stopping_ && !client_ended_ &&
        net::http::may_reuse(
            {.request = {.asks_to_close = !request_.keep_alive, .complete = request_complete},
             .response = {.asks_to_close = !relay_->keep_alive()}});
    relay_.reset();
    request_body_.reset();
    if (!client_reusable) {
        linger_close();
        return;
    }
    state_ = State::kReadingHead;
    update_reading();
    read_heads();
}

// ---------------------------------------------------------------------------- server events

void ProxySession::upstream_data(net::TcpConnection& conn) {
    touch();
    service_.shared().counters.bytes_in += conn.input().readable_bytes();
    if (state_ == State::kTunnel) {
        pump_tunnel();
    } else if (state_ == State::kForwarding) {
        relay_response();
    }
}

void ProxySession::upstream_peer_closed(net::TcpConnection&) {
    server_ended_ = true;
    if (state_ == State::kTunnel) {
        pump_tunnel();
        return;
    }
    if (state_ != State::kForwarding || !relay_) return;
    relay_response();  // bytes that came with the FIN
    if (state_ != State::kForwarding || !relay_) return;
    relay_->server_closed();
    if (relay_->state() == ResponseRelay::State::kDone) {
        finish_exchange();
    } else {
        exchange_failed(relay_->error(), true);
    }
}

void ProxySession::upstream_gone(net::TcpConnection&) {
    upstream_ = nullptr;
    if (state_ == State::kTunnel) {
        close_when_written();  // what the server sent before it went still reaches the client
    } else if (state_ == State::kForwarding) {
        exchange_failed("the connection to " + destination_text() + " failed", true);
    }
}

void ProxySession::upstream_high_water(net::TcpConnection&) {
    update_reading();
}

void ProxySession::upstream_drained(net::TcpConnection&) {
    update_reading();
}

void ProxySession::upstream_idle(net::TcpConnection& conn) {
    on_idle(conn);
}

// ---------------------------------------------------------------------------- a tunnel

void ProxySession::begin_tunnel() {
    state_ = State::kTunnel;
    log_exchange(200, 0, "tunnel open");
    client_.send("HTTP/1.1 200 Connection established\r\n\r\n");
    pump_tunnel();
    update_reading();
}

// Moves what either side sent to the other, and passes a FIN on once its bytes are out.
void ProxySession::pump_tunnel() {
    if (state_ != State::kTunnel || upstream_ == nullptr) return;
    auto& server = upstream_->connection();
    auto& counters = service_.shared().counters;
    if (!client_.input().empty()) {
        counters.bytes_out += client_.input().readable_bytes();
        tunnel_up_ += client_.input().readable_bytes();
        server.send(view(client_.input()));
        client_.input().consume_all();
    }
    if (!server.input().empty()) {
        counters.bytes_out += server.input().readable_bytes();
        tunnel_down_ += server.input().readable_bytes();
        client_.send(view(server.input()));
        server.input().consume_all();
    }
    if (client_ended_ && server_ended_) {
        finish_tunnel();
        return;
    }
    // A FIN is passed on once the bytes before it are out (shutdown_write waits for them).
    if (client_ended_) server.shutdown_write();
    if (server_ended_) client_.shutdown_write();
    update_reading();
}

void ProxySession::finish_tunnel() {
    service_.log().debug(client_.peer().to_string() + " CONNECT " + request_.target +
                         " closed: " + std::to_string(tunnel_up_) + " bytes up, " +
                         std::to_string(tunnel_down_) + " bytes down");
    // Both FINs are passed on; each connection closes once its output is written.
    if (upstream_ != nullptr) {
        upstream_->attach(nullptr);
        upstream_->connection().close_after_write();
        upstream_ = nullptr;
    }
    close_when_written();
}

// ---------------------------------------------------------------------------- plumbing

void ProxySession::update_reading() {
    if (client_.closed()) return;
    const auto* server = upstream_ != nullptr ? &upstream_->connection() : nullptr;
    const bool server_full = server != nullptr && server->above_high_water();
    bool client_reads = false;
    switch (state_) {
        case State::kReadingHead:
            client_reads = !client_.above_high_water();
            break;
        case State::kForwarding:
            client_reads = request_body_ && !request_body_->done() && !server_full;
            break;
        case State::kTunnel:
            client_reads = !server_full;
            break;
        case State::kLingering:
            client_reads = true;
            break;
        case State::kWaitingForFill:
        case State::kConnecting:
        case State::kClosed:
            break;
    }
    if (client_reads != client_.reading()) {
        client_reads ? client_.resume_reading() : client_.pause_reading();
    }
    if (upstream_ != nullptr) {
        auto& conn = upstream_->connection();
        const bool server_reads = !client_.above_high_water();
        if (server_reads != conn.reading()) {
            server_reads ? conn.resume_reading() : conn.pause_reading();
        }
    }
}

// RFC 9112 9.6: closing with unread bytes from the client would send an RST, which may destroy
// the last response before the client reads it. So: our FIN once the output is written, then
// what the client still sends is dropped until its FIN, for kLinger at most.
void ProxySession::linger_close() {
    release_upstream(false);
    cancel_head_timer();
    if (client_.closed()) return;
    if (client_ended_ || stopping_) {
        close_when_written();
        return;
    }
    state_ = State::kLingering;
    client_.input().consume_all();
    client_.shutdown_write();
    update_reading();
    linger_timer_ = service_.loop().run_after(kLinger, [this] {
        linger_timer_ = 0;
        close_all();
    });
}

void ProxySession::close_when_written() {
    const bool open = !client_.closed();
    close_all_but_client();
    if (open) client_.close_after_write();
}

void ProxySession::close_all() {
    close_all_but_client();
    if (!client_.closed()) client_.close();
}

void ProxySession::close_all_but_client() {
    state_ = State::kClosed;
    cancel_head_timer();
    if (linger_timer_ != 0) service_.loop().cancel(std::exchange(linger_timer_, 0));
    if (attempt_ != 0) service_.connector().cancel(std::exchange(attempt_, 0));
    release_upstream(false);
}

void ProxySession::release_upstream(bool reusable) {
    UpstreamHandler* upstream = std::exchange(upstream_, nullptr);
    if (upstream == nullptr) return;
    if (reusable && !service_.stopping_now()) {
        service_.pool().give_back(*upstream);
        return;
    }
    upstream->attach(nullptr);
    upstream->connection().close();
}

void ProxySession::touch() {
    last_active_ = service_.loop().now();
}

bool ProxySession::idle_for_timeout() const {
    return service_.loop().now() - last_active_ >= service_.settings().idle_timeout;
}

std::string ProxySession::destination_text() const {
    return host_port_text(destination_);
}

void ProxySession::log_exchange(int status, std::uint64_t bytes, std::string_view note) const {
    if (!service_.logging_access()) return;
    net::AccessRecord record;
    record.client = client_.peer().host();
    record.when = request_when_ != 0 ? request_when_ : std::time(nullptr);
    record.status = status;
    record.body_bytes = bytes;
    if (!request_.method.empty()) net::describe_request(record, request_);
    record.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        request_when_ != 0 ? service_.loop().now() - request_start_
                           : net::EventLoop::Clock::duration::zero());
    record.note = note;
    service_.log_access(record);
}

}  // namespace web_proxy
