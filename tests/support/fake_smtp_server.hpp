// FakeSmtpServer: a scripted SMTP server on loopback for testing mail_client: it answers the
// commands its script expects with the script's replies (refusals, broken replies, silence, a
// closed connection, a slow reader), reads the message after DATA's 354, and records every
// line it received.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/scripted_tcp_server.hpp"

namespace net::test {

// One step of the script: wait for a line that starts with `command` (case-insensitively; ""
// waits for nothing, as for the greeting), send `reply` (each line followed by CRLF, all in one
// write), then do `then`.
//
// Besides what `then` says, the server behaves as a real one would: after a reply whose first
// line starts "354" to DATA it reads a message (its final "." line is the next line the script
// sees), and after a reply starting "221" or "421" it closes the connection (RFC 5321 4.2.2, 3.8).
struct SmtpStep {
    enum class Then {
        kGoOn,    // on to the next step
        kClose,   // close the connection (an RST when the client's bytes lie unread)
        kStall,   // answer nothing more; read (and record) until the client closes
        kHang,    // read nothing more, answer nothing: the client's writes fill the socket
                  // buffers and block; ends when the client closes first (before it fills
                  // them), or at release()
        kNotTls,  // wait for the client's next bytes (its TLS ClientHello), answer them with a
                  // line of plain text, and close: a TLS handshake with a server that has none
    };

    std::string command;
    std::vector<std::string> reply;
    Then then = Then::kGoOn;
    // When not 0 and `reply` is DATA's 354: the message is read at about this many bytes a
    // second, through a small receive buffer (a slow link, a server busy writing to disk).
    std::size_t read_rate = 0;
};

// The greeting: a step that waits for nothing.
inline SmtpStep greeting(std::vector<std::string> reply,
                         SmtpStep::Then then = SmtpStep::Then::kGoOn) {
    return {"", std::move(reply), then};
}

// What one connection saw.
struct SmtpSession {
    // Every line received outside a message, without its CRLF, in order; a message's final
    // "." is one of them.
    std::vector<std::string> commands;
    // Each message: the bytes after a 354 reply up to and including the final ".\r\n", exactly
    // as received (still dot-stuffed).
    std::vector<std::string> messages;
    // What went against the script: a line the script did not expect (the server then answers
    // 503 and closes), a line after the script ended (answered 500), a message cut short.
    std::vector<std::string> problems;
    // Every step of the script ran.
    bool script_done = false;

    // Whether some command starts with `prefix` (case-insensitively).
    [[nodiscard]] bool received(std::string_view prefix) const { return count(prefix) > 0; }
    // How many commands start with `prefix` (case-insensitively).
    [[nodiscard]] std::size_t count(std::string_view prefix) const;
    // The first command that starts with `prefix`, or "".
    [[nodiscard]] std::string find(std::string_view prefix) const;
    // The commands and problems, one a line, for failure messages.
    [[nodiscard]] std::string describe() const;
};

// Accepts connections on host (127.0.0.1 or ::1), port 0, and plays the whole script on each,
// one at a time, on the ScriptedTcpServer's thread. RSET and NOOP, where the script does not
// expect them, are answered 250 and recorded, so a client may send them anywhere. Every wait
// is bounded by `session_limit` from the accept. Thread-safe.
class FakeSmtpServer {
  public:
    explicit FakeSmtpServer(std::vector<SmtpStep> script, const std::string& host = "127.0.0.1",
                            Clock::duration session_limit = seconds(30));
    FakeSmtpServer(const FakeSmtpServer&) = delete;
    FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;
    // release(), then stops accepting.
    ~FakeSmtpServer();

    // Ends the session that hangs (Then::kHang), and any later one at once.
    void release();

    [[nodiscard]] std::uint16_t port() const { return server_.port(); }
    // "127.0.0.1:41234" or "[::1]:41234", for --server.
    [[nodiscard]] std::string endpoint() const;

    // Waits until the first connection has ended and returns what it saw; nullopt when none
    // ended before the deadline.
    std::optional<SmtpSession> first_session(const Deadline& deadline) const;
    // Connections ended so far.
    [[nodiscard]] std::size_t sessions() const;

  private:
    void serve(Fd connection);

    const std::vector<SmtpStep> script_;
    const std::string host_;
    const Clock::duration session_limit_;
    mutable std::mutex mutex_;
    mutable std::condition_variable ended_;
    struct Pipe {
        Fd read;
        Fd write;
    };
    static Pipe make_pipe();
    Pipe release_;  // readable after release(): a kHang session ends
    std::vector<SmtpSession> sessions_;
    ScriptedTcpServer server_;  // last: its thread starts once everything above exists
};

}  // namespace net::test
