// The list as documents: Mailpit's messages JSON and the --list table.
#include "mail_server/message_list.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mail {
namespace {

Summary sample() {
    Summary summary;
    summary.id = "1795593192.M1P2Q3.host";
    summary.received = 1795593192;  // 2026-11-25 07:53:12 UTC
    summary.size = 1234;
    summary.from = {"Alice \"Al\" Example", "alice@example.org"};
    summary.to = {{"", "bob@example.org"}, {"Carol", "carol@example.org"}};
    summary.subject = "Caf\u00e9\n\ttab";
    summary.message_id = "abc@example.org";
    summary.attachments = true;
    return summary;
}

TEST(MessageList, Rfc3339InUtc) {
    EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(rfc3339_utc(1795593192), "2026-11-25T07:53:12Z");
}

TEST(MessageList, MailpitSummaryFields) {
    std::string out;
    append_summary_json(out, sample());
    EXPECT_EQ(out,
              "{\"ID\":\"1795593192.M1P2Q3.host\",\"MessageID\":\"abc@example.org\",\"Read\":true,"
              "\"From\":{\"Name\":\"Alice \\\"Al\\\" Example\",\"Address\":\"alice@example.org\"},"
              "\"To\":[{\"Name\":\"\",\"Address\":\"bob@example.org\"},"
              "{\"Name\":\"Carol\",\"Address\":\"carol@example.org\"}],"
              "\"Cc\":[],\"Bcc\":[],\"ReplyTo\":[],\"Subject\":\"Caf\u00e9\\n\\ttab\","
              "\"Created\":\"2026-11-25T07:53:12Z\",\"Tags\":[],\"Size\":1234,\"Attachments\":1,"
              "\"Snippet\":\"\"}");
}

TEST(MessageList, MailpitMessagesDocument) {
    MailIndex::Page page;
    page.total = 7;
    page.start = 5;
    page.messages = {sample(), sample()};
    page.messages[1].attachments = false;
    const auto json = messages_json(page);
    EXPECT_TRUE(
        json.starts_with("{\"total\":7,\"unread\":0,\"count\":2,\"messages_count\":7,"
                         "\"messages_unread\":0,\"start\":5,\"tags\":[],\"messages\":[{"))
        << json;
    EXPECT_TRUE(json.ends_with("\"Attachments\":0,\"Snippet\":\"\"}]}")) << json;
    // A search: the mailbox's total and the matches' differ.
    EXPECT_TRUE(messages_json(page, 40).starts_with(
        "{\"total\":40,\"unread\":0,\"count\":2,\"messages_count\":7,"));
    EXPECT_EQ(messages_json(MailIndex::Page{}),
              "{\"total\":0,\"unread\":0,\"count\":0,\"messages_count\":0,\"messages_unread\":0,"
              "\"start\":0,\"tags\":[],\"messages\":[]}");
}

TEST(MessageList, TableColumns) {
    MailIndex::Page page;
    page.total = 2;
    auto plain = sample();
    plain.from.name = "";
    plain.subject = "Hello";
    plain.size = 532;
    plain.attachments = false;
    page.messages = {sample(), plain};
    const auto table = messages_table(page);
    // Columns line up: "é" is one column (two bytes); tab and newline show as '?'.
    EXPECT_EQ(table,
              "RECEIVED (UTC)    FROM                      SUBJECT                   "
              "                 SIZE   ID\n"
              "2026-11-25 07:53  Alice \"Al\" Example        Caf\u00e9??tab          "
              "                        1.2K @ 1795593192.M1P2Q3.host\n"
              "2026-11-25 07:53  alice@example.org         Hello                     "
              "                  532   1795593192.M1P2Q3.host\n"
              "2 messages\n");
}

TEST(MessageList, TableCutsLongTextAndDefusesTerminalControls) {
    MailIndex::Page page;
    page.total = 1;
    auto summary = sample();
    summary.from = {"\x1b]0;owned\x07 Mallory", "m@example.org"};
    summary.subject = std::string(60, 'x');
    summary.size = 3 * 1024 * 1024;
    page.messages = {summary};
    const auto table = messages_table(page);
    EXPECT_EQ(table.find('\x1b'), std::string::npos);
    EXPECT_EQ(table.find('\x07'), std::string::npos);
    EXPECT_NE(table.find("?]0;owned? Mallory"), std::string::npos) << table;
    EXPECT_NE(table.find(std::string(39, 'x') + "\u2026"), std::string::npos) << table;
    EXPECT_NE(table.find(" 3.0M @ "), std::string::npos) << table;
    // C1 controls (U+0080..U+009F, e.g. CSI U+009B) too.
    summary.subject = "a\u009b31mb";
    page.messages = {summary};
    EXPECT_NE(messages_table(page).find("a?31mb"), std::string::npos);
}

TEST(MessageList, TableCounts) {
    EXPECT_EQ(
        messages_table(MailIndex::Page{}).substr(messages_table(MailIndex::Page{}).find('\n') + 1),
        "no messages\n");
    MailIndex::Page one;
    one.total = 1;
    one.messages = {sample()};
    EXPECT_TRUE(messages_table(one).ends_with("\n1 message\n"));
}

}  // namespace
}  // namespace mail
