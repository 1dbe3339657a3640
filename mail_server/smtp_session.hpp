// Session: one SMTP server dialogue (RFC 5321, with PIPELINING, SIZE, 8BITMIME, SMTPUTF8,
// ENHANCEDSTATUSCODES, STARTTLS and AUTH) as a pure state machine. Bytes from the client go in;
// replies, transcript lines and the message's data come out through SessionEvents. No sockets,
// no files, no clock: the transport and the store do those, and the tests fake them. The time
// is passed in (receive(), tick()); the session says when it next needs it (deadline()).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "auth_failures.hpp"
#include "common/buffer.hpp"
#include "common/min_rate.hpp"
#include "smtp_command.hpp"

namespace mail {

// RFC 5321 4.5.3.1 limits, each with the reply it triggers.
constexpr std::size_t kMaxCommandLine = 512;         // 4.5.3.1.4, CRLF included -> 500 5.5.2
constexpr std::size_t kMailParameterAllowance = 50;  // SIZE (RFC 1870 +26), BODY, SMTPUTF8
constexpr std::size_t kMaxAuthLine = 12288;          // RFC 4954 4 -> 500 5.5.6
constexpr std::size_t kMaxTextLine = 1000;           // 4.5.3.1.6, CRLF included -> 500 after "."
constexpr std::size_t kMaxErrors = 20;               // then 421 and close, like Postfix's smtpd
constexpr std::uint64_t kDefaultMaxMessageBytes = 25 * 1024 * 1024;  // SIZE; over -> 552
constexpr std::size_t kDefaultMaxRecipients = 100;                   // over -> 452 (4.5.3.1.8)
// A refused message (too big, a line too long, a lone dot next to a bare CR or LF) is read on and
// dropped to its final dot, so the client gets the reply in step; but DATA is never read beyond
// the largest message accepted plus this much -> the reply, 421 and close.
constexpr std::uint64_t kMaxDataAfterRefusal = 4 * 1024 * 1024;

// mail_server's minimum data rates (--command-time, --data-time, --min-rate): Apache
// mod_reqtimeout's model (common/min_rate.hpp). A command line has kDefaultCommandTime from its
// first byte, a message's DATA kDefaultDataTime from the 354, and each kDefaultMinRate bytes
// received earn one second more -> 421 4.4.2 and close. The idle timeout (--timeout) is apart.
constexpr std::chrono::milliseconds kDefaultCommandTime{60'000};
constexpr std::chrono::milliseconds kDefaultDataTime{60'000};
constexpr std::uint64_t kDefaultMinRate = 500;

struct Credentials {
    std::string user;
    std::string password;
};

// What the server was told on its command line; shared by every session.
struct SessionConfig {
    std::string hostname = "localhost";  // in the greeting, EHLO and Received
    std::uint64_t max_message_bytes = kDefaultMaxMessageBytes;
    std::size_t max_recipients = kDefaultMaxRecipients;
    std::vector<std::string> domains;      // recipient domains accepted; empty: all
    bool starttls = false;                 // a certificate is loaded: STARTTLS is offered
    std::vector<Credentials> credentials;  // non-empty: AUTH is offered and required for MAIL
    bool allow_insecure_auth = false;      // AUTH offered before TLS too
    bool transcript_data = false;          // every message line goes to the transcript (-v)
    std::time_t (*clock)() = nullptr;      // the Received date; null: std::time

    // Time limits; the defaults here are "none" (mail_server sets its own, above).
    net::MinRate command_rate{};  // one command line from its first byte; a TLS handshake
    net::MinRate data_rate{};     // DATA, from the 354 to the final dot
    // The wait before a failed AUTH is answered, doubling with each failure (auth_delay());
    // 0: none.
    std::chrono::milliseconds auth_delay{0};
    // Failures per client address across connections and loops (the delay grows with them, and
    // AUTH is refused at the cap); null: each connection counts its own, with no cap.
    AuthFailures* auth_failures = nullptr;
};

// Who is connected; from the transport.
struct ClientInfo {
    std::uint64_t number = 0;  // the session number printed as [3]
    std::string address;       // "127.0.0.1" or "::1"
    std::string id_prefix;     // unique per server run: message ids are <prefix>-<n>-<m>
};

struct Envelope {
    std::string reverse_path;  // "" for the null path
    std::vector<std::string> recipients;
    BodyType body = BodyType::k7Bit;
    bool smtputf8 = false;
};

// A message just received in full, for the store and the transcript's summary.
struct MessageInfo {
    std::string_view id;
    const Envelope& envelope;
    std::uint64_t size;        // octets of content as received (CRLF, unstuffed, no trace headers)
    std::string_view subject;  // the first Subject header's value, unfolded; may be empty
};

enum class Direction { kClient, kServer };

// What a session asks of its transport. Every call comes from inside a Session method.
class SessionEvents {
  public:
    virtual ~SessionEvents() = default;
    // One or more complete reply lines (CRLF included). May be batched before writing.
    virtual void send(std::string_view replies) = 0;
    // A line to print, without CRLF; AUTH secrets already replaced.
    virtual void transcript(Direction direction, std::string_view line) = 0;
    // A message starts (after 354): its trace headers come first through message_data().
    virtual void begin_message(const Envelope& envelope, std::string_view id) = 0;
    // Whole lines of content, CRLF-terminated, dot-unstuffed.
    virtual void message_data(std::string_view lines) = 0;
    // The message is complete: store it durably, then call Session::message_stored().
    virtual void end_message(const MessageInfo& info) = 0;
    // The message will not be stored (too big, a line too long, the client went away).
    virtual void discard_message() = 0;
    // "220 Ready to start TLS" was sent: plaintext already received must be discarded, and the
    // next bytes are a TLS handshake. Call Session::tls_started() once it completes.
    virtual void start_tls() = 0;
    // Close the connection once the replies sent so far are written.
    virtual void close() = 0;
};

struct StoreResult {
    bool stored = false;
    std::string location;  // where it went ("new/1764...", "mbox"), for the transcript
    std::string error;     // for the log when !stored; never sent to the client
};

// Not thread-safe: one session belongs to one connection on one loop.
class Session {
  public:
    enum class State {
        kConnected,       // greeting sent; HELO/EHLO expected
        kGreeted,         // no transaction
        kHaveSender,      // MAIL accepted
        kHaveRecipients,  // at least one RCPT accepted
        kReceivingData,   // after 354, until <CRLF>.<CRLF>
        kStoring,         // waiting for message_stored(); input waits
        kAuthenticating,  // a 334 challenge was sent; the next line is a SASL response
        kAuthWait,        // a failed AUTH: its 535 is held back until tick(); input waits
        kStartingTls,     // 220 to STARTTLS sent; waiting for tls_started()
        kClosed,          // 221 or 421 sent
    };

    using Clock = std::chrono::steady_clock;

    Session(const SessionConfig& config, ClientInfo client, SessionEvents& events);

    // Sends the 220 greeting.
    void start();
    // Handles every complete line in `input` (consuming what it handled) until it needs more
    // bytes, waits for the store, TLS or an AUTH delay, or closes. `now` times the phases
    // (SessionConfig's rates) and the AUTH delay; pass the same buffer every time, with new
    // bytes appended, so the session can tell what is new.
    void receive(net::Buffer& input, Clock::time_point now = {});
    // When tick() has something to do: the end of the current phase's time (a command line,
    // DATA, a TLS handshake) or of an AUTH delay; Clock::time_point::max() when nothing is due.
    [[nodiscard]] Clock::time_point deadline() const;
    // Time has passed: a held-back AUTH answer goes out once its delay is over (call receive()
    // afterwards for input that waited), and a phase that ran out of time ends the session
    // (421 4.4.2, close). Returns true when it ended the session.
    bool tick(Clock::time_point now);
    // The store's answer for the message end_message() handed over: 250 or 451. Call
    // receive() afterwards for commands that arrived meanwhile.
    void message_stored(const StoreResult& result);
    // The TLS handshake after STARTTLS completed; `description` goes into Received.
    void tls_started(std::string description);
    // The idle timeout passed: 421 and close (false while a message is being stored: the
    // delay is ours, and the 250 must still go out).
    bool timed_out();
    // The server is stopping: 421 and close, or once the message being stored is answered.
    void shut_down();
    // The client closed its side: a message in progress is dropped.
    void peer_closed();

    [[nodiscard]] State state() const { return state_; }
    [[nodiscard]] bool tls_active() const { return tls_active_; }
    [[nodiscard]] bool authenticated() const { return !authenticated_user_.empty(); }
    [[nodiscard]] std::uint64_t messages_stored() const { return messages_stored_; }

  private:
    enum class AuthStep { kPlainResponse, kLoginUser, kLoginPassword };
    // What the current phase's time limit applies to (none while the server is the one busy).
    enum class Phase { kNone, kCommand, kData, kTls };

    // Commands, one handler per verb (RFC 5321 4.1.1).
    void handle_line(std::string_view line);
    void handle_command(const Command& command);
    void handle_helo(const Command& command, bool extended);
    void handle_mail(const Command& command);
    void handle_rcpt(const Command& command);
    void handle_data(const Command& command);
    void handle_rset(const Command& command);
    void handle_vrfy(const Command& command);
    void handle_help();
    void handle_quit();
    void handle_starttls(const Command& command);
    void handle_auth(const Command& command);
    void handle_auth_response(std::string_view line);
    void finish_auth(std::string_view user, std::string_view password);
    void auth_failed();  // 535, after the delay the failures so far call for

    // The message content (RFC 5321 4.5.2 transparency, 4.1.1.4 end of data).
    void receive_data(net::Buffer& input);
    void deliver(std::string_view lines);
    void note_header_line(std::string_view line);
    void finish_data();
    void abandon_message();                          // discard_message(), once
    [[nodiscard]] std::string_view refusal() const;  // the reply to a refused message, or ""

    // receive() without the time keeping: the command lines and DATA in `input`.
    void handle_input(net::Buffer& input);

    // The phases' time limits.
    void start_phase(Phase phase, net::MinRate rule, std::size_t bytes);
    void end_phase() { phase_ = Phase::kNone; }
    void track_phase(const net::Buffer& input);

    // Reads one command line from `input`; false when it needs more bytes.
    bool take_command_line(net::Buffer& input, std::string& line);
    void refuse_long_line();  // 500, and the end of an AUTH exchange
    [[nodiscard]] std::size_t line_limit(std::string_view line) const;

    void reply(std::string_view text);        // one line, without CRLF
    void reply_error(std::string_view text);  // counts toward kMaxErrors
    void reset_transaction();
    void close_with(std::string_view text);
    [[nodiscard]] std::string ehlo_keywords() const;
    [[nodiscard]] bool auth_offered() const;
    [[nodiscard]] bool accepts_domain(std::string_view mailbox) const;
    [[nodiscard]] std::string trace_headers() const;

    const SessionConfig& config_;
    ClientInfo client_;
    SessionEvents& events_;
    State state_ = State::kConnected;

    std::string helo_;       // the name the client gave
    bool extended_ = false;  // EHLO (not HELO): ESMTP in Received, parameters allowed
    bool tls_active_ = false;
    std::string tls_description_;
    std::string authenticated_user_;
    AuthStep auth_step_ = AuthStep::kPlainResponse;
    std::string login_user_;  // AUTH LOGIN's first answer
    std::size_t errors_ = 0;
    bool discarding_line_ = false;  // inside a command line over the limit
    bool closing_after_store_ = false;
    std::size_t auth_failures_ = 0;    // on this connection
    Clock::time_point auth_wait_end_;  // kAuthWait: when the 535 goes out

    // Time: the current phase and its deadline, and what of the input was already counted.
    Clock::time_point now_{};
    Phase phase_ = Phase::kNone;
    net::RateDeadline phase_time_;
    bool phase_started_ = false;     // a phase began while handling a line: count what follows
    std::size_t input_counted_ = 0;  // bytes left in the input at the end of the last receive()
    std::size_t dropped_ = 0;        // bytes of an over-long command line dropped in this call

    // The transaction.
    Envelope envelope_;
    std::uint64_t transactions_ = 0;
    std::string message_id_;
    std::uint64_t message_bytes_ = 0;
    bool message_too_big_ = false;
    bool line_too_long_ = false;
    bool smuggling_ = false;       // a lone dot next to a bare CR or LF
    bool abandoned_ = false;       // discard_message() was called for this message
    bool at_line_start_ = true;    // the next data byte starts a line
    bool bare_line_end_ = false;   // the last data line ended in a bare CR or LF
    std::size_t line_length_ = 0;  // bytes of the current data line seen so far
    std::uint64_t data_read_ = 0;  // bytes of DATA consumed, as sent
    std::string normalised_;       // a line whose bare CR or LF became CRLF
    bool in_headers_ = true;
    bool in_subject_ = false;
    std::string subject_;
    std::uint64_t messages_stored_ = 0;
};

}  // namespace mail
