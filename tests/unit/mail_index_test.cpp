// The mail index: Maildir (new/ and cur/) and mbox (mboxrd quoting) read at load, messages added
// through the stores' commit hook, newest-first paging, search, strict ids, missing files.
#include "mail_server/mail_index.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "common/worker_pool.hpp"
#include "mail_server/maildir.hpp"
#include "mail_server/mbox.hpp"
#include "tests/support/temp_dir.hpp"

namespace mail {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;  // for every wait on a storage thread

using ScratchDir = net::test::TempDir;  // a private directory, removed at the end

void write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

// A Maildir with its three folders.
fs::path make_maildir(const fs::path& root) {
    for (const char* sub : {"tmp", "new", "cur"})
        fs::create_directories(root / sub);
    return root;
}

std::string message(std::string_view from, std::string_view to, std::string_view subject,
                    std::string_view body = "Hello.\n") {
    return "Return-Path: <sender@example.org>\nFrom: " + std::string(from) +
           "\nTo: " + std::string(to) + "\nSubject: " + std::string(subject) + "\nMessage-ID: <" +
           std::string(subject.substr(0, 3)) + "@example.org>\n\n" + std::string(body);
}

std::vector<std::string> ids_of(const MailIndex::Page& page) {
    std::vector<std::string> ids;
    for (const auto& summary : page.messages)
        ids.push_back(summary.id);
    return ids;
}

std::vector<std::string> subjects_of(const MailIndex::Page& page) {
    std::vector<std::string> subjects;
    for (const auto& summary : page.messages)
        subjects.push_back(summary.subject);
    return subjects;
}

// Commits and waits (bounded) for the store's answer.
StoreResult commit_and_wait(MessageDraft& draft, std::function<void()> at_answer = {}) {
    auto promise = std::make_shared<std::promise<StoreResult>>();
    auto future = promise->get_future();
    auto now = draft.commit([promise, at_answer](StoreResult result) {
        if (at_answer) at_answer();
        promise->set_value(std::move(result));
    });
    if (now) return *now;
    if (future.wait_for(kDeadline) != std::future_status::ready) {
        ADD_FAILURE() << "commit did not report within 10 s";
        return {};
    }
    return future.get();
}

// `text` (LF line ends) as the session hands it to a draft: CRLF lines.
std::string crlf(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

Envelope envelope() {
    Envelope envelope;
    envelope.reverse_path = "sender@example.org";
    envelope.recipients = {"bob@example.org"};
    return envelope;
}

TEST(MessageId, StrictPattern) {
    EXPECT_TRUE(is_message_id("1764057192.M123456P4242Q1.host"));
    EXPECT_TRUE(is_message_id("0"));
    EXPECT_TRUE(is_message_id(std::string(128, 'a')));
    EXPECT_FALSE(is_message_id(""));
    EXPECT_FALSE(is_message_id(std::string(129, 'a')));
    EXPECT_FALSE(is_message_id(".hidden"));
    EXPECT_FALSE(is_message_id(".."));
    EXPECT_FALSE(is_message_id("../new/x"));
    EXPECT_FALSE(is_message_id("a/b"));
    EXPECT_FALSE(is_message_id("a:2,S"));
    EXPECT_FALSE(is_message_id("a%2e"));
    EXPECT_FALSE(is_message_id("a b"));
    EXPECT_FALSE(is_message_id(std::string("a\0b", 3)));
}

TEST(MaildirIndex, LoadsNewAndCurNewestFirst) {
    ScratchDir dir;
    const auto root = make_maildir(dir.path() / "mail");
    write_file(root / "new" / "1700000002.M5P1Q2.host",
               message("Bob <bob@example.org>", "alice@example.org", "Second"));
    write_file(root / "cur" / "1700000001.M9P1Q1.host:2,S",
               message("\"Alice A.\" <alice@example.org>", "bob@example.org, Carol <c@example.org>",
                       "First"));
    write_file(root / "new" / "1700000002.M40P1Q3.host",
               message("carol@example.org", "bob@example.org",
                       "=?utf-8?B?VGhpcmQg4pyT?="));  // "Third ✓"
    write_file(root / "new" / ".hidden", message("x@example.org", "y@example.org", "Hidden"));
    fs::create_directories(root / "cur" / "subfolder");

    const auto index = MailIndex::for_maildir(root);
    index->load();
    ASSERT_EQ(index->size(), 3u);
    const auto page = index->list(0, 10);
    EXPECT_EQ(page.total, 3u);
    EXPECT_EQ(page.start, 0u);
    // Same second: the microseconds after ".M" decide (40 after 5).
    EXPECT_EQ(subjects_of(page), (std::vector<std::string>{"Third \u2713", "Second", "First"}));
    EXPECT_EQ(ids_of(page),
              (std::vector<std::string>{"1700000002.M40P1Q3.host", "1700000002.M5P1Q2.host",
                                        "1700000001.M9P1Q1.host"}));
    const auto& first = page.messages[2];
    EXPECT_EQ(first.received, 1700000001);
    EXPECT_EQ(first.from.name, "Alice A.");
    EXPECT_EQ(first.from.address, "alice@example.org");
    ASSERT_EQ(first.to.size(), 2u);
    EXPECT_EQ(first.to[1].name, "Carol");
    EXPECT_EQ(first.to[1].address, "c@example.org");
    EXPECT_EQ(first.message_id, "Fir@example.org");
    EXPECT_EQ(first.size, fs::file_size(root / "cur" / "1700000001.M9P1Q1.host:2,S"));
    EXPECT_FALSE(first.attachments);
}

TEST(MaildirIndex, ReadsMessagesByIdAndFollowsThemIntoCur) {
    ScratchDir dir;
    const auto root = make_maildir(dir.path() / "mail");
    const auto text = message("bob@example.org", "alice@example.org", "Moving");
    write_file(root / "new" / "1700000000.M1P1Q1.host", text);
    const auto index = MailIndex::for_maildir(root);
    index->load();

    EXPECT_EQ(index->read("1700000000.M1P1Q1.host"), text);
    ASSERT_TRUE(index->find("1700000000.M1P1Q1.host").has_value());
    // A mail reader moves it to cur/ and marks it seen: same id, same bytes.
    fs::rename(root / "new" / "1700000000.M1P1Q1.host",
               root / "cur" / "1700000000.M1P1Q1.host:2,S");
    EXPECT_EQ(index->read("1700000000.M1P1Q1.host"), text);
    // Deleted: listed still (the index keeps what it saw), but not readable.
    fs::remove(root / "cur" / "1700000000.M1P1Q1.host:2,S");
    EXPECT_EQ(index->read("1700000000.M1P1Q1.host"), std::nullopt);
    EXPECT_EQ(index->read("no-such-id"), std::nullopt);
    EXPECT_EQ(index->find("no-such-id"), std::nullopt);
    // A path is never built from an id: only ids the index holds are read.
    write_file(root / "new" / "outside", "secret");
    EXPECT_EQ(index->read("../new/outside"), std::nullopt);
    EXPECT_EQ(index->read("outside"), std::nullopt);
}

TEST(MaildirIndex, NamesThatAreNoIdGetAHashedOne) {
    ScratchDir dir;
    const auto root = make_maildir(dir.path() / "mail");
    const auto text = message("bob@example.org", "alice@example.org", "Odd name");
    write_file(root / "cur" / "1700000000.M1P1Q1.my host\\057x:2,", text);
    const auto index = MailIndex::for_maildir(root);
    index->load();
    const auto page = index->list(0, 1);
    ASSERT_EQ(page.messages.size(), 1u);
    const auto id = page.messages[0].id;
    EXPECT_TRUE(is_message_id(id)) << id;
    EXPECT_EQ(index->read(id), text);
    // The same name gives the same id on the next start.
    const auto again = MailIndex::for_maildir(root);
    again->load();
    EXPECT_EQ(again->list(0, 1).messages.at(0).id, id);
}

TEST(MaildirIndex, MissingMaildirThrowsAndUnreadableFilesAreSkipped) {
    ScratchDir dir;
    EXPECT_THROW(MailIndex::for_maildir(dir.path() / "nothing")->load(), std::system_error);
    const auto root = make_maildir(dir.path() / "mail");
    write_file(root / "new" / "1700000000.M1P1Q1.host",
               message("bob@example.org", "alice@example.org", "Readable"));
    fs::create_symlink("/etc/passwd", root / "new" / "1700000001.M1P1Q1.link");
    fs::create_symlink(root / "missing", root / "new" / "1700000002.M1P1Q1.dangling");
    const auto index = MailIndex::for_maildir(root);
    index->load();
    EXPECT_EQ(subjects_of(index->list(0, 10)), (std::vector<std::string>{"Readable"}));
}

TEST(MaildirIndex, HeadsWithoutFieldsAndTruncatedFiles) {
    ScratchDir dir;
    const auto root = make_maildir(dir.path() / "mail");
    write_file(root / "new" / "1700000000.M1P1Q1.host", "");
    write_file(root / "new" / "1700000001.M1P1Q1.host", "no head at all, just text");
    // A head longer than the first read, and a field folded over lines.
    std::string long_head = "X-Filler: " + std::string(20000, 'x') +
                            "\nSubject: after\n a long field\nFrom: z@example.org\n\nbody\n";
    write_file(root / "new" / "1700000002.M1P1Q1.host", long_head);
    const auto index = MailIndex::for_maildir(root);
    index->load();
    const auto page = index->list(0, 10);
    ASSERT_EQ(page.messages.size(), 3u);
    EXPECT_EQ(page.messages[0].subject, "after a long field");
    EXPECT_EQ(page.messages[0].from.address, "z@example.org");
    EXPECT_EQ(page.messages[2].size, 0u);
    EXPECT_EQ(page.messages[2].subject, "");
}

TEST(MaildirIndex, AttachmentMarkFromTheHead) {
    ScratchDir dir;
    const auto root = make_maildir(dir.path() / "mail");
    write_file(root / "new" / "1700000000.M1P1Q1.host",
               "From: a@example.org\nContent-Type: Multipart/Mixed; boundary=x\n\n--x--\n");
    write_file(root / "new" / "1700000001.M1P1Q1.host",
               "From: a@example.org\nContent-Type: multipart/alternative; boundary=x\n\n--x--\n");
    write_file(root / "new" / "1700000002.M1P1Q1.host",
               "From: a@example.org\nContent-Type: application/pdf\n"
               "Content-Disposition: attachment; filename=a.pdf\n\n%PDF\n");
    const auto index = MailIndex::for_maildir(root);
    index->load();
    const auto page = index->list(0, 10);
    ASSERT_EQ(page.messages.size(), 3u);
    EXPECT_TRUE(page.messages[0].attachments);
    EXPECT_FALSE(page.messages[1].attachments);
    EXPECT_TRUE(page.messages[2].attachments);
}

TEST(MaildirIndex, HostileHeadsAreCapped) {
    ScratchDir dir;
    const auto root = make_maildir(dir.path() / "mail");
    std::string to = "To: ";
    for (int i = 0; i < 500; ++i)
        to += (i > 0 ? ", r" : "r") + std::to_string(i) + "@example.org";
    // A subject of 3-byte characters, so the cut must fall between them.
    std::string subject = "Subject: ";
    for (int i = 0; i < 2000; ++i)
        subject += "\u2713";
    write_file(root / "new" / "1700000000.M1P1Q1.host", to + "\n" + subject + "\n\nbody\n");
    const auto index = MailIndex::for_maildir(root);
    index->load();
    const auto summary = index->list(0, 1).messages.at(0);
    EXPECT_EQ(summary.to.size(), 100u);
    EXPECT_LE(summary.subject.size(), 998u);
    EXPECT_EQ(summary.subject.size() % 3, 0u);
    EXPECT_EQ(summary.subject.substr(0, 3), "\u2713");
}

class IndexOfMany : public testing::Test {
  protected:
    void SetUp() override {
        root_ = make_maildir(dir_.path() / "mail");
        for (int i = 0; i < 25; ++i) {
            const auto name = std::to_string(1700000000 + i) + ".M0P1Q" + std::to_string(i) + ".h";
            const std::string from = i % 5 == 0 ? "Alice Liddell <alice@wonder.example>"
                                                : "bob" + std::to_string(i) + "@example.org";
            const std::string subject =
                i % 2 == 0 ? "Report number " + std::to_string(i) : "Lunch " + std::to_string(i);
            write_file(root_ / "new" / name, message(from, "team@example.org", subject));
        }
        index_ = MailIndex::for_maildir(root_);
        index_->load();
    }
    ScratchDir dir_;
    fs::path root_;
    std::unique_ptr<MailIndex> index_;
};

TEST_F(IndexOfMany, PagesNewestFirst) {
    const auto first = index_->list(0, 10);
    EXPECT_EQ(first.total, 25u);
    ASSERT_EQ(first.messages.size(), 10u);
    EXPECT_EQ(first.messages[0].subject, "Report number 24");
    EXPECT_EQ(first.messages[9].subject, "Lunch 15");
    const auto last = index_->list(20, 10);
    EXPECT_EQ(last.start, 20u);
    EXPECT_EQ(last.total, 25u);
    ASSERT_EQ(last.messages.size(), 5u);
    EXPECT_EQ(last.messages[4].subject, "Report number 0");
    EXPECT_TRUE(index_->list(25, 10).messages.empty());
    EXPECT_TRUE(index_->list(1000, 10).messages.empty());
    EXPECT_TRUE(index_->list(0, 0).messages.empty());
    EXPECT_EQ(index_->list(0, 0).total, 25u);
}

TEST_F(IndexOfMany, SearchesFromToAndSubject) {
    // Every word must match somewhere, case-insensitively.
    auto page = index_->search("REPORT alice", 0, 50);
    EXPECT_EQ(subjects_of(page), (std::vector<std::string>{"Report number 20", "Report number 10",
                                                           "Report number 0"}));
    EXPECT_EQ(page.total, 3u);
    // A quoted phrase is one word.
    page = index_->search("\"alice liddell\"", 0, 50);
    EXPECT_EQ(page.total, 5u);
    page = index_->search("\"liddell alice\"", 0, 50);
    EXPECT_EQ(page.total, 0u);
    // To addresses count; the search pages like the list.
    page = index_->search("team@EXAMPLE.org", 10, 10);
    EXPECT_EQ(page.total, 25u);
    EXPECT_EQ(page.start, 10u);
    ASSERT_EQ(page.messages.size(), 10u);
    EXPECT_EQ(page.messages[0].subject, "Report number 14");
    page = index_->search("lunch", 0, 3);
    EXPECT_EQ(page.total, 12u);
    EXPECT_EQ(subjects_of(page), (std::vector<std::string>{"Lunch 23", "Lunch 21", "Lunch 19"}));
    EXPECT_EQ(index_->search("nothing-like-this", 0, 10).total, 0u);
    // An empty query matches everything.
    EXPECT_EQ(index_->search("  ", 0, 10).total, 25u);
}

TEST(MaildirIndex, CommittedMessagesAreIndexedBeforeTheAnswer) {
    ScratchDir dir;
    net::WorkerPool pool(2);
    Maildir store(dir.path() / "mail", pool, "host");
    const auto index = MailIndex::for_maildir(dir.path() / "mail");
    index->load();
    index->watch(store);
    std::vector<Summary> told;
    std::mutex told_mutex;
    const auto token = index->subscribe([&](const Summary& summary) {
        const std::lock_guard lock(told_mutex);
        told.push_back(summary);
    });

    const auto text = message("Bob <bob@example.org>", "alice@example.org",
                              "=?iso-8859-1?Q?Caf=E9?=", "From the start.\n");
    auto draft = store.begin(envelope());
    draft->append(crlf(text));
    std::size_t size_at_answer = 0;
    const auto result = commit_and_wait(*draft, [&] { size_at_answer = index->size(); });
    ASSERT_TRUE(result.stored) << result.error;
    EXPECT_EQ(size_at_answer, 1u);  // the index had it before the 250 could go

    const std::string name = result.location.substr(4);  // "new/NAME"
    const auto found = index->find(name);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->subject, "Caf\u00e9");
    EXPECT_EQ(found->from.name, "Bob");
    EXPECT_EQ(found->size, text.size());
    EXPECT_EQ(index->read(name), text);
    {
        const std::lock_guard lock(told_mutex);
        ASSERT_EQ(told.size(), 1u);
        EXPECT_EQ(told[0].id, name);
    }
    // Unsubscribed: no more calls.
    index->unsubscribe(token);
    auto second = store.begin(envelope());
    second->append(crlf(message("c@example.org", "d@example.org", "Quiet")));
    ASSERT_TRUE(commit_and_wait(*second).stored);
    EXPECT_EQ(index->size(), 2u);
    const std::lock_guard lock(told_mutex);
    EXPECT_EQ(told.size(), 1u);
}

TEST(MaildirIndex, ReadersRunWhileMessagesAreCommitted) {
    ScratchDir dir;
    net::WorkerPool pool(2);
    Maildir store(dir.path() / "mail", pool, "host");
    const auto index = MailIndex::for_maildir(dir.path() / "mail");
    index->load();
    index->watch(store);
    std::atomic<bool> done{false};
    std::atomic<std::size_t> seen{0};
    std::thread reader([&] {
        while (!done) {
            const auto page = index->list(0, 5);
            const auto found = index->search("subject", 0, 5);
            EXPECT_LE(found.total, index->size());
            if (!page.messages.empty()) {
                EXPECT_TRUE(index->find(page.messages[0].id).has_value());
                seen = std::max<std::size_t>(seen, page.total);
            }
        }
    });
    constexpr int kMessages = 60;
    std::vector<std::unique_ptr<MessageDraft>> drafts;
    std::vector<std::future<StoreResult>> results;
    for (int i = 0; i < kMessages; ++i) {
        drafts.push_back(store.begin(envelope()));
        drafts.back()->append(
            crlf(message("a@example.org", "b@example.org", "Subject " + std::to_string(i))));
        auto promise = std::make_shared<std::promise<StoreResult>>();
        results.push_back(promise->get_future());
        drafts.back()->commit([promise](StoreResult result) { promise->set_value(result); });
    }
    for (auto& result : results) {
        ASSERT_EQ(result.wait_for(kDeadline), std::future_status::ready);
        EXPECT_TRUE(result.get().stored);
    }
    done = true;
    reader.join();
    EXPECT_EQ(index->size(), static_cast<std::size_t>(kMessages));
    EXPECT_EQ(index->search("subject", 0, 100).total, static_cast<std::size_t>(kMessages));
}

TEST(MaildirIndex, BigMessagesKeepTheirHeadAndTheHookAgreesWithALoad) {
    ScratchDir dir;
    net::WorkerPool pool(2);
    Maildir store(dir.path() / "mail", pool, "host");
    const auto watching = MailIndex::for_maildir(dir.path() / "mail");
    watching->load();
    watching->watch(store);
    // Big enough to be spilled to its file while it arrives.
    std::string body;
    while (body.size() < 3 * kSpillBytes)
        body += "line of a big message, long enough to add up quickly................\n";
    for (const auto& [subject, text] :
         std::vector<std::pair<std::string, std::string>>{{"Big", body}, {"Small", "x\n"}}) {
        auto draft = store.begin(envelope());
        const auto data = crlf(message("a@example.org", "b@example.org", subject, text));
        for (std::size_t at = 0; at < data.size(); at += 64 * 1024)
            draft->append(data.substr(at, 64 * 1024));
        ASSERT_TRUE(commit_and_wait(*draft).stored);
    }
    const auto loaded = MailIndex::for_maildir(dir.path() / "mail");
    loaded->load();
    const auto a = watching->list(0, 10);
    const auto b = loaded->list(0, 10);
    ASSERT_EQ(a.messages.size(), 2u);
    ASSERT_EQ(b.messages.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(a.messages[i].id, b.messages[i].id);
        EXPECT_EQ(a.messages[i].subject, b.messages[i].subject);
        EXPECT_EQ(a.messages[i].size, b.messages[i].size);
        EXPECT_EQ(a.messages[i].received, b.messages[i].received);
        EXPECT_EQ(a.messages[i].message_id, b.messages[i].message_id);
    }
    EXPECT_EQ(a.messages[1].subject, "Big");
    EXPECT_GT(a.messages[1].size, 3 * kSpillBytes);
}

// An mbox as mail_server writes it: From lines, mboxrd quoting, an empty line after each.
std::string mbox_of(const std::vector<std::pair<std::string, std::string>>& messages) {
    std::string out;
    for (const auto& [from_line, text] : messages) {
        out += from_line + "\n";
        std::size_t start = 0;
        while (start < text.size()) {
            auto end = text.find('\n', start);
            end = end == std::string::npos ? text.size() : end + 1;
            const auto line = text.substr(start, end - start);
            const auto first = line.find_first_not_of('>');
            if (first != std::string::npos && line.compare(first, 5, "From ") == 0) out += '>';
            out += line;
            start = end;
        }
        out += "\n";
    }
    return out;
}

TEST(MboxIndex, LoadsMessagesAndUndoesTheQuoting) {
    ScratchDir dir;
    const auto first =
        message("a@example.org", "b@example.org", "One", "From here on\n>From there\nplain\n\n");
    const auto second = message("c@example.org", "d@example.org", "Two", "last line\n");
    const auto text = mbox_of({{"From a@example.org Wed Nov 25 07:53:12 2026", first},
                               {"From MAILER-DAEMON Thu Nov 26 08:00:00 2026", second}});
    write_file(dir.path() / "inbox", text);
    const auto index = MailIndex::for_mbox(dir.path() / "inbox");
    index->load();
    const auto page = index->list(0, 10);
    ASSERT_EQ(page.messages.size(), 2u);
    EXPECT_EQ(subjects_of(page), (std::vector<std::string>{"Two", "One"}));
    EXPECT_EQ(page.messages[1].id, "0");
    EXPECT_EQ(page.messages[0].id, std::to_string(text.find("From MAILER-DAEMON")));
    EXPECT_EQ(page.messages[1].received, 1795593192);  // 2026-11-25 07:53:12 UTC
    EXPECT_EQ(page.messages[1].size, first.size());
    EXPECT_EQ(page.messages[0].size, second.size());
    EXPECT_EQ(index->read("0"), first);
    EXPECT_EQ(index->read(page.messages[0].id), second);
    EXPECT_EQ(index->read("1"), std::nullopt);
}

TEST(MboxIndex, MissingFileThrowsAndARewrittenFileIsNotMisread) {
    ScratchDir dir;
    EXPECT_THROW(MailIndex::for_mbox(dir.path() / "none")->load(), std::system_error);
    EXPECT_THROW(MailIndex::for_mbox(dir.path())->load(), std::system_error);
    write_file(dir.path() / "empty", "");
    const auto empty = MailIndex::for_mbox(dir.path() / "empty");
    empty->load();
    EXPECT_EQ(empty->size(), 0u);

    const auto text = mbox_of({{"From a Wed Nov 25 07:53:12 2026", message("a@x", "b@x", "One")},
                               {"From b Wed Nov 25 07:53:13 2026", message("a@x", "b@x", "Two")}});
    write_file(dir.path() / "inbox", text);
    const auto index = MailIndex::for_mbox(dir.path() / "inbox");
    index->load();
    const auto second_id = index->list(0, 1).messages.at(0).id;
    // Expunged by a mail reader: the offsets now point elsewhere.
    write_file(dir.path() / "inbox",
               "From b Wed Nov 25 07:53:13 2026\n" + message("a@x", "b@x", "Two"));
    EXPECT_EQ(index->read(second_id), std::nullopt);
}

TEST(MboxIndex, OddFilesNeverMisreadTheSizes) {
    ScratchDir dir;
    // Text before the first From line is no message; a line longer than a read is taken in
    // pieces; "From " inside a line or not after an empty line starts nothing; the file ends
    // without an empty line, and without a newline.
    const std::string long_line(3 * 1024 * 1024 + 17, 'x');
    const std::string text =
        "garbage before\n\nFrom a Wed Nov 25 07:53:12 2026\nSubject: Long\n\n" + long_line +
        "\nnot From here\nFrom b but no empty line before\n\n" +
        "From c Thu Nov 26 07:53:12 2026\nSubject: Last\n\nno newline";
    write_file(dir.path() / "odd", text);
    const auto index = MailIndex::for_mbox(dir.path() / "odd");
    index->load();
    const auto page = index->list(0, 10);
    ASSERT_EQ(subjects_of(page), (std::vector<std::string>{"Last", "Long"}));
    for (const auto& summary : page.messages) {
        const auto bytes = index->read(summary.id);
        ASSERT_TRUE(bytes.has_value()) << summary.id;
        EXPECT_EQ(bytes->size(), summary.size) << summary.subject;
    }
    EXPECT_EQ(index->read(page.messages[0].id), "Subject: Last\n\nno newline");
    EXPECT_EQ(
        index->read(page.messages[1].id),
        "Subject: Long\n\n" + long_line + "\nnot From here\nFrom b but no empty line before\n");
    EXPECT_EQ(page.messages[1].id, std::to_string(text.find("From a")));
}

TEST(MboxIndex, CommittedMessagesMatchALoadOfTheFile) {
    ScratchDir dir;
    net::WorkerPool pool(2);
    const auto path = dir.path() / "inbox";
    Mbox store(path, pool);
    const auto watching = MailIndex::for_mbox(path);
    watching->load();
    watching->watch(store);
    std::atomic<int> told{0};
    watching->subscribe([&told](const Summary&) { ++told; });
    const std::vector<std::string> bodies = {"From the top\n>From quoted\n", "no final newline",
                                             "\n\n", ""};
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        auto draft = store.begin(envelope());
        texts.push_back(
            message("a@example.org", "b@example.org", "Msg" + std::to_string(i), bodies[i]));
        draft->append(crlf(texts.back()) + (bodies[i] == "no final newline" ? "\r\n" : ""));
        ASSERT_TRUE(commit_and_wait(*draft).stored);
    }
    EXPECT_EQ(told.load(), 4);
    const auto loaded = MailIndex::for_mbox(path);
    loaded->load();
    const auto a = watching->list(0, 10);
    const auto b = loaded->list(0, 10);
    ASSERT_EQ(a.messages.size(), 4u);
    ASSERT_EQ(b.messages.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(a.messages[i].id, b.messages[i].id);
        EXPECT_EQ(a.messages[i].subject, b.messages[i].subject);
        EXPECT_EQ(a.messages[i].size, b.messages[i].size) << a.messages[i].subject;
        EXPECT_EQ(a.messages[i].received, b.messages[i].received);
        const auto bytes = watching->read(a.messages[i].id);
        ASSERT_TRUE(bytes.has_value());
        EXPECT_EQ(bytes->size(), a.messages[i].size);
        EXPECT_EQ(loaded->read(b.messages[i].id), bytes);
    }
    EXPECT_EQ(watching->read(a.messages[3].id), texts[0]);
    EXPECT_EQ(subjects_of(a), (std::vector<std::string>{"Msg3", "Msg2", "Msg1", "Msg0"}));
}

}  // namespace
}  // namespace mail
