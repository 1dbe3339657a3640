// The index of a store's messages for the web inbox and --list: what a list shows of each
// message (from its header fields only), newest first, kept in memory. Filled by reading the store
// at start (Maildir new/ and cur/, or an mbox file) and then told of every message this process
// commits. Thread-safe: the loops read while a storage thread adds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message_store.hpp"
#include "mime.hpp"

namespace mail {

// What the list shows of one message.
struct Summary {
    // The message's name in URLs and the API: stable across restarts, and always matching
    // is_message_id(). Derived from the Maildir file's unique name, or the mbox message's offset.
    std::string id;
    std::int64_t received = 0;  // when it was stored: seconds since the epoch
    std::uint64_t size = 0;     // bytes, as stored
    mime::Address from;         // the first From mailbox, display name decoded
    std::vector<mime::Address> to;
    std::string subject;       // RFC 2047 decoded, UTF-8
    std::string message_id;    // the Message-ID field without angle brackets; may be empty
    bool attachments = false;  // the head says multipart/mixed, or a Content-Disposition attachment
};

// The strict pattern every id taken from a request must match before it is looked up:
// 1 to 128 characters of [A-Za-z0-9._-], not starting with '.'.
bool is_message_id(std::string_view text);

class MailIndex {
  public:
    // The index of the Maildir `root` or the mbox file `path`. Nothing is read yet.
    static std::unique_ptr<MailIndex> for_maildir(std::filesystem::path root);
    static std::unique_ptr<MailIndex> for_mbox(std::filesystem::path path);
    virtual ~MailIndex() = default;

    // Reads the head of every message already in the store (blocking). A message that cannot be
    // read is skipped. Throws std::system_error when the store itself cannot be read.
    virtual void load() = 0;

    // From now on every message `store` commits (the same Maildir or mbox) is added, and the
    // listeners told, before its 250 is sent. Call once, before the server starts.
    virtual void watch(MessageStore& store) = 0;

    struct Page {
        std::size_t total = 0;  // messages in the index (or matching the search)
        std::size_t start = 0;
        std::vector<Summary> messages;  // newest first
    };
    // Messages [start, start + limit) of the whole index, newest first.
    [[nodiscard]] virtual Page list(std::size_t start, std::size_t limit) const = 0;
    // The same of the messages whose From, To or Subject contain every word of `query`
    // (case-insensitive for ASCII; a word in quotes may hold spaces).
    [[nodiscard]] virtual Page search(std::string_view query, std::size_t start,
                                      std::size_t limit) const = 0;
    // One message's summary, or nullopt when no message has this id.
    [[nodiscard]] virtual std::optional<Summary> find(std::string_view id) const = 0;
    // The message's bytes as stored (blocking read of its file or its mbox range), or nullopt
    // when it is not in the index or no longer in the store. The path read is the index's own,
    // never built from `id`.
    [[nodiscard]] virtual std::optional<std::string> read(std::string_view id) const = 0;
    [[nodiscard]] virtual std::size_t size() const = 0;

    // Called with each new message's summary, on the thread that committed it, after the index
    // has it. Returns a token for unsubscribe(). Listeners run one at a time under the index's
    // listener lock: once unsubscribe() returns, its listener is not running and never runs
    // again; a listener must not call subscribe() or unsubscribe() itself.
    using Listener = std::function<void(const Summary&)>;
    virtual std::uint64_t subscribe(Listener listener) = 0;
    virtual void unsubscribe(std::uint64_t token) = 0;
};

}  // namespace mail
