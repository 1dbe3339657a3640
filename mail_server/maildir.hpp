// Maildir (the qmail format that Dovecot, mutt and python's mailbox read): each message is
// written into tmp/, fsynced, renamed into new/, and new/ is fsynced, all before the 250. So
// new/ only ever holds complete messages, and a crash at any moment loses nothing acknowledged.
// Messages that arrive together are made durable together (see GroupCommit).
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include "common/fd.hpp"
#include "common/worker_pool.hpp"
#include "message_store.hpp"

namespace mail {

// The commits of one Maildir, in batches: every message handed over while a batch was being
// made durable goes into the next one, so a batch needs one syncfs and one fsync of new/, not
// two fsyncs per message, and a storage thread wakes once per batch. Thread-safe.
class GroupCommit;

// A file in tmp/ unchanged this long belongs to a delivery that will never finish (a crash, a
// kill): the Maildir convention (qmail's maildir(5)) is to remove it.
constexpr std::chrono::hours kStaleTmpAge{36};

// Whether a tmp/ file last modified at `modified` is a leftover at `now` (seconds since the
// epoch). A time in the future is not.
bool is_stale_tmp_file(std::time_t modified, std::time_t now);

// Removes the regular files in the directory `tmp_dir` (an open descriptor) whose modification
// time is_stale_tmp_file() at `now`.
Leftovers remove_stale_tmp_files(int tmp_dir, std::time_t now);

class Maildir final : public MessageStore {
  public:
    // Creates root/ and its tmp/, new/, cur/ when missing. Throws std::system_error.
    Maildir(std::filesystem::path root, net::WorkerPool& pool, std::string hostname);

    std::unique_ptr<MessageDraft> begin(const Envelope& envelope) override;
    [[nodiscard]] std::string description() const override;
    // tmp/ files older than kStaleTmpAge, on a storage thread.
    void remove_leftovers(std::function<void(Leftovers)> done) override;

  private:
    class Draft;
    // "1764057192.M123456P4242Q17.host": unique within this host (Maildir's naming rule).
    std::string unique_name();

    std::filesystem::path root_;
    net::WorkerPool& pool_;
    std::string hostname_;                // with '/' and ':' escaped as the format requires
    std::string pid_;                     // for unique names
    std::shared_ptr<const net::Fd> tmp_;  // the directories, opened once
    std::shared_ptr<GroupCommit> commits_;
    std::atomic<std::uint64_t> deliveries_{0};
};

}  // namespace mail
