// SmtpService: mail_server on one event loop. It owns the loop's TcpServer, gives every
// connection an SmtpConnection (a Session plus its socket, TLS and message draft), prints the
// transcript, and hands finished messages to the store.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/batched_output.hpp"
#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/tcp_server.hpp"
#include "common/tls.hpp"
#include "message_store.hpp"
#include "smtp_session.hpp"

namespace mail {

enum class Verbosity { kQuiet, kNormal, kVerbose };  // -q: errors only; -v: message lines too

// Shared by every loop's service; built once by main and read-only after (but the counter).
struct ServiceShared {
    SessionConfig session;
    MessageStore* store = nullptr;
    net::SharedOutput* transcript = nullptr;  // stdout
    const net::Logger* log = nullptr;         // stderr: errors
    Verbosity verbosity = Verbosity::kNormal;
    std::chrono::milliseconds timeout{300'000};  // idle client -> 421
    std::size_t max_connections = 0;             // per loop; 0: no limit
    const net::tls::Context* tls = nullptr;      // null without --tls-cert
    std::string id_prefix;                       // unique per run, for message ids
    std::atomic<std::uint64_t> sessions{0};      // the [n] of each new session
};

// Everything on its loop's thread, except begin_drain() which is posted from main.
class SmtpService {
  public:
    SmtpService(net::EventLoop& loop, std::shared_ptr<net::Fd> listener, ServiceShared& shared);
    ~SmtpService();

    // Graceful stop: no new connections; every session gets 421 at once, except those whose
    // message is being stored, which get their 250 first. `on_empty` runs once none is left.
    void begin_drain(std::function<void()> on_empty);

    // For connections.
    [[nodiscard]] ServiceShared& shared() { return shared_; }
    [[nodiscard]] net::EventLoop& loop() { return loop_; }
    // The loop's transcript buffer, or null with -q.
    [[nodiscard]] std::string* transcript() {
        return transcript_ ? &transcript_->buffer() : nullptr;
    }
    [[nodiscard]] bool draining() const { return draining_; }
    // A store's answer for a message whose client has already gone.
    void report_orphan(const StoreResult& result, const std::string& summary);

  private:
    void connection_closed();
    void report_if_empty();

    net::EventLoop& loop_;
    ServiceShared& shared_;
    std::unique_ptr<net::LoopOutput> transcript_;
    std::unique_ptr<net::TcpServer> server_;
    bool draining_ = false;
    std::function<void()> on_empty_;
    bool reported_empty_ = false;
    std::size_t connections_ = 0;
};

}  // namespace mail
