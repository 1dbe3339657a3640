// Where accepted messages go: a Maildir, an mbox file, or nowhere (--no-store). A message is
// written while it arrives (a MessageDraft) and committed durably before its 250 is sent.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
