// mail_server --list: what a real mail_server stored (Maildir and mbox), listed as a table and as
// Mailpit's messages JSON (read by python's json module), and its usage errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;

// Three messages: plain; a non-ASCII subject and sender name (RFC 2047); one with an attachment.
const std::vector<std::string>& messages() {
    static const std::vector<std::string> kMessages = {
        "From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: First\n"
        "Message-ID: <one@example.org>\n\nFrom the start of a line.\n",
        "From: =?utf-8?q?J=C3=BCrgen?= <j@example.org>\nTo: Bob <bob@example.org>, "
        "carol@example.org\nSubject: =?utf-8?B?Q2Fmw6kg4pyT?=\n\nSecond.\n",
        "From: carol@example.org\nTo: bob@example.org\nSubject: With a file\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        "Content-Type: text/plain\n\nSee the file.\n--b\nContent-Type: application/octet-stream\n"
        "Content-Disposition: attachment; filename=a.bin\n\nAAAA\n--b--\n",
    };
    return kMessages;
}

// Sends messages() in order, one transaction each, on one connection.
void send_all(const MailServerProcess& server) {
    const Deadline deadline(kIo);
    auto client = greeted_smtp(server, deadline);
    for (const auto& message : messages()) {
        const auto reply =
            send_message(client, "sender@example.org", {"bob@example.org"}, message, deadline);
        ASSERT_EQ(reply.code, 250) << reply.text();
    }
    client.command("QUIT", deadline);
}

Finished list(std::vector<std::string> args) {
    args.insert(args.begin(), "--list");
    return run(bin_path("mail_server"), std::move(args), {}, kIo);
}

// Checks with python's json module what --list --json printed: prints one line per message,
// "ID|From.Name|From.Address|To addresses|Subject|Created|Size|Attachments", after a line with
// total, count, messages_count, start.
constexpr std::string_view kReadJson = R"py(
import json, re, sys
doc = json.load(sys.stdin)
print(doc["total"], doc["unread"], doc["count"], doc["messages_count"], doc["start"], doc["tags"])
for m in doc["messages"]:
    assert m["Read"] is True and m["Cc"] == [] and m["Bcc"] == [] and m["ReplyTo"] == []
    assert m["Tags"] == [] and m["Snippet"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["Created"]), m["Created"]
    print("|".join([m["ID"], m["From"]["Name"], m["From"]["Address"],
                    ",".join(t["Address"] for t in m["To"]), m["Subject"], m["MessageID"],
                    str(m["Size"]), str(m["Attachments"])]))
)py";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

// Lists `store` both ways after the server stored messages() in it, and checks both.
void check_listing(const std::string& python, const std::string& store, bool maildir) {
    const auto table = list({store});
    ASSERT_TRUE(table.status.ok()) << table.status << table.err;
    const auto rows = lines_of(table.out);
    ASSERT_EQ(rows.size(), 5u) << table.out;
    EXPECT_TRUE(rows[0].starts_with("RECEIVED (UTC)    FROM")) << rows[0];
    // Newest first, decoded, the attachment marked.
    EXPECT_NE(rows[1].find("carol@example.org"), std::string::npos) << rows[1];
    EXPECT_NE(rows[1].find("With a file"), std::string::npos) << rows[1];
    EXPECT_NE(rows[1].find(" @ "), std::string::npos) << rows[1];
    EXPECT_NE(rows[2].find("J\u00fcrgen"), std::string::npos) << rows[2];
    EXPECT_NE(rows[2].find("Caf\u00e9 \u2713"), std::string::npos) << rows[2];
    EXPECT_NE(rows[3].find("Alice"), std::string::npos) << rows[3];
    EXPECT_NE(rows[3].find("First"), std::string::npos) << rows[3];
    EXPECT_EQ(rows[4], "3 messages");

    const auto json = list({"--json", store});
    ASSERT_TRUE(json.status.ok()) << json.status << json.err;
    const auto checked = run(python, {"-c", std::string(kReadJson)}, json.out, kIo);
    ASSERT_TRUE(checked.status.ok()) << checked.err << "\n" << json.out;
    const auto fields = lines_of(checked.out);
    ASSERT_EQ(fields.size(), 4u) << checked.out;
    EXPECT_EQ(fields[0], "3 0 3 3 0 []");
    EXPECT_NE(fields[1].find("||carol@example.org|bob@example.org|With a file||"),
              std::string::npos)
        << fields[1];
    EXPECT_TRUE(fields[1].ends_with("|1")) << fields[1];
    EXPECT_NE(fields[2].find("|J\u00fcrgen|j@example.org|bob@example.org,carol@example.org|"
                             "Caf\u00e9 \u2713||"),
              std::string::npos)
        << fields[2];
    EXPECT_NE(fields[3].find("|Alice|alice@example.org|bob@example.org|First|one@example.org|"),
              std::string::npos)
        << fields[3];
    EXPECT_TRUE(fields[3].ends_with("|0")) << fields[3];
    // The ids are the Maildir file names, or the mbox offsets (the first message's is 0).
    const auto first_id = fields[3].substr(0, fields[3].find('|'));
    if (maildir) {
        EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(store) / "new" / first_id))
            << first_id;
    } else {
        EXPECT_EQ(first_id, "0");
    }
    // The sizes are those of the stored messages as python's mailbox reads them back, less
    // the mboxrd quoting in an mbox (python keeps the '>' of a ">From " line, mbox readers
    // such as mutt remove it, and so does the index).
    const auto stored = read_mailbox(python, maildir ? "maildir" : "mbox", store);
    ASSERT_EQ(stored.size(), 3u);
    std::multiset<std::string> stored_sizes;
    std::multiset<std::string> listed_sizes;
    for (std::size_t i = 0; i < 3; ++i) {
        auto size = stored[i].raw.size();
        if (!maildir) {
            for (const auto& line : lines_of(stored[i].raw)) {
                const auto text = line.find_first_not_of('>');
                if (text != 0 && text != std::string::npos &&
                    line.substr(text).starts_with("From "))
                    --size;
            }
        }
        stored_sizes.insert(std::to_string(size));
        const auto& line = fields[i + 1];
        const auto end = line.rfind('|');
        const auto begin = line.rfind('|', end - 1) + 1;
        listed_sizes.insert(line.substr(begin, end - begin));
    }
    EXPECT_EQ(listed_sizes, stored_sizes);
}

TEST(MailServerList, ListsAMaildirAsATableAndAsMailpitJson) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    auto server = start_mail_server();
    send_all(server.process);
    ASSERT_TRUE(server.process.stop().has_value());
    check_listing(python, server.maildir.string(), true);
    // --maildir names it too; a mail reader moving the messages to cur/ changes nothing.
    for (const auto& file : server.new_files())
        std::filesystem::rename(file, server.maildir / "cur" / (file.filename().string() + ":2,S"));
    const auto again = list({"--json", "--maildir", server.maildir.string()});
    ASSERT_TRUE(again.status.ok()) << again.err;
    EXPECT_EQ(again.out, list({"--json", server.maildir.string()}).out);
    EXPECT_NE(again.out.find("\"total\":3,"), std::string::npos) << again.out;
}

TEST(MailServerList, ListsAnMbox) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    TempDir dir;
    const auto mbox = dir.file("inbox").string();
    auto server = start_mail_server({"--mbox", mbox});
    send_all(server.process);
    ASSERT_TRUE(server.process.stop().has_value());
    check_listing(python, mbox, false);
    const auto by_option = list({"--json", "--mbox", mbox});
    ASSERT_TRUE(by_option.status.ok()) << by_option.err;
    EXPECT_EQ(by_option.out, list({"--json", mbox}).out);
}

TEST(MailServerList, EmptyAndMissingStoresAndUsageErrors) {
    TempDir dir;
    for (const char* sub : {"new", "cur", "tmp"})
        std::filesystem::create_directories(dir.path() / "mail" / sub);
    const auto empty = list({(dir.path() / "mail").string()});
    ASSERT_TRUE(empty.status.ok()) << empty.err;
    EXPECT_TRUE(empty.out.ends_with("\nno messages\n")) << empty.out;
    const auto empty_json = list({"--json", (dir.path() / "mail").string()});
    EXPECT_EQ(empty_json.out,
              "{\"total\":0,\"unread\":0,\"count\":0,\"messages_count\":0,\"messages_unread\":0,"
              "\"start\":0,\"tags\":[],\"messages\":[]}\n");

    const auto missing = list({(dir.path() / "none").string()});
    EXPECT_EQ(missing.status, ExitStatus::exit_code(66));
    EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
    EXPECT_EQ(missing.out, "");

    for (const auto& args : std::vector<std::vector<std::string>>{
             {"a", "b"},
             {"--no-store"},
             {"--mbox", "-"},
             {"--maildir", "x", "y"},
         }) {
        EXPECT_EQ(list(args).status, ExitStatus::exit_code(64)) << args.front();
    }
    EXPECT_EQ(run(bin_path("mail_server"), {"--json"}, {}, kIo).status, ExitStatus::exit_code(64));
}

}  // namespace
}  // namespace net::test
