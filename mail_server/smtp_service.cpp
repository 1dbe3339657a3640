// One loop's TcpServer with an SmtpConnection per client, and the loop's transcript buffer.
#include "smtp_service.hpp"

#include "smtp_connection.hpp"

namespace mail {
namespace {

SmtpConnection& connection_of(net::TcpConnection& conn) {
    return *static_cast<SmtpConnection*>(conn.context.get());
}

}  // namespace

SmtpService::SmtpService(net::EventLoop& loop, std::shared_ptr<net::Fd> listener,
                         ServiceShared& shared)
    : loop_(loop),
      shared_(shared),
      transcript_(shared.transcript != nullptr && shared.verbosity != Verbosity::kQuiet
                      ? std::make_unique<net::LoopOutput>(loop, *shared.transcript)
                      : nullptr) {
    net::TcpCallbacks callbacks;
    callbacks.on_open = [this](net::TcpConnection& conn) {
        auto connection = std::make_shared<SmtpConnection>(*this, conn);
        conn.context = connection;
        ++connections_;
        connection->on_open();
    };
    callbacks.on_data = [](net::TcpConnection& conn) { connection_of(conn).on_data(); };
    callbacks.on_drained = [](net::TcpConnection& conn) { connection_of(conn).on_drained(); };
    callbacks.on_peer_closed = [](net::TcpConnection& conn) {
        connection_of(conn).on_peer_closed();
    };
    callbacks.on_idle = [](net::TcpConnection& conn) { connection_of(conn).on_idle(); };
    callbacks.on_close = [this](net::TcpConnection& conn) {
        connection_of(conn).on_close();
        connection_closed();
    };
    server_ = std::make_unique<net::TcpServer>(
        loop, std::move(listener), std::move(callbacks),
        net::TcpServerOptions{.idle_timeout = shared_.timeout,
                              .max_connections = shared_.max_connections,
                              .over_limit_reply = "421 4.3.2 " + shared_.session.hostname +
                                                  " Too many connections, try again later\r\n"});
}

SmtpService::~SmtpService() {
    server_.reset();
}

void SmtpService::report_orphan(const StoreResult& result, const std::string& summary) {
    if (!result.stored) {
        shared_.log->error(summary + ": not stored: " + result.error);
    } else if (transcript_) {
        transcript_->buffer() +=
            summary + ", stored in " + result.location + " (its client had gone)\n";
    }
}

void SmtpService::begin_drain(std::function<void()> on_empty) {
    draining_ = true;
    on_empty_ = std::move(on_empty);
    server_->stop_accepting();
    server_->for_each_connection([](net::TcpConnection& conn) { connection_of(conn).drain(); });
    report_if_empty();
}

void SmtpService::connection_closed() {
    --connections_;
    if (draining_ && connections_ == 0) loop_.post([this] { report_if_empty(); });
}

void SmtpService::report_if_empty() {
    if (!draining_ || connections_ != 0 || reported_empty_) return;
    reported_empty_ = true;
    if (transcript_) transcript_->flush();
    if (on_empty_) on_empty_();
}

}  // namespace mail
