// SMTP on a raw socket for tests: send exactly the bytes a test wrote (malformed, pipelined, cut
// off in the middle of DATA), and read back replies, multi-line ones whole, with a deadline on
// every read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/socket_client.hpp"

namespace net::test {

// One reply (RFC 5321 4.2): every line of it, each without its CRLF.
struct SmtpReply {
    int code = 0;
    std::vector<std::string> lines;  // "250-mail.test", "250-PIPELINING", ..., "250 HELP"

    // The lines joined with "\n", for messages and prefix checks.
    [[nodiscard]] std::string text() const;
    // Whether the reply's text starts with `prefix` ("250 2.0.0 Ok").
    [[nodiscard]] bool starts_with(std::string_view prefix) const;
    // Whether one of its lines, after "NNN-" or "NNN ", is `keyword` or starts "keyword ".
    [[nodiscard]] bool has_keyword(std::string_view keyword) const;
};

// A client connection that keeps what it read beyond one reply for the next (pipelining).
// Move-only; not thread-safe.
class SmtpClient {
  public:
    // Connects; the greeting is not read (read_reply() reads it).
    static SmtpClient connect(const std::string& host, std::uint16_t port,
                              const Deadline& deadline);
    explicit SmtpClient(Fd fd) : fd_(std::move(fd)) {}

    [[nodiscard]] int fd() const { return fd_.get(); }
    Fd release() { return std::move(fd_); }

    // Sends every byte; throws std::runtime_error on timeout or error.
    void send(std::string_view bytes, const Deadline& deadline);
    // The next complete reply. Throws std::runtime_error, with what arrived, when the connection
    // ends, the deadline passes or a line is not a reply line.
    SmtpReply read_reply(const Deadline& deadline);
    // Sends `line` and CRLF, then reads the reply.
    SmtpReply command(std::string_view line, const Deadline& deadline);
    // Everything until the peer's FIN (or reset, error, deadline), bytes already buffered first.
    Received read_to_eof(const Deadline& deadline);

    // Bytes read but not yet returned.
    [[nodiscard]] const std::string& buffered() const { return buffer_; }

  private:
    Fd fd_;
    std::string buffer_;
};

// `message` (LF or CRLF line ends) as DATA content: CRLF line ends, a dot doubled at the start
// of a line (RFC 5321 4.5.2), a final CRLF added when missing, and "." CRLF to end it.
std::string smtp_data(std::string_view message);

// The id in "250 2.0.0 Ok: queued as ID", or "" when the reply does not name one.
std::string queued_id(const SmtpReply& reply);

// One transaction after EHLO: MAIL FROM:<from> (with `mail_parameters` appended), RCPT TO for
// each of `to`, DATA, the message. Returns the reply to the message, or the first reply that
// refused a step (a 4xx/5xx to MAIL, to every RCPT, or to DATA).
SmtpReply send_message(SmtpClient& client, std::string_view from,
                       const std::vector<std::string>& to, std::string_view message,
                       const Deadline& deadline, std::string_view mail_parameters = {});

}  // namespace net::test
