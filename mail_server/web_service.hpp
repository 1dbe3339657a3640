// The web inbox on mail_server's own event loops: a WebService (common/'s HTTP sessions
// answered by WebInbox) per loop behind a listener of its own, the loop's open event streams,
// and how each new message reaches them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/fd.hpp"
#include "common/http_loop_service.hpp"
#include "common/tcp_server.hpp"
#include "mail_index.hpp"
#include "smtp_service.hpp"
#include "web_inbox.hpp"

namespace mail {

// Open event streams in the whole server; one more gets 503.
constexpr std::size_t kMaxEventStreams = 64;
// Web connections in the whole server; more are closed at once.
constexpr std::size_t kMaxWebConnections = 256;
// A web connection idle this long is closed (keep-alive), and a head gets this long (plus
// time earned by its rate). An event stream idle this long gets a comment line instead, so
// the stream stays open through proxies and our own idle timeout.
constexpr std::chrono::seconds kWebTimeout{30};

// Shared by every loop's WebService: built once by main, read-only after (but the counter).
struct WebShared {
    WebShared(const MailIndex& index, std::string server)
        : inbox(index, server), server_name(std::move(server)) {}
    WebInbox inbox;
    std::string server_name;              // "mail_server/0.1.0"
    std::atomic<std::size_t> streams{0};  // open event streams, all loops
    std::size_t max_streams = kMaxEventStreams;
};

// One loop's share of the web inbox. Loop thread only, but for broadcast() through post().
class WebService final : public net::http::HttpLoopService {
  public:
    WebService(net::EventLoop& loop, WebShared& shared);

    net::http::ServerResponse respond(const net::http::Request& request,
                                      net::TcpConnection& conn) override;
    void stream_opened(net::TcpConnection& conn) override;
    void stream_closed(net::TcpConnection& conn) override;
    void stream_idle(net::TcpConnection& conn) override;

    // Writes `event` (one whole Server-Sent Event) to every open stream of this loop. A reader
    // that lets its output pass the high-water mark is cut by its session.
    void broadcast(const std::string& event);
    [[nodiscard]] std::size_t stream_count() const { return streams_.size(); }
    // Open event streams on every loop (any thread).
    [[nodiscard]] std::size_t streams_everywhere() const { return shared_.streams.load(); }

  private:
    WebShared& shared_;
    std::unordered_map<std::uint64_t, net::TcpConnection*> streams_;  // by connection id
};

// mail_server on one loop: SMTP from the group's listener, and with --web the inbox on a
// listener of its own (a second TcpServer on the same loop). The web connections are told to
// stop with the SMTP ones; the group waits for SMTP only (a web answer is written at once).
class MailLoop final : public net::LoopService {
  public:
    // `web` and `web_listener` null: SMTP only.
    MailLoop(net::EventLoop& loop, ServiceShared& smtp, WebShared* web,
             const std::shared_ptr<net::Fd>& web_listener,
             const std::shared_ptr<std::atomic<std::size_t>>& web_connections);

    std::shared_ptr<net::ConnectionHandler> make_handler(net::TcpConnection& conn) override {
        return smtp_.make_handler(conn);
    }
    void stopping() override;
    void drained() override;

    [[nodiscard]] WebService* web() { return web_.get(); }

  private:
    SmtpService smtp_;
    std::unique_ptr<WebService> web_;
    std::unique_ptr<net::TcpServer> web_server_;  // its connections go before web_
};

// Tells every loop's WebService of each message the index adds, from the storing thread:
// the event is made once and posted to each loop. Subscribes while it lives.
class InboxEvents {
  public:
    // The services and the index must outlive this; their loops must run while it lives (a
    // task posted to a stopped loop is dropped, never run later).
    InboxEvents(MailIndex& index, std::vector<WebService*> services);
    InboxEvents(const InboxEvents&) = delete;
    InboxEvents& operator=(const InboxEvents&) = delete;
    ~InboxEvents() { index_.unsubscribe(token_); }

  private:
    MailIndex& index_;
    std::vector<WebService*> services_;
    std::uint64_t token_ = 0;
};

}  // namespace mail
