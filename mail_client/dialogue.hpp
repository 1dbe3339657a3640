// The client's side of one SMTP transaction (RFC 5321 3.3, 4.3.2; RFC 3207 STARTTLS; RFC 4954
// AUTH) as a pure state machine: replies in, commands and decisions out. It never touches a
// socket: converse() (conversation.cpp) moves the bytes, starts TLS when told, and stops when the
// dialogue is done.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mail_client/smtp_wire.hpp"

namespace mail_client {

enum class TlsMode { kAuto, kStartTls, kImplicit, kNone };
enum class AuthChoice { kAuto, kPlain, kLogin };

struct Credentials {
    std::string user;
    std::string password;
};

struct DialogueOptions {
    std::string helo;                        // our name for EHLO/HELO
    TlsMode tls = TlsMode::kAuto;            // kImplicit: TLS is already running
    bool tls_available = true;               // the build has TLS
    std::optional<Credentials> credentials;  // AUTH when given
    AuthChoice auth = AuthChoice::kAuto;
    std::string from;                     // envelope sender (MAIL FROM)
    std::vector<std::string> recipients;  // envelope recipients, in order (RCPT TO each)
    // The message, asked for once the server's extensions are known: `eight_bit` is true when
    // the server offers 8BITMIME. Returns the message with CRLF line ends, not dot-stuffed.
    std::function<std::string(bool eight_bit)> message;
};

// How the dialogue ended, and what the program exits with (sysexits: see main.cpp).
struct Outcome {
    int exit_code = 0;
    std::string error;  // what failed, with the server's reply; empty on success
    std::size_t accepted = 0;
    std::vector<std::pair<std::string, std::string>> refused;  // recipient, reply summary
    std::string final_reply;                                   // the reply after the message
};

// What the program must do next.
struct Action {
    enum class Kind {
        kSend,      // send `bytes`; the transcript shows `shown` (secrets redacted)
        kStartTls,  // run the TLS handshake now, then call tls_started()
        kClose,     // done: close the connection (outcome() is final)
    };
    Kind kind;
    std::string bytes;
    std::string shown;
};

class Dialogue {
  public:
    explicit Dialogue(DialogueOptions options);

    // Each reply from the server, in order (the greeting first).
    std::vector<Action> on_reply(const Reply& reply);
    // The TLS handshake after STARTTLS succeeded: the session starts again with EHLO.
    std::vector<Action> tls_started();
    // The connection broke (closed, reset, timed out): `what` says how.
    void connection_lost(const std::string& what);
    // A TLS handshake or verification failed.
    void tls_failed(const std::string& what);
    // The server sent something that is not a reply.
    void protocol_broken(const std::string& what);

    [[nodiscard]] bool done() const { return state_ == State::kDone; }
    [[nodiscard]] const Outcome& outcome() const { return outcome_; }
    // "the reply to MAIL FROM", for error messages about timeouts and closed connections.
    [[nodiscard]] std::string waiting_for() const;

  private:
    enum class State {
        kGreeting,
        kEhlo,
        kHelo,
        kStartTls,
        kAuthPlain,
        kAuthLogin,          // AUTH LOGIN sent
        kAuthLoginUser,      // user name sent
        kAuthLoginPassword,  // password sent
        kMail,
        kRcpt,
        kData,
        kMessage,
        kQuit,
        kDone,
    };

    std::vector<Action> greeted(const Reply& reply);
    std::vector<Action> ehlo_answered(const Reply& reply);
    std::vector<Action> helo_answered(const Reply& reply);
    std::vector<Action> starttls_answered(const Reply& reply);
    std::vector<Action> auth_answered(const Reply& reply);
    std::vector<Action> mail_answered(const Reply& reply);
    std::vector<Action> rcpt_answered(const Reply& reply);
    std::vector<Action> data_answered(const Reply& reply);
    std::vector<Action> message_answered(const Reply& reply);

    // After EHLO/HELO: STARTTLS, AUTH or MAIL, whichever comes next.
    std::vector<Action> after_hello();
    std::vector<Action> send_auth();
    std::vector<Action> send_mail();
    std::vector<Action> send_command(State next, const std::string& line);
    // Ends with `exit_code`; QUIT first when the server still listens.
    std::vector<Action> fail(int exit_code, const std::string& what, bool quit = true);
    std::vector<Action> fail_on_reply(const std::string& step, const Reply& reply,
                                      int permanent_exit);
    std::vector<Action> quit();

    DialogueOptions options_;
    State state_ = State::kGreeting;
    Extensions extensions_;
    bool tls_active_ = false;
    bool authenticated_ = false;
    std::string wire_message_;  // dot-stuffed, ending in CRLF.CRLF
    std::size_t next_recipient_ = 0;
    Outcome outcome_;
};

}  // namespace mail_client
