// SmtpConnection: the socket side of one SMTP session. It moves bytes between the TCP
// connection (through TLS after STARTTLS) and the pure Session, writes the transcript, and
// carries each message from the session to the store and the store's answer back.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/buffer.hpp"
#include "common/tcp_connection.hpp"
#include "common/tls.hpp"
#include "message_store.hpp"
#include "smtp_session.hpp"

namespace mail {

class SmtpService;

// The handler of one TcpConnection; lives on its loop's thread. Shared, so the store's answer
// can come back through a weak reference once the client may have gone.
class SmtpConnection final : public net::ConnectionHandler,
                             public SessionEvents,
                             public std::enable_shared_from_this<SmtpConnection> {
  public:
    SmtpConnection(SmtpService& service, net::TcpConnection& conn);

    // net::ConnectionHandler.
    void on_open(net::TcpConnection&) override;
    void on_data(net::TcpConnection&) override;
    void on_high_water(net::TcpConnection&) override;
    void on_drained(net::TcpConnection&) override;
    void on_peer_closed(net::TcpConnection&) override;
    void on_idle(net::TcpConnection&) override;
    void on_server_stopping(net::TcpConnection&) override;
    void on_close(net::TcpConnection&) override;

  private:
    // SessionEvents.
    void send(std::string_view replies) override;
    void transcript(Direction direction, std::string_view line) override;
    void begin_message(const Envelope& envelope, std::string_view id) override;
    void message_data(std::string_view lines) override;
    void end_message(const MessageInfo& info) override;
    void discard_message() override;
    void start_tls() override;
    void close() override;

    // Runs the session on what has arrived, then writes its replies.
    void process_input();
    // Decrypts what arrived into plain_; false when TLS failed (the connection is closed).
    bool decrypt_input();
    void flush_output();
    void send_tls_records();
    void message_stored(const StoreResult& result, const std::string& summary);
    void update_reading();
    // Keeps a loop timer at the session's deadline (moved only when it comes earlier: a timer
    // that fires early finds nothing due and is set again).
    void arm_timer();
    void on_timer();
    void print(std::string_view text);  // "[n] text\n" to the transcript

    SmtpService& service_;
    net::TcpConnection& conn_;
    std::uint64_t number_;
    Session session_;
    std::string output_;  // replies gathered while the session runs, written together
    std::optional<net::tls::Session> tls_;
    bool tls_reported_ = false;  // tls_started() was passed to the session
    bool tls_requested_ = false;
    net::Buffer plain_;  // decrypted input, with TLS
    std::unique_ptr<MessageDraft> draft_;
    std::string summary_;     // of the message being stored, for the transcript
    bool closing_ = false;    // the session ended: close after the last reply
    bool shut_down_ = false;  // that close (and TLS close_notify) was queued
    net::EventLoop::TimerId timer_ = 0;
    net::EventLoop::Clock::time_point timer_at_{};
};

}  // namespace mail
