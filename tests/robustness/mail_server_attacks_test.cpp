// Attacks mail_server holds, kept as regressions: a thousand slowloris sessions while a fresh
// client is served, random bytes and 1 MiB lines, and SIGKILL at random moments under four
// senders with nothing acknowledged lost and nothing partial in new/.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/base64.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/mail_durability.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"
#include "tests/support/wait_until.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback
constexpr std::size_t kMiB = 1024 * 1024;

long milliseconds_since(Clock::time_point start) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// A whole transaction on a new connection, within `deadline`.
void serve_fresh_client(const MailServerProcess& server, const Deadline& deadline) {
    SmtpClient client = greeted_smtp(server, deadline);
    EXPECT_TRUE(send_message(client, "alice@example.org", {"bob@example.org"},
                             "Subject: fresh\n\nserved\n", deadline)
                    .starts_with("250 2.0.0 Ok: queued as "));
    EXPECT_EQ(client.command("QUIT", deadline).code, 221);
}

// A thousand connections each holding half a command line and trickling it on; the default
// limits (a command line has 60 s) keep them all, and the server still serves a fresh client
// at once. One loop, so the fresh client shares it with every slow one.
TEST(MailServerAttacks, AThousandSlowlorisSessionsDelayNoFreshClient) {
    constexpr std::size_t kSlow = 1000;
    TestMailServer mail = start_mail_server({"-q", "-t", "1"});
    auto slow = hold_connections(mail.process.port(), kSlow, "EHLO slowloris", Deadline(60s));
    long worst = 0;
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(trickle(slow, 'x'), kSlow);
        const auto start = Clock::now();
        serve_fresh_client(mail.process, Deadline(1s));
        worst = std::max(worst, milliseconds_since(start));
    }
    EXPECT_EQ(count_closed(slow), 0u) << "the server dropped slow clients it had room for";
    report_held(std::to_string(kSlow) +
                " slowloris sessions on one loop (half an EHLO, trickled): a fresh client's whole "
                "transaction took at most " +
                std::to_string(worst) + " ms");
}

// Random bytes: every line gets a well-formed error reply, 20 errors (or a line that is not
// SMTP) close the session, and the next client is served.
TEST(MailServerAttacks, RandomBytesGetErrorRepliesAndTheServerGoesOn) {
    constexpr int kConnections = 40;
    constexpr std::size_t kBytes = 16 * 1024;
    TestMailServer mail = start_mail_server({"-q"});
    std::mt19937 random(20261203);
    std::size_t replies = 0;
    for (int i = 0; i < kConnections; ++i) {
        SCOPED_TRACE(i);
        const Deadline deadline(kIo);
        SmtpClient client = connect_smtp(mail.process, deadline);
        std::string bytes(kBytes, '\0');
        for (char& byte : bytes)
            byte = static_cast<char>(random() & 0xFF);
        bytes += "\r\nQUIT\r\n";  // whatever state the garbage left, the session ends
        const Received rest = send_and_receive_to_eof(client.fd(), bytes, deadline);
        EXPECT_NE(rest.end, StreamEnd::kTimeout);
        const auto lines = split_lines(rest.bytes);
        for (const auto& line : lines) {
            // "NNN " or "NNN-", a 4xx or 5xx (or the 221 of the QUIT).
            ASSERT_GE(line.size(), 4u) << rest.bytes;
            EXPECT_TRUE(line[0] == '4' || line[0] == '5' || line.starts_with("221 ")) << line;
            EXPECT_TRUE(line[3] == ' ' || line[3] == '-') << line;
        }
        if (!lines.empty()) {
            EXPECT_TRUE(lines.back().starts_with("421 ") || lines.back().starts_with("221 "))
                << lines.back();
        }
        replies += lines.size();
    }
    serve_fresh_client(mail.process, Deadline(kIo));
    EXPECT_TRUE(mail.process.running());
    report_held(std::to_string(kConnections) + " connections of " + std::to_string(kBytes / 1024) +
                " KiB of random bytes: " + std::to_string(replies) +
                " error replies, every session closed, the next client served");
}

// A command line, an AUTH response and a message line of 1 MiB each: the right 500, the
// session in step after it, memory not held.
TEST(MailServerAttacks, OneMibLinesGetTheirRepliesAndTheSessionGoesOn) {
    TestMailServer mail = start_mail_server(
        {"-q", "--auth", "user:secret", "--allow-insecure-auth", "--auth-delay", "0"});
    const Deadline deadline(kIo);
    const std::string huge(kMiB, 'h');
    SmtpClient client = greeted_smtp(mail.process, deadline);
    client.send(huge + "\r\n", deadline);
    EXPECT_EQ(client.read_reply(deadline).text(), "500 5.5.2 Error: line too long");
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");

    EXPECT_EQ(client.command("AUTH LOGIN", deadline).text(), "334 VXNlcm5hbWU6");
    client.send(huge + "\r\n", deadline);
    EXPECT_TRUE(client.read_reply(deadline).starts_with("500 5.5.")) << "an AUTH line";
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");

    ASSERT_EQ(
        client.command("AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12)), deadline)
            .code,
        235);
    ASSERT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
    ASSERT_EQ(client.command("DATA", deadline).code, 354);
    client.send("Subject: huge\r\n\r\n" + huge + "\r\n.\r\n", deadline);
    EXPECT_TRUE(
        client.read_reply(deadline).starts_with("500 5.5.2 Error: message has a line over"));
    EXPECT_EQ(client.command("NOOP", deadline).text(), "250 2.0.0 Ok");
    EXPECT_TRUE(mail.new_files().empty());
    const auto rss = mail.process.rss_bytes();
    EXPECT_EQ(greeted_smtp(mail.process, deadline).command("NOOP", deadline).code, 250);
    report_held(
        "1 MiB command, AUTH and message lines: each answered 500, the session in step; "
        "server resident " +
        std::to_string(rss.value_or(0) / kMiB) + " MiB");
}

// SIGKILL at random moments while four senders stream messages, restarted on the same Maildir
// each time: every message answered 250 after its DATA is in new/, whole; nothing in new/ is
// partial.
TEST(MailServerAttacks, SigkillAtRandomMomentsLosesNothingAcknowledged) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    constexpr int kRounds = 5;
    constexpr int kSenders = 4;
    const TempDir dir;
    const std::filesystem::path maildir = dir.file("mail");
    std::mt19937 random(std::random_device{}());
    Acknowledged acknowledged;
    std::vector<long> moments;
    for (int round = 0; round < kRounds; ++round) {
        std::optional<DurabilitySenders> senders;
        MailServerProcess server = MailServerProcess::start(
            {"-q", "--hostname", "mail.test", "--maildir", maildir.string()});
        senders.emplace(server, kSenders, 1 + round * 100'000, acknowledged);
        // The random moment: a pause of up to 1.5 s into the stream, not a wait for anything.
        const auto moment = std::uniform_int_distribution<long>(50, 1500)(random);
        moments.push_back(moment);
        std::this_thread::sleep_for(std::chrono::milliseconds(moment));
        ASSERT_TRUE(server.process().signal(SIGKILL));
        ASSERT_EQ(server.process().wait(Deadline(kIo)), ExitStatus::killed_by(SIGKILL));
        senders->join();
    }
    const auto acked = acknowledged.ids();
    EXPECT_GT(acked.size(), 0u);
    const std::size_t stored = expect_acknowledged_are_whole(python, maildir, acked);
    std::string at;
    for (const long moment : moments)
        at += (at.empty() ? "" : ", ") + std::to_string(moment) + " ms";
    report_held(std::to_string(kRounds) + " SIGKILLs (at " + at + ") under " +
                std::to_string(kSenders) + " senders: " + std::to_string(acked.size()) +
                " acknowledged, all whole among " + std::to_string(stored) + " in new/");
}

}  // namespace
}  // namespace net::test

namespace net::test {
namespace {

// Under `ulimit -n 256` mail_server takes (256 - 64) / 2 sessions: the surplus of a flood gets
// 421 and is closed (past the descriptors, closed at once), those taken are greeted, and once the
// flood leaves new clients are served again.
TEST(MailServerAttacks, OutOfDescriptorsTheSurplusIsShedThenServiceRecovers) {
    constexpr std::size_t kFlood = 300;
    TestMailServer mail = start_mail_server({"-q", "-t", "1"}, 256);
    std::vector<Fd> flood = hold_connections(mail.process.port(), kFlood, "", Deadline(kIo));
    std::size_t shed = 0;
    const Deadline settle(10s);
    // At least those beyond the descriptors are shed; wait for the server to get to them all.
    wait_until([&] { return (shed = count_closed(flood)) >= kFlood - 256; }, settle, 20ms);
    EXPECT_GE(shed, kFlood - 256) << "the surplus was left hanging";
    EXPECT_LT(shed, kFlood) << "nobody was taken";
    flood.clear();
    // The server sees the flood's FINs on its loop; a new client is greeted 220 once they are
    // gone (until then it may still get 421).
    bool greeted = false;
    wait_until(
        [&] {
            SmtpClient client =
                SmtpClient::connect(mail.process.host(), mail.process.port(), Deadline(kIo));
            greeted = client.read_reply(Deadline(kIo)).code == 220;
            return greeted;
        },
        Deadline(10s), 20ms);
    ASSERT_TRUE(greeted) << "no 220 within 10 s of the flood leaving";
    constexpr int kAfter = 20;
    for (int i = 0; i < kAfter; ++i)
        serve_fresh_client(mail.process, Deadline(kIo));
    EXPECT_TRUE(mail.process.running());
    report_held("ulimit -n 256: " + std::to_string(shed) + " of " + std::to_string(kFlood) +
                " sessions shed (421 or closed), the rest greeted; then " + std::to_string(kAfter) +
                " whole transactions served");
}

// Clients that vanish half way through a message (a FIN, or a reset) leave nothing in new/ or
// tmp/, no descriptor behind, and the server serving.
TEST(MailServerAttacks, ClientsCutOffMidMessageLeaveNothingBehind) {
    constexpr int kClients = 40;
    TestMailServer mail = start_mail_server({"-q", "-t", "1"});
    const pid_t pid = mail.process.process().pid();
    DescriptorCounts descriptors;  // `during` stays unset: the clients come one at a time
    descriptors.before = open_descriptors(pid).value_or(0);
    const std::string body(256 * 1024, 'x');
    for (int i = 0; i < kClients; ++i) {
        SCOPED_TRACE(i);
        const Deadline deadline(kIo);
        SmtpClient client = greeted_smtp(mail.process, deadline);
        EXPECT_EQ(client.command("MAIL FROM:<alice@example.org>", deadline).code, 250);
        EXPECT_EQ(client.command("RCPT TO:<bob@example.org>", deadline).code, 250);
        EXPECT_EQ(client.command("DATA", deadline).code, 354);
        client.send("Subject: cut\r\n\r\n" + body, deadline);
        if (i % 2 == 0) {
            close_with_reset(client.release());
        } else {
            shutdown_write(client.fd());
            const Received rest = client.read_to_eof(deadline);
            EXPECT_NE(rest.end, StreamEnd::kTimeout);
        }
    }
    serve_fresh_client(mail.process, Deadline(kIo));  // after every cut client, on the same loop
    descriptors.after =
        wait_descriptors_at_most(pid, descriptors.before, Deadline(10s)).value_or(0);
    EXPECT_LE(descriptors.after, descriptors.before);
    EXPECT_TRUE(wait_until([&] { return mail.tmp_files().empty(); }, Deadline(10s)))
        << mail.tmp_files().size() << " files left in tmp/";
    EXPECT_EQ(mail.new_files().size(), 1u) << "only the fresh client's message is delivered";
    EXPECT_TRUE(mail.process.running());
    report_held(std::to_string(kClients) +
                " clients cut 256 KiB into DATA (half by reset, half by FIN): nothing in new/ or "
                "tmp/ from them, descriptors " +
                std::to_string(descriptors.before) + " before, " +
                std::to_string(descriptors.after) + " after");
}

}  // namespace
}  // namespace net::test
