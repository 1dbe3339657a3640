// Durability messages, their senders, and the check of new/.
#include "tests/support/mail_durability.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <functional>

#include "tests/support/mail_tools.hpp"
#include "tests/support/smtp_client.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;  // one exchange on loopback; generous for sanitizer builds
constexpr int kBigEvery = 7;
constexpr std::size_t kBigLines = 4500;  // of 72 octets: ~320 KiB
constexpr std::size_t kSmallLines = 30;  // ~2 KiB

// Sends messages `step` apart in seq until the connection fails (the server was killed).
void send_until_killed(SmtpClient client, int first_seq, int step, Acknowledged& acknowledged) {
    try {
        for (int seq = first_seq;; seq += step) {
            const SmtpReply reply = send_message(client, "alice@example.org", {"bob@example.org"},
                                                 durability_message(seq), Deadline(kIo));
            if (reply.code != 250) return;
            acknowledged.add(queued_id(reply), seq);
        }
    } catch (const std::exception&) {
        // The server is gone: EOF, reset or EPIPE in the middle of a transaction.
    }
}

// The id in "Received: ... with ESMTP id ID ..." (unfolded).
std::string received_id(const std::string& received) {
    const auto at = received.find(" id ");
    if (at == std::string::npos) return {};
    const auto start = at + 4;
    return received.substr(start, received.find_first_of(" ;", start) - start);
}

}  // namespace

std::string durability_body(int seq) {
    std::string body = "seq " + std::to_string(seq) + "\n";
    const std::size_t lines = seq % kBigEvery == 0 ? kBigLines : kSmallLines;
    for (std::size_t i = 0; i < lines; ++i) {
        std::string line = std::to_string(seq) + "." + std::to_string(i) + " ";
        line.resize(71, static_cast<char>('A' + (seq + i) % 26));
        body += line + "\n";
    }
    body += "end of message " + std::to_string(seq) + "\n";
    return body;
}

std::string durability_message(int seq) {
    return "Subject: durability " + std::to_string(seq) + "\nX-Seq: " + std::to_string(seq) +
           "\n\n" + durability_body(seq);
}

void Acknowledged::add(const std::string& id, int seq) {
    {
        const std::lock_guard lock(mutex_);
        ids_[id] = seq;
    }
    changed_.notify_all();
}

bool Acknowledged::wait_for(std::size_t n, const Deadline& deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline.when(), [&] { return ids_.size() >= n; });
}

std::map<std::string, int> Acknowledged::ids() {
    const std::lock_guard lock(mutex_);
    return ids_;
}

DurabilitySenders::DurabilitySenders(const MailServerProcess& server, int count, int first_seq,
                                     Acknowledged& acknowledged) {
    for (int i = 0; i < count; ++i) {
        threads_.emplace_back(send_until_killed, greeted_smtp(server, Deadline(kIo)), first_seq + i,
                              count, std::ref(acknowledged));
    }
}

void DurabilitySenders::join() {
    for (auto& thread : threads_)
        thread.join();  // each sees its connection end at once
    threads_.clear();
}

std::size_t expect_acknowledged_are_whole(const std::string& python,
                                          const std::filesystem::path& maildir,
                                          const std::map<std::string, int>& acknowledged) {
    const auto stored = read_mailbox(python, "maildir", maildir);
    std::size_t in_new = 0;
    for (const auto& entry : std::filesystem::directory_iterator(maildir / "new")) {
        (void)entry;
        ++in_new;
    }
    EXPECT_EQ(stored.size(), in_new);
    std::map<std::string, int> stored_ids;
    for (const StoredMessage& m : stored) {
        SCOPED_TRACE(m.key);
        EXPECT_EQ(m.where, "new");
        const auto seq_text = m.header("X-Seq");
        if (!seq_text.has_value()) {
            ADD_FAILURE() << "no X-Seq: " << m.raw.substr(0, 500);
            continue;
        }
        const int seq = std::stoi(*seq_text);
        EXPECT_EQ(m.header("Subject"), "durability " + std::to_string(seq));
        const std::string expected = durability_body(seq);
        EXPECT_TRUE(m.body == expected)
            << "body of seq " << seq << ": " << m.body.size() << " bytes, expected "
            << expected.size() << "; it ends ["
            << m.body.substr(m.body.size() - std::min<std::size_t>(80, m.body.size())) << "]";
        stored_ids[received_id(m.header("Received").value_or(""))] = seq;
    }
    std::size_t missing = 0;
    for (const auto& [id, seq] : acknowledged) {
        const auto found = stored_ids.find(id);
        if (found == stored_ids.end() || found->second != seq) {
            ++missing;
            ADD_FAILURE() << "acknowledged " << id << " (seq " << seq << ") is not in new/";
        }
    }
    EXPECT_EQ(missing, 0u) << acknowledged.size() << " acknowledged, " << stored.size()
                           << " stored";
    return stored.size();
}

}  // namespace net::test
