// mail_server's STARTTLS (RFC 3207) and AUTH (RFC 4954) against real clients: swaks, python's
// smtplib and ssl, with a self-signed certificate made at test time by the openssl CLI; and no
// AUTH secret in the transcript or the log.
#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64.hpp"
#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // a TLS handshake on loopback; generous for sanitizer builds
constexpr std::string_view kAlice = "alice@example.org";

// A self-signed certificate for CN=localhost, valid for a day, and its key.
struct Certificate {
    TempDir dir;
    std::string cert;
    std::string key;
};

Certificate make_certificate(const std::string& openssl) {
    Certificate made;
    made.cert = made.dir.file("cert.pem").string();
    made.key = made.dir.file("key.pem").string();
    const Finished req = run(openssl,
                             {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                              "-subj", "/CN=localhost", "-keyout", made.key, "-out", made.cert},
                             {}, 60s);
    if (!req.status.ok()) {
        throw std::runtime_error("openssl req failed (" + req.status.describe() + "): " + req.err);
    }
    return made;
}

std::vector<std::string> tls_args(const Certificate& certificate) {
    return {"--tls-cert", certificate.cert, "--tls-key", certificate.key};
}

// "with ESMTPS (TLSv1.3 TLS_AES_256_GCM_SHA384) id " in a stored Received header.
bool names_tls(const std::string& stored, std::string_view protocol) {
    const std::regex pattern("\n\tby mail\\.test \\(mail_server\\) with " + std::string(protocol) +
                             " \\(TLSv1\\.[23] [A-Z0-9_-]+\\) id [0-9A-F]+-[0-9]+-[0-9]+\n");
    return std::regex_search(stored, pattern);
}

Finished run_swaks(const std::string& swaks, const MailServerProcess& server,
                   const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--server",  server.endpoint(),
                                     "--from",    "alice@example.org",
                                     "--to",      "bob@example.org",
                                     "--helo",    "client.example",
                                     "--header",  "Subject: over TLS",
                                     "--body",    "sealed",
                                     "--timeout", "20"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(swaks, args, {}, kIo);
}

TEST(MailServerTls, AuthIsNotOfferedBeforeStartTls) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    const Certificate certificate = make_certificate(openssl);
    auto args = tls_args(certificate);
    args.insert(args.end(), {"--auth", "user:password"});
    TestMailServer mail = start_mail_server(args);
    const Deadline deadline(kIo);
    SmtpClient client = connect_smtp(mail.process, deadline);
    const SmtpReply ehlo = client.command("EHLO client.example", deadline);
    EXPECT_EQ(ehlo.code, 250);
    EXPECT_TRUE(ehlo.has_keyword("STARTTLS")) << ehlo.text();
    EXPECT_FALSE(contains(ehlo.text(), "AUTH")) << ehlo.text();
    EXPECT_FALSE(contains(client.command("HELP", deadline).text(), "AUTH"));
    using namespace std::string_literals;
    EXPECT_TRUE(client.command("AUTH PLAIN " + base64_encode("\0user\0password"s), deadline)
                    .starts_with("538 5.7.11"));
    EXPECT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).text(),
              "530 5.7.0 Must issue a STARTTLS command first");
    EXPECT_TRUE(mail.new_files().empty());
}

TEST(MailServerTls, SwaksStartTlsDeliversAndReceivedSaysEsmtps) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    TOPDOWN_REQUIRE_SWAKS_WITH_TLS(swaks);
    const Certificate certificate = make_certificate(openssl);
    TestMailServer mail = start_mail_server(tls_args(certificate));
    const Finished sent = run_swaks(swaks, mail.process, {"--tls"});
    EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    EXPECT_TRUE(contains(sent.out, "220 2.0.0 Ready to start TLS")) << sent.out;
    EXPECT_TRUE(contains(sent.out, "250 2.0.0 Ok: queued as ")) << sent.out;
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 1u);
    const std::string stored = read_file(files.front());
    EXPECT_TRUE(names_tls(stored, "ESMTPS")) << stored;
    EXPECT_TRUE(contains(stored, "\n\nsealed\n")) << stored;
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", Deadline(kIo)));
    EXPECT_TRUE(contains(mail.process.output(), "[1] TLS started: TLSv1."))
        << mail.process.output();
}

TEST(MailServerTls, SwaksAuthPlainOverTlsIsEsmtpsa) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    TOPDOWN_REQUIRE_SWAKS_WITH_TLS(swaks);
    const Certificate certificate = make_certificate(openssl);
    auto args = tls_args(certificate);
    args.insert(args.end(), {"--auth", "u:p"});
    TestMailServer mail = start_mail_server(args);
    const Finished sent =
        run_swaks(swaks, mail.process,
                  {"--tls", "--auth", "PLAIN", "--auth-user", "u", "--auth-password", "p"});
    EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    EXPECT_TRUE(contains(sent.out, "235 2.7.0 Authentication successful")) << sent.out;
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 1u);
    const std::string stored = read_file(files.front());
    EXPECT_TRUE(names_tls(stored, "ESMTPSA")) << stored;
}

TEST(MailServerTls, SwaksWrongPasswordGets535AndNothingIsStored) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    TOPDOWN_REQUIRE_SWAKS_WITH_TLS(swaks);
    const Certificate certificate = make_certificate(openssl);
    auto args = tls_args(certificate);
    args.insert(args.end(), {"--auth", "u:p"});
    TestMailServer mail = start_mail_server(args);
    for (const char* mechanism : {"PLAIN", "LOGIN"}) {
        SCOPED_TRACE(mechanism);
        const Finished sent = run_swaks(
            swaks, mail.process,
            {"--tls", "--auth", mechanism, "--auth-user", "u", "--auth-password", "not-p"});
        EXPECT_NE(sent.status, ExitStatus::exit_code(0)) << sent.out;
        EXPECT_TRUE(contains(sent.out, "535 5.7.8 Authentication credentials invalid")) << sent.out;
        EXPECT_FALSE(contains(sent.out, "queued as")) << sent.out;
    }
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(mail.tmp_files().empty());
    EXPECT_TRUE(mail.process.running());
}

// python's smtplib: starttls() with the certificate as the only CA, then login().
constexpr std::string_view kSmtplibTls = R"py(
import smtplib, ssl, sys
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with smtplib.SMTP(host, port, local_hostname='client.example', timeout=20) as smtp:
    smtp.ehlo()
    print('before', ' '.join(sorted(smtp.esmtp_features)))
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False
    smtp.starttls(context=context)
    smtp.ehlo()
    print('after', ' '.join(sorted(smtp.esmtp_features)))
    print('tls', smtp.sock.version())
    smtp.login('u', 'p')
    code, text = smtp.mail('alice@example.org')
    print('mail', code)
    code, text = smtp.rcpt('bob@example.org')
    print('rcpt', code)
    code, text = smtp.data(b'Subject: smtplib over TLS\r\n\r\nsealed by python\r\n')
    print('data', code, text.decode())
)py";

TEST(MailServerTls, SmtplibStartTlsAndLogin) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    const Certificate certificate = make_certificate(openssl);
    auto args = tls_args(certificate);
    args.insert(args.end(), {"--auth", "u:p"});
    TestMailServer mail = start_mail_server(args);
    const Finished sent = run(python,
                              {"-c", std::string(kSmtplibTls), mail.process.host(),
                               mail.process.port_string(), certificate.cert},
                              {}, kIo);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    const auto lines = split_lines(sent.out);
    ASSERT_EQ(lines.size(), 6u) << sent.out;
    EXPECT_TRUE(contains(lines[0], " starttls")) << lines[0];
    EXPECT_FALSE(contains(lines[0], " auth")) << lines[0];
    EXPECT_TRUE(contains(lines[1], " auth")) << lines[1];
    EXPECT_FALSE(contains(lines[1], " starttls")) << lines[1];
    EXPECT_TRUE(lines[2].starts_with("tls TLSv1.")) << lines[2];
    EXPECT_EQ(lines[3], "mail 250");
    EXPECT_EQ(lines[4], "rcpt 250");
    EXPECT_TRUE(lines[5].starts_with("data 250 2.0.0 Ok: queued as ")) << lines[5];
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 1u);
    const std::string stored = read_file(files.front());
    EXPECT_TRUE(names_tls(stored, "ESMTPSA")) << stored;
    EXPECT_TRUE(stored.ends_with("\n\nsealed by python\n")) << stored;
}

// Plaintext sent in the same packet as STARTTLS must not be run after the handshake
// (RFC 3207 4.2; the Postfix/CVE-2011-0411 command injection). Prints the first reply line
// after TLS, then what a second STARTTLS gets.
constexpr std::string_view kStartTlsInjection = R"py(
import socket, ssl, sys
host, port = sys.argv[1], int(sys.argv[2])
raw = socket.create_connection((host, port), timeout=20)
def reply(f):
    lines = []
    while True:
        line = f.readline().decode().rstrip('\r\n')
        lines.append(line)
        if len(line) < 4 or line[3] != '-':
            return lines
plain = raw.makefile('rb')
reply(plain)
raw.sendall(b'EHLO client.example\r\n')
reply(plain)
raw.sendall(b'STARTTLS\r\nNOOP\r\n')
print('starttls', reply(plain)[0])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
tls = context.wrap_socket(raw, server_hostname='localhost')
sealed = tls.makefile('rb')
tls.sendall(b'EHLO again.example\r\n')
print('first', reply(sealed)[0])
tls.sendall(b'STARTTLS\r\n')
print('second', reply(sealed)[0])
)py";

TEST(MailServerTls, PlaintextAfterStartTlsIsDiscarded) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    const Certificate certificate = make_certificate(openssl);
    TestMailServer mail = start_mail_server(tls_args(certificate));
    const Finished run_result = run(
        python,
        {"-c", std::string(kStartTlsInjection), mail.process.host(), mail.process.port_string()},
        {}, kIo);
    ASSERT_EQ(run_result.status, ExitStatus::exit_code(0)) << run_result.out << run_result.err;
    EXPECT_EQ(run_result.out,
              "starttls 220 2.0.0 Ready to start TLS\n"
              "first 250-mail.test\n"
              "second 503 5.5.1 Error: TLS already active\n");
}

TEST(MailServerTls, FailedHandshakeClosesOnlyThatConnection) {
    TOPDOWN_REQUIRE_TOOL(openssl, "openssl", "openssl");
    const Certificate certificate = make_certificate(openssl);
    TestMailServer mail = start_mail_server(tls_args(certificate));
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    EXPECT_EQ(client.command("STARTTLS", deadline).text(), "220 2.0.0 Ready to start TLS");
    client.send("this is not a TLS ClientHello\r\n", deadline);
    const Received rest = client.read_to_eof(deadline);
    EXPECT_NE(rest.end, StreamEnd::kTimeout);
    ASSERT_TRUE(mail.process.wait_for_output("[1] TLS failed", deadline)) << mail.process.output();
    SmtpClient other = greeted_smtp(mail.process, deadline);
    EXPECT_EQ(other.command("NOOP", deadline).text(), "250 2.0.0 Ok");
}

// ------------------------------------------------------------------------ AUTH secrets

// Every form a password can take on the wire: itself, base64, and the PLAIN blob in base64.
std::vector<std::string> secret_forms(const std::string& user, const std::string& password) {
    using namespace std::string_literals;
    return {password, base64_encode(password), base64_encode("\0"s + user + "\0"s + password),
            base64_encode(user + "\0"s + user + "\0"s + password)};
}

TEST(MailServerAuth, SecretsNeverAppearInTheTranscriptOrTheLog) {
    TOPDOWN_REQUIRE_TOOL(swaks, "swaks", "swaks");
    const std::string user = "alice";
    const std::string password = "Sup3r-S3cret-Pa55";
    const std::string wrong = "Wr0ng-Gue55-Pa55";
    TestMailServer mail =
        start_mail_server({"-v", "--auth", user + ":" + password, "--allow-insecure-auth"});
    for (const char* mechanism : {"PLAIN", "LOGIN"}) {
        SCOPED_TRACE(mechanism);
        const Finished swaks_run =
            run(swaks,
                {"--server", mail.process.endpoint(), "--from", std::string(kAlice), "--to",
                 "bob@example.org", "--helo", "client.example", "--auth", mechanism, "--auth-user",
                 user, "--auth-password", password, "--timeout", "20"},
                {}, kIo);
        EXPECT_EQ(swaks_run.status, ExitStatus::exit_code(0)) << swaks_run.out << swaks_run.err;
        EXPECT_TRUE(contains(swaks_run.out, "235 2.7.0 Authentication successful"))
            << swaks_run.out;
        EXPECT_TRUE(contains(swaks_run.out, "250 2.0.0 Ok: queued as ")) << swaks_run.out;
    }
    {
        // And a wrong password, as an initial response and as a LOGIN answer.
        using namespace std::string_literals;
        const Deadline deadline(kIo);
        SmtpClient client = greeted_smtp(mail.process, deadline);
        EXPECT_TRUE(
            client.command("AUTH PLAIN " + base64_encode("\0"s + user + "\0"s + wrong), deadline)
                .starts_with("535 5.7.8"));
        EXPECT_EQ(client.command("AUTH LOGIN " + base64_encode(user), deadline).text(),
                  "334 UGFzc3dvcmQ6");
        EXPECT_TRUE(client.command(base64_encode(wrong), deadline).starts_with("535 5.7.8"));
        client.command("QUIT", deadline);
    }
    const auto stored = mail.new_files();
    ASSERT_EQ(stored.size(), 2u);
    for (const auto& file : stored) {
        EXPECT_TRUE(contains(read_file(file), " with ESMTPA id ")) << read_file(file);
    }
    ASSERT_EQ(mail.process.stop(SIGTERM, kIo), ExitStatus::exit_code(0));
    const auto output = mail.process.output_to_eof(Deadline(kIo));
    ASSERT_TRUE(output.has_value());
    const std::string everything = mail.process.first_line() + "\n" + *output + mail.process.log();
    for (const auto& secret : secret_forms(user, password)) {
        EXPECT_FALSE(contains(everything, secret)) << "[" << secret << "] in:\n" << everything;
    }
    for (const auto& secret : secret_forms(user, wrong)) {
        EXPECT_FALSE(contains(everything, secret)) << "[" << secret << "] in:\n" << everything;
    }
    EXPECT_TRUE(contains(*output, "C: AUTH PLAIN (hidden)") ||
                contains(*output, "(authentication data hidden)"))
        << *output;
    EXPECT_TRUE(contains(*output, "S: 235 2.7.0 Authentication successful")) << *output;
}

}  // namespace
}  // namespace net::test
