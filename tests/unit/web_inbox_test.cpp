// The web inbox's routing, pages and JSON, over an index held in memory.
#include "web_inbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/http_request.hpp"
#include "inbox_pages.hpp"
#include "message_json.hpp"
#include "message_list.hpp"

namespace {

using mail::Summary;
using net::http::ServerResponse;

// An index of messages given by the test, newest last in `add` order.
class FakeIndex final : public mail::MailIndex {
  public:
    void add(Summary summary, std::string raw) {
        raw_[summary.id] = std::move(raw);
        summaries_.insert(summaries_.begin(), std::move(summary));
    }
    void load() override {}
    void watch(mail::MessageStore&) override {}
    [[nodiscard]] Page list(std::size_t start, std::size_t limit) const override {
        return page_of(summaries_, start, limit);
    }
    [[nodiscard]] Page search(std::string_view query, std::size_t start,
                              std::size_t limit) const override {
        std::vector<Summary> found;
        for (const auto& s : summaries_) {
            if (s.subject.find(query) != std::string::npos) found.push_back(s);
        }
        return page_of(found, start, limit);
    }
    [[nodiscard]] std::optional<Summary> find(std::string_view id) const override {
        ++lookups;
        for (const auto& s : summaries_) {
            if (s.id == id) return s;
        }
        return std::nullopt;
    }
    [[nodiscard]] std::optional<std::string> read(std::string_view id) const override {
        const auto found = raw_.find(std::string(id));
        if (found == raw_.end()) return std::nullopt;
        return found->second;
    }
    [[nodiscard]] std::size_t size() const override { return summaries_.size(); }
    std::uint64_t subscribe(Listener) override { return 1; }
    void unsubscribe(std::uint64_t) override {}

    mutable int lookups = 0;

  private:
    static Page page_of(const std::vector<Summary>& all, std::size_t start, std::size_t limit) {
        Page page;
        page.total = all.size();
        page.start = start;
        for (std::size_t i = start; i < all.size() && i < start + limit; ++i) {
            page.messages.push_back(all[i]);
        }
        return page;
    }
    std::vector<Summary> summaries_;
    std::map<std::string, std::string> raw_;
};

constexpr std::string_view kMultipart =
    "Return-Path: <alice@example.org>\r\n"
    "Received: from client (localhost [127.0.0.1])\r\n"
    "\tby mx with ESMTP id 1 for <bob@example.org>; Thu, 3 Dec 2026 10:00:00 +0000\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Subject: =?utf-8?B?R3LDvMOfZQ==?= <b>\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\r\n"
    "\r\n"
    "--B\r\n"
    "Content-Type: multipart/alternative; boundary=\"A\"\r\n"
    "\r\n"
    "--A\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello <script>alert(1)</script>\r\n"
    "--A\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Hello</p><script>document.title='x'</script>\r\n"
    "--A--\r\n"
    "--B\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQ=\r\n"
    "--B--\r\n";

Summary summary_of(std::string id, std::string subject, std::int64_t received = 1'800'000'000) {
    Summary s;
    s.id = std::move(id);
    s.received = received;
    s.size = 123;
    s.from = {"Alice", "alice@example.org"};
    s.to = {{"Bob", "bob@example.org"}};
    s.subject = std::move(subject);
    s.message_id = "m1@example.org";
    return s;
}

net::http::Request get(std::string target, std::string method = "GET") {
    net::http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    return request;
}

std::string header(const ServerResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

class WebInboxTest : public ::testing::Test {
  protected:
    WebInboxTest() {
        index_.add(summary_of("msg-1", "Grüße <b>"), std::string(kMultipart));
        index_.add(summary_of("msg-2", "second & last", 1'800'000'100),
                   "From: a@b\r\nSubject: second\r\n\r\nplain body\r\n");
    }
    ServerResponse answer(std::string target, std::string method = "GET") {
        return inbox_.handle(get(std::move(target), std::move(method)));
    }
    FakeIndex index_;
    mail::WebInbox inbox_{index_, "mail_server/test"};
};

TEST_F(WebInboxTest, EveryAnswerForbidsSniffingAndCarriesAPolicy) {
    for (const char* target :
         {"/", "/inbox.js", "/inbox.css", "/message/msg-1", "/view/msg-1/html", "/api/v1/messages",
          "/api/v1/message/msg-1", "/api/v1/message/msg-1/raw", "/api/v1/message/msg-1/part/2",
          "/nothing", "/message/bad%2Fid"}) {
        const auto response = answer(target);
        EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff") << target;
        EXPECT_FALSE(header(response, "Content-Security-Policy").empty()) << target;
    }
}

TEST_F(WebInboxTest, OnlyGetAndHeadAreServed) {
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        const auto response = answer("/api/v1/messages", method);
        EXPECT_EQ(response.status, 405) << method;
        EXPECT_EQ(header(response, "Allow"), "GET, HEAD");
    }
    EXPECT_EQ(answer("/api/v1/messages", "HEAD").status, 200);
}

TEST_F(WebInboxTest, BadIdsAreRefusedBeforeAnyLookup) {
    for (const char* target :
         {"/message/..", "/message/.hidden", "/message/a%2Fb", "/api/v1/message/a b",
          "/api/v1/message/%2e%2e/raw", "/view/..%2f..%2fetc%2fpasswd/html",
          "/api/v1/message/msg-1/part/..", "/api/v1/message/msg-1/part/1;2",
          "/api/v1/message/msg-1/part/1.", "/api/v1/message/msg-1/part/.1"}) {
        index_.lookups = 0;
        EXPECT_EQ(answer(target).status, 400) << target;
        EXPECT_EQ(index_.lookups, 0) << target;
    }
    EXPECT_EQ(answer("/message/" + std::string(129, 'a')).status, 400);
}

TEST_F(WebInboxTest, UnknownIdsAndPathsAre404) {
    EXPECT_EQ(answer("/message/nope").status, 404);
    EXPECT_EQ(answer("/api/v1/message/nope").status, 404);
    EXPECT_EQ(answer("/api/v1/message/msg-1/part/9").status, 404);
    EXPECT_EQ(answer("/api/v1/message/msg-1/other").status, 404);
    EXPECT_EQ(answer("/view/msg-2/html").status, 404);  // no HTML part
    EXPECT_EQ(answer("/etc/passwd").status, 404);
    EXPECT_EQ(answer("http://host/").status, 400);
}

TEST_F(WebInboxTest, ListApiIsMailpitsDocumentNewestFirst) {
    const auto response = answer("/api/v1/messages?start=0&limit=1");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(header(response, "Content-Type"), "application/json");
    EXPECT_NE(response.body.find("\"total\":2"), std::string::npos) << response.body;
    EXPECT_NE(response.body.find("\"count\":1"), std::string::npos);
    EXPECT_NE(response.body.find("\"ID\":\"msg-2\""), std::string::npos);
    EXPECT_EQ(response.body.find("msg-1"), std::string::npos);
    EXPECT_EQ(answer("/api/v1/messages?start=-1").status, 400);
    EXPECT_EQ(answer("/api/v1/messages?limit=x").status, 400);
}

TEST_F(WebInboxTest, SearchTakesTheDecodedQuery) {
    const auto response = answer("/api/v1/search?query=second+%26");
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("msg-2"), std::string::npos);
    EXPECT_EQ(response.body.find("msg-1"), std::string::npos);
    EXPECT_EQ(answer("/api/v1/search").status, 400);
    EXPECT_EQ(answer("/api/v1/search?query=%zz").status, 400);
}

TEST_F(WebInboxTest, MessageDocumentHasTextHtmlAndAttachments) {
    const auto response = answer("/api/v1/message/msg-1");
    ASSERT_EQ(response.status, 200);
    const std::string& body = response.body;
    EXPECT_NE(body.find("\"ID\":\"msg-1\""), std::string::npos) << body;
    EXPECT_NE(body.find("\"MessageID\":\"m1@example.org\""), std::string::npos);
    EXPECT_NE(body.find("\"ReturnPath\":\"alice@example.org\""), std::string::npos);
    EXPECT_NE(body.find("\"Text\":\"Hello <script>alert(1)</script>"), std::string::npos);
    EXPECT_NE(body.find("\"HTML\":\"<p>Hello</p>"), std::string::npos);
    EXPECT_NE(body.find("\"Attachments\":[{\"PartID\":\"2\",\"FileName\":\"résumé.bin\","
                        "\"ContentType\":\"application/octet-stream\",\"ContentID\":\"\","
                        "\"Size\":5}]"),
              std::string::npos);
    EXPECT_NE(body.find("\"Inline\":[]"), std::string::npos);
}

TEST_F(WebInboxTest, LatestNamesTheNewestMessageAsInMailpit) {
    const auto document = answer("/api/v1/message/latest");
    ASSERT_EQ(document.status, 200);
    EXPECT_NE(document.body.find("\"ID\":\"msg-2\""), std::string::npos) << document.body;
    const auto raw = answer("/api/v1/message/latest/raw");
    ASSERT_EQ(raw.status, 200);
    EXPECT_EQ(raw.body, "From: a@b\r\nSubject: second\r\n\r\nplain body\r\n");
    FakeIndex empty;
    const mail::WebInbox inbox(empty, "mail_server/test");
    EXPECT_EQ(inbox.handle(get("/api/v1/message/latest")).status, 404);
}

TEST_F(WebInboxTest, MessageDateIsTheSendersOrWhenStored) {
    index_.add(summary_of("msg-3", "dated"),
               "From: a@b\r\nDate: Wed, 25 Nov 2026 08:53:12 +0100\r\n\r\nbody\r\n");
    EXPECT_NE(answer("/api/v1/message/msg-3").body.find("\"Date\":\"2026-11-25T07:53:12Z\""),
              std::string::npos);
    // msg-2 has no Date field: its time of arrival (1,800,000,100).
    EXPECT_NE(answer("/api/v1/message/msg-2").body.find("\"Date\":\"2027-01-15T08:01:40Z\""),
              std::string::npos)
        << answer("/api/v1/message/msg-2").body;
}

TEST_F(WebInboxTest, PartDownloadsDecodedWithItsNameAndType) {
    const auto response = answer("/api/v1/message/msg-1/part/2");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body, std::string("\x00\x01\x02\x03\x04", 5));
    EXPECT_EQ(header(response, "Content-Type"), "application/octet-stream");
    EXPECT_EQ(header(response, "Content-Disposition"),
              "attachment; filename=\"r__sum__.bin\"; filename*=UTF-8''r%C3%A9sum%C3%A9.bin");
}

TEST_F(WebInboxTest, RawIsTheStoredBytesAsPlainText) {
    const auto response = answer("/api/v1/message/msg-1/raw");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body, kMultipart);
    EXPECT_EQ(header(response, "Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(WebInboxTest, MailHtmlIsServedUnderAPolicyThatFetchesAndRunsNothing) {
    const auto response = answer("/view/msg-1/html");
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("<script>"), std::string::npos);  // as sent: the policy holds it
    const auto policy = header(response, "Content-Security-Policy");
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(policy.find("img-src cid: data:"), std::string::npos);
    EXPECT_NE(policy.find("sandbox"), std::string::npos);
    EXPECT_EQ(policy.find("script-src"), std::string::npos);
}

TEST_F(WebInboxTest, MailHtmlShowsTheImagesItCarriesAsDataUrls) {
    index_.add(summary_of("msg-3", "logo"),
               "From: a@b\r\nSubject: logo\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/related; boundary=R\r\n\r\n"
               "--R\r\nContent-Type: text/html\r\n\r\n"
               "<img src=\"cid:logo@x\"><img src=\"cid:nothing@x\"><iframe src=\"http://x/\">\r\n"
               "--R\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--R--\r\n");
    const auto response = answer("/view/msg-3/html");
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("<img src=\"data:image/png;base64,iVBORw==\">"), std::string::npos)
        << response.body;
    EXPECT_NE(response.body.find("<img src=\"cid:nothing@x\">"), std::string::npos);
    EXPECT_NE(response.body.find("<x-iframe src="), std::string::npos);
    EXPECT_EQ(header(response, "X-DNS-Prefetch-Control"), "off");
}

TEST_F(WebInboxTest, ListPageEscapesWhatMessagesSay) {
    const auto response = answer("/");
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("Grüße &lt;b&gt;"), std::string::npos);
    EXPECT_NE(response.body.find("second &amp; last"), std::string::npos);
    EXPECT_EQ(response.body.find("<b>"), std::string::npos);
    EXPECT_EQ(response.body.find("<script>"), std::string::npos);  // only <script src=...>
    EXPECT_NE(response.body.find("<script src=\"/inbox.js\""), std::string::npos);
    EXPECT_NE(response.body.find("data-live=\"1\""), std::string::npos);
    // Newest first.
    EXPECT_LT(response.body.find("msg-2"), response.body.find("msg-1"));
}

TEST_F(WebInboxTest, ListPageSearchKeepsTheQueryEscaped) {
    const auto response = answer("/?q=%22%3E%3Cscript%3E");
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("value=\"&quot;&gt;&lt;script&gt;\""), std::string::npos);
    EXPECT_EQ(response.body.find("data-live"), std::string::npos);
}

TEST_F(WebInboxTest, MessagePageEscapesTextAndFramesHtml) {
    const auto response = answer("/message/msg-1");
    ASSERT_EQ(response.status, 200);
    const std::string& body = response.body;
    EXPECT_NE(body.find("Hello &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(body.find("<iframe class=\"html\" sandbox src=\"/view/msg-1/html\""),
              std::string::npos);
    EXPECT_NE(body.find("href=\"/api/v1/message/msg-1/part/2\">résumé.bin</a>"), std::string::npos);
    EXPECT_NE(body.find("Return-Path"), std::string::npos);
    EXPECT_NE(body.find("for &lt;bob@example.org&gt;"), std::string::npos);
    EXPECT_EQ(body.find("document.title"), std::string::npos);  // the HTML stays in its frame
}

TEST_F(WebInboxTest, EventStreamIsAStreamingAnswer) {
    const auto response = answer(std::string(mail::kEventsPath));
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(response.stream);
    EXPECT_EQ(header(response, "Content-Type"), "text/event-stream");
}

TEST(WebInboxEvents, OneEventPerMessageOnOneDataLine) {
    Summary s = summary_of("msg-9", "line\nbreak");
    const std::string event = mail::message_event(s);
    EXPECT_TRUE(event.starts_with("event: message\ndata: {")) << event;
    EXPECT_TRUE(event.ends_with("}\n\n"));
    EXPECT_EQ(std::count(event.begin(), event.end(), '\n'), 3);
    EXPECT_NE(event.find("\"ID\":\"msg-9\""), std::string::npos);
}

TEST(WebInboxDisposition, AsciiNamesAreQuotedOthersGetAnEncodedForm) {
    EXPECT_EQ(mail::attachment_disposition("report.pdf"), "attachment; filename=\"report.pdf\"");
    EXPECT_EQ(mail::attachment_disposition("a \"b\".txt"),
              "attachment; filename=\"a _b_.txt\"; filename*=UTF-8''a%20%22b%22.txt");
    EXPECT_EQ(mail::attachment_disposition("€.txt"),
              "attachment; filename=\"___.txt\"; filename*=UTF-8''%E2%82%AC.txt");
    EXPECT_EQ(mail::attachment_disposition("a\r\nb"),
              "attachment; filename=\"a__b\"; filename*=UTF-8''a%0D%0Ab");
}

TEST(WebInboxQuery, FormValuesAreDecoded) {
    EXPECT_EQ(mail::query_parameter("/?q=a+b%21&start=5", "q"), "a b!");
    EXPECT_EQ(mail::query_parameter("/?q=a+b%21&start=5", "start"), "5");
    EXPECT_EQ(mail::query_parameter("/?q=a", "start"), std::nullopt);
    EXPECT_EQ(mail::query_parameter("/?q=%4", "q"), std::nullopt);
    EXPECT_EQ(mail::query_parameter("/?q", "q"), "");
    EXPECT_EQ(mail::form_encode("a b&c/é"), "a+b%26c%2F%C3%A9");
}

TEST(WebInboxPages, SizesAndTimes) {
    EXPECT_EQ(mail::format_size(512), "512 B");
    EXPECT_EQ(mail::format_size(2150), "2.1 KiB");
    EXPECT_EQ(mail::format_size(3 * 1024 * 1024), "3.0 MiB");
    EXPECT_EQ(mail::format_time(0), "1970-01-01 00:00:00");
    EXPECT_EQ(mail::rfc3339_utc(1'800'000'000), "2027-01-15T08:00:00Z");
}

}  // namespace
