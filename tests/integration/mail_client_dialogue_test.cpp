// mail_client, the real binary, against scripted fake SMTP servers on loopback (FakeSmtpServer):
// the whole dialogue and what arrives of the message, a refusal (4xx and 5xx) at every step and
// the exit status it gives, broken replies, closed and silent servers, SIZE, STARTTLS required
// but missing, AUTH and its secrets, the -v transcript; and its command-line errors, checked to
// fail before any connection is made.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.hpp"
#include "common/base64.hpp"
#include "common/socket.hpp"
#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/fake_smtp_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;
using Then = SmtpStep::Then;

constexpr auto kIo = 20s;  // one mail_client run against a fake on loopback, sanitizers included
// A run with a message of several MiB: ThreadSanitizer makes mail_client's work on it (compose,
// dot-stuffing) ten times slower.
constexpr auto kBigMessageRun = 60s;
// Passed as --timeout to every run that talks to a fake: a client left waiting for a reply the
// script never gives fails (74) well before kIo, and the test then shows why.
constexpr std::string_view kClientTimeout = "10";

constexpr std::string_view kGreeting = "220 fake.test ESMTP fake";
constexpr std::string_view kQueued = "250 2.0.0 Ok: queued as FAKE1";
constexpr std::string_view kUser = "mc-user";
constexpr std::string_view kPassword = "s3cret-Pa55word";
constexpr std::string_view kPasswordVar = "MAIL_CLIENT_TEST_PASSWORD";

// EHLO replies. The refusal scripts offer no PIPELINING, so the client waits for each reply
// and the script can say exactly which commands must (not) follow a refusal.
const std::vector<std::string> kEhloFull = {"250-fake.test greets client.test", "250-PIPELINING",
                                            "250-8BITMIME", "250 SIZE 1000000"};
const std::vector<std::string> kEhloPlain = {"250-fake.test greets client.test", "250 8BITMIME"};
const std::vector<std::string> kEhloAuth = {"250-fake.test greets client.test", "250-8BITMIME",
                                            "250 AUTH PLAIN LOGIN"};

SmtpStep on(std::string command, std::vector<std::string> reply, Then then = Then::kGoOn) {
    return {std::move(command), std::move(reply), then};
}

// Greeting 220, EHLO answered with `ehlo`, then `rest`.
std::vector<SmtpStep> after_ehlo(const std::vector<std::string>& ehlo, std::vector<SmtpStep> rest) {
    std::vector<SmtpStep> script = {greeting({std::string(kGreeting)}),
                                    on("EHLO client.test", ehlo)};
    script.insert(script.end(), std::make_move_iterator(rest.begin()),
                  std::make_move_iterator(rest.end()));
    return script;
}

SmtpStep quit() {
    return on("QUIT", {"221 2.0.0 Bye"});
}

// `first` then `second`.
std::vector<SmtpStep> concat(std::vector<SmtpStep> first, const std::vector<SmtpStep>& second) {
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

// A whole accepted transaction for one recipient, from MAIL to QUIT.
std::vector<SmtpStep> accept_one(std::string_view to = "to@x.test") {
    return {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
            on("RCPT TO:<" + std::string(to) + ">", {"250 2.1.5 Ok"}),
            on("DATA", {"354 End data with <CR><LF>.<CR><LF>"}), on(".", {std::string(kQueued)}),
            quit()};
}

// The message options most runs use.
std::vector<std::string> one_message(std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--from",    "a@b",  "--to",   "to@x.test",
                                     "--subject", "Test", "--body", "hello\n"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// What a run left: the client's status and output, and what the fake saw.
struct Dialogue {
    Finished client;
    SmtpSession server;

    [[nodiscard]] std::string describe() const {
        return "mail_client: " + client.status.describe() + "\n--- stdout:\n" + client.out +
               "--- stderr:\n" + client.err + "--- fake server:\n" + server.describe();
    }
};

// Runs mail_client against `fake` with `args` after --server, --helo and --timeout, and waits
// for the fake's session to end.
Dialogue run_dialogue(const FakeSmtpServer& fake, const std::vector<std::string>& args,
                      std::string_view input = {}, ProcessOptions options = {}) {
    std::vector<std::string> full = {"--server",    fake.endpoint(), "--helo",
                                     "client.test", "--timeout",     std::string(kClientTimeout)};
    full.insert(full.end(), args.begin(), args.end());
    Dialogue d{run(bin_path("mail_client"), full, input, kIo, std::move(options)), {}};
    auto session = fake.first_session(Deadline(kIo));
    if (session) {
        d.server = std::move(*session);
    } else {
        ADD_FAILURE() << "the fake server saw no session end\n" << d.describe();
    }
    return d;
}

ProcessOptions with_password(std::string_view password = kPassword) {
    return {.env = {{std::string(kPasswordVar), std::string(password)}}};
}

std::vector<std::string> credentials() {
    return {"--user", std::string(kUser), "--password-env", std::string(kPasswordVar)};
}

// AUTH PLAIN's initial response for kUser/password (RFC 4616: authzid NUL authcid NUL passwd).
std::string plain_response(std::string_view password = kPassword) {
    std::string raw;
    raw += '\0';
    raw += kUser;
    raw += '\0';
    raw += password;
    return base64_encode(raw);
}

// A failed run: `code`, nothing on stdout, stderr starting "mail_client: " and holding
// `mention` (the server's reply, usually), and no line the script did not expect.
void expect_failure(const Dialogue& d, int code, std::string_view mention = {}) {
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(code));
    EXPECT_EQ(d.client.out, "");
    EXPECT_TRUE(d.client.err.starts_with("mail_client: "));
    if (!mention.empty()) {
        EXPECT_TRUE(contains(d.client.err, mention)) << "stderr does not mention " << mention;
    }
    EXPECT_TRUE(d.server.problems.empty());
}

// The client said QUIT last, and heard the 221 (the script ran to its end).
void expect_quit_last(const Dialogue& d) {
    ASSERT_FALSE(d.server.commands.empty());
    EXPECT_EQ(d.server.commands.back(), "QUIT");
    EXPECT_TRUE(d.server.script_done);
}

// The header section of a message as received (up to the first empty line), and its body.
std::string header_section(std::string_view message) {
    return std::string(message.substr(0, message.find("\r\n\r\n") + 2));
}

// Whether some header line (not a continuation) starts with `name` + ':' (case-sensitively:
// compose() writes the canonical spelling).
bool has_header(std::string_view headers, std::string_view name) {
    return headers.starts_with(std::string(name) + ":") ||
           contains(headers, "\r\n" + std::string(name) + ":");
}

// Every LF in `bytes` comes after a CR.
bool only_crlf(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return false;
    }
    return true;
}

// ------------------------------------------------------------------------ the whole dialogue

TEST(MailClientDialogue, SendsADotStuffedMessageToEveryRecipient) {
    FakeSmtpServer fake(after_ehlo(
        kEhloFull,
        {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}), on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}),
         on("RCPT TO:<cc@x.test>", {"250 2.1.5 Ok"}), on("RCPT TO:<bcc@x.test>", {"250 2.1.5 Ok"}),
         on("DATA", {"354 End data with <CR><LF>.<CR><LF>"}),
         on(".", {"250-2.0.0 first line of the final reply", std::string(kQueued)}), quit()}));
    const TempDir dir;
    const auto body =
        dir.write_file("body.txt", "first line\n.leading dot\n..two dots\n.\nlast line\n");
    const Dialogue d =
        run_dialogue(fake, {"--from", "a@b", "--to", "to@x.test", "--cc", "cc@x.test", "--bcc",
                            "bcc@x.test", "--subject", "Dots", "--body-file", body.string()});
    SCOPED_TRACE(d.describe());

    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.client.out, "accepted for 3 of 3 recipients: " + std::string(kQueued) + "\n");
    EXPECT_EQ(d.client.err, "");
    EXPECT_TRUE(d.server.problems.empty());
    EXPECT_TRUE(d.server.script_done);

    // The commands, in order; MAIL carries SIZE (offered by EHLO).
    ASSERT_EQ(d.server.commands.size(), 8U);
    EXPECT_EQ(d.server.commands[0], "EHLO client.test");
    const std::string& mail = d.server.commands[1];
    EXPECT_TRUE(mail.starts_with("MAIL FROM:<a@b>")) << mail;
    std::smatch size;
    ASSERT_TRUE(std::regex_search(mail, size, std::regex(" SIZE=([0-9]+)( |$)"))) << mail;
    EXPECT_EQ(d.server.commands[2], "RCPT TO:<to@x.test>");
    EXPECT_EQ(d.server.commands[3], "RCPT TO:<cc@x.test>");
    EXPECT_EQ(d.server.commands[4], "RCPT TO:<bcc@x.test>");
    EXPECT_EQ(d.server.commands[5], "DATA");
    EXPECT_EQ(d.server.commands[6], ".");
    EXPECT_EQ(d.server.commands[7], "QUIT");

    // The message: CRLF throughout, every line starting with '.' doubled, ended by CRLF.CRLF.
    ASSERT_EQ(d.server.messages.size(), 1U);
    const std::string& message = d.server.messages.front();
    EXPECT_TRUE(only_crlf(message));
    EXPECT_TRUE(contains(message,
                         "\r\n\r\nfirst line\r\n..leading dot\r\n...two dots\r\n..\r\n"
                         "last line\r\n"))
        << message;
    EXPECT_TRUE(message.ends_with("last line\r\n.\r\n")) << message;
    // SIZE (RFC 1870 4): the message's octets, at least those before dot-stuffing, at most
    // those on the wire.
    const std::size_t declared = std::stoul(size[1].str());
    const std::size_t stuffing = 4;  // the four doubled dots
    EXPECT_GE(declared, message.size() - 3 - stuffing) << mail;
    EXPECT_LE(declared, message.size()) << mail;

    // The headers name To and Cc; the Bcc recipient appears nowhere.
    const std::string headers = header_section(message);
    EXPECT_TRUE(contains(headers, "\r\nTo: to@x.test\r\n") || headers.starts_with("To: to@x.test"))
        << headers;
    EXPECT_TRUE(has_header(headers, "Cc")) << headers;
    EXPECT_TRUE(contains(headers, "cc@x.test")) << headers;
    EXPECT_TRUE(has_header(headers, "From")) << headers;
    EXPECT_TRUE(contains(headers, "a@b")) << headers;
    EXPECT_TRUE(has_header(headers, "Subject")) << headers;
    EXPECT_TRUE(contains(headers, "Subject: Dots\r\n")) << headers;
    EXPECT_FALSE(has_header(headers, "Bcc")) << headers;
    EXPECT_FALSE(contains(message, "bcc@x.test")) << message;
}

TEST(MailClientDialogue, QuietPrintsNothingOnSuccess) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, accept_one()));
    const Dialogue d = run_dialogue(fake, one_message({"-q"}));
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.client.out, "");
    EXPECT_EQ(d.client.err, "");
    EXPECT_TRUE(d.server.script_done);
}

TEST(MailClientDialogue, BodyComesFromStdinWhenNotATerminal) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, accept_one()));
    const Dialogue d = run_dialogue(
        fake, {"--from", "a@b", "--to", "to@x.test", "--subject", "Piped"}, "from stdin\n.dot\n");
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    ASSERT_EQ(d.server.messages.size(), 1U);
    EXPECT_TRUE(d.server.messages.front().ends_with("\r\n\r\nfrom stdin\r\n..dot\r\n.\r\n"))
        << d.server.messages.front();
}

TEST(MailClientDialogue, MessageFileIsSentAsItIsDotStuffed) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, accept_one()));
    const TempDir dir;
    const auto message =
        dir.write_file("message.eml",
                       "From: someone@else.test\nTo: list@x.test\nSubject: as it is\n\n"
                       ".dot\nno final line end");
    const Dialogue d =
        run_dialogue(fake, {"--from", "a@b", "--to", "to@x.test", "--message", message.string()});
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    ASSERT_EQ(d.server.messages.size(), 1U);
    EXPECT_EQ(d.server.messages.front(),
              "From: someone@else.test\r\nTo: list@x.test\r\nSubject: as it is\r\n\r\n"
              "..dot\r\nno final line end\r\n.\r\n");
}

TEST(MailClientDialogue, MessageFromStdinIsSentAsItIs) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, accept_one()));
    const Dialogue d = run_dialogue(fake, {"--from", "a@b", "--to", "to@x.test", "--message", "-"},
                                    "Subject: piped\n\n.\nend\n");
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    ASSERT_EQ(d.server.messages.size(), 1U);
    EXPECT_EQ(d.server.messages.front(), "Subject: piped\r\n\r\n..\r\nend\r\n.\r\n");
}

TEST(MailClientDialogue, MultiLineGreetingIsAccepted) {
    auto script = after_ehlo(kEhloPlain, accept_one());
    script.front() = greeting({"220-fake.test first line", "220-second", std::string(kGreeting)});
    FakeSmtpServer fake(std::move(script));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_TRUE(d.server.problems.empty());
    EXPECT_TRUE(d.server.script_done);
}

TEST(MailClientDialogue, EightBitBodyDeclaresBody8BitMimeWhenOffered) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, accept_one()));
    const Dialogue d = run_dialogue(fake, {"--from", "a@b", "--to", "to@x.test", "--subject",
                                           "8bit", "--body", "h\xc3\xa9llo\n"});
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_TRUE(contains(d.server.find("MAIL FROM:"), " BODY=8BITMIME"));
    ASSERT_EQ(d.server.messages.size(), 1U);
    EXPECT_TRUE(contains(d.server.messages.front(), "h\xc3\xa9llo\r\n"));
}

TEST(MailClientDialogue, EightBitBodyIsQuotedPrintableWithout8BitMime) {
    FakeSmtpServer fake(after_ehlo({"250 fake.test"}, accept_one()));
    const Dialogue d = run_dialogue(fake, {"--from", "a@b", "--to", "to@x.test", "--subject",
                                           "7bit", "--body", "h\xc3\xa9llo\n"});
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.server.find("MAIL FROM:"), "MAIL FROM:<a@b>");
    ASSERT_EQ(d.server.messages.size(), 1U);
    const std::string& message = d.server.messages.front();
    EXPECT_TRUE(std::all_of(message.begin(), message.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
    })) << message;
    EXPECT_TRUE(contains(message, "h=C3=A9llo")) << message;
}

TEST(MailClientDialogue, WorksOverIpv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    FakeSmtpServer fake(after_ehlo(kEhloPlain, accept_one()), "::1");
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.client.out, "accepted for 1 of 1 recipients: " + std::string(kQueued) + "\n");
}

// ------------------------------------------------------------------------ refusals, step by step

TEST(MailClientDialogue, ConnectionRefusedExits69) {
    const std::uint16_t port = unused_port(Transport::kTcp);
    const Finished result =
        run(bin_path("mail_client"),
            {"--server", "127.0.0.1:" + std::to_string(port), "--from", "a@b", "--to", "to@x.test",
             "--body", "x", "--timeout", std::string(kClientTimeout)},
            {}, kIo);
    EXPECT_EQ(result.status, ExitStatus::exit_code(69)) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("mail_client: ")) << result.err;
}

TEST(MailClientDialogue, Greeting554Exits69AndQuits) {
    FakeSmtpServer fake({greeting({"554 5.3.2 no service for you"}), quit()});
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 69, "554 5.3.2 no service for you");
    EXPECT_FALSE(d.server.received("EHLO"));
    expect_quit_last(d);
}

TEST(MailClientDialogue, Greeting421Exits69) {
    // 421 at the greeting: the server closes (the fake does, as RFC 5321 3.8 says).
    FakeSmtpServer fake({greeting({"421 4.3.2 too busy, try later"})});
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 69, "421 4.3.2 too busy, try later");
    EXPECT_FALSE(d.server.received("EHLO"));
}

TEST(MailClientDialogue, EhloRefusedFallsBackToHelo) {
    FakeSmtpServer fake({greeting({std::string(kGreeting)}),
                         on("EHLO client.test", {"502 5.5.2 EHLO not implemented"}),
                         on("HELO client.test", {"250 fake.test"}),
                         on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                         on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}), on("DATA", {"354 go on"}),
                         on(".", {std::string(kQueued)}), quit()});
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.client.out, "accepted for 1 of 1 recipients: " + std::string(kQueued) + "\n");
    EXPECT_TRUE(d.server.problems.empty());
    EXPECT_TRUE(d.server.script_done);
    // After HELO no extension is known: MAIL has no parameters.
    EXPECT_EQ(d.server.find("MAIL"), "MAIL FROM:<a@b>");
}

TEST(MailClientDialogue, EhloAndHeloRefusedExits69AndQuits) {
    FakeSmtpServer fake({greeting({std::string(kGreeting)}),
                         on("EHLO client.test", {"550 5.7.1 go away"}),
                         on("HELO client.test", {"550 5.7.1 still go away"}), quit()});
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 69, "550 5.7.1 still go away");
    EXPECT_FALSE(d.server.received("MAIL"));
    expect_quit_last(d);
}

TEST(MailClientDialogue, Ehlo421Exits75) {
    FakeSmtpServer fake(
        {greeting({std::string(kGreeting)}), on("EHLO client.test", {"421 4.3.2 shutting down"})});
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 75, "421 4.3.2 shutting down");
    EXPECT_FALSE(d.server.received("HELO"));
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, MailFrom550Exits65AndQuits) {
    FakeSmtpServer fake(
        after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"550 5.7.1 sender refused"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 65, "550 5.7.1 sender refused");
    EXPECT_FALSE(d.server.received("RCPT"));
    expect_quit_last(d);
}

TEST(MailClientDialogue, MailFrom451Exits75AndQuits) {
    FakeSmtpServer fake(
        after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"451 4.3.0 try again later"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 75, "451 4.3.0 try again later");
    EXPECT_FALSE(d.server.received("RCPT"));
    expect_quit_last(d);
}

TEST(MailClientDialogue, OneRefusedRecipientIsReportedAndTheMailGoesOn) {
    FakeSmtpServer fake(after_ehlo(
        kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                     on("RCPT TO:<bad@x.test>", {"550 5.1.1 no such user"}),
                     on("RCPT TO:<good@x.test>", {"250 2.1.5 Ok"}), on("DATA", {"354 go on"}),
                     on(".", {std::string(kQueued)}), quit()}));
    const Dialogue d = run_dialogue(
        fake, {"--from", "a@b", "--to", "bad@x.test", "--to", "good@x.test", "--body", "hello\n"});
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.client.out, "accepted for 1 of 2 recipients: " + std::string(kQueued) + "\n");
    EXPECT_EQ(d.client.err,
              "mail_client: recipient <bad@x.test> refused: 550 5.1.1 no such user\n");
    EXPECT_TRUE(d.server.problems.empty());
    expect_quit_last(d);
    ASSERT_EQ(d.server.messages.size(), 1U);
}

TEST(MailClientDialogue, EveryRecipientRefusedExits65WithoutData) {
    FakeSmtpServer fake(
        after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                                on("RCPT TO:<one@x.test>", {"550 5.1.1 no such user"}),
                                on("RCPT TO:<two@x.test>", {"553 5.1.3 bad address"}), quit()}));
    const Dialogue d = run_dialogue(
        fake, {"--from", "a@b", "--to", "one@x.test", "--cc", "two@x.test", "--body", "hi\n"});
    SCOPED_TRACE(d.describe());
    expect_failure(d, 65);
    EXPECT_TRUE(contains(d.client.err,
                         "mail_client: recipient <one@x.test> refused: 550 5.1.1 no such user\n"));
    EXPECT_TRUE(contains(d.client.err,
                         "mail_client: recipient <two@x.test> refused: 553 5.1.3 bad address\n"));
    EXPECT_FALSE(d.server.received("DATA"));
    EXPECT_TRUE(d.server.messages.empty());
    expect_quit_last(d);
}

TEST(MailClientDialogue, EveryRecipientDeferredExits75WithoutData) {
    FakeSmtpServer fake(
        after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                                on("RCPT TO:<one@x.test>", {"450 4.2.1 mailbox busy"}),
                                on("RCPT TO:<two@x.test>", {"451 4.3.0 try later"}), quit()}));
    const Dialogue d = run_dialogue(
        fake, {"--from", "a@b", "--to", "one@x.test", "--to", "two@x.test", "--body", "hi\n"});
    SCOPED_TRACE(d.describe());
    expect_failure(d, 75);
    EXPECT_TRUE(contains(d.client.err, "recipient <one@x.test> refused: 450 4.2.1 mailbox busy"));
    EXPECT_TRUE(contains(d.client.err, "recipient <two@x.test> refused: 451 4.3.0 try later"));
    EXPECT_FALSE(d.server.received("DATA"));
    expect_quit_last(d);
}

TEST(MailClientDialogue, Data554Exits65AndQuits) {
    FakeSmtpServer fake(after_ehlo(
        kEhloPlain,
        {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}), on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}),
         on("DATA", {"554 5.5.1 no valid recipients"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 65, "554 5.5.1 no valid recipients");
    EXPECT_TRUE(d.server.messages.empty());
    EXPECT_FALSE(d.server.received("hello"));  // no line of the message came as a command
    expect_quit_last(d);
}

TEST(MailClientDialogue, Message552Exits65AndQuits) {
    FakeSmtpServer fake(after_ehlo(
        kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                     on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}), on("DATA", {"354 go on"}),
                     on(".", {"552-5.3.4 the first line", "552 5.3.4 message too big"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 65, "552 5.3.4 message too big");
    EXPECT_EQ(d.server.messages.size(), 1U);
    expect_quit_last(d);
}

TEST(MailClientDialogue, Message451Exits75AndQuits) {
    FakeSmtpServer fake(after_ehlo(
        kEhloPlain,
        {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}), on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}),
         on("DATA", {"354 go on"}), on(".", {"451 4.3.0 local error, try later"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 75, "451 4.3.0 local error, try later");
    expect_quit_last(d);
}

TEST(MailClientDialogue, MessageOverTheSizeLimitExits65WithoutMail) {
    FakeSmtpServer fake(after_ehlo({"250-fake.test greets client.test", "250 SIZE 100"}, {quit()}));
    const Dialogue d = run_dialogue(fake, one_message({"--body", std::string(1000, 'x') + "\n"}));
    SCOPED_TRACE(d.describe());
    expect_failure(d, 65);
    EXPECT_FALSE(d.server.received("MAIL"));
    EXPECT_EQ(d.server.commands, (std::vector<std::string>{"EHLO client.test", "QUIT"}));
    expect_quit_last(d);
}

// ------------------------------------------------------------------------ broken servers

TEST(MailClientDialogue, ReplyCodeChangingMidReplyExits76) {
    FakeSmtpServer fake(after_ehlo(
        {"250-fake.test greets client.test", "251-PIPELINING", "250 8BITMIME"}, {quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 76);
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, GarbageLineInAReplyExits76) {
    FakeSmtpServer fake(
        after_ehlo({"250-fake.test greets client.test", "this is not a reply line", "250 8BITMIME"},
                   {quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 76);
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, GarbageReplyToMailExits76) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"OK then"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 76);
    EXPECT_FALSE(d.server.received("RCPT"));
}

TEST(MailClientDialogue, ReplyCodeNotAllowedAtTheStepExits76) {
    // RFC 5321 4.3.2: MAIL is answered 250, 4xx or 5xx, never 354.
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"354 go on?"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 76);
    EXPECT_FALSE(d.server.received("RCPT"));
}

TEST(MailClientDialogue, ServerClosingAfterTheGreetingExits74) {
    FakeSmtpServer fake({greeting({std::string(kGreeting)}, Then::kClose)});
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 74);
}

TEST(MailClientDialogue, ServerClosingInTheMiddleOfAReplyExits74) {
    FakeSmtpServer fake(
        after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250-2.1.0 Ok, and"}, Then::kClose)}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 74);
}

TEST(MailClientDialogue, ServerClosingAfter354Exits74) {
    // A message of some 2 MB: the client is still writing it when the connection goes (EPIPE or
    // ECONNRESET, never a SIGPIPE death).
    std::string body;
    while (body.size() < 2 * 1024 * 1024)
        body += "a line of the body that goes on for a while, to fill the socket buffers\n";
    const TempDir dir;
    const auto body_file = dir.write_file("big.txt", body);
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                                                on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}),
                                                on("DATA", {"354 go on"}, Then::kClose)}));
    const Dialogue d = run_dialogue(
        fake, {"--from", "a@b", "--to", "to@x.test", "--body-file", body_file.string()});
    SCOPED_TRACE(d.client.status.describe() + "\n" + d.client.err + d.server.describe());
    expect_failure(d, 74);
}

TEST(MailClientDialogue, ServerClosingAfter354WithASmallMessageExits74) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                                                on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}),
                                                on("DATA", {"354 go on"}, Then::kClose)}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 74);
}

TEST(MailClientDialogue, SilentServerTimesOutExits74) {
    FakeSmtpServer silent({greeting({std::string(kGreeting)}), on("EHLO", {}, Then::kStall)});
    const auto started = Clock::now();
    const Finished result = run(bin_path("mail_client"),
                                {"--server", silent.endpoint(), "--helo", "client.test", "--from",
                                 "a@b", "--to", "to@x.test", "--body", "x", "--timeout", "1"},
                                {}, 10s);
    const auto took = Clock::now() - started;
    EXPECT_EQ(result.status, ExitStatus::exit_code(74)) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("mail_client: ")) << result.err;
    EXPECT_GE(took, 900ms);  // it did wait for the reply
    EXPECT_LT(took, 10s);
    const auto session = silent.first_session(Deadline(kIo));
    ASSERT_TRUE(session.has_value());
    EXPECT_TRUE(session->problems.empty()) << session->describe();
    EXPECT_EQ(session->commands, std::vector<std::string>{"EHLO client.test"});
}

TEST(MailClientDialogue, ServerNotReadingTheMessageTimesOutExits74) {
    // The fake stops reading after 354: the client's writes block once the socket buffers
    // (its send buffer grows to 4 MiB; the fake's receive buffer is small) are full, and
    // --timeout must bound each write too. Without that bound the run never ends.
    std::string body;
    while (body.size() < 8 * 1024 * 1024)
        body += "a line of the body that goes on for a while, to fill the socket buffers\n";
    const TempDir dir;
    const auto body_file = dir.write_file("big.txt", body);
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                                                on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}),
                                                on("DATA", {"354 go on"}, Then::kHang)}));
    Finished result;
    try {
        result = run(bin_path("mail_client"),
                     {"--server", fake.endpoint(), "--helo", "client.test", "--from", "a@b", "--to",
                      "to@x.test", "--body-file", body_file.string(), "--timeout", "1"},
                     {}, kBigMessageRun);
    } catch (const std::runtime_error& e) {
        FAIL() << "with --timeout 1, mail_client was still writing the message to a server that "
                  "stopped reading: "
               << e.what();
    }
    EXPECT_EQ(result.status, ExitStatus::exit_code(74)) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("mail_client: ")) << result.err;
    fake.release();
    const auto session = fake.first_session(Deadline(kIo));
    ASSERT_TRUE(session.has_value());
    EXPECT_TRUE(session->problems.empty()) << session->describe();
    EXPECT_TRUE(session->script_done) << session->describe();
}

TEST(MailClientDialogue, SlowButSteadyServerGetsAMessageThatTakesLongerThanTheTimeout) {
    // --timeout bounds each step ("each write"), not the whole message: a server that reads
    // steadily, 2 MB/s, takes about 4 s for 8 MB (2 s while the client writes, 2 s more for
    // the ~4 MiB its send buffer holds), with --timeout 2, and no write waits near 2 s.
    std::string body;
    while (body.size() < 8 * 1024 * 1024)
        body += "a line of the body that goes on for a while, to fill the socket buffers\n";
    const TempDir dir;
    const auto body_file = dir.write_file("big.txt", body);
    SmtpStep data = on("DATA", {"354 go on"});
    data.read_rate = 2 * 1024 * 1024;
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {on("MAIL FROM:<a@b>", {"250 2.1.0 Ok"}),
                                                on("RCPT TO:<to@x.test>", {"250 2.1.5 Ok"}), data,
                                                on(".", {std::string(kQueued)}), quit()}));
    const auto started = Clock::now();
    const Finished result =
        run(bin_path("mail_client"),
            {"--server", fake.endpoint(), "--helo", "client.test", "--from", "a@b", "--to",
             "to@x.test", "--body-file", body_file.string(), "--timeout", "2"},
            {}, kBigMessageRun);
    const auto took = Clock::now() - started;
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_EQ(result.out, "accepted for 1 of 1 recipients: " + std::string(kQueued) + "\n");
    // Else the socket buffers took it all at once, and this test proved nothing.
    EXPECT_GT(took, 2s) << "the message went faster than the timeout";
    const auto session = fake.first_session(Deadline(kIo));
    ASSERT_TRUE(session.has_value());
    EXPECT_TRUE(session->problems.empty()) << session->describe();
    ASSERT_EQ(session->messages.size(), 1U) << session->describe();
    EXPECT_GT(session->messages.front().size(), body.size());
}

// ------------------------------------------------------------------------ TLS and AUTH

TEST(MailClientDialogue, StarttlsRequiredButNotOfferedExits78) {
    FakeSmtpServer fake(after_ehlo(kEhloAuth, {quit()}));
    const Dialogue d = run_dialogue(fake, one_message({"--tls", "starttls"}));
    SCOPED_TRACE(d.describe());
    expect_failure(d, 78);
    EXPECT_FALSE(d.server.received("STARTTLS"));
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, StarttlsRefusedExits78) {
    FakeSmtpServer fake(after_ehlo(
        {"250-fake.test greets client.test", "250 STARTTLS"},
        {on("STARTTLS", {"454 4.7.0 TLS not available due to temporary reason"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message({"--tls", "starttls"}));
    SCOPED_TRACE(d.describe());
    expect_failure(d, 78, "454 4.7.0 TLS not available");
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, StarttlsHandshakeFailureExits78) {
    // 220 to STARTTLS, then plain text in answer to the ClientHello.
    FakeSmtpServer fake(after_ehlo({"250-fake.test greets client.test", "250 STARTTLS"},
                                   {on("STARTTLS", {"220 2.0.0 go ahead"}, Then::kNotTls)}));
    const Dialogue d = run_dialogue(fake, one_message({"--tls", "starttls"}));
    SCOPED_TRACE(d.describe());
    expect_failure(d, 78);
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, AutoTlsStartsTlsWhenOffered) {
    // Without credentials too: auto means STARTTLS whenever offered (here it then fails).
    FakeSmtpServer fake(after_ehlo({"250-fake.test greets client.test", "250 STARTTLS"},
                                   {on("STARTTLS", {"220 2.0.0 go ahead"}, Then::kNotTls)}));
    const Dialogue d = run_dialogue(fake, one_message());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 78);
    EXPECT_TRUE(d.server.received("STARTTLS"));
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, ImplicitTlsAgainstAPlainServerExits78) {
    FakeSmtpServer fake({greeting({std::string(kGreeting)}, Then::kStall)});
    const Dialogue d = run_dialogue(fake, one_message({"--tls", "implicit"}));
    SCOPED_TRACE(d.describe());
    expect_failure(d, 78);
}

TEST(MailClientDialogue, AutoTlsWithCredentialsWithoutStarttlsExits78AndSendsNoAuth) {
    FakeSmtpServer fake(after_ehlo(kEhloAuth, {quit()}));
    const Dialogue d = run_dialogue(fake, one_message(credentials()), {}, with_password());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 78);
    EXPECT_FALSE(d.server.received("AUTH"));
    EXPECT_FALSE(d.server.received("MAIL"));
    EXPECT_FALSE(contains(d.client.err, kPassword));
}

TEST(MailClientDialogue, AuthPlainInClearWithTlsNone) {
    FakeSmtpServer fake(after_ehlo(
        kEhloAuth,
        concat({on("AUTH PLAIN", {"235 2.7.0 Authentication successful"})}, accept_one())));
    const Dialogue d = run_dialogue(fake,
                                    one_message({"--tls", "none", "--user", std::string(kUser),
                                                 "--password-env", std::string(kPasswordVar)}),
                                    {}, with_password());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_TRUE(d.server.problems.empty());
    EXPECT_TRUE(d.server.script_done);
    EXPECT_EQ(d.server.find("AUTH"), "AUTH PLAIN " + plain_response());
    EXPECT_EQ(d.server.count("AUTH"), 1U);
}

TEST(MailClientDialogue, AuthPasswordFileGivesItsFirstLine) {
    FakeSmtpServer fake(after_ehlo(
        kEhloAuth,
        concat({on("AUTH PLAIN", {"235 2.7.0 Authentication successful"})}, accept_one())));
    const TempDir dir;
    const auto password_file = dir.write_file("password", "from-the-file\nsecond line\n");
    const Dialogue d =
        run_dialogue(fake, one_message({"--tls", "none", "--user", std::string(kUser),
                                        "--password-file", password_file.string()}));
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.server.find("AUTH"), "AUTH PLAIN " + plain_response("from-the-file"));
}

TEST(MailClientDialogue, AuthLoginWhenForced) {
    FakeSmtpServer fake(after_ehlo(
        kEhloAuth, concat({on("AUTH LOGIN", {"334 VXNlcm5hbWU6"}),
                           on(base64_encode(kUser), {"334 UGFzc3dvcmQ6"}),
                           on(base64_encode(kPassword), {"235 2.7.0 Authentication successful"})},
                          accept_one())));
    const Dialogue d =
        run_dialogue(fake,
                     one_message({"--tls", "none", "--auth", "login", "-v", "--user",
                                  std::string(kUser), "--password-env", std::string(kPasswordVar)}),
                     {}, with_password());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_TRUE(d.server.problems.empty());
    EXPECT_TRUE(d.server.script_done);
    EXPECT_EQ(d.server.find("AUTH"), "AUTH LOGIN");
    // The transcript shows both answers redacted, and neither secret in any form.
    const auto lines = split_lines(d.client.err);
    EXPECT_EQ(std::count(lines.begin(), lines.end(), "C: <redacted>"), 2) << d.client.err;
    for (const std::string& secret : {std::string(kPassword), base64_encode(kPassword)}) {
        EXPECT_FALSE(contains(d.client.err, secret)) << secret;
        EXPECT_FALSE(contains(d.client.out, secret)) << secret;
    }
}

TEST(MailClientDialogue, AuthAutoTakesLoginWhenPlainIsNotOffered) {
    FakeSmtpServer fake(after_ehlo(
        {"250-fake.test greets client.test", "250 AUTH CRAM-MD5 LOGIN"},
        concat(
            {on("AUTH LOGIN", {"334 VXNlcm5hbWU6"}), on(base64_encode(kUser), {"334 UGFzc3dvcmQ6"}),
             on(base64_encode(kPassword), {"235 2.7.0 Authentication successful"})},
            accept_one())));
    const Dialogue d = run_dialogue(fake,
                                    one_message({"--tls", "none", "--user", std::string(kUser),
                                                 "--password-env", std::string(kPasswordVar)}),
                                    {}, with_password());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_TRUE(d.server.problems.empty());
    EXPECT_TRUE(d.server.script_done);
}

TEST(MailClientDialogue, Auth535Exits77AndQuits) {
    FakeSmtpServer fake(after_ehlo(
        kEhloAuth, {on("AUTH PLAIN", {"535 5.7.8 Authentication credentials invalid"}), quit()}));
    const Dialogue d = run_dialogue(fake,
                                    one_message({"--tls", "none", "--user", std::string(kUser),
                                                 "--password-env", std::string(kPasswordVar)}),
                                    {}, with_password());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 77, "535 5.7.8 Authentication credentials invalid");
    EXPECT_FALSE(d.server.received("MAIL"));
    EXPECT_FALSE(contains(d.client.err, kPassword));
    EXPECT_FALSE(contains(d.client.err, plain_response()));
    expect_quit_last(d);
}

TEST(MailClientDialogue, Auth454Exits75) {
    FakeSmtpServer fake(after_ehlo(
        kEhloAuth, {on("AUTH PLAIN", {"454 4.7.0 Temporary authentication failure"}), quit()}));
    const Dialogue d = run_dialogue(fake,
                                    one_message({"--tls", "none", "--user", std::string(kUser),
                                                 "--password-env", std::string(kPasswordVar)}),
                                    {}, with_password());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 75, "454 4.7.0 Temporary authentication failure");
    EXPECT_FALSE(d.server.received("MAIL"));
    expect_quit_last(d);
}

TEST(MailClientDialogue, CredentialsWithoutAnAuthMechanismExits77) {
    FakeSmtpServer fake(after_ehlo(kEhloPlain, {quit()}));
    const Dialogue d = run_dialogue(fake,
                                    one_message({"--tls", "none", "--user", std::string(kUser),
                                                 "--password-env", std::string(kPasswordVar)}),
                                    {}, with_password());
    SCOPED_TRACE(d.describe());
    expect_failure(d, 77);
    EXPECT_FALSE(d.server.received("AUTH"));
    EXPECT_FALSE(d.server.received("MAIL"));
}

TEST(MailClientDialogue, Mail530WithoutCredentialsExits77) {
    FakeSmtpServer fake(after_ehlo(
        kEhloAuth, {on("MAIL FROM:<a@b>", {"530 5.7.0 Authentication required"}), quit()}));
    const Dialogue d = run_dialogue(fake, one_message({"--tls", "none"}));
    SCOPED_TRACE(d.describe());
    expect_failure(d, 77, "530 5.7.0 Authentication required");
    EXPECT_FALSE(d.server.received("AUTH"));
    expect_quit_last(d);
}

// ------------------------------------------------------------------------ -v

TEST(MailClientDialogue, VerboseShowsTheTranscriptWithoutSecrets) {
    FakeSmtpServer fake(after_ehlo(
        {"250-fake.test greets client.test", "250-PIPELINING", "250-SIZE 1000000",
         "250 AUTH PLAIN LOGIN"},
        concat({on("AUTH PLAIN", {"235 2.7.0 Authentication successful"})}, accept_one())));
    const Dialogue d =
        run_dialogue(fake,
                     {"-v", "--tls", "none", "--user", std::string(kUser), "--password-env",
                      std::string(kPasswordVar), "--from", "a@b", "--to", "to@x.test", "--subject",
                      "Verbose", "--body", "line one\n.dotted\n"},
                     {}, with_password());
    SCOPED_TRACE(d.describe());
    EXPECT_EQ(d.client.status, ExitStatus::exit_code(0));
    EXPECT_EQ(d.client.out, "accepted for 1 of 1 recipients: " + std::string(kQueued) + "\n");
    EXPECT_TRUE(d.server.problems.empty());

    const auto lines = split_lines(d.client.err);
    const auto has_line = [&](const std::string& want) {
        return std::find(lines.begin(), lines.end(), want) != lines.end();
    };
    for (const std::string& want :
         {"S: " + std::string(kGreeting), std::string("C: EHLO client.test"),
          std::string("S: 250-fake.test greets client.test"), std::string("S: 250-PIPELINING"),
          std::string("S: 250 AUTH PLAIN LOGIN"), std::string("C: AUTH PLAIN <redacted>"),
          std::string("S: 235 2.7.0 Authentication successful"), std::string("C: DATA"),
          std::string("C: Subject: Verbose"), std::string("C: line one"),
          std::string("C: RCPT TO:<to@x.test>"), std::string("S: " + std::string(kQueued)),
          std::string("C: QUIT"), std::string("S: 221 2.0.0 Bye")}) {
        EXPECT_TRUE(has_line(want)) << "no line [" << want << "] in stderr";
    }
    const auto mail = std::find_if(lines.begin(), lines.end(), [](const std::string& line) {
        return line.starts_with("C: MAIL FROM:<a@b>");
    });
    EXPECT_NE(mail, lines.end());
    for (const std::string& secret :
         {std::string(kPassword), plain_response(), base64_encode(kPassword)}) {
        EXPECT_FALSE(contains(d.client.err, secret)) << secret;
        EXPECT_FALSE(contains(d.client.out, secret)) << secret;
    }
}

// ------------------------------------------------------------------------ the command line

// A listening socket that never accepts: a client that connected leaves its connection in the
// accept queue, so after the client exited a test can tell whether it connected at all.
class ConnectionTrap {
  public:
    ConnectionTrap() : socket_(listen_tcp("127.0.0.1", "0")) {}
    [[nodiscard]] std::string endpoint() const {
        return "127.0.0.1:" + std::to_string(socket_.address.port());
    }
    [[nodiscard]] bool connected() const {
        pollfd p{socket_.fd.get(), POLLIN, 0};
        return ::poll(&p, 1, 0) > 0;
    }

  private:
    BoundSocket socket_;
};

std::string join(const std::vector<std::string>& args) {
    std::string joined;
    for (const auto& a : args)
        joined += " '" + a + "'";
    return joined;
}

// Runs mail_client with `args` (and --timeout 5) and expects `code`, nothing on stdout, a
// "mail_client: " message on stderr mentioning `mention`, and no connection to `trap`.
void expect_cli_error(const ConnectionTrap& trap, std::vector<std::string> args, int code,
                      std::string_view mention = {}, ProcessOptions options = {}) {
    SCOPED_TRACE("mail_client" + join(args));
    args.insert(args.end(), {"--timeout", "5"});
    const Finished result = run(bin_path("mail_client"), args, {}, kIo, std::move(options));
    EXPECT_EQ(result.status, ExitStatus::exit_code(code)) << "stderr: " << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("mail_client: ")) << "stderr: " << result.err;
    if (!mention.empty()) {
        EXPECT_TRUE(contains(result.err, mention)) << "stderr: " << result.err;
    }
    EXPECT_FALSE(trap.connected()) << "it connected before finding the error";
}

TEST(MailClientCli, MissingServerFromOrRecipientExits64) {
    const ConnectionTrap trap;
    const std::string server = trap.endpoint();
    expect_cli_error(trap, {"--from", "a@b", "--to", "to@x.test", "--body", "x"}, 64, "--server");
    expect_cli_error(trap, {"--server", server, "--to", "to@x.test", "--body", "x"}, 64, "--from");
    expect_cli_error(trap, {"--server", server, "--from", "a@b", "--body", "x"}, 64);
    expect_cli_error(
        trap,
        {"--server", server, "--from", "a@b", "--to", "to@x.test", "--body", "x", "--frobnicate"},
        64, "--frobnicate");
}

TEST(MailClientCli, InvalidAddressesExit64) {
    const ConnectionTrap trap;
    const std::string server = trap.endpoint();
    const auto base = [&](std::string_view option, std::string_view address) {
        std::vector<std::string> args = {"--server", server, "--body", "x"};
        if (option != "--from") args.insert(args.end(), {"--from", "a@b"});
        if (option != "--to") args.insert(args.end(), {"--to", "to@x.test"});
        args.insert(args.end(), {std::string(option), std::string(address)});
        return args;
    };
    expect_cli_error(trap, base("--to", "not an address"), 64, "not an address");
    expect_cli_error(trap, base("--cc", "bob@"), 64, "bob@");
    expect_cli_error(trap, base("--bcc", "@x.test"), 64, "@x.test");
    expect_cli_error(trap, base("--from", "no-at-sign"), 64, "no-at-sign");
}

TEST(MailClientCli, LineBreaksInHeadersOrAddressesExit64) {
    const ConnectionTrap trap;
    const std::vector<std::string> base = {"--server", trap.endpoint(), "--from",
                                           "a@b",      "--body",        "x"};
    const auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> args = base;
        args.insert(args.end(), more.begin(), more.end());
        return args;
    };
    expect_cli_error(trap, with({"--to", "to@x.test", "--subject", "Hi\r\nBcc: evil@x.test"}), 64);
    expect_cli_error(trap, with({"--to", "to@x.test", "--subject", "Hi\nthere"}), 64);
    expect_cli_error(trap, with({"--to", "to@x.test", "--subject", "Hi\rthere"}), 64);
    expect_cli_error(trap, with({"--to", "to@x.test", "--header", "X-Test: a\r\nBcc: evil@x.test"}),
                     64);
    expect_cli_error(trap, with({"--to", "to@x.test", "--header", "X-Test: a\nb"}), 64);
    expect_cli_error(trap, with({"--to", "to@x.test\r\nBcc: evil@x.test"}), 64);
}

TEST(MailClientCli, MessageWithComposingOptionsExits64) {
    const ConnectionTrap trap;
    const TempDir dir;
    const std::string message = dir.write_file("m.eml", "Subject: x\n\nbody\n").string();
    const std::string attachment = dir.write_file("a.txt", "attached\n").string();
    const std::vector<std::string> base = {"--server", trap.endpoint(), "--from",    "a@b",
                                           "--to",     "to@x.test",     "--message", message};
    for (const std::vector<std::string>& more :
         std::vector<std::vector<std::string>>{{"--subject", "Hi"},
                                               {"--body", "x"},
                                               {"--body-file", message},
                                               {"--attach", attachment},
                                               {"--header", "X-Test: a"}}) {
        std::vector<std::string> args = base;
        args.insert(args.end(), more.begin(), more.end());
        expect_cli_error(trap, args, 64);
    }
}

TEST(MailClientCli, BadOptionValuesExit64) {
    const ConnectionTrap trap;
    const std::vector<std::string> base = {"--server", trap.endpoint(), "--from", "a@b",
                                           "--to",     "to@x.test",     "--body", "x"};
    const auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> args = base;
        args.insert(args.end(), more.begin(), more.end());
        return args;
    };
    expect_cli_error(trap, with({"--tls", "sometimes"}), 64, "sometimes");
    expect_cli_error(trap, with({"--auth", "cram-md5"}), 64, "cram-md5");
    expect_cli_error(
        trap, {"--server", "127.0.0.1:99999", "--from", "a@b", "--to", "to@x.test", "--body", "x"},
        64);
}

TEST(MailClientCli, PasswordOptionsWithoutUserOrPasswordExit64) {
    const ConnectionTrap trap;
    const std::vector<std::string> base = {"--server",  trap.endpoint(), "--from", "a@b",   "--to",
                                           "to@x.test", "--body",        "x",      "--tls", "none"};
    auto without_user = base;
    without_user.insert(without_user.end(), {"--password-env", std::string(kPasswordVar)});
    expect_cli_error(trap, without_user, 64, {}, with_password());
    // --user, no password option, and no terminal to prompt on (a new session has none).
    auto no_password = base;
    no_password.insert(no_password.end(), {"--user", std::string(kUser)});
    expect_cli_error(trap, no_password, 64, {}, {.new_session = true});
}

TEST(MailClientCli, UnreadableFilesExit66) {
    const ConnectionTrap trap;
    const TempDir dir;
    const std::string missing = dir.file("no-such-file").string();
    const std::vector<std::string> base = {"--server", trap.endpoint(), "--from",
                                           "a@b",      "--to",          "to@x.test"};
    for (const std::vector<std::string>& more :
         std::vector<std::vector<std::string>>{{"--body-file", missing},
                                               {"--body", "x", "--attach", missing},
                                               {"--message", missing},
                                               {"--body", "x", "--tls", "none", "--user",
                                                std::string(kUser), "--password-file", missing},
                                               {"--body", "x", "--cafile", missing}}) {
        std::vector<std::string> args = base;
        args.insert(args.end(), more.begin(), more.end());
        expect_cli_error(trap, args, 66, missing);
    }
}

}  // namespace
}  // namespace net::test
