// The mailbox writers: Unix line ends and mboxrd quoting, Maildir delivery through tmp/ into new/,
// mbox appends (also into a full disk), big messages spilled while they arrive.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "common/worker_pool.hpp"
#include "mail_server/maildir.hpp"
#include "mail_server/mbox.hpp"
#include "mail_server/message_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace mail {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using net::WorkerPool;

constexpr auto kDeadline = 10s;  // for every wait on a storage thread

using ScratchDir = net::test::TempDir;  // a private directory, removed at the end

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.is_open()) << path;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The names in a directory, sorted.
std::vector<std::string> names_in(const fs::path& directory) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory))
        names.insert(entry.path().filename().string());
    return {names.begin(), names.end()};
}

Envelope envelope_from(std::string reverse_path) {
    Envelope envelope;
    envelope.reverse_path = std::move(reverse_path);
    envelope.recipients = {"bob@example.org"};
    return envelope;
}

// What a commit reported, and on which thread its callback ran.
struct Committed {
    StoreResult result;
    std::thread::id thread;
};

// Commits and waits (bounded) for the result, whether it comes at once or from the callback.
Committed commit_and_wait(MessageDraft& draft) {
    auto promise = std::make_shared<std::promise<Committed>>();
    auto future = promise->get_future();
    auto now = draft.commit([promise](StoreResult result) {
        promise->set_value(Committed{std::move(result), std::this_thread::get_id()});
    });
    if (now) return Committed{std::move(*now), std::this_thread::get_id()};
    if (future.wait_for(kDeadline) != std::future_status::ready) {
        ADD_FAILURE() << "commit did not report within 10 s";
        return Committed{StoreResult{.stored = false, .location = "", .error = "timeout"}, {}};
    }
    return future.get();
}

// `count` CRLF lines of 1000 octets, numbered; every 97th starts with "From ".
std::string crlf_lines(std::size_t count) {
    std::string text;
    text.reserve(count * 1000);
    for (std::size_t i = 0; i < count; ++i) {
        std::string line = (i % 97 == 0 ? "From line " : "line ") + std::to_string(i) + " ";
        line.resize(998, static_cast<char>('a' + i % 26));
        text += line;
        text += "\r\n";
    }
    return text;
}

// `text` with every CRLF made LF (the test's own conversion, not the code under test's).
std::string lf_of(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        out += text[i];
    }
    return out;
}

// Appends whole lines of `text` in pieces of about `piece` octets, as a session delivers them.
void append_in_pieces(MessageDraft& draft, std::string_view text, std::size_t piece) {
    while (!text.empty()) {
        auto end = text.find("\r\n", std::min(piece, text.size()) - 1);
        end = end == std::string_view::npos ? text.size() : end + 2;
        draft.append(text.substr(0, end));
        text.remove_prefix(end);
    }
}

// ---------------------------------------------------------------------------- line ends

TEST(AppendUnixLinesTest, CrlfBecomesLf) {
    struct Row {
        std::string_view lines;
        std::string_view unix_lines;
    };
    const Row rows[] = {
        {"", ""},
        {"a\r\n", "a\n"},
        {"a\r\nb\r\n", "a\nb\n"},
        {"\r\n\r\n", "\n\n"},
        {"a\rb\r\n", "a\rb\n"},  // a lone CR stays
        {"a\nb\r\n", "a\nb\n"},  // a lone LF stays
        {"\r\r\n", "\r\n"},      // CR, then CRLF
        {"a\r", "a\r"},
        {"no line end", "no line end"},
        {std::string_view("nul\0\r\n", 6), std::string_view("nul\0\n", 5)},
    };
    for (const auto& [lines, unix_lines] : rows) {
        std::string out;
        append_unix_lines(out, lines);
        EXPECT_EQ(out, unix_lines);
    }
}

TEST(AppendUnixLinesTest, AppendsToWhatIsThere) {
    std::string out = "kept\n";
    append_unix_lines(out, "more\r\n");
    EXPECT_EQ(out, "kept\nmore\n");
}

// ---------------------------------------------------------------------------- mboxrd quoting

TEST(MboxrdQuotingTest, FromLinesGainOneMoreGreaterThan) {
    struct Row {
        std::string_view lines;
        std::string_view quoted;
    };
    const Row rows[] = {
        {"From x\n", ">From x\n"},
        {">From x\n", ">>From x\n"},
        {">>From x\n", ">>>From x\n"},
        {"From x", ">From x"},  // a last line without LF
        {"a\nFrom b\nc\n", "a\n>From b\nc\n"},
        {"From a\nFrom b\n", ">From a\n>From b\n"},
    };
    for (const auto& [lines, quoted] : rows) {
        std::string out;
        append_mboxrd_quoted(out, lines);
        EXPECT_EQ(out, quoted) << lines;
    }
}

TEST(MboxrdQuotingTest, OtherLinesAreUnchanged) {
    for (const std::string_view lines : {"", "Fromage\n", " From x\n", "from x\n", "From\n",
                                         ">Fromage\n", "> From x\n", ">\n", "x From y\n", "\n\n"}) {
        std::string out;
        append_mboxrd_quoted(out, lines);
        EXPECT_EQ(out, lines);
    }
}

TEST(FromLineTest, SenderAndAsctimeDate) {
    EXPECT_EQ(format_from_line("alice@example.org", 1795593192),
              "From alice@example.org Wed Nov 25 07:53:12 2026\n");
    EXPECT_EQ(format_from_line("alice@example.org", 0),
              "From alice@example.org Thu Jan  1 00:00:00 1970\n");
}

TEST(FromLineTest, NullSenderIsMailerDaemon) {
    EXPECT_EQ(format_from_line("", 784111777), "From MAILER-DAEMON Sun Nov  6 08:49:37 1994\n");
}

// ---------------------------------------------------------------------------- Maildir

class MaildirTest : public ::testing::Test {
  protected:
    fs::path tmp() const { return root_ / "tmp"; }
    fs::path new_dir() const { return root_ / "new"; }

    ScratchDir dir_;
    fs::path root_ = dir_.path() / "Maildir";
    WorkerPool pool_{2};
    Maildir maildir_{root_, pool_, "test.host"};
};

TEST_F(MaildirTest, CreatesTmpNewAndCur) {
    for (const char* sub : {"tmp", "new", "cur"}) {
        EXPECT_TRUE(fs::is_directory(root_ / sub)) << sub;
        EXPECT_TRUE(fs::is_empty(root_ / sub)) << sub;
    }
    EXPECT_EQ(maildir_.description(), root_.string() + " (Maildir)");
}

TEST_F(MaildirTest, CommittedMessageIsInNewOnceWithLfLineEnds) {
    auto draft = maildir_.begin(envelope_from("alice@example.org"));
    draft->append("Subject: hi\r\n");
    draft->append("\r\n");
    draft->append("line one\r\nline two\r\n");
    const auto [result, thread] = commit_and_wait(*draft);
    ASSERT_TRUE(result.stored) << result.error;

    const auto names = names_in(new_dir());
    ASSERT_EQ(names.size(), 1U);
    EXPECT_EQ(result.location, "new/" + names[0]);
    EXPECT_TRUE(names[0].ends_with(".test.host")) << names[0];
    EXPECT_EQ(read_file(new_dir() / names[0]), "Subject: hi\n\nline one\nline two\n");
    EXPECT_TRUE(fs::is_empty(tmp()));
    EXPECT_TRUE(fs::is_empty(root_ / "cur"));
}

TEST_F(MaildirTest, CommitReportsOnAStorageThread) {
    auto draft = maildir_.begin(envelope_from("alice@example.org"));
    draft->append("Subject: thread\r\n\r\nbody\r\n");
    const auto [result, thread] = commit_and_wait(*draft);
    EXPECT_TRUE(result.stored) << result.error;
    EXPECT_NE(thread, std::thread::id{});
    EXPECT_NE(thread, std::this_thread::get_id());
}

TEST_F(MaildirTest, BigMessageIsSpilledWhileItArrivesAndStoredByteExact) {
    const std::string message = crlf_lines(3 * 1024 * 1024 / 1000 + 1);  // over 3 MiB
    ASSERT_GT(message.size(), 3 * 1024 * 1024 - 1);
    auto draft = maildir_.begin(envelope_from("alice@example.org"));

    // More than kSpillBytes arrived: the first part is already in its file in tmp/.
    const auto first = message.find("\r\n", kSpillBytes + 1000) + 2;
    append_in_pieces(*draft, std::string_view(message).substr(0, first), 64 * 1024);
    const auto spilled = names_in(tmp());
    ASSERT_EQ(spilled.size(), 1U);
    EXPECT_GE(fs::file_size(tmp() / spilled[0]), kSpillBytes);
    EXPECT_TRUE(fs::is_empty(new_dir()));

    append_in_pieces(*draft, std::string_view(message).substr(first), 64 * 1024);
    const auto [result, thread] = commit_and_wait(*draft);
    ASSERT_TRUE(result.stored) << result.error;
    const auto names = names_in(new_dir());
    ASSERT_EQ(names.size(), 1U);
    EXPECT_EQ(names[0], spilled[0]);
    const auto stored = read_file(new_dir() / names[0]);
    EXPECT_EQ(stored.size(), lf_of(message).size());
    EXPECT_TRUE(stored == lf_of(message)) << "the stored message differs";
    EXPECT_TRUE(fs::is_empty(tmp()));
}

TEST_F(MaildirTest, DraftDestroyedWithoutCommitLeavesNothing) {
    {
        auto draft = maildir_.begin(envelope_from("alice@example.org"));
        draft->append("Subject: dropped\r\n\r\nbody\r\n");
    }
    EXPECT_TRUE(fs::is_empty(tmp()));
    EXPECT_TRUE(fs::is_empty(new_dir()));
}

TEST_F(MaildirTest, SpilledDraftDestroyedWithoutCommitLeavesNothing) {
    {
        auto draft = maildir_.begin(envelope_from("alice@example.org"));
        append_in_pieces(*draft, crlf_lines(kSpillBytes / 1000 + 10), 16 * 1024);
        ASSERT_EQ(names_in(tmp()).size(), 1U);  // it was spilled
    }
    EXPECT_TRUE(fs::is_empty(tmp()));
    EXPECT_TRUE(fs::is_empty(new_dir()));
}

// ---------------------------------------------------------------------------- tmp/ leftovers

TEST(StaleTmpFileTest, ThirtySixHoursUnchangedIsStale) {
    constexpr std::time_t kNow = 1'764'057'192;
    constexpr std::time_t kAge = 36 * 3600;
    EXPECT_TRUE(is_stale_tmp_file(kNow - kAge, kNow));
    EXPECT_TRUE(is_stale_tmp_file(kNow - 30 * 86400, kNow));
    EXPECT_TRUE(is_stale_tmp_file(0, kNow));
    EXPECT_FALSE(is_stale_tmp_file(kNow - kAge + 1, kNow));
    EXPECT_FALSE(is_stale_tmp_file(kNow, kNow));
    EXPECT_FALSE(is_stale_tmp_file(kNow + 86400, kNow));  // from the future: a clock was off
}

// Sets a file's modification (and access) time to `when`.
void set_mtime(const fs::path& path, std::time_t when) {
    const timespec times[2] = {{.tv_sec = when, .tv_nsec = 0}, {.tv_sec = when, .tv_nsec = 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

TEST_F(MaildirTest, LeftoversInTmpOlderThan36HoursAreRemoved) {
    const std::time_t now = std::time(nullptr);
    for (const char* name : {"old1", "old2", "fresh", "almost"})
        std::ofstream(tmp() / name) << "partial message";
    set_mtime(tmp() / "old1", now - 37 * 3600);
    set_mtime(tmp() / "old2", now - 400 * 86400);
    set_mtime(tmp() / "almost", now - 35 * 3600);
    fs::create_directory(tmp() / "subdir");  // not a delivery: left alone
    set_mtime(tmp() / "subdir", now - 400 * 86400);

    std::promise<Leftovers> done;
    maildir_.remove_leftovers([&done](Leftovers result) { done.set_value(std::move(result)); });
    auto future = done.get_future();
    ASSERT_EQ(future.wait_for(kDeadline), std::future_status::ready);
    const Leftovers result = future.get();
    EXPECT_EQ(result.removed, 2u);
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(names_in(tmp()), (std::vector<std::string>{"almost", "fresh", "subdir"}));
}

TEST(StaleTmpFileTest, RemovingFromAMissingDirectoryReportsTheError) {
    ScratchDir dir;
    const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ::close(fd);  // a descriptor that is no longer open
    const Leftovers result = remove_stale_tmp_files(fd, std::time(nullptr));
    EXPECT_EQ(result.removed, 0u);
    EXPECT_NE(result.error, "");
}

TEST(MaildirNamesTest, ThousandDraftsGetThousandNames) {
    ScratchDir dir;
    WorkerPool pool(8);
    Maildir maildir(dir.path() / "Maildir", pool, "test.host");
    constexpr std::size_t kDrafts = 1000;

    // All drafts begin before any commits, then all commit at once: a repeated name would
    // overwrite a message in new/ (rename) or fail in tmp/ (O_EXCL).
    std::vector<std::unique_ptr<MessageDraft>> drafts;
    for (std::size_t i = 0; i < kDrafts; ++i) {
        drafts.push_back(maildir.begin(envelope_from("alice@example.org")));
        drafts.back()->append("Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n");
    }
    std::vector<std::future<StoreResult>> results;
    for (auto& draft : drafts) {
        auto promise = std::make_shared<std::promise<StoreResult>>();
        results.push_back(promise->get_future());
        auto now =
            draft->commit([promise](StoreResult result) { promise->set_value(std::move(result)); });
        if (now) promise->set_value(std::move(*now));
    }
    std::set<std::string> locations;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (auto& result : results) {
        ASSERT_EQ(result.wait_until(deadline), std::future_status::ready);
        const auto stored = result.get();
        ASSERT_TRUE(stored.stored) << stored.error;
        locations.insert(stored.location);
    }
    EXPECT_EQ(locations.size(), kDrafts);
    EXPECT_EQ(names_in(dir.path() / "Maildir" / "new").size(), kDrafts);
    EXPECT_TRUE(fs::is_empty(dir.path() / "Maildir" / "tmp"));
}

TEST_F(MaildirTest, CommitWithoutTmpFailsAndLeavesNothingInNew) {
    auto draft = maildir_.begin(envelope_from("alice@example.org"));
    draft->append("Subject: lost\r\n\r\nbody\r\n");
    ASSERT_TRUE(fs::remove(tmp()));
    const auto [result, thread] = commit_and_wait(*draft);
    EXPECT_FALSE(result.stored);
    EXPECT_FALSE(result.error.empty());
    EXPECT_TRUE(fs::is_empty(new_dir()));
}

// Messages committed together are made durable together; one that fails fails alone. The one
// storage thread is held at a gate while five drafts commit, so they form one batch; the third
// was spilled into tmp/ and its file removed there, so its rename into new/ fails.
TEST(MaildirBatchTest, OneFailureInABatchFailsOnlyItsMessage) {
    ScratchDir dir;
    WorkerPool pool(1);
    Maildir maildir(dir.path() / "Maildir", pool, "test.host");
    const auto tmp = dir.path() / "Maildir" / "tmp";
    std::promise<void> gate;
    pool.submit([open = gate.get_future().share()] {
        EXPECT_EQ(open.wait_for(kDeadline), std::future_status::ready);
    });

    constexpr std::size_t kDrafts = 5;
    constexpr std::size_t kVanished = 2;
    std::vector<std::future<StoreResult>> results;
    for (std::size_t i = 0; i < kDrafts; ++i) {
        auto draft = maildir.begin(envelope_from("alice@example.org"));
        if (i == kVanished) {
            append_in_pieces(*draft, crlf_lines(kSpillBytes / 1000 + 10), 16 * 1024);
            const auto spilled = names_in(tmp);
            ASSERT_EQ(spilled.size(), 1U);
            ASSERT_TRUE(fs::remove(tmp / spilled[0]));
        } else {
            draft->append("Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n");
        }
        auto promise = std::make_shared<std::promise<StoreResult>>();
        results.push_back(promise->get_future());
        ASSERT_FALSE(draft->commit(
            [promise](StoreResult result) { promise->set_value(std::move(result)); }));
    }
    gate.set_value();

    for (std::size_t i = 0; i < kDrafts; ++i) {
        ASSERT_EQ(results[i].wait_for(kDeadline), std::future_status::ready) << i;
        const auto result = results[i].get();
        EXPECT_EQ(result.stored, i != kVanished) << i << ": " << result.error;
        if (i == kVanished) {
            EXPECT_NE(result.error.find("rename"), std::string::npos) << result.error;
        }
    }
    const auto stored = names_in(dir.path() / "Maildir" / "new");
    ASSERT_EQ(stored.size(), kDrafts - 1);
    for (const auto& name : stored) {
        EXPECT_TRUE(read_file(dir.path() / "Maildir" / "new" / name).starts_with("Subject: "))
            << name;
    }
    EXPECT_TRUE(fs::is_empty(tmp));
}

// ---------------------------------------------------------------------------- mbox

// One message of an mboxrd file: its "From " line and its content, unquoted.
struct MboxMessage {
    std::string from_line;
    std::string content;
};

// Splits an mboxrd file as a reader does: a message starts at a "From " line at the start of the
// file or after an empty line, ends with an empty line, and loses one '>' of each ">+From ".
std::vector<MboxMessage> parse_mboxrd(std::string_view file) {
    std::vector<std::string_view> lines;
    while (!file.empty()) {
        const auto end = file.find('\n');
        EXPECT_NE(end, std::string_view::npos) << "the file does not end with LF";
        if (end == std::string_view::npos) break;
        lines.push_back(file.substr(0, end + 1));
        file.remove_prefix(end + 1);
    }
    std::vector<MboxMessage> messages;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const bool starts = lines[i].starts_with("From ") && (i == 0 || lines[i - 1] == "\n");
        if (i == 0) {
            EXPECT_TRUE(starts) << "the file does not start with a From line";
        }
        if (starts) {
            if (!messages.empty()) {
                EXPECT_TRUE(messages.back().content.ends_with("\n\n")) << "no empty line";
                messages.back().content.pop_back();
            }
            messages.push_back({std::string(lines[i]), ""});
            continue;
        }
        if (messages.empty()) continue;
        const auto line = lines[i];
        const auto first = line.find_first_not_of('>');
        const bool quoted = first != 0 && first != std::string_view::npos &&
                            line.substr(first).starts_with("From ");
        messages.back().content += quoted ? line.substr(1) : line;
    }
    if (!messages.empty()) {
        EXPECT_TRUE(messages.back().content.ends_with("\n\n")) << "no empty line at the end";
        messages.back().content.pop_back();
    }
    return messages;
}

// "From <sender> " and an asctime date ("Www Mmm dd hh:mm:ss yyyy"), then LF.
void expect_from_line(std::string_view line, std::string_view sender) {
    const std::string head = "From " + std::string(sender) + " ";
    ASSERT_TRUE(line.starts_with(head)) << line;
    EXPECT_EQ(line.size(), head.size() + 24 + 1) << line;
    EXPECT_TRUE(line.ends_with("\n")) << line;
}

class MboxTest : public ::testing::Test {
  protected:
    ScratchDir dir_;
    fs::path path_ = dir_.path() / "inbox.mbox";
    WorkerPool pool_{2};
    Mbox mbox_{path_, pool_};
};

TEST_F(MboxTest, TwoMessagesMakeAnMboxrdFile) {
    const std::string one = "Subject: one\r\n\r\nFrom the start\r\nbody\r\n";
    const std::string two = "Subject: two\r\n\r\n>From quoted\r\nFromage\r\nend\r\n";
    {
        auto draft = mbox_.begin(envelope_from("alice@example.org"));
        draft->append(one);
        const auto [result, thread] = commit_and_wait(*draft);
        ASSERT_TRUE(result.stored) << result.error;
        EXPECT_EQ(result.location, "inbox.mbox");
        EXPECT_NE(thread, std::this_thread::get_id());
    }
    {
        auto draft = mbox_.begin(envelope_from(""));
        append_in_pieces(*draft, two, 1);  // one line at a time
        const auto [result, thread] = commit_and_wait(*draft);
        ASSERT_TRUE(result.stored) << result.error;
    }

    const auto file = read_file(path_);
    ASSERT_TRUE(file.starts_with("From alice@example.org ")) << file;
    const auto messages = parse_mboxrd(file);
    ASSERT_EQ(messages.size(), 2U) << file;
    expect_from_line(messages[0].from_line, "alice@example.org");
    expect_from_line(messages[1].from_line, "MAILER-DAEMON");
    EXPECT_EQ(messages[0].content, lf_of(one));
    EXPECT_EQ(messages[1].content, lf_of(two));

    // The quoting itself, as written.
    const auto from_two = file.find("From MAILER-DAEMON ");
    ASSERT_NE(from_two, std::string::npos);
    EXPECT_EQ(file.substr(file.find('\n') + 1, from_two - file.find('\n') - 1),
              "Subject: one\n\n>From the start\nbody\n\n");
    EXPECT_TRUE(file.ends_with("\n\n>>From quoted\nFromage\nend\n\n")) << file;
}

TEST_F(MboxTest, BigMessageIsSpilledAndByteExactAfterTheFromLine) {
    const std::string message =
        crlf_lines(3 * 1024 * 1024 / 1000 + 1);  // over 3 MiB, some lines starting "From "
    auto draft = mbox_.begin(envelope_from("alice@example.org"));
    append_in_pieces(*draft, message, 64 * 1024);
    const auto [result, thread] = commit_and_wait(*draft);
    ASSERT_TRUE(result.stored) << result.error;

    std::string expected;
    append_mboxrd_quoted(expected, lf_of(message));
    ASSERT_NE(expected.find("\n>From line 97 "), std::string::npos);  // the quoting applies
    const auto file = read_file(path_);
    const auto from_end = file.find('\n') + 1;
    expect_from_line(std::string_view(file).substr(0, from_end), "alice@example.org");
    const auto after = std::string_view(file).substr(from_end);
    EXPECT_EQ(after.size(), expected.size() + 1);
    EXPECT_TRUE(after == expected + "\n") << "the stored message differs";
}

TEST_F(MboxTest, DraftDestroyedWithoutCommitWritesNothing) {
    {
        auto draft = mbox_.begin(envelope_from("alice@example.org"));
        append_in_pieces(*draft, crlf_lines(kSpillBytes / 1000 + 10), 16 * 1024);
    }
    EXPECT_EQ(fs::file_size(path_), 0U);
    EXPECT_EQ(names_in(dir_.path()), std::vector<std::string>{"inbox.mbox"});
}

TEST(MboxFullDiskTest, CommitToAFullDiskIsNotStored) {
    WorkerPool pool(1);
    std::unique_ptr<Mbox> mbox;
    try {
        mbox = std::make_unique<Mbox>("/dev/full", pool);
    } catch (const std::system_error& e) {
        GTEST_SKIP() << "cannot open /dev/full here: " << e.what();
    }
    auto draft = mbox->begin(envelope_from("alice@example.org"));
    draft->append("Subject: full\r\n\r\nbody\r\n");
    const auto [result, thread] = commit_and_wait(*draft);
    EXPECT_FALSE(result.stored);
    EXPECT_NE(result.error.find(std::generic_category().message(ENOSPC)), std::string::npos)
        << result.error;
}

}  // namespace
}  // namespace mail
