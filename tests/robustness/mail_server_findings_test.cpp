// mail_server against the attacks that once worked, one test each: an HTTP request relayed to
// the SMTP port delivering mail, SMTP smuggling with bare line ends, free password guessing,
// tmp/ files that crashes left behind for ever, sessions that trickle past every timeout, and a
// refused message streamed without end.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/base64.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_until.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    return text;
}

// ------------------------------------------------------------------------ another protocol

// A proxy asked to POST to port 25 sends an HTTP head, then a body the client chose: here a
// whole mail transaction. The session ends at the first line that is not SMTP.
TEST(MailServerFindings, AnHttpRequestOnTheSmtpPortDeliversNothing) {
    const std::string transaction =
        "EHLO relay.example\r\nMAIL FROM:<forged@example.org>\r\nRCPT TO:<victim@example.org>\r\n"
        "DATA\r\nSubject: delivered by an HTTP request\r\n\r\nhello\r\n.\r\nQUIT\r\n";
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"POST through a proxy",
         "POST /form HTTP/1.1\r\nHost: mail.test:25\r\nContent-Type: "
         "text/plain\r\nContent-Length: 200\r\n\r\n" +
             transaction},
        {"lowercase get", "get / HTTP/1.0\r\n\r\n" + transaction},
        {"a header line first", "Host: mail.test\r\n" + transaction},
        {"CONNECT", "CONNECT mail.test:25 HTTP/1.1\r\nUser-Agent: x\r\n\r\n" + transaction},
    };
    TestMailServer mail = start_mail_server({"-q"});
    std::size_t closed = 0;
    for (const auto& [name, bytes] : requests) {
        SCOPED_TRACE(name);
        const Deadline deadline(kIo);
        SmtpClient client = connect_smtp(mail.process, deadline);
        client.send(bytes, deadline);
        const Received rest = client.read_to_eof(deadline);
        EXPECT_TRUE(rest.end == StreamEnd::kEof || rest.end == StreamEnd::kReset);
        EXPECT_TRUE(rest.bytes.starts_with("421 4.7.0 mail.test ")) << rest.bytes;
        EXPECT_EQ(rest.bytes.find("250"), std::string::npos) << rest.bytes;
        closed += rest.bytes.starts_with("421 4.7.0 ") ? 1 : 0;
    }
    EXPECT_TRUE(mail.new_files().empty()) << "a message was delivered";
    report_held(std::to_string(requests.size()) +
                " HTTP requests with a mail transaction in "
                "their body: " +
                std::to_string(closed) + " closed at once with 421, " +
                std::to_string(mail.new_files().size()) + " messages delivered");
}

// ------------------------------------------------------------------------ SMTP smuggling

// Each message carries a second, forged one after a lone dot next to a bare LF or CR. Stored,
// the lone dot line would end the data for a relay sending the file on, and the forged message
// would go out as its own. Every such message is refused whole.
TEST(MailServerFindings, SmugglingWithBareLineEndsIsRefusedWhole) {
    const std::string forged =
        "MAIL FROM:<ceo@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
        "Subject: forged\r\n\r\npay now\r\n";
    const std::vector<std::string_view> ends = {"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r\n.\r"};
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    std::size_t refused = 0;
    for (const std::string_view end : ends) {
        SCOPED_TRACE(::testing::PrintToString(std::string(end)));
        ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("DATA", deadline).code, 354);
        client.send("Subject: innocent\r\n\r\nhi" + std::string(end) + forged + "\r\n.\r\n",
                    deadline);
        const SmtpReply reply = client.read_reply(deadline);
        EXPECT_TRUE(reply.starts_with("554 5.6.0 ")) << reply.text();
        refused += reply.starts_with("554 5.6.0 ") ? 1 : 0;
        EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");  // in step
    }
    EXPECT_TRUE(mail.new_files().empty());
    report_held(std::to_string(ends.size()) + " smuggling shapes: " + std::to_string(refused) +
                " refused 554, " + std::to_string(mail.new_files().size()) + " stored");
}

// ------------------------------------------------------------------------ password guessing

// With the default limits: ten wrong passwords from one address, on ten connections at once,
// are each answered late (1 s, 2 s, 4 s, then 8 s: a guesser gets a few guesses a minute, not
// thousands a second), and after them the address is refused AUTH, even with the right
// password. Another address is not.
TEST(MailServerFindings, PasswordGuessingIsSlowedAndCappedPerAddress) {
    TestMailServer mail =
        start_mail_server({"-q", "--auth", "user:secret", "--allow-insecure-auth"});
    const std::string wrong = "AUTH PLAIN " + base64_encode(std::string("\0user\0guess", 11));
    const std::string right = "AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12));
    constexpr int kGuesses = 10;
    const Deadline deadline(kIo);
    std::vector<SmtpClient> guessers;
    for (int i = 0; i < kGuesses; ++i)
        guessers.push_back(greeted_smtp(mail.process, deadline));
    const auto start = Clock::now();
    for (auto& guesser : guessers)
        guesser.send(wrong + "\r\n", deadline);
    // The first answer, whichever connection it comes on.
    std::vector<pollfd> waiting;
    for (const auto& guesser : guessers)
        waiting.push_back({.fd = guesser.fd(), .events = POLLIN, .revents = 0});
    ASSERT_GT(::poll(waiting.data(), waiting.size(), deadline.poll_timeout_ms()), 0);
    const double first = seconds_since(start);
    EXPECT_GE(first, 0.9) << "a failure was answered at once";
    for (auto& guesser : guessers) {
        EXPECT_EQ(guesser.read_reply(deadline).text(),
                  "535 5.7.8 Authentication credentials invalid");
    }
    const double all = seconds_since(start);

    SmtpClient eleventh = greeted_smtp(mail.process, deadline);
    eleventh.send(right + "\r\n", deadline);
    const Received rest = eleventh.read_to_eof(deadline);
    EXPECT_TRUE(
        rest.bytes.starts_with("421 4.7.0 mail.test Error: too many failed "
                               "authentications from 127.0.0.1"))
        << rest.bytes;

    SmtpClient elsewhere(connect_from("127.0.0.2", mail.process.port()));
    ASSERT_EQ(elsewhere.read_reply(deadline).code, 220);
    ASSERT_EQ(elsewhere.command("EHLO other.example", deadline).code, 250);
    EXPECT_EQ(elsewhere.command(right, deadline).text(), "235 2.7.0 Authentication successful");
    report_held(std::to_string(kGuesses) + " wrong AUTHs from one address at once: the first " +
                "answered after " + seconds_text(first) + ", the last after " + seconds_text(all) +
                "; the next attempt got 421; another address still authenticates");
}

// ------------------------------------------------------------------------ tmp/ leftovers

// Each kill in the middle of a big message leaves its file in tmp/. They stay while they are
// recent (a delivery may still be writing them), and go at the next start once they are over
// 36 hours old, the Maildir convention; a recent one stays.
TEST(MailServerFindings, TmpFilesLeftByKillsAreRemovedOnceStale) {
    constexpr int kKills = 10;
    const TempDir dir;
    const std::filesystem::path maildir = dir.file("mail");
    const std::vector<std::string> args = {"-q", "--hostname", "mail.test", "--maildir",
                                           maildir.string()};
    const auto tmp_files = [&] {
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(maildir / "tmp"))
            files.push_back(entry.path());
        return files;
    };
    std::string part = "Subject: cut off\r\n\r\n";
    while (part.size() < 600 * 1024)
        part += std::string(70, 'c') + "\r\n";
    for (int i = 0; i < kKills; ++i) {
        MailServerProcess server = MailServerProcess::start(args);
        const Deadline deadline(kIo);
        SmtpClient client = greeted_smtp(server, deadline);
        ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("DATA", deadline).code, 354);
        client.send(part, deadline);  // more than is held in memory: it goes to tmp/
        ASSERT_TRUE(wait_until([&] { return tmp_files().size() == std::size_t(i) + 1; }, deadline))
            << tmp_files().size() << " files in tmp/";
        ASSERT_TRUE(server.process().signal(SIGKILL));
        ASSERT_EQ(server.process().wait(deadline), ExitStatus::killed_by(SIGKILL));
    }
    ASSERT_EQ(tmp_files().size(), std::size_t(kKills)) << "recent leftovers must stay";
    const auto old = std::filesystem::file_time_type::clock::now() - 37h;
    for (const auto& file : tmp_files())
        std::filesystem::last_write_time(file, old);
    const auto recent = dir.write_file("mail/tmp/1.M1P1Q1.elsewhere", "being written\n");

    MailServerProcess server = MailServerProcess::start(args);
    const bool cleaned = wait_until([&] { return tmp_files().size() == 1; }, Deadline(10s));
    EXPECT_TRUE(cleaned) << tmp_files().size() << " files in tmp/ after the restart";
    EXPECT_TRUE(std::filesystem::exists(recent));
    EXPECT_EQ(greeted_smtp(server, Deadline(kIo)).command("NOOP", Deadline(kIo)).code, 250);
    report_held(std::to_string(kKills) + " SIGKILLs mid-message left " + std::to_string(kKills) +
                " files in tmp/; aged 37 h, " + (cleaned ? "all" : "not all") +
                " removed at the next start; a recent one kept");
}

// ------------------------------------------------------------------------ trickling

// Sessions that send a byte every half second never trip --timeout 3 (each byte resets it);
// the minimum-rate rule (a command line or DATA gets --timeout, at most, plus a second per 500
// bytes) cuts them all the same, while a fresh client is served.
TEST(MailServerFindings, TricklingSessionsAreCutByTheMinimumRate) {
    constexpr std::size_t kEach = 50;
    TestMailServer mail = start_mail_server({"-q", "--timeout", "3"});
    const Deadline setup(kIo);
    auto slow = hold_connections(mail.process.port(), kEach, "EHLO trickle.example", setup);
    for (std::size_t i = 0; i < kEach; ++i) {
        SmtpClient client = greeted_smtp(mail.process, setup);
        ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", setup).code, 250);
        ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", setup).code, 250);
        ASSERT_EQ(client.command("DATA", setup).code, 354);
        client.send("Subject: trickle\r\n\r\n", setup);
        slow.push_back(client.release());
    }
    const auto start = Clock::now();
    const Deadline limit(15s);  // the rule's 3 s and a little, not minutes
    std::size_t closed = 0;
    while (!limit.expired()) {
        trickle(slow, 'x');
        closed = count_closed(slow);
        if (closed == slow.size()) break;
        std::this_thread::sleep_for(500ms);  // the attacker's pace
    }
    const double took = seconds_since(start);
    EXPECT_EQ(closed, slow.size()) << "trickling sessions still open after " << took << " s";
    const Deadline quick(2s);
    SmtpClient fresh = greeted_smtp(mail.process, quick);
    EXPECT_TRUE(send_message(fresh, "alice@example.org", {"bob@example.org"},
                             "Subject: fresh\n\nhi\n", quick)
                    .starts_with("250 "));
    report_held(std::to_string(closed) + " of " + std::to_string(slow.size()) +
                " sessions trickling a byte per 0.5 s (half in command lines, half in DATA) "
                "cut in " +
                seconds_text(took) + " under --timeout 3");
}

// A message over --max-size is read on to its final dot, so the client gets its 552 in step;
// one that never ends is read only a few MiB further, then the connection closes.
TEST(MailServerFindings, ARefusedMessageStreamedWithoutEndIsCutOff) {
    constexpr std::size_t kMiB = 1024 * 1024;
    constexpr std::size_t kStream = 64 * kMiB;
    TestMailServer mail = start_mail_server({"-q", "--max-size", "1000"});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("DATA", deadline).code, 354);
    std::string chunk;
    while (chunk.size() < 64 * 1024)
        chunk += std::string(78, 's') + "\r\n";
    std::size_t sent = 0;
    bool cut = false;
    while (sent < kStream && !cut) {
        try {
            send_all(client.fd(), chunk, Deadline(5s));
            sent += chunk.size();
        } catch (const std::exception&) {
            cut = true;  // reset or EPIPE: the server closed
        }
    }
    const Received rest = client.read_to_eof(Deadline(5s));
    EXPECT_TRUE(cut || rest.end != StreamEnd::kTimeout) << "still reading after " << sent;
    EXPECT_LT(sent, 16 * kMiB);
    if (!rest.bytes.empty()) {
        EXPECT_TRUE(rest.bytes.starts_with("552 5.3.4 ")) << rest.bytes;
    }
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(wait_until([&] { return mail.tmp_files().empty(); }, deadline));
    report_held("a refused message streamed without end: the connection closed after " +
                std::to_string(sent / kMiB) + " MiB of the 64 MiB offered");
}

}  // namespace
}  // namespace net::test
