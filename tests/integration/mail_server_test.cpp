// mail_server as a real process on loopback: its command line, what it stores (read back with
// python's mailbox), its transcript, third-party clients (python's smtplib, swaks, postfix's
// smtp-source), a table of bad input over raw sockets, pipelining, timeouts and signals,
// concurrent and stalled clients, and IPv6.
// (STARTTLS and AUTH: mail_server_tls_test.cpp; kill -9, SIGTERM mid-stream, storage failures
// and a 20 MiB message: mail_server_durability_test.cpp.)
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/base64.hpp"
#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback; generous for sanitizer builds
constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::string_view kAlice = "alice@example.org";
constexpr std::string_view kGreeting = "220 mail.test ESMTP mail_server";

// The trace headers mail_server puts first: Return-Path, then a Received header of three
// lines (two recipients: no "for") or four (one recipient), as they look in the file (LF).
std::regex trace_headers_regex(std::string_view from, std::string_view client_literal,
                               std::string_view protocol, std::string_view id, bool one_recipient) {
    const auto quote = [](std::string_view text) {
        static const std::regex kSpecial(R"([.^$|()\[\]{}*+?\\])");
        return std::regex_replace(std::string(text), kSpecial, R"(\$&)");
    };
    std::string pattern = "^Return-Path: <" + quote(from) + ">\n" +
                          "Received: from client\\.example \\(" + quote(client_literal) + "\\)\n" +
                          "\tby mail\\.test \\(mail_server\\) with " + quote(protocol) + " id " +
                          quote(id) + (one_recipient ? "\n\tfor <[^>]+>" : "") + ";\n" +
                          "\t(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{1,2} [A-Z][a-z]{2} \\d{4} "
                          "\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\n";
    return std::regex(pattern);
}

// The only file in the server's new/, read; fails the test when there is not exactly one.
std::string only_stored(const TestMailServer& mail) {
    const auto files = mail.new_files();
    if (files.size() != 1) {
        ADD_FAILURE() << files.size() << " files in new/, expected 1";
        return {};
    }
    return read_file(files.front());
}

// python's smtplib, sending each message file on one connection: prints the server's
// extensions, then "data CODE TEXT" per message (or "mail"/"rcpt" with a refusal).
constexpr std::string_view kSmtplibSend = R"py(
import argparse, smtplib, sys
p = argparse.ArgumentParser()
p.add_argument('host')
p.add_argument('port', type=int)
p.add_argument('sender')
p.add_argument('recipients')
p.add_argument('messages', nargs='+')
p.add_argument('--mail-option', action='append', default=[])
a = p.parse_args()
with smtplib.SMTP(a.host, a.port, local_hostname='client.example', timeout=20) as smtp:
    smtp.ehlo()
    print('extensions', ' '.join(sorted(smtp.esmtp_features)))
    for path in a.messages:
        code, text = smtp.mail(a.sender, a.mail_option)
        if code != 250:
            print('mail', code, text.decode())
            smtp.rset()
            continue
        for recipient in a.recipients.split(','):
            code, text = smtp.rcpt(recipient)
            if code != 250:
                print('rcpt', code, text.decode())
        try:
            with open(path, 'rb') as f:
                code, text = smtp.data(f.read())
        except smtplib.SMTPDataError as e:
            code, text = e.smtp_code, e.smtp_error
        print('data', code, text.decode())
)py";

// Runs kSmtplibSend; `messages` are written to files in `dir` (CRLF line ends: smtplib sends
// bytes as they are, only dot-stuffing them).
Finished smtplib_send(const std::string& python, const TempDir& dir,
                      const MailServerProcess& server, const std::vector<std::string>& recipients,
                      const std::vector<std::string>& messages,
                      const std::vector<std::string>& options = {}) {
    std::vector<std::string> args = {"-c", std::string(kSmtplibSend), server.host(),
                                     server.port_string(), std::string(kAlice)};
    std::string joined;
    for (const auto& r : recipients)
        joined += (joined.empty() ? "" : ",") + r;
    args.push_back(joined);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        args.push_back(
            dir.write_file("message-" + std::to_string(i), crlf_lines(messages[i])).string());
    }
    args.insert(args.end(), options.begin(), options.end());
    return run(python, args, {}, kIo);
}

// The ids in smtplib_send's "data 250 2.0.0 Ok: queued as ID" lines, in order.
std::vector<std::string> queued_ids(const Finished& sent) {
    std::vector<std::string> ids;
    for (const auto& line : split_lines(sent.out)) {
        constexpr std::string_view kPrefix = "data 250 2.0.0 Ok: queued as ";
        if (line.starts_with(kPrefix)) ids.push_back(line.substr(kPrefix.size()));
    }
    return ids;
}

// Lines of `text` holding each of `expected` in this order (each a substring of its line).
void expect_lines_in_order(const std::string& text, const std::vector<std::string>& expected) {
    const auto lines = split_lines(text);
    std::size_t at = 0;
    for (const auto& want : expected) {
        while (at < lines.size() && !contains(lines[at], want))
            ++at;
        if (at == lines.size()) {
            ADD_FAILURE() << "no line with [" << want << "] (in order) in:\n" << text;
            return;
        }
        ++at;
    }
}

// ------------------------------------------------------------------------ command line

TEST(MailServerCli, FirstLineNamesTheMaildir) {
    TestMailServer mail = start_mail_server();
    EXPECT_EQ(mail.process.first_line(),
              "mail_server: listening on 127.0.0.1:" + mail.process.port_string() +
                  ", storing to " + mail.maildir.string() + " (Maildir)");
    // The port announced is the one that answers, and the Maildir is made.
    SmtpClient client =
        SmtpClient::connect(mail.process.host(), mail.process.port(), Deadline(kIo));
    EXPECT_EQ(client.read_reply(Deadline(kIo)).text(), kGreeting);
    for (const char* sub : {"new", "cur", "tmp"}) {
        EXPECT_TRUE(std::filesystem::is_directory(mail.maildir / sub)) << sub;
    }
}

TEST(MailServerCli, FirstLineNamesTheMbox) {
    const TempDir dir;
    const std::string mbox = dir.file("inbox.mbox").string();
    TestMailServer mail = start_mail_server({"--mbox", mbox});
    EXPECT_EQ(mail.process.first_line(),
              "mail_server: listening on 127.0.0.1:" + mail.process.port_string() +
                  ", storing to " + mbox + " (mbox)");
}

TEST(MailServerCli, FirstLineSaysNoStore) {
    TestMailServer mail = start_mail_server({"--no-store"});
    EXPECT_EQ(mail.process.first_line(),
              "mail_server: listening on 127.0.0.1:" + mail.process.port_string() +
                  ", storing nothing (--no-store)");
    SmtpClient client = greeted_smtp(mail.process, Deadline(kIo));
    EXPECT_TRUE(send_message(client, kAlice, {"bob@example.org"}, "Subject: x\n\nkept nowhere\n",
                             Deadline(kIo))
                    .starts_with("250 2.0.0 Ok: queued as "));
    EXPECT_FALSE(std::filesystem::exists(mail.maildir));
}

// The suite's shared parser reads mail_server's first line too, though the address is followed
// by a comma and more text (it once took "41234," for the port and rejected the line).
TEST(MailServerCli, SharedListeningLineParserReadsTheFirstLine) {
    TestMailServer mail = start_mail_server();
    const auto announced = parse_listening_line(mail.process.first_line());
    ASSERT_TRUE(announced.has_value()) << mail.process.first_line();
    EXPECT_EQ(announced->host, "127.0.0.1");
    EXPECT_EQ(announced->port, mail.process.port());
}

TEST(MailServerCli, HelpAndVersion) {
    expect_help_and_version("mail_server");
}

TEST(MailServerCli, UsageErrorsExit64) {
    const TempDir dir;
    const std::string maildir = dir.file("mail").string();
    const std::string mbox = dir.file("mbox").string();
    const std::string pem = dir.write_file("some.pem", "not really a certificate\n").string();
    const std::vector<std::vector<std::string>> cases = {
        {"--maildir", maildir, "--mbox", mbox},
        {"--maildir", maildir, "--no-store"},
        {"--mbox", mbox, "--no-store"},
        {"--maildir", maildir, "-q", "-v"},
        {"--maildir", maildir, "--tls-cert", pem},
        {"--maildir", maildir, "--tls-key", pem},
        {"--maildir", maildir, "--auth", "user:password"},
        {"--maildir", maildir, "--auth", "nocolon", "--allow-insecure-auth"},
        {"--maildir", maildir, "--auth", ":no-user", "--allow-insecure-auth"},
        {"--maildir", maildir, "-p", "70000"},
        {"--maildir", maildir, "-p", "port"},
        {"--maildir", maildir, "--max-size", "0"},
        {"--maildir", maildir, "--max-rcpt", "many"},
        {"--maildir", maildir, "--command-time", "-1"},
        {"--maildir", maildir, "--data-time", "soon"},
        {"--maildir", maildir, "--min-rate", "0"},
        {"--maildir", maildir, "--auth-delay", "61"},
        {"--maildir", maildir, "--auth-failures", "some"},
        {"--maildir", maildir, "--auth-window", "0"},
        {"--maildir", maildir, "--no-such-option"},
        {"--maildir", maildir, "stray-argument"},
    };
    for (const auto& args : cases) {
        expect_usage_error("mail_server", args);
    }
    // Nothing was made before the command line was judged (but see the next test).
    EXPECT_FALSE(std::filesystem::exists(maildir));
    EXPECT_FALSE(std::filesystem::exists(mbox));
}

// --timeout is judged before the store is made too (it once came after: a bad value exited 64
// but left DIR/tmp, new and cur behind, an empty mbox, or ./mail in the current directory).
TEST(MailServerCli, BadTimeoutMakesNoMaildirOrMbox) {
    const TempDir dir;
    const std::string maildir = dir.file("mail").string();
    const std::string mbox = dir.file("mbox").string();
    expect_usage_error("mail_server", {"--maildir", maildir, "--timeout", "soon"});
    expect_usage_error("mail_server", {"--mbox", mbox, "--timeout", "0"});
    EXPECT_FALSE(std::filesystem::exists(maildir));
    EXPECT_FALSE(std::filesystem::exists(mbox));
}

// A start-up failure: exit `code`, nothing on stdout, one line on stderr naming `mentions`.
void expect_startup_failure(const std::vector<std::string>& args, int code,
                            std::string_view mentions) {
    SCOPED_TRACE(::testing::PrintToString(args));
    const Finished result = run(bin_path("mail_server"), args, {}, kIo);
    EXPECT_EQ(result.status, ExitStatus::exit_code(code)) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("mail_server: ")) << result.err;
    EXPECT_EQ(split_lines(result.err).size(), 1u) << result.err;
    EXPECT_TRUE(contains(result.err, mentions)) << result.err;
}

TEST(MailServerCli, UncreatableMaildirExits73) {
    const TempDir dir;
    const auto file = dir.write_file("plain", "a file, not a folder\n");
    const std::string maildir = (file / "mail").string();
    expect_startup_failure({"-p", "0", "--maildir", maildir}, 73, maildir);
}

TEST(MailServerCli, UnopenableMboxExits73) {
    const TempDir dir;
    const std::string mbox = dir.file("no-such-folder/inbox").string();
    expect_startup_failure({"-p", "0", "--mbox", mbox}, 73, mbox);
}

// `--mbox -`: the messages alone on stdout, piped to python's mailbox module; the listening line
// and the transcript on stderr, so the two never share a stream.
TEST(MailServerStore, MboxDashWritesTheMessagesToStdoutAndTheTranscriptToStderr) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    Process server = Process::start(bin_path("mail_server"),
                                    {"-p", "0", "--hostname", "mail.test", "--mbox", "-"},
                                    {.out = Redirect::pipe(), .err = Redirect::pipe()});
    const Deadline deadline(kIo);
    const auto first = server.read_stderr_line(deadline);
    ASSERT_TRUE(first.has_value()) << server.read_stderr(Deadline(kIo));
    EXPECT_TRUE(first->ends_with(", storing to standard output (mbox)")) << *first;
    const auto announced = parse_listening_line(*first);
    ASSERT_TRUE(announced.has_value()) << *first;

    SmtpClient client = SmtpClient::connect(announced->host, announced->port, deadline);
    EXPECT_EQ(client.read_reply(deadline).text(), kGreeting);
    EXPECT_TRUE(client.command("EHLO client.example", deadline).starts_with("250"));
    const std::vector<std::string> bodies = {"first message\nFrom here on, a quoted line\n",
                                             "second message\n"};
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const std::string message = "Subject: number " + std::to_string(i + 1) + "\n\n" + bodies[i];
        EXPECT_TRUE(send_message(client, kAlice, {"bob@example.org"}, message, deadline)
                        .starts_with("250 2.0.0 Ok: queued as "));
    }
    EXPECT_EQ(client.command("QUIT", deadline).text(), "221 2.0.0 Bye");
    ASSERT_TRUE(server.signal(SIGTERM));
    const Finished ended = server.finish(deadline);
    EXPECT_EQ(ended.status, ExitStatus::exit_code(0)) << ended.err;

    // stdout is an mbox and nothing else: it starts with a From_ line, no transcript in it.
    EXPECT_TRUE(ended.out.starts_with("From alice@example.org ")) << ended.out;
    EXPECT_FALSE(contains(ended.out, "] C: ")) << ended.out;
    EXPECT_FALSE(contains(ended.out, "listening on")) << ended.out;
    EXPECT_TRUE(contains(ended.err, "] C: MAIL FROM:<alice@example.org>")) << ended.err;
    EXPECT_TRUE(contains(ended.err, "stored in standard output")) << ended.err;

    const TempDir work;
    const auto mbox = work.write_file("piped.mbox", ended.out);
    const auto messages = read_mailbox(python, "mbox", mbox);
    ASSERT_EQ(messages.size(), 2U) << ended.out;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        EXPECT_EQ(messages[i].header("Subject"), "number " + std::to_string(i + 1));
    // python's mailbox.mbox leaves mboxrd's quoting of a body line "From " in place.
    EXPECT_EQ(messages[0].body, "first message\n>From here on, a quoted line\n");
    EXPECT_EQ(messages[1].body, bodies[1]);
}

// ------------------------------------------------------------------------ what is stored

TEST(MailServerStore, SmtplibMessageReadBackByMailboxMaildir) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    TestMailServer mail = start_mail_server();
    const TempDir work;
    const std::string body =
        "Gr\xc3\xbc\xc3\x9f"
        "e aus K\xc3\xb6ln: \xc3\xbcn\xc3\xaf"
        "c\xc3\xb6"
        "d\xc3\xa9 \xe2\x9c\x93\n"
        ".a line that starts with a dot\n"
        "..and one with two\n"
        ".\n"
        "last line\n";
    const std::string message =
        "From: Alice <alice@example.org>\n"
        "To: bob@example.org, carol@example.org\n"
        "Subject: Two recipients, a dot and UTF-8\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n" +
        body;
    const Finished sent =
        smtplib_send(python, work, mail.process, {"bob@example.org", "carol@example.org"},
                     {message}, {"--mail-option", "BODY=8BITMIME"});
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    EXPECT_TRUE(contains(sent.out, " 8bitmime ")) << sent.out;
    const auto ids = queued_ids(sent);
    ASSERT_EQ(ids.size(), 1u) << sent.out;
    const std::string& id = ids.front();

    // The file: trace headers, then the message byte for byte with LF line ends.
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_TRUE(mail.tmp_files().empty());
    EXPECT_TRUE(files_in(mail.maildir / "cur").empty());
    const std::string stored = read_file(files.front());
    ASSERT_TRUE(stored.ends_with(message)) << stored;
    const std::string trace = stored.substr(0, stored.size() - message.size());
    EXPECT_TRUE(std::regex_match(trace, trace_headers_regex(kAlice, "[127.0.0.1]", "ESMTP", id,
                                                            /*one_recipient=*/false)))
        << trace;
    EXPECT_FALSE(contains(stored, "\r")) << "CRLF in the file";

    // python's mailbox: one message, in new/, headers and body as sent.
    const auto messages = read_mailbox(python, "maildir", mail.maildir);
    ASSERT_EQ(messages.size(), 1u);
    const StoredMessage& m = messages.front();
    EXPECT_EQ(m.where, "new");
    EXPECT_EQ(m.key, files.front().filename().string());
    EXPECT_EQ(m.header("Return-Path"), "<alice@example.org>");
    ASSERT_TRUE(m.header("Received").has_value());
    const std::string received = *m.header("Received");
    EXPECT_TRUE(contains(received, "from client.example ([127.0.0.1])")) << received;
    EXPECT_TRUE(contains(received, "by mail.test (mail_server) with ESMTP id " + id + ";"))
        << received;
    EXPECT_EQ(m.count("Received"), 1u);
    EXPECT_EQ(m.header("Subject"), "Two recipients, a dot and UTF-8");
    EXPECT_EQ(m.header("To"), "bob@example.org, carol@example.org");
    EXPECT_EQ(m.body, body);
}

// mboxrd: a body line ">*From " gets one more '>' in the file. python's mailbox.mbox reads
// the messages apart correctly (the quoted line starts no new message) but gives the quoted
// text back as it is (it does not undo the quoting, mboxo or mboxrd), so a body line
// "From here" comes back from it as ">From here"; undoing mboxrd gives the line as sent.
TEST(MailServerStore, SmtplibMessagesReadBackByMailboxMbox) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    const TempDir work;
    const std::filesystem::path mbox = work.file("inbox.mbox");
    TestMailServer mail = start_mail_server({"--mbox", mbox.string()});
    // "From:" is no "From " line: left alone.
    const std::string first_body = "Hello\nFrom here\n>From there\nFrom: not a header\nbye\n";
    const std::string second_body = "From the first line\nplain\n";
    const std::vector<std::string> messages = {
        "Subject: first\nFrom: alice@example.org\n\n" + first_body,
        "Subject: second\nFrom: alice@example.org\n\n" + second_body,
    };
    const Finished sent = smtplib_send(python, work, mail.process, {"bob@example.org"}, messages);
    ASSERT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    const auto ids = queued_ids(sent);
    ASSERT_EQ(ids.size(), 2u) << sent.out;

    // The file: two "From " separators, the body lines quoted once more.
    const std::string file = read_file(mbox);
    std::size_t separators = 0;
    for (const auto& line : split_lines(file)) {
        if (line.starts_with("From ")) ++separators;
    }
    EXPECT_EQ(separators, 2u) << file;
    EXPECT_TRUE(file.starts_with("From alice@example.org ")) << file;
    EXPECT_TRUE(contains(file, "\n>From here\n>>From there\nFrom: not a header\nbye\n\n")) << file;
    EXPECT_TRUE(contains(file, "\n\n>From the first line\nplain\n\n")) << file;

    const auto read = read_mailbox(python, "mbox", mbox);
    ASSERT_EQ(read.size(), 2u) << file;
    const auto mboxrd_unquote = [](const std::string& text) {
        std::string out;
        for (const auto& line : split_lines(text)) {
            const auto first = line.find_first_not_of('>');
            const bool quoted = first != std::string::npos && first > 0 &&
                                std::string_view(line).substr(first).starts_with("From ");
            out += (quoted ? line.substr(1) : line) + "\n";
        }
        return out;
    };
    const std::vector<std::string> bodies = {first_body, second_body};
    for (std::size_t i = 0; i < read.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_TRUE(read[i].where.starts_with("alice@example.org ")) << read[i].where;
        EXPECT_EQ(read[i].header("Return-Path"), "<alice@example.org>");
        ASSERT_TRUE(read[i].header("Received").has_value());
        EXPECT_TRUE(contains(*read[i].header("Received"), "with ESMTP id " + ids[i] + "\n") ||
                    contains(*read[i].header("Received"), "with ESMTP id " + ids[i] + " "))
            << *read[i].header("Received");
        EXPECT_EQ(read[i].header("Subject"), i == 0 ? "first" : "second");
        EXPECT_EQ(mboxrd_unquote(read[i].body), bodies[i]) << read[i].body;
    }
    EXPECT_EQ(read[0].body, "Hello\n>From here\n>>From there\nFrom: not a header\nbye\n");
    EXPECT_EQ(read[1].body, ">From the first line\nplain\n");
}

TEST(MailServerStore, MboxNullSenderAndBigMessageWithFromLines) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    const TempDir work;
    const std::filesystem::path mbox = work.file("inbox.mbox");
    TestMailServer mail = start_mail_server({"--mbox", mbox.string()});
    // Over the size held in memory (256 KiB), so part of it is spilled to a file first.
    std::string body;
    for (int i = 0; body.size() < 400 * 1024; ++i) {
        body += (i % 100 == 0 ? "From line " : "line ") + std::to_string(i) + "\n";
    }
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    EXPECT_TRUE(
        send_message(client, "", {"bob@example.org"}, "Subject: bounce\n\n" + body, deadline)
            .starts_with("250 2.0.0 Ok: queued as "));
    const std::string file = read_file(mbox);
    EXPECT_TRUE(file.starts_with("From MAILER-DAEMON ")) << file.substr(0, 200);
    const auto read = read_mailbox(python, "mbox", mbox);
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read[0].header("Return-Path"), "<>");
    std::string quoted;
    for (const auto& line : split_lines(body))
        quoted += (line.starts_with("From ") ? ">" : "") + line + "\n";
    EXPECT_TRUE(read[0].body == quoted)
        << read[0].body.size() << " bytes, expected " << quoted.size();
}

// A mail reader that deletes a message rewrites the mbox and renames the new file over the old
// (python's mailbox.mbox.flush(), as here). The next message must go to the file now at the
// path: with the mbox kept open from start-up, it once went to the old, unlinked file, answered
// 250 and lost.
TEST(MailServerStore, MboxRewrittenByAReaderStillGetsNewMessages) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    const TempDir work;
    const std::filesystem::path mbox = work.file("inbox.mbox");
    TestMailServer mail = start_mail_server({"--mbox", mbox.string()});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    for (const char* subject : {"first", "second"}) {
        ASSERT_TRUE(send_message(client, kAlice, {"bob@example.org"},
                                 std::string("Subject: ") + subject + "\n\nbody\n", deadline)
                        .starts_with("250 "));
    }
    // A reader deletes the first message, under the mbox's lock, the way python does it.
    const Finished deleted = run(python,
                                 {"-c",
                                  "import mailbox, sys\n"
                                  "box = mailbox.mbox(sys.argv[1], create=False)\n"
                                  "box.lock()\n"
                                  "box.remove(0)\n"
                                  "box.flush()\n"
                                  "box.unlock()\n"
                                  "box.close()\n",
                                  mbox.string()},
                                 {}, kIo);
    ASSERT_EQ(deleted.status, ExitStatus::exit_code(0)) << deleted.err;
    ASSERT_EQ(read_mailbox(python, "mbox", mbox).size(), 1u);

    const SmtpReply third =
        send_message(client, kAlice, {"bob@example.org"}, "Subject: third\n\nbody\n", deadline);
    ASSERT_TRUE(third.starts_with("250 2.0.0 Ok: queued as ")) << third.text();
    const auto read = read_mailbox(python, "mbox", mbox);
    std::vector<std::string> subjects;
    for (const auto& m : read)
        subjects.push_back(m.header("Subject").value_or("(none)"));
    EXPECT_EQ(subjects, (std::vector<std::string>{"second", "third"}))
        << "the message answered " << third.text() << " is not in " << mbox;
}

TEST(MailServerStore, ConcurrentMboxAppendsStayWhole) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    constexpr int kClients = 20;
    const TempDir work;
    const std::filesystem::path mbox = work.file("inbox.mbox");
    TestMailServer mail = start_mail_server({"-q", "--mbox", mbox.string()});
    const Deadline deadline(kIo);
    std::vector<SmtpClient> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(greeted_smtp(mail.process, deadline));
    const auto body_of = [](int i) {
        std::string body;
        for (int line = 0; line < 200; ++line)
            body += "client " + std::to_string(i) + " line " + std::to_string(line) + "\n";
        return body;
    };
    // Every message's last bytes go out together, so the appends overlap.
    for (int i = 0; i < kClients; ++i) {
        ASSERT_EQ(clients[i].command("MAIL FROM:<alice@example.org>", deadline).code, 250);
        ASSERT_EQ(clients[i].command("RCPT TO:<bob@example.org>", deadline).code, 250);
        ASSERT_EQ(clients[i].command("DATA", deadline).code, 354);
    }
    for (int i = 0; i < kClients; ++i)
        clients[i].send(smtp_data("Subject: client " + std::to_string(i) + "\n\n" + body_of(i)),
                        deadline);
    for (int i = 0; i < kClients; ++i)
        EXPECT_TRUE(clients[i].read_reply(deadline).starts_with("250 2.0.0 Ok: queued as "));
    const auto read = read_mailbox(python, "mbox", mbox);
    ASSERT_EQ(read.size(), static_cast<std::size_t>(kClients));
    std::vector<bool> seen(kClients, false);
    for (const auto& m : read) {
        const std::string subject = m.header("Subject").value_or("");
        const int i = std::stoi(subject.substr(subject.find(' ') + 1));
        ASSERT_TRUE(i >= 0 && i < kClients) << subject;
        EXPECT_EQ(m.body, body_of(i)) << subject;
        seen[i] = true;
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), kClients);
}

// ------------------------------------------------------------------------ the transcript

TEST(MailServerTranscript, ShowsTheDialogueAndAMessageSummary) {
    TestMailServer mail = start_mail_server();
    const std::string message =
        "Subject: Hello transcript\r\nFrom: alice@example.org\r\n\r\nfirst body "
        "line\r\n.dotted\r\n";
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    const SmtpReply reply =
        send_message(client, kAlice, {"bob@example.org", "carol@example.org"}, message, deadline);
    ASSERT_TRUE(reply.starts_with("250 2.0.0 Ok: queued as ")) << reply.text();
    const std::string id = queued_id(reply);
    EXPECT_EQ(client.command("QUIT", deadline).text(), "221 2.0.0 Bye");
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected\n", deadline))
        << mail.process.output();
    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 1u);
    const std::string output = mail.process.output();
    expect_lines_in_order(
        output,
        {"[1] connected from 127.0.0.1:", "[1] S: " + std::string(kGreeting),
         "[1] C: EHLO client.example", "[1] S: 250-mail.test", "[1] S: 250-PIPELINING",
         "[1] S: 250 HELP", "[1] C: MAIL FROM:<alice@example.org>", "[1] S: 250 2.1.0 Ok",
         "[1] C: RCPT TO:<bob@example.org>", "[1] S: 250 2.1.5 Ok",
         "[1] C: RCPT TO:<carol@example.org>", "[1] S: 250 2.1.5 Ok", "[1] C: DATA", "[1] S: 354 ",
         "[1] message " + id + ", " + std::to_string(message.size()) +
             " bytes, from <alice@example.org> to <bob@example.org>, <carol@example.org>, "
             "Subject: Hello transcript, stored in new/" +
             files.front().filename().string(),
         "[1] S: 250 2.0.0 Ok: queued as " + id, "[1] C: QUIT", "[1] S: 221 2.0.0 Bye",
         "[1] disconnected"});
    EXPECT_TRUE(output.starts_with("[1] connected from 127.0.0.1:")) << output;
    // Without -v the message's lines stay out of it.
    EXPECT_FALSE(contains(output, "first body line")) << output;
    EXPECT_EQ(mail.process.log(), "");
}

TEST(MailServerTranscript, VerboseShowsTheMessageLines) {
    TestMailServer mail = start_mail_server({"-v"});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    ASSERT_TRUE(send_message(client, kAlice, {"bob@example.org"},
                             "Subject: verbose\n\nfirst body line\n.dotted\n", deadline)
                    .starts_with("250 "));
    client.command("QUIT", deadline);
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected\n", deadline));
    expect_lines_in_order(mail.process.output(),
                          {"[1] C: DATA", "[1] C: Subject: verbose", "[1] C: first body line",
                           "[1] C: .dotted", "[1] message ", "[1] S: 250 2.0.0 Ok: queued as "});
}

TEST(MailServerTranscript, QuietPrintsNothingAfterTheFirstLine) {
    TestMailServer mail = start_mail_server({"-q"});
    {
        const Deadline deadline(kIo);
        SmtpClient client = greeted_smtp(mail.process, deadline);
        ASSERT_TRUE(
            send_message(client, kAlice, {"bob@example.org"}, "Subject: q\n\nquiet\n", deadline)
                .starts_with("250 "));
        client.command("QUIT", deadline);
    }
    EXPECT_EQ(mail.new_files().size(), 1u);
    EXPECT_EQ(mail.process.stop(SIGTERM, kIo), ExitStatus::exit_code(0));
    EXPECT_EQ(mail.process.output_to_eof(Deadline(kIo)), "");
    EXPECT_EQ(mail.process.log(), "");
}

// What a client sends is printed with control bytes as '?', so it cannot drive the terminal.
TEST(MailServerTranscript, ControlBytesArePrintedAsQuestionMarks) {
    TestMailServer mail = start_mail_server();
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    EXPECT_EQ(client.command("NOOP \x1b]0;owned\x07\x1b[2J", deadline).text(), "250 2.0.0 Ok");
    const SmtpReply reply = send_message(client, kAlice, {"bob@example.org"},
                                         "Subject: bell\x07 and \x1b[31mred\n\nbody\n", deadline);
    EXPECT_TRUE(reply.starts_with("250 ")) << reply.text();
    client.command("QUIT", deadline);
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", deadline));
    const std::string output = mail.process.output();
    EXPECT_TRUE(contains(output, "[1] C: NOOP ?]0;owned??[2J\n")) << output;
    EXPECT_TRUE(contains(output, ", Subject: bell? and ?[31mred, stored in ")) << output;
    EXPECT_EQ(output.find('\x1b'), std::string::npos);
    EXPECT_EQ(output.find('\x07'), std::string::npos);
}

// ------------------------------------------------------------------------ swaks

Finished run_swaks(const std::string& swaks, const MailServerProcess& server,
                   std::vector<std::string> extra) {
    std::vector<std::string> args = {"--server",  server.endpoint(),
                                     "--from",    std::string(kAlice),
                                     "--to",      "bob@example.org",
                                     "--helo",    "client.example",
                                     "--header",  "Subject: sent by swaks",
                                     "--body",    "Hello from swaks",
                                     "--timeout", "20"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(swaks, args, {}, kIo);
}

TEST(MailServerSwaks, PlainSendIsStored) {
    TOPDOWN_REQUIRE_TOOL(swaks, "swaks", "swaks");
    TestMailServer mail = start_mail_server();
    const Finished sent = run_swaks(swaks, mail.process, {});
    EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    EXPECT_TRUE(contains(sent.out, "<~  250 2.0.0 Ok: queued as ") ||
                contains(sent.out, "<-  250 2.0.0 Ok: queued as "))
        << sent.out;
    const std::string stored = only_stored(mail);
    EXPECT_TRUE(stored.starts_with("Return-Path: <alice@example.org>\n")) << stored;
    EXPECT_TRUE(contains(stored, " with ESMTP id ")) << stored;
    EXPECT_TRUE(contains(stored, "\nSubject: sent by swaks\n")) << stored;
    EXPECT_TRUE(contains(stored, "\n\nHello from swaks\n")) << stored;
}

TEST(MailServerSwaks, PipelinedSendIsStored) {
    TOPDOWN_REQUIRE_TOOL(swaks, "swaks", "swaks");
    TestMailServer mail = start_mail_server();
    const Finished sent = run_swaks(swaks, mail.process, {"--pipeline"});
    EXPECT_EQ(sent.status, ExitStatus::exit_code(0)) << sent.out << sent.err;
    EXPECT_TRUE(contains(sent.out, "250-PIPELINING")) << sent.out;
    EXPECT_TRUE(contains(sent.out, "250 2.0.0 Ok: queued as ")) << sent.out;
    EXPECT_TRUE(contains(only_stored(mail), "\n\nHello from swaks\n"));
}

// ------------------------------------------------------------------------ smtp-source

// What smtp-source -l 4096 sends after its headers, as stored (LF): 51 lines of a digit and 77
// X, then 16 X. Its digits follow a rule of its own, so the check is on the shape.
bool is_smtp_source_payload(std::string_view body) {
    const auto lines = split_lines(body);
    if (lines.size() != 52 || !body.ends_with("\n")) return false;
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        if (lines[i].size() != 78 || lines[i][0] < '0' || lines[i][0] > '9' ||
            lines[i].find_first_not_of('X', 1) != std::string::npos) {
            return false;
        }
    }
    return lines.back() == std::string(16, 'X');
}

void expect_smtp_source_run(const std::vector<std::string>& flags) {
    TOPDOWN_REQUIRE_TOOL(smtp_source, sbin_tool("smtp-source"), "postfix");
    TestMailServer mail = start_mail_server({"-q"});
    std::vector<std::string> args = flags;
    args.insert(args.end(), {"-s", "5", "-m", "200", "-l", "4096", "-f", std::string(kAlice), "-t",
                             "bob@example.org", "-M", "client.example", mail.process.endpoint()});
    const Finished source = run(smtp_source, args, {}, 60s);
    EXPECT_EQ(source.status, ExitStatus::exit_code(0)) << source.err;
    EXPECT_EQ(source.err, "");

    const auto files = mail.new_files();
    EXPECT_EQ(files.size(), 200u);
    EXPECT_TRUE(mail.tmp_files().empty());
    std::size_t complete = 0;
    for (const auto& file : files) {
        const std::string stored = read_file(file);
        const auto blank = stored.find("\n\n");
        const bool ok = stored.starts_with("Return-Path: <alice@example.org>\nReceived: ") &&
                        blank != std::string::npos &&
                        is_smtp_source_payload(std::string_view(stored).substr(blank + 2));
        if (!ok && complete + 1 == files.size()) ADD_FAILURE() << file << ":\n" << stored;
        complete += ok ? 1 : 0;
    }
    EXPECT_EQ(complete, files.size());
    // And the server is still there.
    SmtpClient client = greeted_smtp(mail.process, Deadline(kIo));
    EXPECT_EQ(client.command("NOOP", Deadline(kIo)).text(), "250 2.0.0 Ok");
    EXPECT_TRUE(mail.process.running());
    EXPECT_EQ(mail.process.log(), "");
}

TEST(MailServerLoad, SmtpSourceFiveSessionsTwoHundredMessages) {
    expect_smtp_source_run({});
}

TEST(MailServerLoad, SmtpSourceReusingEachConnection) {
    expect_smtp_source_run({"-d"});
}

// ------------------------------------------------------------------------ bad input

struct BadInput {
    std::string name;
    std::vector<std::string> server_args;
    std::vector<std::string> before;  // commands sent first, each answered 2xx or 354
    std::string bytes;                // then these
    std::string expect;               // the prefix of the reply they get
    std::size_t stored = 0;           // messages in new/ afterwards
};

std::vector<BadInput> bad_inputs() {
    using namespace std::string_literals;
    const std::string ehlo = "EHLO client.example";
    const std::string mail = "MAIL FROM:<alice@example.org>";
    const std::string rcpt = "RCPT TO:<bob@example.org>";
    // Message sizes count the content's octets with CRLF, after unstuffing (RFC 1870).
    std::string exactly_1000 = "Subject: s\r\n\r\n";  // 14 octets
    for (int i = 0; i < 10; ++i)
        exactly_1000 += std::string(96, 'e') + "\r\n";  // 994
    exactly_1000 += "..a\r\n";                          // ".a" once unstuffed: 998
    exactly_1000 += "\r\n";                             // 1000
    std::string over_size = "Subject: too big\r\n\r\n";
    for (int i = 0; i < 30; ++i)
        over_size += std::string(48, 'x') + "\r\n";
    return {
        {"unknown command",
         {},
         {},
         "FROBNICATE now\r\n",
         "500 5.5.2 Error: command not recognized"},
        {"command line of 600 octets",
         {},
         {},
         "NOOP " + std::string(593, 'x') + "\r\n",
         "500 5.5.2 Error: line too long"},
        {"command line of 512 octets (the limit)",
         {},
         {},
         "NOOP " + std::string(505, 'x') + "\r\n",
         "250 2.0.0 Ok"},
        {"20000 octets before the line end",
         {},
         {},
         std::string(20000, 'a') + "\r\n",
         "500 5.5.2 Error: line too long"},
        {"MAIL before EHLO", {}, {}, mail + "\r\n", "503 5.5.1"},
        {"RCPT before MAIL", {}, {ehlo}, rcpt + "\r\n", "503 5.5.1"},
        {"DATA before MAIL", {}, {ehlo}, "DATA\r\n", "503 5.5.1"},
        {"DATA before RCPT", {}, {ehlo, mail}, "DATA\r\n", "554 5.5.1"},
        {"nested MAIL", {}, {ehlo, mail}, mail + "\r\n", "503 5.5.1"},
        {"EHLO without a name", {}, {}, "EHLO\r\n", "501 5.5.4"},
        {"bad sender path", {}, {ehlo}, "MAIL FROM:<alice@@example.org>\r\n", "501 5.1.7"},
        {"sender without brackets", {}, {ehlo}, "MAIL FROM:alice@example.org\r\n", "501 5.5.4"},
        {"bad recipient path", {}, {ehlo, mail}, "RCPT TO:<bob at example.org>\r\n", "501 5.1.3"},
        {"unknown MAIL parameter", {}, {ehlo}, mail + " FROBNICATE=yes\r\n", "555 5.5.4"},
        {"BODY=BINARYMIME", {}, {ehlo}, mail + " BODY=BINARYMIME\r\n", "501 5.5.4"},
        {"SIZE over --max-size",
         {"--max-size", "1000"},
         {ehlo},
         mail + " SIZE=1001\r\n",
         "552 5.3.4"},
        {"a third recipient with --max-rcpt 2",
         {"--max-rcpt", "2"},
         {ehlo, mail, "RCPT TO:<b1@example.org>", "RCPT TO:<b2@example.org>"},
         "RCPT TO:<b3@example.org>\r\n",
         "452 4.5.3"},
        {"a recipient outside --domain",
         {"--domain", "example.org"},
         {ehlo, mail},
         "RCPT TO:<bob@other.org>\r\n",
         "550 5.7.1"},
        {"a recipient in --domain, in capitals",
         {"--domain", "example.org"},
         {ehlo, mail},
         "RCPT TO:<bob@EXAMPLE.Org>\r\n",
         "250 2.1.5"},
        {"<postmaster> with --domain",
         {"--domain", "example.org"},
         {ehlo, mail},
         "RCPT TO:<postmaster>\r\n",
         "250 2.1.5"},
        {"a recipient after RSET", {}, {ehlo, mail, "RSET"}, rcpt + "\r\n", "503 5.5.1"},
        {"a UTF-8 recipient without SMTPUTF8",
         {},
         {ehlo, mail},
         "RCPT TO:<j\xc3\xbcrgen@example.org>\r\n",
         "553 5.6.7"},
        {"a UTF-8 recipient with SMTPUTF8",
         {},
         {ehlo, mail + " SMTPUTF8"},
         "RCPT TO:<j\xc3\xbcrgen@example.org>\r\n",
         "250 2.1.5"},
        {"a null recipient", {}, {ehlo, mail}, "RCPT TO:<>\r\n", "501 5.1.3"},
        {"EXPN", {}, {ehlo}, "EXPN staff\r\n", "502 5.5.1"},
        {"VRFY", {}, {ehlo}, "VRFY bob\r\n", "252 2.5.2"},
        {"NUL bytes in a command", {}, {}, "NO\0OP\r\n"s, "500 5.5.2"},
        {"binary garbage (a TLS ClientHello)",
         {},
         {},
         "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\xff\xfe\x80\x7f\r\n"s,
         "500 5.5.2"},
        {"STARTTLS without a certificate", {}, {ehlo}, "STARTTLS\r\n", "502 5.5.1"},
        {"AUTH without --auth", {}, {ehlo}, "AUTH PLAIN\r\n", "502 5.5.1"},
        {"a bare LF.LF inside DATA",
         {},
         {ehlo, mail, rcpt, "DATA"},
         "Subject: bare\r\n\r\nline one\n.\nline two\r\n.\r\n",
         "554 5.6.0"},
        {"bare LFs without a lone dot",
         {},
         {ehlo, mail, rcpt, "DATA"},
         "Subject: bare\n\nline one\nline two\r\n.\r\n",
         "250 2.0.0 Ok: queued as ",
         1},

        {"a message over --max-size",
         {"--max-size", "1000"},
         {ehlo, mail, rcpt, "DATA"},
         over_size + ".\r\n",
         "552 5.3.4"},
        {"a message of exactly --max-size octets",
         {"--max-size", "1000"},
         {ehlo, mail, rcpt, "DATA"},
         exactly_1000 + ".\r\n",
         "250 2.0.0 Ok: queued as ",
         1},
        {"a message one octet over --max-size",
         {"--max-size", "1000"},
         {ehlo, mail, rcpt, "DATA"},
         "x" + exactly_1000 + ".\r\n",
         "552 5.3.4"},
        {"a data line of 5 MiB",
         {},
         {ehlo, mail, rcpt, "DATA"},
         "Subject: huge\r\n\r\n" + std::string(5 * kMiB, 'h') + "\r\n.\r\n",
         "500 5.5.2"},
        {"a data line of 1001 octets",
         {},
         {ehlo, mail, rcpt, "DATA"},
         "Subject: long\r\n\r\n" + std::string(999, 'y') + "\r\n.\r\n",
         "500 5.5.2"},
        {"a data line of 1000 octets (the limit)",
         {},
         {ehlo, mail, rcpt, "DATA"},
         "Subject: long\r\n\r\n" + std::string(998, 'y') + "\r\n.\r\n",
         "250 2.0.0 Ok: queued as ",
         1},
    };
}

TEST(MailServerProtocol, BadInputGetsItsReplyAndTheSessionGoesOn) {
    for (const BadInput& row : bad_inputs()) {
        SCOPED_TRACE(row.name);
        TestMailServer mail = start_mail_server(row.server_args);
        const Deadline deadline(kIo);
        SmtpClient client = connect_smtp(mail.process, deadline);
        for (const auto& command : row.before) {
            const SmtpReply reply = client.command(command, deadline);
            ASSERT_TRUE(reply.code / 100 == 2 || reply.code == 354)
                << command << ": " << reply.text();
        }
        client.send(row.bytes, deadline);
        const SmtpReply reply = client.read_reply(deadline);
        EXPECT_TRUE(reply.starts_with(row.expect)) << reply.text();
        // In step: the very next reply is NOOP's, on the same connection.
        EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
        EXPECT_EQ(mail.new_files().size(), row.stored);
        // And a new connection is served.
        SmtpClient other = greeted_smtp(mail.process, deadline);
        EXPECT_EQ(other.command("NOOP", deadline).text(), "250 2.0.0 Ok");
        EXPECT_TRUE(mail.process.running());
    }
}

// <LF>.<LF> does not end the data (only <CRLF>.<CRLF> does), and a message holding it is refused
// whole: stored, its lone dot line would end the data for a relay that sends it on.
TEST(MailServerProtocol, BareLfDotLfIsNotTheEndAndRefusesTheMessage) {
    TestMailServer mail = start_mail_server();
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("DATA", deadline).code, 354);
    client.send("Subject: bare\r\n\r\nline one\n.\nNOOP\r\nline two\r\n.\r\n", deadline);
    EXPECT_TRUE(client.read_reply(deadline).starts_with("554 5.6.0 ")) << "the NOOP ran";
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(mail.tmp_files().empty());
}

// The transparency rules at their edges: an empty message, a lone CR, a line that is only a
// (stuffed) dot, NUL bytes, and the end of data split across many small writes.
TEST(MailServerProtocol, EdgesOfTheDataAreStoredExactly) {
    using namespace std::string_literals;
    struct Case {
        std::string name;
        std::string sent;    // after 354, the final dot included
        std::string stored;  // what follows the trace headers in the file
        bool trickle = false;
    };
    const std::vector<Case> cases = {
        {"empty", ".\r\n", ""},
        // A bare CR or LF is a line end, stored like any other.
        {"lone CR and a stuffed dot line", "a\rb\r\n..\r\n.\r\n", "a\nb\n.\n"},
        {"bare LFs", "Subject: lf\n\none\n..two\r\n.\r\n", "Subject: lf\n\none\n.two\n"},
        {"NUL bytes", "Subject: nul\r\n\r\nx\0y\0\r\n.\r\n"s, "Subject: nul\n\nx\0y\0\n"s},
        // A line starting with one dot loses it, stuffed or not (RFC 5321 4.5.2).
        {"dots inside and at the start of lines", "a.\r\n.b\r\n\r\n.\r\n", "a.\nb\n\n"},
        {"trickled byte by byte", "Subject: slow\r\n\r\nline\r\n..dot\r\n.\r\n",
         "Subject: slow\n\nline\n.dot\n", true},
    };
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    std::size_t stored_before = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("DATA", deadline).code, 354);
        if (c.trickle) {
            for (const char byte : c.sent) {
                client.send(std::string_view(&byte, 1), deadline);
                std::this_thread::sleep_for(1ms);  // pacing, so the bytes arrive apart
            }
        } else {
            client.send(c.sent, deadline);
        }
        const SmtpReply reply = client.read_reply(deadline);
        ASSERT_TRUE(reply.starts_with("250 2.0.0 Ok: queued as ")) << reply.text();
        auto files = mail.new_files();
        ASSERT_EQ(files.size(), stored_before + 1);
        ++stored_before;
        // The newest file is the one not seen before: find it by its id in Received.
        std::string stored;
        for (const auto& file : files) {
            const std::string text = read_file(file);
            if (contains(text, " id " + queued_id(reply) + "\n")) stored = text;
        }
        ASSERT_FALSE(stored.empty());
        EXPECT_EQ(after_trace_headers(stored), c.stored);
    }
}

TEST(MailServerProtocol, TwentyErrorsInARowGet421AndTheConnectionCloses) {
    TestMailServer mail = start_mail_server();
    const Deadline deadline(kIo);
    SmtpClient client = connect_smtp(mail.process, deadline);
    std::string errors;
    for (int i = 0; i < 20; ++i)
        errors += "FROBNICATE\r\n";
    client.send(errors, deadline);  // pipelined, all at once
    for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(client.read_reply(deadline).starts_with("500 5.5.2")) << i;
    }
    EXPECT_EQ(client.read_reply(deadline).text(), "421 4.7.0 mail.test Error: too many errors");
    const Received rest = client.read_to_eof(deadline);
    EXPECT_EQ(rest.end, StreamEnd::kEof);
    EXPECT_EQ(rest.bytes, "");
    SmtpClient other = greeted_smtp(mail.process, deadline);
    EXPECT_EQ(other.command("NOOP", deadline).text(), "250 2.0.0 Ok");
}

// A batch bigger than what the server buffers while a message is being stored (64 KiB): it
// stops reading, stores, and goes on where it stopped. Then the client half-closes after QUIT
// and still gets every reply.
TEST(MailServerProtocol, PipelinedTransactionsAreAnsweredInOrder) {
    constexpr int kMessages = 100;
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(kIo);
    SmtpClient client = connect_smtp(mail.process, deadline);
    std::string batch = "EHLO client.example\r\n";
    for (int i = 0; i < kMessages; ++i) {
        batch += "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n";
        std::string body;
        for (int line = 0; line < 80; ++line)
            body += "message " + std::to_string(i) + " line " + std::to_string(line) + "\n";
        batch += smtp_data("Subject: pipelined " + std::to_string(i) + "\n\n" + body);
    }
    batch += "QUIT\r\n";
    ASSERT_GT(batch.size(), 128u * 1024);
    const Received all = send_and_receive_to_eof(client.fd(), batch, deadline);
    EXPECT_EQ(all.end, StreamEnd::kEof);
    std::vector<std::string> replies;  // the last line of each
    for (const auto& line : split_lines(all.bytes)) {
        if (line.size() > 3 && line[3] == ' ') replies.push_back(line.substr(0, 24));
    }
    ASSERT_EQ(replies.size(), 1u + 4u * kMessages + 1u) << all.bytes.substr(0, 2000);
    EXPECT_EQ(replies.front(), "250 HELP\r");
    for (int i = 0; i < kMessages; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(replies[1 + 4 * i], "250 2.1.0 Ok\r");
        EXPECT_EQ(replies[2 + 4 * i], "250 2.1.5 Ok\r");
        EXPECT_TRUE(replies[3 + 4 * i].starts_with("354 "));
        EXPECT_EQ(replies[4 + 4 * i], "250 2.0.0 Ok: queued as ");
    }
    EXPECT_EQ(replies.back(), "221 2.0.0 Bye\r");
    EXPECT_EQ(mail.new_files().size(), static_cast<std::size_t>(kMessages));
}

// Commands pipelined after a message's final dot are answered even when the client half-closed
// (shutdown(SHUT_WR), as `nc -N` or a script does after QUIT) before that message was stored.
// (Dropping them would stop the replies after the first "250 ... queued as", leave message 2
// unstored and QUIT without its 221.)
TEST(MailServerProtocol, HalfCloseAfterPipelinedQuitStillGetsEveryReply) {
    TestMailServer mail = start_mail_server();
    const Deadline deadline(kIo);
    SmtpClient client = connect_smtp(mail.process, deadline);
    std::string batch = "EHLO client.example\r\n";
    for (int i = 1; i <= 2; ++i) {
        batch += "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n" +
                 smtp_data("Subject: then FIN " + std::to_string(i) + "\n\nbody\n");
    }
    client.send(batch + "QUIT\r\n", deadline);
    shutdown_write(client.fd());
    const Received all = client.read_to_eof(deadline);
    EXPECT_EQ(all.end, StreamEnd::kEof);
    std::vector<std::string> replies;
    for (const auto& line : split_lines(all.bytes)) {
        if (line.size() > 3 && line[3] == ' ') replies.push_back(line.substr(0, 14));
    }
    const std::vector<std::string> expected = {
        "250 HELP\r",     "250 2.1.0 Ok\r", "250 2.1.5 Ok\r", "354 End data w", "250 2.0.0 Ok: ",
        "250 2.1.0 Ok\r", "250 2.1.5 Ok\r", "354 End data w", "250 2.0.0 Ok: ", "221 2.0.0 Bye\r"};
    EXPECT_EQ(replies, expected) << all.bytes;
    EXPECT_EQ(mail.new_files().size(), 2u);
}

// A client that sends commands and never reads the replies: the server stops reading once its
// replies back up, holds a bounded amount, and gives every reply once the client reads. HELP,
// because its reply is 23 times the command: 42 MB of replies, far more than the kernel buffers.
TEST(MailServerProtocol, ClientThatDoesNotReadIsPausedNotDropped) {
    constexpr std::size_t kCommands = 300'000;
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    // Small socket buffers on our side, so the kernel holds little of either direction.
    for (const int option : {SO_SNDBUF, SO_RCVBUF}) {
        const int size = 32 * 1024;
        ASSERT_EQ(::setsockopt(client.fd(), SOL_SOCKET, option, &size, sizeof size), 0);
    }
    const SmtpReply help = client.command("HELP", deadline);
    ASSERT_EQ(help.code, 214);
    const std::string reply = help.lines[0] + "\r\n" + help.lines[1] + "\r\n";
    const auto baseline = mail.process.rss_bytes();
    ASSERT_TRUE(baseline.has_value());
    std::string commands;
    for (std::size_t i = 0; i < kCommands; ++i)
        commands += "HELP\r\n";
    const std::size_t pushed = send_until_blocked(client.fd(), commands, Deadline(1s));
    ASSERT_LT(pushed, commands.size()) << "the server read everything without our reading";
    const auto during = mail.process.rss_bytes();
    ASSERT_TRUE(during.has_value());
    // (ASan keeps freed memory in quarantine, so there the growth says nothing.)
    if (!kSanitized) {
        EXPECT_LT(*during - std::min(*during, *baseline), 16 * kMiB)
            << "VmRSS went from " << *baseline << " to " << *during << "; pushed " << pushed;
    }
    // Now read: the rest goes out too, and every command is answered once, in order.
    const std::string received =
        send_and_receive(client.fd(), std::string_view(commands).substr(pushed),
                         kCommands * reply.size(), Deadline(60s));
    ASSERT_EQ(received.size(), kCommands * reply.size());
    std::size_t good = 0;
    for (std::size_t at = 0; at < received.size(); at += reply.size()) {
        good += received.compare(at, reply.size(), reply) == 0 ? 1 : 0;
    }
    EXPECT_EQ(good, kCommands);
    EXPECT_EQ(client.command("QUIT", deadline).text(), "221 2.0.0 Bye");
}

// ------------------------------------------------------------------------ timeouts and signals

TEST(MailServerTimeouts, IdleClientGets421AndIsClosed) {
    TestMailServer mail = start_mail_server({"--timeout", "1"});
    const auto start = Clock::now();
    SmtpClient client = greeted_smtp(mail.process, Deadline(kIo));
    const SmtpReply reply = client.read_reply(Deadline(10s));
    const auto waited = Clock::now() - start;
    EXPECT_EQ(reply.text(), "421 4.4.2 mail.test Error: timeout exceeded");
    EXPECT_GE(waited, 900ms);
    const Received rest = client.read_to_eof(Deadline(10s));
    EXPECT_EQ(rest.end, StreamEnd::kEof);
    EXPECT_EQ(rest.bytes, "");
    EXPECT_TRUE(mail.process.running());
}

TEST(MailServerTimeouts, ClientStalledInDataGets421) {
    TestMailServer mail = start_mail_server({"--timeout", "1"});
    SmtpClient client = greeted_smtp(mail.process, Deadline(kIo));
    ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", Deadline(kIo)).code, 250);
    ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", Deadline(kIo)).code, 250);
    ASSERT_EQ(client.command("DATA", Deadline(kIo)).code, 354);
    client.send("Subject: stalled\r\n\r\nhalf a li", Deadline(kIo));
    EXPECT_TRUE(client.read_reply(Deadline(10s)).starts_with("421 4.4.2"));
    EXPECT_EQ(client.read_to_eof(Deadline(10s)).end, StreamEnd::kEof);
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(mail.tmp_files().empty());
}

TEST(MailServerSignals, TerminationSends421ToConnectedClientsAndExitsZero) {
    for (const int sig : {SIGTERM, SIGINT}) {
        SCOPED_TRACE(::strsignal(sig));
        TestMailServer mail = start_mail_server({"-v"});
        SmtpClient idle = greeted_smtp(mail.process, Deadline(kIo));
        SmtpClient in_transaction = greeted_smtp(mail.process, Deadline(kIo));
        ASSERT_EQ(in_transaction.command("MAIL FROM:<alice@example.org>", Deadline(kIo)).code, 250);
        SmtpClient in_data = greeted_smtp(mail.process, Deadline(kIo));
        ASSERT_EQ(in_data.command("MAIL FROM:<alice@example.org>", Deadline(kIo)).code, 250);
        ASSERT_EQ(in_data.command("RCPT TO:<bob@example.org>", Deadline(kIo)).code, 250);
        ASSERT_EQ(in_data.command("DATA", Deadline(kIo)).code, 354);
        in_data.send("Subject: half\r\n\r\nhalf of a message\r\n", Deadline(kIo));
        // Once the server has read all we sent (-v prints message lines), a close is a FIN, not
        // the RST that a close with unread input would be.
        ASSERT_TRUE(mail.process.wait_for_output("[3] C: half of a message\n", Deadline(kIo)));
        ASSERT_TRUE(mail.process.process().signal(sig));
        for (SmtpClient* client : {&idle, &in_transaction, &in_data}) {
            EXPECT_EQ(client->read_reply(Deadline(kIo)).text(),
                      "421 4.3.2 mail.test Service shutting down");
            EXPECT_EQ(client->read_to_eof(Deadline(kIo)).end, StreamEnd::kEof);
        }
        EXPECT_EQ(mail.process.process().wait(Deadline(kIo)), ExitStatus::exit_code(0))
            << mail.process.log();
        EXPECT_EQ(mail.process.log(), "");
        EXPECT_TRUE(mail.new_files().empty());
        EXPECT_TRUE(mail.tmp_files().empty());
    }
}

// ------------------------------------------------------------------------ concurrency

TEST(MailServerConcurrency, FiftyClientsInterleavedAreAllStored) {
    constexpr int kClients = 50;
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(kIo);
    std::vector<SmtpClient> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(connect_smtp(mail.process, deadline));
    const auto message = [](int i) {
        return "Subject: client " + std::to_string(i) + "\n\nfrom client " + std::to_string(i) +
               "\n";
    };
    // Each step goes out on every connection before any reply is read.
    const auto step = [&](const auto& bytes_for, const auto& check) {
        for (int i = 0; i < kClients; ++i)
            clients[i].send(bytes_for(i), deadline);
        for (int i = 0; i < kClients; ++i) {
            const SmtpReply reply = clients[i].read_reply(deadline);
            EXPECT_TRUE(check(reply)) << "client " << i << ": " << reply.text();
        }
    };
    const auto code_is = [](int code) {
        return [code](const SmtpReply& r) { return r.code == code; };
    };
    step([](int) { return std::string("EHLO client.example\r\n"); }, code_is(250));
    step([](int) { return std::string("MAIL FROM:<alice@example.org>\r\n"); }, code_is(250));
    step([](int i) { return "RCPT TO:<bob" + std::to_string(i) + "@example.org>\r\n"; },
         code_is(250));
    step([](int) { return std::string("DATA\r\n"); }, code_is(354));
    step([&](int i) { return smtp_data(message(i)); },
         [](const SmtpReply& r) { return r.starts_with("250 2.0.0 Ok: queued as "); });
    step([](int) { return std::string("QUIT\r\n"); }, code_is(221));

    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), static_cast<std::size_t>(kClients));
    std::vector<bool> seen(kClients, false);
    for (const auto& file : files) {
        const std::string stored = read_file(file);
        for (int i = 0; i < kClients; ++i) {
            if (stored.ends_with(message(i))) seen[i] = true;
        }
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), kClients);
}

TEST(MailServerConcurrency, ClientStalledInDataDelaysNoOther) {
    TestMailServer mail = start_mail_server({"-q"});
    SmtpClient stalled = greeted_smtp(mail.process, Deadline(kIo));
    ASSERT_EQ(stalled.command("MAIL FROM:<alice@example.org>", Deadline(kIo)).code, 250);
    ASSERT_EQ(stalled.command("RCPT TO:<bob@example.org>", Deadline(kIo)).code, 250);
    ASSERT_EQ(stalled.command("DATA", Deadline(kIo)).code, 354);
    stalled.send("Subject: stalled\r\n\r\nhalf of a line", Deadline(kIo));

    // Several others, each with a few seconds for its whole dialogue.
    for (int i = 0; i < 5; ++i) {
        const Deadline quick(3s);
        SmtpClient other = greeted_smtp(mail.process, quick);
        EXPECT_TRUE(send_message(other, kAlice, {"carol@example.org"},
                                 "Subject: other\n\nnot held up\n", quick)
                        .starts_with("250 2.0.0 Ok: queued as "));
        EXPECT_EQ(other.command("QUIT", quick).code, 221);
    }
    EXPECT_EQ(mail.new_files().size(), 5u);
    // The stalled one was waiting all along: it finishes its message now.
    stalled.send(" and the rest\r\n.\r\n", Deadline(kIo));
    EXPECT_TRUE(stalled.read_reply(Deadline(kIo)).starts_with("250 2.0.0 Ok: queued as "));
    EXPECT_EQ(mail.new_files().size(), 6u);
}

// A failed AUTH is answered late, on the loop's timer: with one loop, another client is served
// in full while the 535 is still held back.
TEST(MailServerConcurrency, AnAuthDelayHoldsUpNoOtherClientOfItsLoop) {
    TestMailServer mail = start_mail_server(
        {"-q", "-t", "1", "--auth", "user:secret", "--allow-insecure-auth", "--auth-delay", "3"});
    const Deadline deadline(kIo);
    SmtpClient guesser = greeted_smtp(mail.process, deadline);
    guesser.send("AUTH PLAIN " + base64_encode(std::string("\0user\0guess", 11)) + "\r\n",
                 deadline);

    const Deadline quick(2s);
    SmtpClient other = greeted_smtp(mail.process, quick);
    EXPECT_EQ(other.command("AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12)), quick)
                  .text(),
              "235 2.7.0 Authentication successful");
    EXPECT_TRUE(
        send_message(other, kAlice, {"bob@example.org"}, "Subject: meanwhile\n\nhi\n", quick)
            .starts_with("250 2.0.0 Ok: queued as "));
    EXPECT_EQ(other.command("QUIT", quick).code, 221);
    // Only now, the other client done, the guesser's answer comes.
    EXPECT_TRUE(guesser.buffered().empty());
    char byte = 0;
    EXPECT_EQ(::recv(guesser.fd(), &byte, 1, MSG_DONTWAIT | MSG_PEEK), -1) << "answered already";
    EXPECT_EQ(guesser.read_reply(deadline).text(), "535 5.7.8 Authentication credentials invalid");
    EXPECT_EQ(guesser.command("NOOP", deadline).text(), "250 2.0.0 Ok");
}

// ------------------------------------------------------------------------ IPv6

TEST(MailServerIpv6, StoresAMessageReceivedOverIpv6Loopback) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    TestMailServer mail = start_mail_server({"-b", "::1"});
    EXPECT_EQ(mail.process.first_line(),
              "mail_server: listening on [::1]:" + mail.process.port_string() + ", storing to " +
                  mail.maildir.string() + " (Maildir)");
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    const std::string message = "Subject: over IPv6\n\nhello over ::1\n";
    const SmtpReply reply = send_message(client, kAlice, {"bob@example.org"}, message, deadline);
    ASSERT_TRUE(reply.starts_with("250 2.0.0 Ok: queued as ")) << reply.text();
    const std::string stored = only_stored(mail);
    ASSERT_TRUE(stored.ends_with(message)) << stored;
    EXPECT_TRUE(std::regex_match(
        stored.substr(0, stored.size() - message.size()),
        trace_headers_regex(kAlice, "[IPv6:::1]", "ESMTP", queued_id(reply), true)))
        << stored;
    client.command("QUIT", deadline);
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", deadline));
    EXPECT_TRUE(mail.process.output().starts_with("[1] connected from [::1]:"))
        << mail.process.output();
}

TEST(MailServerIpv6, DualStackNamesEachClientByItsOwnFamily) {
    if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback here";
    TestMailServer mail = start_mail_server({"-b", "::"});
    EXPECT_TRUE(mail.process.first_line().starts_with("mail_server: listening on [::]:"))
        << mail.process.first_line();
    const Deadline deadline(kIo);
    for (const std::string host : {"127.0.0.1", "::1"}) {
        SmtpClient client = SmtpClient::connect(host, mail.process.port(), deadline);
        ASSERT_EQ(client.read_reply(deadline).code, 220);
        ASSERT_EQ(client.command("EHLO client.example", deadline).code, 250);
        ASSERT_TRUE(send_message(client, kAlice, {"bob@example.org"},
                                 "Subject: " + host + "\n\nx\n", deadline)
                        .starts_with("250 "));
    }
    std::string all;
    for (const auto& file : mail.new_files())
        all += read_file(file);
    EXPECT_TRUE(contains(all, "Received: from client.example ([127.0.0.1])\n")) << all;
    EXPECT_TRUE(contains(all, "Received: from client.example ([IPv6:::1])\n")) << all;
}

}  // namespace
}  // namespace net::test
