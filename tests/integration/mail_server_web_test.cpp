// mail_server --web as a real process on loopback: messages sent over SMTP read back through
// the JSON API (parsed by python's json) and the pages, the event stream announcing a new
// message, what the inbox refuses (other methods, bad ids), and the command line.
// (Headless Chromium on the pages: mail_inbox_browser_test.cpp.)
#include <gtest/gtest.h>

#include <csignal>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;

// A message as mail_client composes one: text and HTML alternatives, an attachment, a
// non-ASCII subject.
constexpr std::string_view kMultipart =
    "From: Alice Example <alice@example.org>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Subject: =?utf-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n"
    "Message-ID: <web-1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello Bob <3\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Hello <b>Bob</b></p>\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAEC/f7/\r\n"
    "--outer--\r\n";

std::uint16_t web_port(const MailServerProcess& server) {
    return web_inbox_port(server, Deadline(kIo));
}

HttpResponse request(std::uint16_t port, std::string_view method, std::string_view target) {
    const Deadline deadline(kIo);
    auto conn = HttpConnection::open("127.0.0.1", port, deadline);
    conn.send(http_request(method, target), deadline);
    return conn.read_response(deadline, method == "HEAD");
}

// `script` run by python3 with `input` on stdin; its stdout. Fails the test when it fails.
std::string python(const std::string& python3, const std::string& script, std::string_view input) {
    const auto finished = run(python3, {"-c", script}, input);
    EXPECT_TRUE(finished.status.ok()) << finished.err;
    return finished.out;
}

void send(const MailServerProcess& server, std::string_view message) {
    const Deadline deadline(kIo);
    auto client = greeted_smtp(server, deadline);
    const auto reply =
        send_message(client, "alice@example.org", {"bob@example.org"}, message, deadline);
    ASSERT_EQ(reply.code, 250) << reply.text();
}

class MailServerWeb : public ::testing::Test {
  protected:
    void SetUp() override {
        python3_ = system_python3();
        if (python3_.empty()) GTEST_SKIP() << "needs python3 (Debian package python3)";
        mail_.emplace(start_mail_server({"--web", "127.0.0.1:0"}));
        port_ = web_port(mail_->process);
        ASSERT_NE(port_, 0);
    }
    // The first message's ID in the list document.
    std::string first_id() {
        const auto list = request(port_, "GET", "/api/v1/messages");
        return python(python3_,
                      "import json,sys; print(json.load(sys.stdin)['messages'][0]['ID'], end='')",
                      list.body);
    }

    std::string python3_;
    std::optional<TestMailServer> mail_;
    std::uint16_t port_ = 0;
};

TEST_F(MailServerWeb, ApiListsAndShowsWhatSmtpStored) {
    send(mail_->process, kMultipart);
    send(mail_->process, "From: carol@example.org\r\nSubject: second\r\n\r\nplain\r\n");

    const auto list = request(port_, "GET", "/api/v1/messages?start=0&limit=10");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.header("Content-Type"), "application/json");
    EXPECT_EQ(list.header("X-Content-Type-Options"), "nosniff");
    const auto listed = python(python3_,
                               "import json,sys\n"
                               "d=json.load(sys.stdin)\n"
                               "print(d['total'], d['count'], d['start'])\n"
                               "for m in d['messages']:\n"
                               "  print(m['Subject'], m['From']['Address'], m['Attachments'])\n",
                               list.body);
    EXPECT_EQ(listed, "2 2 0\nsecond carol@example.org 0\nGrüße aus Köln alice@example.org 1\n");

    const auto search = request(port_, "GET", "/api/v1/search?query=K%C3%B6ln");
    ASSERT_EQ(search.status, 200);
    const auto found =
        python(python3_,
               "import json,sys\nd=json.load(sys.stdin)\n"
               "print(d['total'], d['messages_count'], d['messages'][0]['Subject'])\n",
               search.body);
    EXPECT_EQ(found, "2 1 Grüße aus Köln\n");  // as Mailpit: total is the whole mailbox
    const auto id = python(python3_,
                           "import json,sys\nprint(json.load(sys.stdin)['messages'][0]['ID'], "
                           "end='')\n",
                           search.body);

    const auto message = request(port_, "GET", "/api/v1/message/" + id);
    ASSERT_EQ(message.status, 200) << message.body;
    const auto shown = python(python3_,
                              "import json,sys\nm=json.load(sys.stdin)\n"
                              "print(m['Subject']); print(m['Text'].strip()); "
                              "print(m['HTML'].strip()); print(m['ReturnPath'])\n"
                              "for a in m['Attachments']:\n"
                              "  print(a['PartID'], a['FileName'], a['ContentType'], a['Size'])\n",
                              message.body);
    EXPECT_EQ(shown,
              "Grüße aus Köln\nHello Bob <3\n<p>Hello <b>Bob</b></p>\nalice@example.org\n"
              "2 data.bin application/octet-stream 6\n");

    const auto part = request(port_, "GET", "/api/v1/message/" + id + "/part/2");
    ASSERT_EQ(part.status, 200);
    EXPECT_EQ(part.body, std::string("\x00\x01\x02\xfd\xfe\xff", 6));
    EXPECT_EQ(part.header("Content-Disposition"), "attachment; filename=\"data.bin\"");

    const auto raw = request(port_, "GET", "/api/v1/message/" + id + "/raw");
    ASSERT_EQ(raw.status, 200);
    EXPECT_TRUE(raw.body.starts_with("Return-Path: <alice@example.org>")) << raw.body;
    EXPECT_NE(raw.body.find("AAEC/f7/"), std::string::npos);
    EXPECT_EQ(raw.header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(MailServerWeb, PagesShowTheListAndTheMessage) {
    send(mail_->process, kMultipart);
    const auto list = request(port_, "GET", "/");
    ASSERT_EQ(list.status, 200);
    EXPECT_NE(list.body.find("Grüße aus Köln"), std::string::npos) << list.body;
    EXPECT_NE(list.header("Content-Security-Policy")->find("script-src 'self'"), std::string::npos);
    const auto id = first_id();
    const auto page = request(port_, "GET", "/message/" + id);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Hello Bob &lt;3"), std::string::npos);
    EXPECT_NE(page.body.find("sandbox src=\"/view/" + id + "/html\""), std::string::npos);
    const auto html = request(port_, "GET", "/view/" + id + "/html");
    ASSERT_EQ(html.status, 200);
    EXPECT_EQ(html.body.find("<p>Hello <b>Bob</b></p>"), 0u) << html.body;
    EXPECT_NE(html.header("Content-Security-Policy")->find("default-src 'none'"),
              std::string::npos);
    EXPECT_EQ(request(port_, "GET", "/inbox.js").header("Content-Type"),
              "text/javascript; charset=utf-8");
}

TEST_F(MailServerWeb, RefusesOtherMethodsAndBadIds) {
    send(mail_->process, kMultipart);
    for (const char* method : {"POST", "PUT", "DELETE"}) {
        const auto response = request(port_, method, "/api/v1/messages");
        EXPECT_EQ(response.status, 405) << method;
        EXPECT_EQ(response.header("Allow"), "GET, HEAD");
    }
    EXPECT_EQ(request(port_, "GET", "/api/v1/message/..%2F..%2Fetc%2Fpasswd").status, 400);
    EXPECT_EQ(request(port_, "GET", "/api/v1/message/.hidden/raw").status, 400);
    EXPECT_EQ(request(port_, "GET", "/api/v1/message/no-such-message").status, 404);
    EXPECT_EQ(request(port_, "GET", "/message/no-such-message").status, 404);
    const auto head = request(port_, "HEAD", "/api/v1/messages");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_NE(head.header("Content-Length"), "0");
    // Nothing changed: still one message.
    const auto list = request(port_, "GET", "/api/v1/messages");
    EXPECT_EQ(python(python3_, "import json,sys; print(json.load(sys.stdin)['total'])", list.body),
              "1\n");
}

TEST_F(MailServerWeb, EventStreamAnnouncesANewMessage) {
    const Deadline deadline(kIo);
    auto events = HttpConnection::open("127.0.0.1", port_, deadline);
    events.send(http_request("GET", "/api/events"), deadline);
    const auto head = events.read_head(deadline);
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Type"), "text/event-stream");
    // The stream's first bytes say it is open; only then is the message sent.
    std::string stream;
    while (stream.find("\n\n") == std::string::npos)
        stream += events.read_bytes(1, deadline);
    send(mail_->process, kMultipart);
    while (stream.find("\"Subject\"") == std::string::npos ||
           stream.find("\n\n", stream.find("\"Subject\"")) == std::string::npos) {
        stream += events.read_bytes(1, deadline);
    }
    EXPECT_NE(stream.find("event: message\ndata: {"), std::string::npos) << stream;
    EXPECT_NE(stream.find("Grüße aus Köln"), std::string::npos) << stream;
}

// Opens an event stream and reads its head.
HttpResponse open_stream(HttpConnection& conn, const Deadline& deadline) {
    conn.send(http_request("GET", "/api/events"), deadline);
    return conn.read_head(deadline);
}

TEST_F(MailServerWeb, EventStreamsAreBoundedAndTheRestStillServed) {
    const Deadline deadline(kIo);
    std::vector<HttpConnection> streams;
    for (int i = 0; i < 64; ++i) {
        streams.push_back(HttpConnection::open("127.0.0.1", port_, deadline));
        ASSERT_EQ(open_stream(streams.back(), deadline).status, 200) << i;
    }
    auto extra = HttpConnection::open("127.0.0.1", port_, deadline);
    EXPECT_EQ(open_stream(extra, deadline).status, 503);
    EXPECT_EQ(request(port_, "GET", "/api/v1/messages").status, 200);
    // One closed makes room (once the server has seen it go).
    streams.pop_back();
    for (;;) {
        auto again = HttpConnection::open("127.0.0.1", port_, deadline);
        if (open_stream(again, deadline).status == 200) break;
        ASSERT_FALSE(deadline.expired()) << "the closed stream was never counted out";
    }
}

TEST_F(MailServerWeb, StopEndsOpenEventStreams) {
    const Deadline deadline(kIo);
    auto events = HttpConnection::open("127.0.0.1", port_, deadline);
    ASSERT_EQ(open_stream(events, deadline).status, 200);
    const auto status = mail_->process.stop(SIGTERM, 15s);
    ASSERT_TRUE(status.has_value()) << "still running with an event stream open";
    EXPECT_TRUE(status->ok());
    const auto rest = events.read_to_eof(deadline);
    EXPECT_EQ(rest.end, StreamEnd::kEof);
}

TEST(MailServerWebStart, ShowsMailStoredBeforeItStarted) {
    auto mail = start_mail_server();
    send(mail.process, kMultipart);
    ASSERT_TRUE(mail.process.stop().has_value());
    auto again = MailServerProcess::start(
        {"--hostname", "mail.test", "--maildir", mail.maildir.string(), "--web", "0"});
    const auto port = web_port(again);
    const auto list = request(port, "GET", "/api/v1/messages");
    ASSERT_EQ(list.status, 200);
    EXPECT_NE(list.body.find("\"total\":1"), std::string::npos) << list.body;
    EXPECT_NE(list.body.find("Grüße aus Köln"), std::string::npos) << list.body;
}

TEST(MailServerWebStart, UsageErrors) {
    expect_usage_error("mail_server", {"--web", "0", "--no-store"});
    expect_usage_error("mail_server", {"--web", "0", "--mbox", "-"});
    expect_usage_error("mail_server", {"--web", "localhost"});
    expect_usage_error("mail_server", {"--web", "127.0.0.1:99999"});
}

}  // namespace
}  // namespace net::test
