// The web inbox's socket side.
#include "web_service.hpp"

#include "common/request_deadlines.hpp"

namespace mail {
namespace {

// The first bytes of a stream: how long a client waits before reconnecting after a cut, and a
// comment, so a reader sees at once that the stream is open.
constexpr std::string_view kStreamStart = "retry: 2000\n: inbox events\n\n";
// What keeps an idle stream open: a comment line, ignored by EventSource.
constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

}  // namespace

WebService::WebService(net::EventLoop& loop, WebShared& shared)
    : HttpLoopService(
          loop, nullptr,
          {.timeout = kWebTimeout,
           .deadlines = net::http::request_deadlines(kWebTimeout, net::http::kDefaultMinRate),
           .limits = {},
           .server = shared.server_name}),
      shared_(shared) {}

net::http::ServerResponse WebService::respond(const net::http::Request& request,
                                              net::TcpConnection&) {
    net::http::ServerResponse response = shared_.inbox.handle(request);
    if (response.stream && request.method == "GET") {
        // The stream is counted from here (the session opens it right after this answer)
        // until stream_closed().
        if (shared_.streams.fetch_add(1) >= shared_.max_streams) {
            shared_.streams.fetch_sub(1);
            return net::http::error_response(503, shared_.server_name);
        }
    }
    return response;
}

void WebService::stream_opened(net::TcpConnection& conn) {
    streams_.emplace(conn.id(), &conn);
    conn.send(kStreamStart);
}

void WebService::stream_closed(net::TcpConnection& conn) {
    if (streams_.erase(conn.id()) > 0) shared_.streams.fetch_sub(1);
}

void WebService::stream_idle(net::TcpConnection& conn) {
    if (conn.output_bytes() > 0) {
        conn.close();  // nothing written for a whole timeout: the reader has stopped reading
        return;
    }
    conn.send(kKeepAlive);
}

void WebService::broadcast(const std::string& event) {
    // A send may close a connection (its reader fell too far behind), which removes it from
    // streams_: walk a copy of the ids.
    std::vector<std::uint64_t> ids;
    ids.reserve(streams_.size());
    for (const auto& [id, conn] : streams_)
        ids.push_back(id);
    for (const auto id : ids) {
        const auto found = streams_.find(id);
        if (found != streams_.end() && !found->second->closed()) found->second->send(event);
    }
}

MailLoop::MailLoop(net::EventLoop& loop, ServiceShared& smtp, WebShared* web,
                   const std::shared_ptr<net::Fd>& web_listener,
                   const std::shared_ptr<std::atomic<std::size_t>>& web_connections)
    : smtp_(loop, smtp) {
    if (web == nullptr || !web_listener) return;
    web_ = std::make_unique<WebService>(loop, *web);
    web_server_ = std::make_unique<net::TcpServer>(
        loop, web_listener,
        [service = web_.get()](net::TcpConnection& conn) { return service->make_handler(conn); },
        net::TcpServerOptions{.connection = {.idle_timeout = kWebTimeout},
                              .max_connections = kMaxWebConnections,
                              .open_count = web_connections});
}

void MailLoop::stopping() {
    smtp_.stopping();
    if (web_) {
        web_->stopping();  // first, so the sessions see they are draining
        web_server_->begin_drain([] {});
    }
}

void MailLoop::drained() {
    smtp_.drained();
    if (web_) web_->drained();
}

InboxEvents::InboxEvents(MailIndex& index, std::vector<WebService*> services)
    : index_(index), services_(std::move(services)) {
    token_ = index_.subscribe([this](const Summary& summary) {
        // With no stream open anywhere, no loop is woken (the usual case: the SMTP path pays for
        // the index alone). A stream opened meanwhile misses this message as it would have if
        // opened a moment later; its page lists it.
        if (services_.empty() || services_.front()->streams_everywhere() == 0) return;
        const auto event = std::make_shared<const std::string>(message_event(summary));
        for (WebService* service : services_) {
            service->loop().post([service, event] { service->broadcast(*event); });
        }
    });
}

}  // namespace mail
