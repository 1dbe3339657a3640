// AiosmtpdServer: aiosmtpd (Debian's python3-aiosmtpd), a third-party SMTP server, run by
// aiosmtpd_server.py on an ephemeral loopback port with STARTTLS (or implicit TLS) and AUTH when
// asked, storing every message it accepts with its envelope; and parse_email(), python's email
// module's reading of a stored message, so what a client sends is judged by readers it did not
// write.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certificate.hpp"

namespace net::test {

// Why `python` cannot run aiosmtpd here ("cannot import aiosmtpd: ..."), or nullopt when it can.
std::optional<std::string> aiosmtpd_unavailable(const std::string& python);

struct AiosmtpdOptions {
    std::string host = "127.0.0.1";  // "::1" for IPv6
    // Offer STARTTLS with this certificate (or, with implicit_tls, TLS from the first byte).
    std::optional<TestCertificate> certificate{};
    bool implicit_tls = false;
    // With a user, AUTH PLAIN/LOGIN is offered (over TLS only) and this one pair accepted.
    std::optional<std::pair<std::string, std::string>> credentials{};
};

// One message aiosmtpd accepted, as aiosmtpd_server.py stored it.
struct AiosmtpdMessage {
    std::filesystem::path file;
    std::string mail_from;                  // the MAIL FROM address, without <>
    std::vector<std::string> mail_options;  // its parameters: "BODY=8BITMIME", "SIZE=123"
    std::vector<std::string> rcpt_tos;      // every accepted RCPT TO address, in order
    std::string helo;                       // the EHLO/HELO argument
    std::string tls;                        // "TLSv1.3" or "none"
    std::string sni;                        // the TLS server name the client sent, or "none"
    std::string auth;                       // the authenticated user or "none"
    std::string content;                    // the message after DATA, CRLF line ends

    [[nodiscard]] bool has_mail_option(std::string_view option) const;
};

// aiosmtpd_server.py serving in a process group of its own. Neither copyable nor movable
// (construct it where it is used); the destructor stops it (SIGTERM to the group, then SIGKILL),
// bounded. Not thread-safe.
class AiosmtpdServer {
  public:
    // Starts `python` (one that can import aiosmtpd) and waits for the line announcing the port.
    // Throws std::runtime_error with the server's log when it announces nothing usable.
    AiosmtpdServer(const std::string& python, AiosmtpdOptions options,
                   Clock::duration startup_timeout = seconds(30));
    AiosmtpdServer(const AiosmtpdServer&) = delete;
    AiosmtpdServer& operator=(const AiosmtpdServer&) = delete;
    ~AiosmtpdServer();

    [[nodiscard]] const std::string& host() const { return host_; }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    // "127.0.0.1:41234" or "[::1]:41234", for a client's --server.
    [[nodiscard]] std::string endpoint() const;
    // Where the messages go.
    [[nodiscard]] const std::filesystem::path& store() const { return store_; }

    // Every message stored so far (only complete files: each is written, then renamed), in the
    // order received. A message is stored before aiosmtpd answers 250 to its final dot, so once a
    // client has exited after that 250 its message is here.
    [[nodiscard]] std::vector<AiosmtpdMessage> messages() const;
    // What aiosmtpd wrote to stderr (tracebacks, warnings).
    [[nodiscard]] std::string log() const;

    // SIGTERM to the process group and a wait for the exit, then SIGKILL when it has not ended by
    // `timeout`. Returns how it ended. Safe to call more than once.
    ExitStatus stop(Clock::duration timeout = seconds(10));

  private:
    TempDir dir_;  // before process_: the server is gone before its files are removed
    std::filesystem::path store_;
    std::filesystem::path log_path_;
    std::optional<Process> process_;
    std::string host_;
    std::uint16_t port_ = 0;
};

// A message as python's email module (policy=default) reads it.
struct ParsedEmail {
    struct Part {
        std::string content_type;  // "text/plain"
        std::string filename;      // "" when none
        std::string payload;       // transfer-decoded bytes
    };
    std::vector<std::pair<std::string, std::string>> headers;  // RFC 2047 words decoded
    std::vector<Part> parts;                                   // the leaf parts, in order

    // The first header called `name` (case-insensitively), or nullopt.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
};

// Parses the message in `file`: an RFC 5322 message (a Maildir file, an smtp-sink dump) or one
// AiosmtpdServer stored (its envelope lines skipped). Throws std::runtime_error, with python's
// stderr, when python fails.
ParsedEmail parse_email(const std::string& python, const std::filesystem::path& file);

}  // namespace net::test

// Declares `const std::string var` holding the path of a python3 that can import aiosmtpd (the
// system one: net::test::system_python3()), or skips the test naming the Debian package.
#define TOPDOWN_REQUIRE_AIOSMTPD(var)                                                          \
    const std::string var = ::net::test::system_python3();                                     \
    if (const auto why = ::net::test::aiosmtpd_unavailable(var)) {                             \
        GTEST_SKIP() << "needs python3-aiosmtpd (apt-get install python3-aiosmtpd): " << *why; \
    }
