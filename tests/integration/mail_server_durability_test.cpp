// What mail_server keeps, whatever happens: a 250 after DATA means the message is in new/ even
// after SIGKILL in the middle of a stream of messages, and SIGTERM in the middle of pipelined
// ones; nothing in new/ is ever partial; a client that goes away, a storage failure or a message
// over the limit leaves nothing behind; a 20 MiB message is streamed to disk, not held.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/build_info.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/mail_durability.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"
#include "tests/support/wait_until.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback; generous for sanitizer builds
constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::string_view kAlice = "alice@example.org";

// ------------------------------------------------------------------------ kill -9 mid-stream

constexpr int kSenders = 4;

void kill_mid_stream_and_check(const std::string& python, std::size_t kill_after) {
    SCOPED_TRACE("killed after " + std::to_string(kill_after) + " acknowledged");
    // In this order, so on any early return the server dies before the senders are joined.
    Acknowledged acknowledged;
    std::optional<DurabilitySenders> senders;
    TestMailServer mail = start_mail_server({"-q"});
    senders.emplace(mail.process, kSenders, 1, acknowledged);
    ASSERT_TRUE(acknowledged.wait_for(kill_after, Deadline(kIo)))
        << "only " << acknowledged.ids().size() << " acknowledged; " << mail.process.log();
    ASSERT_TRUE(mail.process.process().signal(SIGKILL));
    ASSERT_EQ(mail.process.process().wait(Deadline(kIo)), ExitStatus::killed_by(SIGKILL));
    senders->join();
    const auto acked = acknowledged.ids();
    ASSERT_GE(acked.size(), kill_after);
    // Every file in new/ is a whole message, the one its X-Seq says, and every acknowledged
    // message is among them.
    const std::size_t stored = expect_acknowledged_are_whole(python, mail.maildir, acked);
    EXPECT_EQ(stored, mail.new_files().size());
}

TEST(MailServerDurability, KillNineLosesNoAcknowledgedMessage) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    for (const std::size_t kill_after : {10u, 50u, 120u}) {
        kill_mid_stream_and_check(python, kill_after);
    }
}

// ------------------------------------------------------------------------ SIGTERM and clients gone

// SIGTERM while clients have messages in every stage: each client gets its replies up to some
// point and then 421; every message answered 250 is in new/, nothing is left in tmp/, and the
// server exits 0.
TEST(MailServerDurability, TerminationDuringPipelinedTransactionsKeepsEveryAnsweredMessage) {
    constexpr int kClients = 10;
    constexpr int kMessages = 5;
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(kIo);
    std::vector<SmtpClient> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(greeted_smtp(mail.process, deadline));
    std::string body;
    for (int line = 0; line < 40; ++line)
        body += std::string(75, 'x') + "\n";
    for (int i = 0; i < kClients; ++i) {
        std::string batch;
        for (int m = 0; m < kMessages; ++m) {
            batch += "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n" +
                     smtp_data("Subject: " + std::to_string(i) + "/" + std::to_string(m) + "\n\n" +
                               body);
        }
        clients[i].send(batch, deadline);
    }
    ASSERT_TRUE(mail.process.process().signal(SIGTERM));
    std::vector<std::string> acknowledged;
    for (int i = 0; i < kClients; ++i) {
        SCOPED_TRACE(i);
        const Received rest = clients[i].read_to_eof(deadline);
        // A reset is right too: the server may close with our later commands unread, and then
        // the kernel sends RST after the 421 instead of a FIN.
        EXPECT_TRUE(rest.end == StreamEnd::kEof || rest.end == StreamEnd::kReset);
        const auto lines = split_lines(rest.bytes);
        ASSERT_FALSE(lines.empty());
        EXPECT_EQ(lines.back(), "421 4.3.2 mail.test Service shutting down\r") << rest.bytes;
        // Before it, the replies in order: 250, 250, 354, 250 queued, again and again.
        const std::vector<std::string> cycle = {"250 2.1.0 Ok", "250 2.1.5 Ok", "354 ",
                                                "250 2.0.0 Ok: queued as "};
        for (std::size_t n = 0; n + 1 < lines.size(); ++n) {
            EXPECT_TRUE(lines[n].starts_with(cycle[n % cycle.size()])) << rest.bytes;
            if (n % cycle.size() == 3) {
                acknowledged.push_back(
                    lines[n].substr(cycle[3].size(), lines[n].size() - cycle[3].size() - 1));
            }
        }
    }
    EXPECT_EQ(mail.process.process().wait(deadline), ExitStatus::exit_code(0))
        << mail.process.log();
    std::string all_stored;
    for (const auto& file : mail.new_files())
        all_stored += read_file(file);
    for (const auto& id : acknowledged) {
        EXPECT_TRUE(contains(all_stored, " id " + id + "\n")) << id << " was answered 250";
    }
    EXPECT_TRUE(mail.tmp_files().empty());
}

TEST(MailServerDurability, ClientGoneInTheMiddleOfABigMessageLeavesNothing) {
    TestMailServer mail = start_mail_server();
    const Deadline deadline(kIo);
    {
        SmtpClient client = greeted_smtp(mail.process, deadline);
        ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
        ASSERT_EQ(client.command("DATA", deadline).code, 354);
        std::string part = "Subject: cut off\r\n\r\n";
        while (part.size() < 600 * 1024)
            part += std::string(70, 'c') + "\r\n";
        client.send(part, deadline);  // more than is held in memory: it goes to tmp/
        ASSERT_TRUE(wait_until([&] { return !mail.tmp_files().empty(); }, deadline))
            << "no file in tmp/ for the message being received";
    }
    ASSERT_TRUE(mail.process.wait_for_output("[1] disconnected", deadline))
        << mail.process.output();
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(mail.tmp_files().empty());
}

// ------------------------------------------------------------------------ storage failures

TEST(MailServerStorage, MboxOnDevFullAnswers451AndGoesOn) {
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
    TestMailServer mail = start_mail_server({"--mbox", "/dev/full"});
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    for (int i = 0; i < 2; ++i) {
        const SmtpReply reply = send_message(client, kAlice, {"bob@example.org"},
                                             "Subject: nowhere to go\n\nbody\n", deadline);
        EXPECT_EQ(reply.text(), "451 4.3.0 Error: local error in processing, message not stored");
        EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
    }
    EXPECT_TRUE(mail.process.running());
    EXPECT_TRUE(contains(mail.process.log(), "not stored")) << mail.process.log();
}

TEST(MailServerStorage, MaildirWithoutTmpAnswers451AndStoresNothing) {
    TestMailServer mail = start_mail_server();
    std::filesystem::remove(mail.maildir / "tmp");
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    const SmtpReply reply =
        send_message(client, kAlice, {"bob@example.org"}, "Subject: no tmp\n\nbody\n", deadline);
    EXPECT_EQ(reply.text(), "451 4.3.0 Error: local error in processing, message not stored");
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(mail.process.running());
    // A big message, spilled to tmp/ while it arrives, fails the same way.
    std::string body;
    for (int i = 0; i < 5000; ++i)
        body += std::string(70, 'b') + "\n";
    EXPECT_EQ(
        send_message(client, kAlice, {"bob@example.org"}, "Subject: big\n\n" + body, deadline).code,
        451);
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
}

TEST(MailServerStorage, MaildirWithoutNewAnswers451AndLeavesNothingInTmp) {
    TestMailServer mail = start_mail_server();
    std::filesystem::remove(mail.maildir / "new");
    const Deadline deadline(kIo);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    const SmtpReply reply =
        send_message(client, kAlice, {"bob@example.org"}, "Subject: no new\n\nbody\n", deadline);
    EXPECT_EQ(reply.text(), "451 4.3.0 Error: local error in processing, message not stored");
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
    EXPECT_TRUE(mail.tmp_files().empty());
    EXPECT_FALSE(std::filesystem::exists(mail.maildir / "new"));
    EXPECT_TRUE(mail.process.running());
}

// ------------------------------------------------------------------------ a large message

// `bytes` of message text: numbered lines, some starting with a dot, CRLF line ends.
std::string large_message(std::size_t bytes) {
    std::string text = "Subject: large\r\nFrom: alice@example.org\r\n\r\n";
    for (std::size_t n = 0; text.size() < bytes; ++n) {
        std::string line = (n % 1000 == 7 ? "." : "") + std::to_string(n) + " ";
        line.resize(76, static_cast<char>('a' + n % 26));
        text += line + "\r\n";
    }
    return text;
}

TEST(MailServerLarge, TwentyMibIsStoredByteExactWithBoundedMemory) {
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(60s);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    // A small message first, so the baseline includes what every message costs.
    ASSERT_TRUE(
        send_message(client, kAlice, {"bob@example.org"}, "Subject: warm-up\n\nhi\n", deadline)
            .starts_with("250 "));
    const auto baseline = mail.process.rss_bytes();
    ASSERT_TRUE(baseline.has_value());

    const std::string message = large_message(20 * kMiB);
    const std::string data = smtp_data(message);
    ASSERT_EQ(client
                  .command("MAIL FROM:<alice@example.org> SIZE=" + std::to_string(message.size()),
                           deadline)
                  .code,
              250);
    ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("DATA", deadline).code, 354);
    std::size_t peak = *baseline;
    for (std::size_t sent = 0; sent < data.size(); sent += kMiB) {
        client.send(std::string_view(data).substr(sent, kMiB), deadline);
        peak = std::max(peak, mail.process.rss_bytes().value_or(0));
    }
    const SmtpReply reply = client.read_reply(deadline);
    ASSERT_TRUE(reply.starts_with("250 2.0.0 Ok: queued as ")) << reply.text();
    peak = std::max(peak, mail.process.rss_bytes().value_or(0));

    // Streamed, not held whole: the growth is far below the message's size.
    EXPECT_LT(peak - *baseline, 16 * kMiB)
        << "VmRSS went from " << *baseline << " to " << peak << " bytes";
    if (!kSanitized) {
        EXPECT_LT(peak, 64 * kMiB) << "VmRSS peaked at " << peak << " bytes";
    }

    const auto files = mail.new_files();
    ASSERT_EQ(files.size(), 2u);
    std::string stored;
    for (const auto& file : files) {
        std::string text = read_file(file);
        if (text.size() > stored.size()) stored = std::move(text);
    }
    const std::string expected = unix_lines(message);
    ASSERT_TRUE(stored.ends_with(expected)) << "stored " << stored.size() << " bytes";
    EXPECT_TRUE(
        stored.starts_with("Return-Path: <alice@example.org>\nReceived: from client.example "
                           "([127.0.0.1])\n\tby mail.test (mail_server) with ESMTP id " +
                           queued_id(reply) + "\n"))
        << stored.substr(0, 300);
    EXPECT_TRUE(after_trace_headers(stored) == expected) << "stored " << stored.size() << " bytes";
}

TEST(MailServerLarge, OverTheDefaultMaximumGets552AfterTheDot) {
    TestMailServer mail = start_mail_server({"-q"});
    const Deadline deadline(60s);
    SmtpClient client = greeted_smtp(mail.process, deadline);
    // SIZE announced: refused at once.
    EXPECT_TRUE(
        client.command("MAIL FROM:<alice@example.org> SIZE=" + std::to_string(26 * kMiB), deadline)
            .starts_with("552 5.3.4"));
    // Not announced: read to the end, then refused, and the session is in step.
    const SmtpReply reply =
        send_message(client, kAlice, {"bob@example.org"}, large_message(26 * kMiB), deadline);
    EXPECT_TRUE(reply.starts_with("552 5.3.4")) << reply.text();
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
    EXPECT_TRUE(mail.new_files().empty());
    EXPECT_TRUE(mail.tmp_files().empty());
}

}  // namespace
}  // namespace net::test
