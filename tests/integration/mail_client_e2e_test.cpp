// mail_client end to end against real SMTP servers on loopback: aiosmtpd (python3-aiosmtpd) with
// STARTTLS, implicit TLS and AUTH; Postfix's smtp-sink with its fault injection (every command
// refused with 4xx or 5xx, dropped, answered 421, a server that stalls); and our own mail_server,
// read back through python's mailbox. What arrives is judged by readers mail_client did not write
// (python's email module), and every exit status against the contract of sysexits codes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.hpp"
#include "common/base64.hpp"
#include "tests/support/aiosmtpd_server.hpp"
#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certificate.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

constexpr auto kClientRun = 60s;  // one mail_client run, TLS included; generous for sanitizers
constexpr std::string_view kClientTimeout = "20";  // its --timeout: each step on loopback
constexpr std::string_view kFrom = "alice@example.org";
constexpr std::string_view kHelo = "client.example";
constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "Tr0ub4dor&3-e2e";
constexpr std::string_view kPasswordVar = "MAIL_CLIENT_E2E_PASSWORD";

// ------------------------------------------------------------------------ running mail_client

// mail_client with `args`, `input` on stdin (a pipe, so "stdin is not a terminal"), and
// `password` in kPasswordVar.
Finished mail_client(std::vector<std::string> args, std::string_view input = {},
                     std::string_view password = kPassword) {
    ProcessOptions options;
    options.env = {{std::string(kPasswordVar), std::string(password)}};
    return run(bin_path("mail_client"), std::move(args), input, kClientRun, options);
}

// The options every run here shares, then `extra`.
std::vector<std::string> client_args(const std::string& endpoint,
                                     std::initializer_list<std::string> extra) {
    std::vector<std::string> args = {
        "--server", endpoint,           "--from",    std::string(kFrom),
        "--helo",   std::string(kHelo), "--timeout", std::string(kClientTimeout)};
    args.insert(args.end(), extra);
    return args;
}

void append(std::vector<std::string>& args, const std::vector<std::string>& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
}

std::vector<std::string> credentials() {
    return {"--user", std::string(kUser), "--password-env", std::string(kPasswordVar)};
}

// A run as a failing expectation shows it.
std::string shown(const Finished& run) {
    return run.status.describe() + "; stdout: [" + run.out + "]; stderr: [" + run.err + "]";
}

// The line the spec prints on success (without -q).
std::string accepted_line(int accepted, int recipients, std::string_view final_reply) {
    return "accepted for " + std::to_string(accepted) + " of " + std::to_string(recipients) +
           " recipients: " + std::string(final_reply) + "\n";
}

bool has_line_starting(std::string_view text, std::string_view prefix) {
    const auto lines = split_lines(text);
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& line) { return line.starts_with(prefix); });
}

std::size_t count_lines(std::string_view text, std::string_view exact) {
    const auto lines = split_lines(text);
    return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), exact));
}

// Neither the password nor any base64 form of it a SASL exchange would carry (PLAIN with and
// without an authorization identity, LOGIN's answer) shows up anywhere mail_client wrote.
void expect_no_secret(const Finished& run) {
    const std::string password(kPassword);
    const std::string user(kUser);
    for (const std::string& secret :
         {password, base64_encode(password), base64_encode("\0"s + user + "\0"s + password),
          base64_encode(user + "\0"s + user + "\0"s + password)}) {
        EXPECT_FALSE(contains(run.out, secret)) << secret << " in stdout: " << run.out;
        EXPECT_FALSE(contains(run.err, secret)) << secret << " in stderr: " << run.err;
    }
}

// Whether `text` has lines and every one starts "mail_client: ", as the spec's errors do.
bool all_lines_are_errors(std::string_view text) {
    const auto lines = split_lines(text);
    return !lines.empty() && std::all_of(lines.begin(), lines.end(), [](const std::string& line) {
        return line.starts_with("mail_client: ");
    });
}

// A failure as the spec words it: an exit status, nothing on stdout, and stderr whose every
// line starts "mail_client: " (no transcript without -v).
void expect_failure(const Finished& run, int code) {
    EXPECT_EQ(run.status, ExitStatus::exit_code(code)) << shown(run);
    EXPECT_EQ(run.out, "") << shown(run);
    EXPECT_TRUE(all_lines_are_errors(run.err)) << shown(run);
}

// ------------------------------------------------------------------------ aiosmtpd

// aiosmtpd with STARTTLS for a certificate made now, and AUTH for kUser/kPassword.
class MailClientAiosmtpd : public ::testing::Test {
  protected:
    void SetUp() override {
        TOPDOWN_REQUIRE_AIOSMTPD(python);
        python_ = python;
        try {
            certificate_ = make_test_certificate(dir_.path(), "localhost");
        } catch (const std::exception& e) {
            GTEST_SKIP() << "no test certificate (a build without OpenSSL, libssl-dev): "
                         << e.what();
        }
    }

    struct Setup {
        bool tls = true;
        bool implicit_tls = false;
        bool auth = true;
        const TestCertificate* certificate = nullptr;  // another than certificate_
    };
    AiosmtpdServer& start(Setup setup) {
        AiosmtpdOptions options;
        if (setup.tls) options.certificate = setup.certificate ? *setup.certificate : certificate_;
        options.implicit_tls = setup.implicit_tls;
        if (setup.auth) options.credentials = {{std::string(kUser), std::string(kPassword)}};
        server_.emplace(python_, options);
        return *server_;
    }
    AiosmtpdServer& start() { return start(Setup{}); }

    [[nodiscard]] std::string cafile() const { return certificate_.cert_file.string(); }

    // The one message stored; fails the test (and returns nullopt) unless there is exactly one.
    std::optional<AiosmtpdMessage> only_message() {
        auto messages = server_->messages();
        EXPECT_EQ(messages.size(), 1u) << "aiosmtpd's log: " << server_->log();
        if (messages.size() != 1) return std::nullopt;
        return std::move(messages.front());
    }

    TempDir dir_;
    std::string python_;
    TestCertificate certificate_;
    std::optional<AiosmtpdServer> server_;  // declared last: stopped before the rest goes
};

TEST_F(MailClientAiosmtpd, StartTlsAuthDeliversTheEnvelopeAndTheMessage) {
    AiosmtpdServer& server = start();
    auto args = client_args(
        server.endpoint(),
        {"--tls", "starttls", "--cafile", cafile(), "--to", "bob@example.org", "--to",
         "carol@example.org", "--cc", "dave@example.org", "--bcc", "eve@example.org", "--subject",
         "Quarterly report", "--body", "Hello Bob,\nthe numbers are in.\n"});
    append(args, credentials());
    const Finished sent = mail_client(args);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();
    EXPECT_EQ(sent.out, accepted_line(4, 4, "250 2.0.0 Ok: stored as 0001.msg"));
    EXPECT_EQ(sent.err, "");

    const auto message = only_message();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->mail_from, kFrom);
    EXPECT_EQ(message->rcpt_tos, (std::vector<std::string>{"bob@example.org", "carol@example.org",
                                                           "dave@example.org", "eve@example.org"}));
    EXPECT_EQ(message->helo, kHelo);
    EXPECT_TRUE(message->tls.starts_with("TLSv1.")) << message->tls;
    EXPECT_EQ(message->auth, kUser);

    const ParsedEmail email = parse_email(python_, message->file);
    EXPECT_TRUE(contains(email.header("From").value_or(""), "alice@example.org"));
    const std::string to = email.header("To").value_or("");
    EXPECT_TRUE(contains(to, "bob@example.org") && contains(to, "carol@example.org")) << to;
    EXPECT_TRUE(contains(email.header("Cc").value_or(""), "dave@example.org"));
    EXPECT_EQ(email.count("Bcc"), 0u);
    EXPECT_FALSE(contains(message->content, "eve@example.org")) << message->content;
    EXPECT_EQ(email.header("Subject"), "Quarterly report");
    for (const char* once : {"Date", "From", "To", "Cc", "Subject", "Message-ID"}) {
        EXPECT_EQ(email.count(once), 1u) << once << " in " << message->content;
    }
    ASSERT_EQ(email.parts.size(), 1u);
    EXPECT_EQ(email.parts[0].content_type, "text/plain");
    EXPECT_EQ(unix_lines(email.parts[0].payload), "Hello Bob,\nthe numbers are in.\n");
    // The wire's line ends: every line of the message ends CRLF.
    EXPECT_EQ(crlf_lines(message->content), message->content);
}

TEST_F(MailClientAiosmtpd, VerboseTranscriptShowsTlsAndNeverThePassword) {
    AiosmtpdServer& server = start();
    for (const char* mechanism : {"plain", "login"}) {
        SCOPED_TRACE(mechanism);
        auto args = client_args(
            server.endpoint(),
            {"-v", "--tls", "starttls", "--cafile", cafile(), "--auth", mechanism, "--to",
             "bob@example.org", "--subject", "transcript", "--body", "a line of the body\n"});
        append(args, credentials());
        const Finished sent = mail_client(args);
        ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();
        EXPECT_TRUE(sent.out.starts_with("accepted for 1 of 1 recipients: 250 ")) << sent.out;
        const std::string& transcript = sent.err;
        EXPECT_TRUE(has_line_starting(transcript, "S: 220 ")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "C: EHLO client.example")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "C: STARTTLS")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "TLS started: TLSv1.")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "S: 235 ")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "C: MAIL FROM:<alice@example.org>"))
            << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "C: Subject: transcript")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "C: a line of the body")) << transcript;
        EXPECT_TRUE(has_line_starting(transcript, "C: QUIT")) << transcript;
        if (std::string_view(mechanism) == "plain") {
            EXPECT_EQ(count_lines(transcript, "C: AUTH PLAIN <redacted>"), 1u) << transcript;
        } else {
            // The user name and the password answers, or an initial response and one answer.
            EXPECT_TRUE(has_line_starting(transcript, "C: AUTH LOGIN")) << transcript;
            const std::size_t redacted = count_lines(transcript, "C: <redacted>") +
                                         count_lines(transcript, "C: AUTH LOGIN <redacted>");
            EXPECT_EQ(redacted, 2u) << transcript;
        }
        // TLS starts between STARTTLS's 220 and the second EHLO.
        const auto tls_at = transcript.find("\nTLS started: ");
        const auto starttls_at = transcript.find("C: STARTTLS");
        const auto second_ehlo = transcript.rfind("C: EHLO client.example");
        EXPECT_TRUE(starttls_at < tls_at && tls_at < second_ehlo) << transcript;
        expect_no_secret(sent);
    }
    EXPECT_EQ(server.messages().size(), 2u);
}

TEST_F(MailClientAiosmtpd, WrongPasswordExits77AndNothingIsStored) {
    AiosmtpdServer& server = start();
    const std::string wrong = "not-" + std::string(kPassword);
    for (const char* mechanism : {"auto", "plain", "login"}) {
        SCOPED_TRACE(mechanism);
        auto args = client_args(server.endpoint(),
                                {"--tls", "starttls", "--cafile", cafile(), "--auth", mechanism,
                                 "--to", "bob@example.org", "--body", "never\n"});
        append(args, credentials());
        const Finished sent = mail_client(args, {}, wrong);
        expect_failure(sent, 77);
        EXPECT_TRUE(contains(sent.err, "535")) << sent.err;
        EXPECT_FALSE(contains(sent.err, wrong)) << sent.err;
    }
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(MailClientAiosmtpd, UntrustedCertificateExits78WithoutCafile) {
    AiosmtpdServer& server = start();
    for (const char* tls : {"starttls", "auto"}) {
        SCOPED_TRACE(tls);
        auto args = client_args(server.endpoint(),
                                {"--tls", tls, "--to", "bob@example.org", "--body", "never\n"});
        append(args, credentials());
        const Finished sent = mail_client(args);
        expect_failure(sent, 78);
        expect_no_secret(sent);
    }
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(MailClientAiosmtpd, InsecureSkipsVerification) {
    AiosmtpdServer& server = start();
    auto args = client_args(server.endpoint(), {"--tls", "starttls", "--insecure", "--to",
                                                "bob@example.org", "--body", "unverified\n"});
    append(args, credentials());
    const Finished sent = mail_client(args);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();
    const auto message = only_message();
    ASSERT_TRUE(message);
    EXPECT_TRUE(message->tls.starts_with("TLSv1.")) << message->tls;
    EXPECT_EQ(message->auth, kUser);
}

TEST_F(MailClientAiosmtpd, TlsAutoPicksStartTlsByItself) {
    AiosmtpdServer& server = start();
    // --tls auto given, the default (no --tls), and without credentials: STARTTLS each time.
    const std::vector<std::vector<std::string>> variants = {
        {"--tls", "auto", "--user", std::string(kUser), "--password-env",
         std::string(kPasswordVar)},
        {"--user", std::string(kUser), "--password-env", std::string(kPasswordVar)},
        {},
    };
    for (const auto& variant : variants) {
        auto args = client_args(server.endpoint(), {"-v", "--cafile", cafile(), "--to",
                                                    "bob@example.org", "--body", "auto\n"});
        args.insert(args.end(), variant.begin(), variant.end());
        const Finished sent = mail_client(args);
        EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();
        EXPECT_TRUE(has_line_starting(sent.err, "C: STARTTLS")) << sent.err;
        EXPECT_TRUE(has_line_starting(sent.err, "TLS started: TLSv1.")) << sent.err;
        expect_no_secret(sent);
    }
    const auto messages = server.messages();
    ASSERT_EQ(messages.size(), 3u);
    for (const auto& message : messages) {
        EXPECT_TRUE(message.tls.starts_with("TLSv1.")) << message.file;
    }
    EXPECT_EQ(messages[0].auth, kUser);
    EXPECT_EQ(messages[1].auth, kUser);
    EXPECT_EQ(messages[2].auth, "none");
}

TEST_F(MailClientAiosmtpd, StartTlsNotOfferedExits78WhenRequiredOrCredentialsWouldGoInClear) {
    AiosmtpdServer& server = start({.tls = false, .implicit_tls = false, .auth = true});
    {
        const Finished sent = mail_client(client_args(
            server.endpoint(), {"--tls", "starttls", "--to", "bob@example.org", "--body", "x\n"}));
        SCOPED_TRACE("--tls starttls");
        expect_failure(sent, 78);
    }
    {
        auto args = client_args(server.endpoint(),
                                {"--tls", "auto", "--to", "bob@example.org", "--body", "x\n"});
        append(args, credentials());
        const Finished sent = mail_client(args);
        SCOPED_TRACE("--tls auto with credentials");
        expect_failure(sent, 78);
        expect_no_secret(sent);
    }
    EXPECT_TRUE(server.messages().empty());
    // Without credentials, auto goes on in clear.
    const Finished sent = mail_client(
        client_args(server.endpoint(), {"--to", "bob@example.org", "--body", "in clear\n"}));
    EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    const auto message = only_message();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->tls, "none");
}

TEST_F(MailClientAiosmtpd, HostNameIsCheckedAndSentAsSni) {
    // The certificate names localhost: reached by that name it matches, and the name goes out
    // as SNI. (localhost is 127.0.0.1 in /etc/hosts: nothing leaves the machine.)
    {
        AiosmtpdServer& server = start();
        const std::string by_name = "localhost:" + std::to_string(server.port());
        const Finished sent =
            mail_client(client_args(by_name, {"--tls", "starttls", "--cafile", cafile(), "--to",
                                              "bob@example.org", "--body", "by name\n"}));
        ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();
        const auto message = only_message();
        ASSERT_TRUE(message);
        EXPECT_EQ(message->sni, "localhost");
    }
    // A certificate for mail.test (with IP SANs 127.0.0.1 and ::1 all the same) does not match
    // the name localhost, and does match the address 127.0.0.1.
    const TestCertificate other = make_test_certificate(dir_.path(), "mail.test");
    AiosmtpdServer& server = start({.certificate = &other});
    const Finished mismatch =
        mail_client(client_args("localhost:" + std::to_string(server.port()),
                                {"--tls", "starttls", "--cafile", other.cert_file.string(), "--to",
                                 "bob@example.org", "--body", "wrong name\n"}));
    expect_failure(mismatch, 78);
    EXPECT_TRUE(server.messages().empty());
    const Finished by_address = mail_client(
        client_args(server.endpoint(), {"--tls", "starttls", "--cafile", other.cert_file.string(),
                                        "--to", "bob@example.org", "--body", "by address\n"}));
    EXPECT_EQ(by_address.status, ExitStatus::exit_code(0)) << shown(by_address);
    EXPECT_EQ(server.messages().size(), 1u);
}

TEST_F(MailClientAiosmtpd, ImplicitTlsFromTheFirstByte) {
    AiosmtpdServer& server = start({.tls = true, .implicit_tls = true, .auth = true});
    auto args = client_args(server.endpoint(), {"--tls", "implicit", "--cafile", cafile(), "--to",
                                                "bob@example.org", "--body", "implicit\n"});
    append(args, credentials());
    const Finished sent = mail_client(args);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();
    const auto message = only_message();
    ASSERT_TRUE(message);
    EXPECT_TRUE(message->tls.starts_with("TLSv1.")) << message->tls;
    EXPECT_EQ(message->auth, kUser);
}

TEST_F(MailClientAiosmtpd, AttachmentsAndANonAsciiSubjectSurvive) {
    AiosmtpdServer& server = start();
    const std::string subject =
        "Grüße aus Köln: naïve café, ☃ and 日本語, in a subject long enough to be folded "
        "over several encoded-words";
    const std::string body = "Liebe Grüße,\nJürgen\n\n.a line with a leading dot\n";
    std::string binary;
    for (int round = 0; round < 40; ++round) {
        for (int byte = 0; byte < 256; ++byte)
            binary += static_cast<char>(byte);
    }
    binary += "\r\n.\r\n";  // what would end DATA, were it not encoded
    const std::string notes = "first line\n.\nFrom here on\nno newline at the end";
    const std::string pdf = "%PDF-1.4\n% not really a PDF \xe2\x9c\x93\n";
    const auto binary_file = dir_.write_file("data.bin", binary);
    const auto notes_file = dir_.write_file("notes.txt", notes);
    const auto pdf_file = dir_.write_file("übersicht.pdf", pdf);

    auto args = client_args(server.endpoint(),
                            {"--tls", "starttls", "--cafile", cafile(), "--to", "bob@example.org",
                             "--subject", subject, "--body", body, "--attach", binary_file.string(),
                             "--attach", notes_file.string(), "--attach", pdf_file.string()});
    append(args, credentials());
    const Finished sent = mail_client(args);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << server.log();

    const auto message = only_message();
    ASSERT_TRUE(message);
    const ParsedEmail email = parse_email(python_, message->file);
    EXPECT_EQ(email.header("Subject"), subject) << message->content;
    EXPECT_TRUE(contains(email.header("Content-Type").value_or(""), "multipart/mixed"));
    ASSERT_EQ(email.parts.size(), 4u) << message->content;
    EXPECT_EQ(email.parts[0].content_type, "text/plain");
    EXPECT_EQ(email.parts[0].filename, "");
    EXPECT_EQ(unix_lines(email.parts[0].payload), body);
    EXPECT_EQ(email.parts[1].filename, "data.bin");
    EXPECT_EQ(email.parts[1].content_type, "application/octet-stream");
    EXPECT_EQ(email.parts[1].payload, binary);
    EXPECT_EQ(email.parts[2].filename, "notes.txt");
    EXPECT_EQ(email.parts[2].payload, notes);
    EXPECT_EQ(email.parts[3].filename, "übersicht.pdf");
    EXPECT_EQ(email.parts[3].payload, pdf);
    // Every header line is ASCII (the subject went out as encoded-words), and no line is over
    // 998 octets (RFC 5322 2.1.1).
    const std::string head = message->content.substr(0, message->content.find("\r\n\r\n"));
    EXPECT_TRUE(std::all_of(head.begin(), head.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
    })) << head;
    for (const auto& line : split_lines(message->content)) {
        EXPECT_LE(line.size(), 999u);
    }
    // The 8-bit text went with BODY=8BITMIME, aiosmtpd offering it; SIZE=n, offered too, is the
    // message's size (RFC 1870: CRLF line ends, before dot-stuffing).
    EXPECT_TRUE(message->has_mail_option("BODY=8BITMIME")) << message->content;
    EXPECT_TRUE(message->has_mail_option("SIZE=" + std::to_string(message->content.size())))
        << ::testing::PrintToString(message->mail_options) << " for " << message->content.size()
        << " bytes";
}

// ------------------------------------------------------------------------ smtp-sink

// Postfix's smtp-sink on a free loopback port, with `flags` (its fault injection), dumping each
// transaction into a folder of its own. smtp-sink cannot pick port 0 and tell which it got, so a
// free port is found by binding port 0 and closing it, and a start that fails (another program
// took the port meanwhile) is retried on a new one. Neither copyable nor movable; the destructor
// kills its process group.
class SmtpSink {
  public:
    static constexpr int kAttempts = 5;
    static constexpr auto kStartup = 10s;  // for each attempt

    SmtpSink(const std::string& tool, const std::vector<std::string>& flags)
        : dumps_(dir_.file("dumps")), log_path_(dir_.file("smtp-sink.stderr")) {
        std::filesystem::create_directory(dumps_);
        // As root smtp-sink runs as nobody once its socket is bound (-u), and nobody has to
        // reach the dump folder.
        const bool root = ::geteuid() == 0;
        if (root) {
            ::chmod(dir_.path().c_str(), 0711);
            ::chmod(dumps_.c_str(), 0777);
        }
        std::string failures;
        for (int attempt = 1; attempt <= kAttempts; ++attempt) {
            port_ = unused_port(Transport::kTcp, "127.0.0.1");
            std::vector<std::string> args = flags;
            if (root) append(args, {"-u", "nobody"});
            append(args, {"-d", (dumps_ / "%Y%m%d%H%M%S.").string(),
                          "127.0.0.1:" + std::to_string(port_), "16"});
            ProcessOptions options;
            options.out = Redirect::null();  // it writes nothing there
            options.err = Redirect::file(log_path_);
            options.new_session = true;
            process_.emplace(Process::start(tool, args, options));
            if (wait_until_listening(Deadline(kStartup))) return;
            failures += "attempt " + std::to_string(attempt) + " on port " + std::to_string(port_) +
                        ": " + stop().describe() + ", " + log() + "; ";
        }
        throw std::runtime_error("smtp-sink did not start: " + failures);
    }
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;
    ~SmtpSink() { stop(); }

    [[nodiscard]] std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
    // The dump files, one per transaction that reached MAIL (complete once its "." was
    // answered: smtp-sink writes and closes the file before its 250).
    [[nodiscard]] std::vector<std::filesystem::path> dumps() const { return files_in(dumps_); }
    [[nodiscard]] std::string log() const {
        try {
            return read_file(log_path_);
        } catch (const std::exception& e) {
            return std::string("(no log: ") + e.what() + ")";
        }
    }

    ExitStatus stop() {
        if (!process_) return ExitStatus{};
        // The group is signalled only while its leader is unreaped, so the id is still ours.
        if (process_->running()) ::kill(-process_->pid(), SIGKILL);
        process_->kill();
        return process_->wait(Deadline(5s)).value_or(ExitStatus::killed_by(SIGKILL));
    }

  private:
    // True once a connection to the port succeeds while smtp-sink runs; false when it exits
    // first (it could not bind) or the deadline passes. Between tries it waits for its exit.
    bool wait_until_listening(const Deadline& deadline) {
        while (!deadline.expired()) {
            try {
                const Fd probe = connect_tcp("127.0.0.1", port_, Deadline(1s));
                return process_->running();
            } catch (const std::exception&) {
                // Not listening yet: wait a little for an exit that says it never will.
            }
            if (process_->wait(Deadline(20ms))) return false;
        }
        return false;
    }

    TempDir dir_;  // before process_: the sink is gone before its files are removed
    std::filesystem::path dumps_;
    std::filesystem::path log_path_;
    std::optional<Process> process_;
    std::uint16_t port_ = 0;
};

class MailClientSmtpSink : public ::testing::Test {
  protected:
    void SetUp() override {
        tool_ = find_tool(sbin_tool("smtp-sink"));
        if (tool_.empty()) GTEST_SKIP() << "needs smtp-sink (Debian package postfix)";
        python_ = system_python3();
    }

    SmtpSink& start(const std::vector<std::string>& flags = {}) {
        sink_.emplace(tool_, flags);
        return *sink_;
    }

    // The one dump, parsed by python's email module: smtp-sink's own X- headers first.
    std::optional<ParsedEmail> only_dump() {
        const auto dumps = sink_->dumps();
        EXPECT_EQ(dumps.size(), 1u) << sink_->log();
        if (dumps.size() != 1) return std::nullopt;
        return parse_email(python_, dumps.front());
    }

    std::string tool_;
    std::string python_;
    std::optional<SmtpSink> sink_;
};

std::vector<std::string> all_values(const ParsedEmail& email, std::string_view name) {
    std::vector<std::string> values;
    for (const auto& [field, value] : email.headers) {
        if (field == name) values.push_back(value);
    }
    return values;
}

TEST_F(MailClientSmtpSink, DeliversWithPipeliningAnd8BitMimeOffered) {
    SmtpSink& sink = start();
    const std::string body = "Grüße\nvon smtp-sink\n";
    const Finished sent = mail_client(
        client_args(sink.endpoint(), {"-v", "--to", "bob@example.org", "--bcc", "carol@example.org",
                                      "--subject", "to the sink", "--body", body}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << sink.log();
    EXPECT_TRUE(has_line_starting(sent.err, "S: 250-PIPELINING")) << sent.err;
    EXPECT_TRUE(has_line_starting(sent.err, "S: 250-8BITMIME")) << sent.err;
    EXPECT_EQ(split_lines(sent.out), std::vector<std::string>{"accepted for 2 of 2 recipients: "
                                                              "250 2.0.0 Ok"});
    const auto dump = only_dump();
    ASSERT_TRUE(dump);
    EXPECT_EQ(dump->header("X-Client-Proto"), "ESMTP");
    EXPECT_EQ(dump->header("X-Helo-Args"), kHelo);
    const std::string mail_args = dump->header("X-Mail-Args").value_or("");
    EXPECT_TRUE(mail_args.starts_with("<alice@example.org>")) << mail_args;
    EXPECT_TRUE(contains(mail_args, "BODY=8BITMIME")) << mail_args;
    EXPECT_EQ(all_values(*dump, "X-Rcpt-Args"),
              (std::vector<std::string>{"<bob@example.org>", "<carol@example.org>"}));
    EXPECT_EQ(dump->header("Subject"), "to the sink");
    EXPECT_EQ(dump->count("Bcc"), 0u);
    ASSERT_EQ(dump->parts.size(), 1u);
    // smtp-sink ends each dump with an empty line of its own.
    EXPECT_EQ(unix_lines(dump->parts[0].payload), body + "\n");
}

TEST_F(MailClientSmtpSink, WithoutPipeliningOr8BitMimeTheTextIsQuotedPrintable) {
    SmtpSink& sink = start({"-p", "-8"});
    const std::string body = "Grüße\nvon smtp-sink\n";
    const Finished sent = mail_client(client_args(
        sink.endpoint(), {"--to", "bob@example.org", "--subject", "7bit", "--body", body}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << sink.log();
    const auto dump = only_dump();
    ASSERT_TRUE(dump);
    const std::string mail_args = dump->header("X-Mail-Args").value_or("");
    EXPECT_FALSE(contains(mail_args, "BODY=")) << mail_args;
    EXPECT_EQ(dump->header("Content-Transfer-Encoding"), "quoted-printable");
    ASSERT_EQ(dump->parts.size(), 1u);
    EXPECT_EQ(unix_lines(dump->parts[0].payload), body + "\n");
}

TEST_F(MailClientSmtpSink, RefusedEhloFallsBackToHelo) {
    SmtpSink& sink = start({"-f", "EHLO"});
    const Finished sent = mail_client(
        client_args(sink.endpoint(), {"-v", "--to", "bob@example.org", "--body", "over HELO\n"}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << sink.log();
    EXPECT_TRUE(has_line_starting(sent.err, "C: HELO client.example")) << sent.err;
    const auto dump = only_dump();
    ASSERT_TRUE(dump);
    EXPECT_EQ(dump->header("X-Client-Proto"), "SMTP");
    EXPECT_EQ(dump->header("X-Helo-Args"), kHelo);
}

TEST_F(MailClientSmtpSink, CredentialsAreNotSentInClearUnlessTlsNone) {
    // smtp-sink offers AUTH PLAIN LOGIN without STARTTLS (and answers any AUTH with 250).
    SmtpSink& sink = start();
    auto args = client_args(sink.endpoint(), {"-v", "--to", "bob@example.org", "--body", "x\n"});
    append(args, credentials());
    {
        const Finished sent = mail_client(args);
        SCOPED_TRACE("--tls auto");
        EXPECT_EQ(sent.status, ExitStatus::exit_code(78)) << shown(sent);
        EXPECT_FALSE(has_line_starting(sent.err, "C: AUTH")) << sent.err;
        expect_no_secret(sent);
    }
    EXPECT_TRUE(sink.dumps().empty());
    append(args, {"--tls", "none", "--auth", "plain"});
    const Finished sent = mail_client(args);
    // smtp-sink answers AUTH with "250 2.0.0 Ok" where RFC 4954 says 235: a code not allowed at
    // that step, so the server broke the protocol (76), and no mail went.
    EXPECT_EQ(sent.status, ExitStatus::exit_code(76)) << shown(sent);
    EXPECT_TRUE(sink.dumps().empty());
    EXPECT_TRUE(has_line_starting(sent.err, "C: AUTH PLAIN <redacted>")) << sent.err;
    expect_no_secret(sent);
}

// One way of smtp-sink's to stop the mail, and the exit status it must give.
struct Fault {
    const char* name;
    std::vector<std::string> flags;
    std::vector<int> statuses;  // the one the spec gives (two where the spec allows both)
    const char* reply;          // on stderr, when the server sent a reply: "" when it did not
};

void PrintTo(const Fault& fault, std::ostream* out) {
    *out << fault.name;
}

class MailClientSmtpSinkFaults : public MailClientSmtpSink,
                                 public ::testing::WithParamInterface<Fault> {};

TEST_P(MailClientSmtpSinkFaults, ExitStatusFollowsTheSpec) {
    const Fault& fault = GetParam();
    SmtpSink& sink = start(fault.flags);
    const auto started = Clock::now();
    const Finished sent = mail_client(
        client_args(sink.endpoint(), {"--to", "bob@example.org", "--cc", "carol@example.org",
                                      "--subject", "fault", "--body", "refused somewhere\n"}));
    const auto took = Clock::now() - started;
    const bool expected =
        sent.status.exited && std::find(fault.statuses.begin(), fault.statuses.end(),
                                        sent.status.code) != fault.statuses.end();
    EXPECT_TRUE(expected) << "want exit " << ::testing::PrintToString(fault.statuses) << "; got "
                          << shown(sent);
    if (sent.status != ExitStatus::exit_code(0)) {
        EXPECT_EQ(sent.out, "") << shown(sent);
        EXPECT_TRUE(all_lines_are_errors(sent.err)) << shown(sent);
    } else {
        // Delivered before the fault: smtp-sink holds the message and said so.
        EXPECT_EQ(sent.out, accepted_line(2, 2, "250 2.0.0 Ok")) << shown(sent);
        EXPECT_EQ(sink.dumps().size(), 1u) << sink.log();
    }
    if (*fault.reply != '\0') {
        EXPECT_TRUE(contains(sent.err, fault.reply)) << shown(sent);
    }
    // Each fault is answered or the connection is gone: no run waits for --timeout.
    EXPECT_LT(took, 15s);
}

INSTANTIATE_TEST_SUITE_P(
    MailClientSmtpSink, MailClientSmtpSinkFaults,
    ::testing::Values(
        Fault{"GreetingRefused5xx", {"-f", "CONNECT"}, {69}, "500 5.3.0"},
        // A 4xx greeting is both "not 220" (69) and "a 4xx reply stopped the mail" (75).
        Fault{"GreetingRefused4xx", {"-r", "CONNECT"}, {69, 75}, "450 4.3.0"},
        Fault{"EhloAndHeloRefused", {"-f", "EHLO,HELO"}, {69}, "500 5.3.0"},
        Fault{"MailRefused5xx", {"-f", "MAIL"}, {65}, "500 5.3.0 Error: command failed"},
        Fault{"MailRefused4xx", {"-r", "MAIL"}, {75}, "450 4.3.0 Error: command failed"},
        Fault{"EveryRcptRefused5xx",
              {"-f", "RCPT"},
              {65},
              "mail_client: recipient <carol@example.org> refused: 500 5.3.0"},
        Fault{"EveryRcptRefused4xx",
              {"-r", "RCPT"},
              {75},
              "mail_client: recipient <carol@example.org> refused: 450 4.3.0"},
        Fault{"DataRefused5xx", {"-f", "DATA"}, {65}, "500 5.3.0"},
        Fault{"DataRefused4xx", {"-r", "DATA"}, {75}, "450 4.3.0"},
        Fault{"MessageRefused5xx", {"-f", "."}, {65}, "500 5.3.0"},
        Fault{"MessageRefused4xx", {"-r", "."}, {75}, "450 4.3.0"},
        Fault{"AbortedWith550InData", {"-A", "0"}, {65}, "550"},
        Fault{"ClosingAfterMail421", {"-Q", "MAIL"}, {75}, "421 4.0.0"},
        Fault{"ClosingAfterRcpt421", {"-Q", "RCPT"}, {75}, "421 4.0.0"},
        Fault{"ClosingAfterMessage421", {"-Q", "."}, {75}, "421 4.0.0"},
        Fault{"DroppedAfterEhlo", {"-q", "EHLO"}, {74}, ""},
        Fault{"DroppedAfterMail", {"-q", "MAIL"}, {74}, ""},
        Fault{"DroppedAfterData", {"-q", "DATA"}, {74}, ""},
        Fault{"DroppedAfterMessage", {"-q", "."}, {74}, ""},
        // Once the message is accepted, what QUIT gets changes nothing.
        Fault{"QuitRefusedAfterDelivery", {"-f", "QUIT"}, {0}, ""},
        Fault{"DroppedAtQuitAfterDelivery", {"-q", "QUIT"}, {0}, ""}),
    [](const ::testing::TestParamInfo<Fault>& info) { return std::string(info.param.name); });

TEST_F(MailClientSmtpSink, StalledServerTimesOutWith74) {
    // smtp-sink waits 30 s before answering DATA; --timeout 1 bounds that step.
    SmtpSink& sink = start({"-w", "30"});
    const auto started = Clock::now();
    const Finished sent = mail_client({"--server", sink.endpoint(), "--from", std::string(kFrom),
                                       "--helo", std::string(kHelo), "--timeout", "1", "--to",
                                       "bob@example.org", "--body", "slow\n"});
    const auto took = Clock::now() - started;
    expect_failure(sent, 74);
    EXPECT_LT(took, 15s) << "the timeout did not bound the wait for DATA's reply";
    EXPECT_GE(took, 900ms);
}

// ------------------------------------------------------------------------ mail_server

class MailClientMailServer : public ::testing::Test {
  protected:
    void SetUp() override { python_ = system_python3(); }

    // The certificate and key options of a mail_server offering STARTTLS; skips without OpenSSL.
    std::optional<std::vector<std::string>> tls_args() {
        try {
            certificate_ = make_test_certificate(dir_.path(), "localhost");
        } catch (const std::exception& e) {
            return std::nullopt;
        }
        return std::vector<std::string>{"--tls-cert", certificate_.cert_file.string(), "--tls-key",
                                        certificate_.key_file.string()};
    }

    std::vector<StoredMessage> stored(const TestMailServer& mail) {
        return read_mailbox(python_, "maildir", mail.maildir);
    }

    TempDir dir_;
    std::string python_;
    TestCertificate certificate_;
};

#define REQUIRE_TLS_ARGS(var)                                                        \
    const auto var = tls_args();                                                     \
    if (!var) {                                                                      \
        GTEST_SKIP() << "no test certificate (a build without OpenSSL, libssl-dev)"; \
    }

TEST_F(MailClientMailServer, PlainSendWithTheBodyFromStdinIsStored) {
    TestMailServer mail = start_mail_server();
    const std::string body = "Hi Bob,\n\nsent by mail_client.\n";
    const Finished sent = mail_client(
        client_args(mail.process.endpoint(), {"--tls", "none", "--to", "bob@example.org",
                                              "--subject", "Hello from mail_client"}),
        body);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << mail.process.log();
    EXPECT_TRUE(sent.out.starts_with("accepted for 1 of 1 recipients: 250 2.0.0 Ok: queued as "))
        << sent.out;
    EXPECT_EQ(sent.err, "");
    const auto messages = stored(mail);
    ASSERT_EQ(messages.size(), 1u);
    const StoredMessage& message = messages.front();
    EXPECT_EQ(message.where, "new");
    EXPECT_EQ(message.header("Return-Path"), "<alice@example.org>");
    EXPECT_TRUE(contains(message.header("Received").value_or(""), "from client.example"));
    EXPECT_EQ(message.header("Subject"), "Hello from mail_client");
    EXPECT_TRUE(contains(message.header("To").value_or(""), "bob@example.org"));
    EXPECT_EQ(message.count("Date"), 1u);
    EXPECT_EQ(message.count("Message-ID"), 1u);
    EXPECT_EQ(message.body, body);
    // The final reply quoted on stdout is the one the server gave: its queue id.
    const std::string line = sent.out.substr(0, sent.out.find('\n'));
    const std::string id = line.substr(line.rfind(' ') + 1);
    EXPECT_TRUE(contains(message.header("Received").value_or(""), " id " + id))
        << message.header("Received").value_or("") << " vs " << sent.out;
}

TEST_F(MailClientMailServer, QuietPrintsNothing) {
    TestMailServer mail = start_mail_server();
    const Finished sent = mail_client(client_args(
        mail.process.endpoint(), {"-q", "--to", "bob@example.org", "--body", "quiet\n"}));
    EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    EXPECT_EQ(sent.out, "");
    EXPECT_EQ(sent.err, "");
    EXPECT_EQ(mail.new_files().size(), 1u);
}

TEST_F(MailClientMailServer, StartTlsAndAuthWithCafile) {
    REQUIRE_TLS_ARGS(tls);
    auto args = *tls;
    append(args, {"--auth", std::string(kUser) + ":" + std::string(kPassword)});
    TestMailServer mail = start_mail_server(args);
    const auto password_file = dir_.write_file("password", std::string(kPassword) + "\n");
    const Finished sent = mail_client(
        client_args(mail.process.endpoint(),
                    {"--tls", "starttls", "--cafile", certificate_.cert_file.string(), "--user",
                     std::string(kUser), "--password-file", password_file.string(), "--to",
                     "bob@example.org", "--subject", "sealed", "--body", "over TLS\n"}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << mail.process.log();
    expect_no_secret(sent);
    const auto messages = stored(mail);
    ASSERT_EQ(messages.size(), 1u);
    const std::string received = messages.front().header("Received").value_or("");
    EXPECT_TRUE(contains(received, "with ESMTPSA (TLSv1.")) << received;
    EXPECT_EQ(messages.front().body, "over TLS\n");
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", Deadline(10s)));
    EXPECT_FALSE(contains(mail.process.output(), kPassword));
}

TEST_F(MailClientMailServer, BigAttachmentOverTlsArrivesIntact) {
    REQUIRE_TLS_ARGS(tls);
    TestMailServer mail = start_mail_server(*tls);
    // 3 MiB of noise (a fixed seed: the same bytes each run), far more than one TLS record or
    // socket buffer, so partial writes through TLS happen.
    std::mt19937 random(20261125);
    std::string noise(3u << 20, '\0');
    for (char& byte : noise)
        byte = static_cast<char>(random() & 0xFF);
    const auto file = dir_.write_file("noise.bin", noise);
    const Finished sent = mail_client(client_args(
        mail.process.endpoint(), {"--tls", "starttls", "--cafile", certificate_.cert_file.string(),
                                  "--to", "bob@example.org", "--subject", "big", "--body",
                                  "see the attachment\n", "--attach", file.string()}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent) << mail.process.log();
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 1u);
    const ParsedEmail email = parse_email(python_, files.front());
    ASSERT_EQ(email.parts.size(), 2u);
    EXPECT_EQ(unix_lines(email.parts[0].payload), "see the attachment\n");
    EXPECT_EQ(email.parts[1].filename, "noise.bin");
    EXPECT_TRUE(email.parts[1].payload == noise)
        << email.parts[1].payload.size() << " bytes arrived of " << noise.size();
}

TEST_F(MailClientMailServer, WrongPasswordExits77) {
    REQUIRE_TLS_ARGS(tls);
    auto args = *tls;
    append(args, {"--auth", std::string(kUser) + ":another-password"});
    TestMailServer mail = start_mail_server(args);
    auto client =
        client_args(mail.process.endpoint(), {"--cafile", certificate_.cert_file.string(), "--to",
                                              "bob@example.org", "--body", "never\n"});
    append(client, credentials());
    const Finished sent = mail_client(client);
    expect_failure(sent, 77);
    EXPECT_TRUE(contains(sent.err, "535 5.7.8")) << sent.err;
    EXPECT_TRUE(mail.new_files().empty());
}

TEST_F(MailClientMailServer, CredentialsWithoutStartTlsNeedTlsNone) {
    TestMailServer mail = start_mail_server(
        {"--auth", std::string(kUser) + ":" + std::string(kPassword), "--allow-insecure-auth"});
    auto args =
        client_args(mail.process.endpoint(), {"--to", "bob@example.org", "--body", "in clear\n"});
    append(args, credentials());
    const Finished refused = mail_client(args);
    expect_failure(refused, 78);
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", Deadline(10s)));
    EXPECT_FALSE(contains(mail.process.output(), "C: AUTH")) << mail.process.output();
    EXPECT_TRUE(mail.new_files().empty());

    append(args, {"--tls", "none"});
    const Finished sent = mail_client(args);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    const auto messages = stored(mail);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_TRUE(contains(messages.front().header("Received").value_or(""), "with ESMTPA id"));
}

TEST_F(MailClientMailServer, PreparedMessageIsSentByteExact) {
    TestMailServer mail = start_mail_server();
    const std::string message =
        "From: Alice <alice@example.org>\n"
        "To: Bob <bob@example.org>\n"
        "Subject: prepared by hand\n"
        "X-Folded: the first part\n"
        "\tand the second part\n"
        "Message-ID: <prepared.1@example.org>\n"
        "Date: Tue, 24 Nov 2026 10:00:00 +0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "line one\n"
        ".a leading dot\n"
        "..two dots\n"
        ".\n"
        "trailing spaces   \n"
        "\n"
        "From the start of a line\n"
        "last line\n";
    const auto lf_file = dir_.write_file("lf.eml", message);
    const auto crlf_file = dir_.write_file("crlf.eml", crlf_lines(message));
    // A file with LF line ends, the same with CRLF, and the LF one on stdin.
    const std::vector<std::pair<std::string, std::string>> sources = {
        {lf_file.string(), ""}, {crlf_file.string(), ""}, {"-", message}};
    for (const auto& [source, input] : sources) {
        SCOPED_TRACE(source);
        const Finished sent = mail_client(
            client_args(mail.process.endpoint(), {"--to", "bob@example.org", "--bcc",
                                                  "carol@example.org", "--message", source}),
            input);
        EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
        EXPECT_TRUE(sent.out.starts_with("accepted for 2 of 2 recipients: ")) << sent.out;
    }
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 3u);
    for (const auto& file : files) {
        EXPECT_EQ(after_trace_headers(read_file(file)), message) << file;
    }
}

TEST_F(MailClientMailServer, MessageFileCannotBeCombinedWithComposing) {
    TestMailServer mail = start_mail_server();
    const auto file = dir_.write_file("m.eml", "Subject: x\n\nbody\n");
    for (const std::vector<std::string>& extra : {std::vector<std::string>{"--subject", "s"},
                                                  {"--body", "b"},
                                                  {"--header", "X-A: b"},
                                                  {"--attach", file.string()}}) {
        auto args = client_args(mail.process.endpoint(),
                                {"--to", "bob@example.org", "--message", file.string()});
        args.insert(args.end(), extra.begin(), extra.end());
        const Finished sent = mail_client(args);
        EXPECT_EQ(sent.status, ExitStatus::exit_code(64)) << extra[0] << ": " << shown(sent);
    }
    EXPECT_TRUE(mail.new_files().empty());
}

TEST_F(MailClientMailServer, LinesStartingWithADotArriveIntact) {
    TestMailServer mail = start_mail_server();
    const std::string body =
        ".\n"
        "..\n"
        "...\n"
        ".hidden\n"
        "text\n"
        ".\n"
        "\n"
        ". a dot and a space\n"
        ".";
    const auto body_file = dir_.write_file("body.txt", body);
    const Finished sent = mail_client(client_args(
        mail.process.endpoint(),
        {"--to", "bob@example.org", "--subject", "dots", "--body-file", body_file.string()}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    const auto messages = stored(mail);
    ASSERT_EQ(messages.size(), 1u);
    // The body's last line had no line end; the message gets one (before the final dot).
    EXPECT_EQ(messages.front().body, body + "\n");
}

TEST_F(MailClientMailServer, RefusedRecipientIsReportedAndTheOthersGetTheMail) {
    TestMailServer mail = start_mail_server({"--domain", "example.org"});
    const Finished sent = mail_client(client_args(
        mail.process.endpoint(), {"--to", "bob@example.org", "--cc", "carol@elsewhere.test",
                                  "--bcc", "dave@example.org", "--body", "two of three\n"}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    EXPECT_TRUE(sent.out.starts_with("accepted for 2 of 3 recipients: 250 2.0.0 Ok: queued as "))
        << sent.out;
    const auto lines = split_lines(sent.err);
    ASSERT_EQ(lines.size(), 1u) << sent.err;
    EXPECT_TRUE(lines[0].starts_with("mail_client: recipient <carol@elsewhere.test> refused: 550 "))
        << lines[0];
    EXPECT_EQ(mail.new_files().size(), 1u);

    // Every recipient refused: 65, nothing stored.
    const Finished none = mail_client(client_args(
        mail.process.endpoint(),
        {"--to", "carol@elsewhere.test", "--to", "erin@elsewhere.test", "--body", "nobody\n"}));
    expect_failure(none, 65);
    EXPECT_TRUE(contains(none.err, "recipient <carol@elsewhere.test> refused: 550")) << none.err;
    EXPECT_TRUE(contains(none.err, "recipient <erin@elsewhere.test> refused: 550")) << none.err;
    EXPECT_EQ(mail.new_files().size(), 1u);
}

TEST_F(MailClientMailServer, TooManyRecipientsGet452AndTheMailGoesToTheRest) {
    TestMailServer mail = start_mail_server({"--max-rcpt", "2"});
    const Finished sent = mail_client(
        client_args(mail.process.endpoint(), {"--to", "a@example.org", "--to", "b@example.org",
                                              "--to", "c@example.org", "--body", "three\n"}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    EXPECT_TRUE(sent.out.starts_with("accepted for 2 of 3 recipients: ")) << sent.out;
    EXPECT_TRUE(contains(sent.err, "mail_client: recipient <c@example.org> refused: 452"))
        << sent.err;
    EXPECT_EQ(mail.new_files().size(), 1u);
}

TEST_F(MailClientMailServer, OverTheSizeLimitNothingIsSentButQuit) {
    TestMailServer mail = start_mail_server({"--max-size", "2000"});
    const Finished sent = mail_client(client_args(
        mail.process.endpoint(), {"--to", "bob@example.org", "--body", std::string(5000, 'x')}));
    expect_failure(sent, 65);
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", Deadline(10s)));
    const std::string transcript = mail.process.output();
    EXPECT_TRUE(contains(transcript, "[1] C: EHLO client.example")) << transcript;
    EXPECT_TRUE(contains(transcript, "[1] C: QUIT")) << transcript;
    EXPECT_FALSE(contains(transcript, "C: MAIL")) << transcript;
    EXPECT_TRUE(mail.new_files().empty());
}

TEST_F(MailClientMailServer, Ipv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    TestMailServer mail = start_mail_server({"-b", "::1"});
    ASSERT_EQ(mail.process.endpoint(), "[::1]:" + mail.process.port_string());
    const Finished sent = mail_client(
        client_args(mail.process.endpoint(), {"--to", "bob@example.org", "--body", "over IPv6\n"}));
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << shown(sent);
    const auto messages = stored(mail);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_TRUE(contains(messages.front().header("Received").value_or(""), "[IPv6:::1]"))
        << messages.front().header("Received").value_or("");
    EXPECT_EQ(messages.front().body, "over IPv6\n");
}

}  // namespace
}  // namespace net::test
