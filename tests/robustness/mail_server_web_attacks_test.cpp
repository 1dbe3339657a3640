// Attacks on mail_server's web inbox (--web): connections held on the web port take nothing
// from SMTP, the surplus over the web's own cap is shed at once, and the inbox serves again
// once they go.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/robustness.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/wait_until.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;

long milliseconds_since(Clock::time_point start) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// 300 slow heads on the web port (its cap is 256 connections): the surplus is closed at once,
// the rest are kept (trickling within the head deadline), and a whole SMTP transaction on the
// same single loop is still served within a second. Once they go, the inbox answers again.
TEST(MailServerWebAttacks, HeldWebConnectionsTakeNothingFromSmtp) {
    constexpr std::size_t kHeld = 300;
    constexpr std::size_t kWebCap = 256;  // mail::kMaxWebConnections
    TestMailServer mail = start_mail_server({"-q", "-t", "1", "--web", "0"});
    const auto port = web_inbox_port(mail.process, Deadline(kIo));
    ASSERT_NE(port, 0);
    auto slow = hold_connections(port, kHeld, "GET / HTTP/1.1\r\nX-Slow: ", Deadline(60s));
    ASSERT_TRUE(wait_until([&] { return count_closed(slow) >= kHeld - kWebCap; }, Deadline(kIo)))
        << "the connections over the web's cap were not shed";
    long worst = 0;
    for (int round = 0; round < 3; ++round) {
        trickle(slow, 'x');
        const auto start = Clock::now();
        const Deadline deadline(1s);
        SmtpClient client = greeted_smtp(mail.process, deadline);
        EXPECT_TRUE(send_message(client, "alice@example.org", {"bob@example.org"},
                                 "Subject: fresh\n\nserved\n", deadline)
                        .starts_with("250 2.0.0 Ok: queued as "));
        worst = std::max(worst, milliseconds_since(start));
    }
    const auto shed = count_closed(slow);
    EXPECT_EQ(shed, kHeld - kWebCap) << "the server dropped slow web clients it had room for";
    slow.clear();
    const Deadline deadline(kIo);
    int status = 0;
    wait_until(
        [&] {
            try {
                auto conn = HttpConnection::open("127.0.0.1", port, deadline);
                conn.send(http_request("GET", "/api/v1/messages"), deadline);
                status = conn.read_response(deadline).status;
            } catch (const std::exception&) {
                status = 0;  // shed: the server has not yet seen the held ones go
            }
            return status == 200;
        },
        deadline);
    EXPECT_EQ(status, 200) << "the inbox did not serve again once the held connections went";
    report_held(std::to_string(kHeld) + " slow heads on the web port (" + std::to_string(shed) +
                " over its cap shed): an SMTP transaction on the same loop took at most " +
                std::to_string(worst) + " ms");
}

}  // namespace
}  // namespace net::test
