// Where accepted messages go: a Maildir, an mbox file, or nowhere (--no-store). A message is
// written while it arrives (a MessageDraft) and committed durably before its 250 is sent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp_session.hpp"

namespace mail {

// One message being received. Lives on its session's loop thread. Destroying a draft that was
// not committed leaves nothing behind.
class MessageDraft {
  public:
    virtual ~MessageDraft() = default;
    // Whole lines as the session delivers them (CRLF, dot-unstuffed). Never throws: a write
    // failure is remembered and reported by commit().
    virtual void append(std::string_view lines) = 0;
    // Makes the message durable. Either returns the result at once, or returns nullopt and
    // calls `done` later on a storage thread. Call at most once.
    virtual std::optional<StoreResult> commit(std::function<void(StoreResult)> done) = 0;
};

// A message a store has just made durable, as its commit watchers see it (see
// MessageStore::watch_commits). The views are valid during the call only.
struct StoredMessage {
    std::string_view name;  // Maildir: the file's name in new/; mbox: empty
    // mbox: where the message's "From " line starts in the file, and how many bytes follow that
    // line up to the message's end (its quoted lines as written, without the empty line that
    // separates it from the next). Maildir: 0 and the file's size.
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint64_t from_line = 0;  // mbox: the "From " line's length, its "\n" included
    std::int64_t received = 0;    // seconds since the epoch
    // The message's size as a reader gets it back: LF line ends, mboxrd quoting undone.
    std::uint64_t size = 0;
    // The start of the message as written (LF line ends; mbox: still quoted): all of it, or at
    // least its first kWatchedHeadBytes.
    std::string_view head;
};

// How much of a message's start a watcher is given at least: enough for any ordinary head.
constexpr std::size_t kWatchedHeadBytes = 64 * 1024;

using CommitWatcher = std::function<void(const StoredMessage&)>;

// The watchers of one store. Filled before the first delivery, then only read (by the storage
// threads), so it takes no lock.
class CommitWatchers {
  public:
    void add(CommitWatcher watcher) { watchers_.push_back(std::move(watcher)); }
    [[nodiscard]] bool empty() const { return watchers_.empty(); }
    void tell(const StoredMessage& message) const {
        for (const auto& watcher : watchers_)
            watcher(message);
    }

  private:
    std::vector<CommitWatcher> watchers_;
};

// What a store's housekeeping removed, for the log.
struct Leftovers {
    std::size_t removed = 0;
    std::string error;  // the first failure, if any
};

// Thread-safe: every loop begins drafts on the same store.
class MessageStore {
  public:
    virtual ~MessageStore() = default;
    virtual std::unique_ptr<MessageDraft> begin(const Envelope& envelope) = 0;
    // "./mail (Maildir)", for the first line.
    [[nodiscard]] virtual std::string description() const = 0;
    // Removes what deliveries cut off by a crash left behind (a Maildir's old tmp/ files), on a
    // storage thread, and reports there through `done`. A store that leaves nothing behind does
    // nothing and never calls `done`.
    virtual void remove_leftovers(std::function<void(Leftovers)> done) { (void)done; }

    // Has `watcher` called with each message this store commits, on the storage thread that
    // committed it, after the message is durable and before its 250 is sent. Call before the
    // first begin(). A store that keeps nothing (--no-store, --mbox -) never calls it.
    void watch_commits(CommitWatcher watcher) { watchers_->add(std::move(watcher)); }

  protected:
    // Shared with the store's storage jobs, which may outlive a call into the store.
    [[nodiscard]] std::shared_ptr<const CommitWatchers> commit_watchers() const {
        return watchers_;
    }

  private:
    std::shared_ptr<CommitWatchers> watchers_ = std::make_shared<CommitWatchers>();
};

// --no-store: counts and forgets.
class NullStore final : public MessageStore {
  public:
    std::unique_ptr<MessageDraft> begin(const Envelope& envelope) override;
    [[nodiscard]] std::string description() const override { return "nowhere (--no-store)"; }
};

// Text pieces both mailbox formats need.
// Appends `lines` (CRLF-terminated lines) to `out` with each CRLF turned into LF, the line end
// of Unix mailbox files; a lone CR or LF is kept as it is.
void append_unix_lines(std::string& out, std::string_view lines);

// A message at least this big is written to its file while it arrives instead of being held
// in memory (bounded memory per session).
constexpr std::size_t kSpillBytes = 256 * 1024;

}  // namespace mail
