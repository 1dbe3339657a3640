// HttpService: one loop's share of web_server.
#include "http_service.hpp"

#include "common/http_date.hpp"
#include "common/socket.hpp"
#include "http_session.hpp"

namespace web {
namespace {

HttpSession& session_of(net::TcpConnection& conn) {
    return *static_cast<HttpSession*>(conn.context.get());
}

}  // namespace

HttpService::HttpService(net::EventLoop& loop, std::shared_ptr<net::Fd> listener,
                         const StaticFiles& files, net::SharedOutput* log, ServiceOptions options)
    : loop_(loop),
      files_(files),
      log_(log ? std::make_unique<net::LoopOutput>(loop, *log) : nullptr),
      options_(options) {
    net::TcpCallbacks callbacks;
    callbacks.on_open = [this](net::TcpConnection& conn) {
        conn.context = std::make_shared<HttpSession>(*this, conn);
        ++sessions_;
    };
    callbacks.on_data = [](net::TcpConnection& conn) { session_of(conn).on_data(); };
    callbacks.on_drained = [](net::TcpConnection& conn) { session_of(conn).on_drained(); };
    callbacks.on_peer_closed = [](net::TcpConnection& conn) { session_of(conn).on_peer_closed(); };
    callbacks.on_idle = [](net::TcpConnection& conn) { session_of(conn).on_idle(); };
    // The session object lives on with the connection until the end of the event batch; only the
    // count changes here (a session may be mid-call when its connection closes).
    callbacks.on_close = [this](net::TcpConnection&) { session_closed(); };
    server_ = std::make_unique<net::TcpServer>(
        loop, std::move(listener), std::move(callbacks),
        net::TcpServerOptions{.idle_timeout = options_.timeout,
                              .max_connections = options_.max_connections});
}

HttpService::~HttpService() {
    server_.reset();
}

const std::string& HttpService::date() {
    const std::time_t now = std::time(nullptr);
    if (now != date_second_) {
        date_second_ = now;
        date_text_ = net::http::format_http_date(now);
    }
    return date_text_;
}

void HttpService::log_access(AccessRecord record) {
    if (log_ != nullptr) log_->buffer() += format_access_log_line(record);
}

void HttpService::begin_drain(std::function<void()> on_empty) {
    draining_ = true;
    on_empty_ = std::move(on_empty);
    server_->stop_accepting();
    server_->for_each_connection([](net::TcpConnection& conn) { session_of(conn).drain(); });
    report_if_empty();
}

void HttpService::session_closed() {
    --sessions_;
    if (draining_ && sessions_ == 0) loop_.post([this] { report_if_empty(); });
}

void HttpService::report_if_empty() {
    if (!draining_ || sessions_ != 0 || reported_empty_) return;
    reported_empty_ = true;
    if (log_ != nullptr) log_->flush();
    if (on_empty_) on_empty_();
}

}  // namespace web
