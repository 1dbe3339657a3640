// SmtpService: mail_server on one event loop. Every connection gets an SmtpConnection (a Session
// plus its socket, TLS and message draft); the service keeps the loop's transcript buffer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/batched_output.hpp"
#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/server_group.hpp"
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
    const net::tls::Context* tls = nullptr;  // null without --tls-cert
    std::string id_prefix;                   // unique per run, for message ids
    std::atomic<std::uint64_t> sessions{0};  // the [n] of each new session
    // The first loop's service takes the store's housekeeping (at start, then hourly).
    std::atomic<bool> housekeeping_taken{false};
};

// One loop's share of mail_server: an SmtpConnection per client, and the loop's transcript
// buffer. Loop thread only.
class SmtpService final : public net::LoopService {
  public:
    SmtpService(net::EventLoop& loop, ServiceShared& shared);

    std::shared_ptr<net::ConnectionHandler> make_handler(net::TcpConnection& conn) override;
    void drained() override;

    // For connections.
    [[nodiscard]] ServiceShared& shared() { return shared_; }
    [[nodiscard]] net::EventLoop& loop() { return loop_; }
    // The loop's transcript buffer, or null with -q.
    [[nodiscard]] std::string* transcript() {
        return transcript_ ? &transcript_->buffer() : nullptr;
    }
    // A store's answer for a message whose client has already gone.
    void report_orphan(const StoreResult& result, const std::string& summary);

  private:
    // The store's leftovers are removed after `delay`, then every kHousekeepingInterval.
    void schedule_housekeeping(net::EventLoop::Clock::duration delay);

    net::EventLoop& loop_;
    ServiceShared& shared_;
    std::unique_ptr<net::LoopOutput> transcript_;
};

}  // namespace mail
