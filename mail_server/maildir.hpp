// Maildir (the qmail format that Dovecot, mutt and python's mailbox read): each message is
// written into tmp/, fsynced, renamed into new/, and new/ is fsynced, all before the 250. So
// new/ only ever holds complete messages, and a crash at any moment loses nothing acknowledged.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/fd.hpp"
#include "message_store.hpp"
#include "worker_pool.hpp"

namespace mail {

// Group commit for one directory: every thread that renamed a file into it waits until an
// fsync of the directory that began after its rename has completed. One fsync serves all the
// renames before it, so sixteen storage threads do not queue sixteen directory fsyncs.
// Thread-safe.
class DirectorySync {
  public:
    explicit DirectorySync(std::shared_ptr<const net::Fd> directory)
        : directory_(std::move(directory)) {}
    // Call after a rename into the directory; returns 0 once it is durable, or the errno of
    // the fsync that failed.
    int sync_after_rename();

  private:
    std::shared_ptr<const net::Fd> directory_;
    std::mutex mutex_;
    std::condition_variable synced_;
    std::uint64_t renamed_ = 0;       // renames announced so far
    std::uint64_t durable_ = 0;       // renames covered by a completed fsync
    std::uint64_t failed_up_to_ = 0;  // renames covered by a failed fsync
    int failure_ = 0;
    bool syncing_ = false;
};

class Maildir final : public MessageStore {
  public:
    // Creates root/ and its tmp/, new/, cur/ when missing. Throws std::system_error.
    Maildir(std::filesystem::path root, WorkerPool& pool, std::string hostname);

    std::unique_ptr<MessageDraft> begin(const Envelope& envelope) override;
    [[nodiscard]] std::string description() const override;

  private:
    class Draft;
    // "1764057192.M123456P4242Q17.host": unique within this host (Maildir's naming rule).
    std::string unique_name();

    std::filesystem::path root_;
    WorkerPool& pool_;
    std::string hostname_;                // with '/' and ':' escaped as the format requires
    std::shared_ptr<const net::Fd> tmp_;  // the directories, opened once
    std::shared_ptr<const net::Fd> new_;
    std::shared_ptr<DirectorySync> new_sync_;
    std::atomic<std::uint64_t> deliveries_{0};
};

}  // namespace mail
