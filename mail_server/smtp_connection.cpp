// The transport of one session: socket bytes in, TLS when asked, replies out in one write per
// batch, messages handed to the store and their 250 sent only once the store says so.
#include "smtp_connection.hpp"

#include "smtp_service.hpp"

namespace mail {
namespace {

constexpr std::size_t kMaxBufferedInput = 64 * 1024;  // while a message is stored -> pause

// The transcript shows what a client sent; control bytes are shown as '?' so nothing it sends
// can drive the terminal.
void append_printable(std::string& out, std::string_view text) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 32 && c != '\t') || u == 127 ? '?' : c;
    }
}

// "message 6925..-3-1, 4321 bytes, from <a@b> to <c@d>, Subject: Hello"
std::string summarise(const MessageInfo& info) {
    std::string text = "message ";
    text += info.id;
    text += ", ";
    text += std::to_string(info.size);
    text += " bytes, from <";
    text += info.envelope.reverse_path;
    text += "> to ";
    for (std::size_t i = 0; i < info.envelope.recipients.size(); ++i) {
        if (i > 0) text += ", ";
        text += '<';
        text += info.envelope.recipients[i];
        text += '>';
    }
    text += ", Subject: ";
    text += info.subject.empty() ? "(none)" : info.subject;
    return text;
}

}  // namespace

SmtpConnection::SmtpConnection(SmtpService& service, net::TcpConnection& conn)
    : service_(service),
      conn_(conn),
      number_(++service.shared().sessions),
      session_(service.shared().session,
               ClientInfo{.number = number_,
                          .address = conn.peer().host(),
                          .id_prefix = service.shared().id_prefix},
               *this) {}

void SmtpConnection::on_open(net::TcpConnection&) {
    print("connected from " + conn_.peer().to_string());
    session_.start();
    flush_output();
}

void SmtpConnection::on_data(net::TcpConnection&) {
    process_input();
}

void SmtpConnection::process_input() {
    if (closing_) {
        conn_.input().consume_all();
        return;
    }
    net::Buffer* input = &conn_.input();
    if (tls_) {
        if (!decrypt_input()) return;
        input = &plain_;
    }
    session_.receive(*input, conn_.loop().now());
    flush_output();
    if (tls_requested_ && !tls_) {
        // The 220 went out in plaintext just now; from here on every byte is TLS.
        tls_.emplace(*service_.shared().tls);
    }
    update_reading();
    arm_timer();
}

void SmtpConnection::arm_timer() {
    if (conn_.closed() || closing_) return;
    const auto when = session_.deadline();
    if (when == net::EventLoop::Clock::time_point::max()) return;
    if (timer_ != 0) {
        if (timer_at_ <= when) return;
        conn_.loop().cancel(timer_);
    }
    timer_at_ = when;
    timer_ = conn_.loop().run_at(when, [weak = weak_from_this()] {
        if (const auto self = weak.lock()) self->on_timer();
    });
}

void SmtpConnection::on_timer() {
    timer_ = 0;
    if (conn_.closed() || closing_) return;
    if (session_.tick(conn_.loop().now())) {
        print("timed out: too slow");
        flush_output();
        return;
    }
    // A held-back AUTH answer may have gone out: commands that waited for it come next.
    process_input();
}

bool SmtpConnection::decrypt_input() {
    tls_->feed(conn_.input().view());
    conn_.input().consume_all();
    const auto status = tls_->pump(plain_);
    send_tls_records();
    if (status == net::tls::Status::kFailed) {
        print("TLS failed: " + tls_->error());
        conn_.close();
        return false;
    }
    if (!tls_reported_ && tls_->handshake_done()) {
        tls_reported_ = true;
        print("TLS started: " + tls_->description());
        session_.tls_started(tls_->description());
    }
    return true;
}

void SmtpConnection::send_tls_records() {
    net::Buffer records;
    tls_->take_output(records);
    if (!records.empty()) conn_.send(records.view());
}

void SmtpConnection::flush_output() {
    if (!output_.empty()) {
        if (tls_) {
            tls_->write(output_);
            send_tls_records();
        } else {
            conn_.send(output_);
        }
        output_.clear();
    }
    if (closing_ && !shut_down_ && !conn_.closed()) {
        // Like Postfix after 221: close once the last reply is out, not waiting for the
        // client's FIN (a client has nothing to say after QUIT).
        shut_down_ = true;
        if (tls_) {
            tls_->close();  // close_notify first
            send_tls_records();
        }
        conn_.close_after_write();
    }
}

void SmtpConnection::on_high_water(net::TcpConnection&) {
    update_reading();
}

void SmtpConnection::on_drained(net::TcpConnection&) {
    update_reading();
}

void SmtpConnection::update_reading() {
    if (conn_.closed()) return;
    const bool storing = session_.state() == Session::State::kStoring ||
                         session_.state() == Session::State::kAuthWait;
    const bool input_full =
        conn_.input().readable_bytes() + plain_.readable_bytes() > kMaxBufferedInput;
    if ((storing && input_full) || conn_.above_high_water()) {
        conn_.pause_reading();
    } else {
        conn_.resume_reading();
    }
}

void SmtpConnection::on_peer_closed(net::TcpConnection&) {
    session_.peer_closed();
    if (session_.state() == Session::State::kStoring) return;  // the 250 first, then close
    closing_ = true;
    flush_output();
}

void SmtpConnection::on_idle(net::TcpConnection&) {
    if (!session_.timed_out()) {
        if (session_.state() == Session::State::kClosed) conn_.close();
        return;
    }
    print("timed out");
    flush_output();
}

void SmtpConnection::on_server_stopping(net::TcpConnection&) {
    session_.shut_down();
    flush_output();
}

void SmtpConnection::on_close(net::TcpConnection&) {
    if (timer_ != 0) conn_.loop().cancel(timer_);
    timer_ = 0;
    draft_.reset();  // a message still arriving is dropped
    print("disconnected");
}

// ---- SessionEvents --------------------------------------------------------------------------

void SmtpConnection::send(std::string_view replies) {
    output_ += replies;
}

void SmtpConnection::transcript(Direction direction, std::string_view line) {
    std::string* out = service_.transcript();
    if (out == nullptr) return;
    *out += '[';
    *out += std::to_string(number_);
    *out += direction == Direction::kClient ? "] C: " : "] S: ";
    append_printable(*out, line);
    *out += '\n';
}

void SmtpConnection::print(std::string_view text) {
    std::string* out = service_.transcript();
    if (out == nullptr) return;
    *out += '[';
    *out += std::to_string(number_);
    *out += "] ";
    append_printable(*out, text);
    *out += '\n';
}

void SmtpConnection::begin_message(const Envelope& envelope, std::string_view) {
    draft_ = service_.shared().store->begin(envelope);
}

void SmtpConnection::message_data(std::string_view lines) {
    if (draft_) draft_->append(lines);
}

void SmtpConnection::discard_message() {
    draft_.reset();
}

void SmtpConnection::end_message(const MessageInfo& info) {
    std::string summary = summarise(info);
    auto draft = std::move(draft_);
    // The answer comes on a storage thread; it is carried back to this loop. The connection
    // may be gone by then (the message is kept all the same), so only a weak reference goes.
    auto immediate =
        draft->commit([weak = weak_from_this(), service = &service_, summary](StoreResult result) {
            service->loop().post([weak, service, summary, result = std::move(result)] {
                if (const auto self = weak.lock()) {
                    self->message_stored(result, summary);
                } else {
                    service->report_orphan(result, summary);
                }
            });
        });
    if (immediate) {
        // Synchronous stores (--no-store) answer inside the session's own call.
        if (service_.transcript() != nullptr) print(summary);
        session_.message_stored(*immediate);
    }
}

void SmtpConnection::message_stored(const StoreResult& result, const std::string& summary) {
    if (result.stored) {
        print(summary + ", stored in " + result.location);
    } else {
        service_.shared().log->error("[" + std::to_string(number_) + "] " + summary +
                                     ": not stored: " + result.error);
    }
    session_.message_stored(result);
    process_input();  // commands that arrived meanwhile, even after the client's FIN
    if (conn_.peer_closed() && !closing_ && session_.state() != Session::State::kStoring) {
        session_.peer_closed();
        closing_ = true;
    }
    flush_output();
}

void SmtpConnection::start_tls() {
    tls_requested_ = true;
}

void SmtpConnection::close() {
    closing_ = true;
}

}  // namespace mail
