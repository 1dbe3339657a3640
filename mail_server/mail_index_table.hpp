// What the Maildir and mbox indexes share: the summaries of the messages, packed compactly and
// kept newest first, their lookup by id, search, paging and the listeners. The two formats only
// differ in how they find messages (load), where a message's bytes are (read) and how a commit
// reaches them (watch).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mail_index.hpp"

namespace mail::index {

// Limits on what one summary keeps, so that a hostile head cannot make the index big: longer
// strings are cut (at a UTF-8 boundary), further recipients are left out of the list.
constexpr std::size_t kMaxFieldBytes = 998;  // RFC 5322 2.1.1's line limit
constexpr std::size_t kMaxRecipients = 100;

// The summary of a message whose start (its head, at most kWatchedHeadBytes of it is looked at)
// is `head`; id, received and size are left to the caller.
Summary summarize(std::string_view head);

// Where a message's bytes are in its store.
struct Location {
    std::uint8_t folder = 0;      // Maildir: 0 new/, 1 cur/
    std::string file;             // Maildir: the file's name
    std::uint64_t offset = 0;     // mbox: where its "From " line starts
    std::uint64_t from_line = 0;  // mbox: that line's length
    std::uint64_t length = 0;     // mbox: the bytes after it, up to the message's end
};

// The order of the list, oldest first: by `major`, then `minor`, then id.
struct SortKey {
    std::int64_t major = 0;
    std::uint64_t minor = 0;
};

// The shared part of both indexes. Thread-safe: readers share a lock, add() takes it alone;
// listeners run under a lock of their own, so once unsubscribe() returns its listener is not
// running and never runs again (a listener must not subscribe or unsubscribe).
class Table : public MailIndex {
  public:
    [[nodiscard]] Page list(std::size_t start, std::size_t limit) const override;
    [[nodiscard]] Page search(std::string_view query, std::size_t start,
                              std::size_t limit) const override;
    [[nodiscard]] std::optional<Summary> find(std::string_view id) const override;
    [[nodiscard]] std::size_t size() const override;
    std::uint64_t subscribe(Listener listener) override;
    void unsubscribe(std::uint64_t token) override;
    // Every message `store` commits goes to committed().
    void watch(MessageStore& store) override;

  protected:
    // A message the store has just made durable, on its storage thread, before its 250.
    virtual void committed(const StoredMessage& message) = 0;
    // Adds a message unless its id is already there (then false). With `sorted`, at its place
    // in the order at once (a committed message); without, at the end until sort() (a load).
    bool add(const Summary& summary, const Location& location, SortKey key, bool sorted);
    void sort();
    // Tells the listeners of a message just added.
    void tell(const Summary& summary);
    [[nodiscard]] std::optional<Location> location(std::string_view id) const;

  private:
    // One message, its strings packed in one allocation: each as a varint length and its bytes,
    // in the order id, file, from name, from address, subject, message id, then the number of
    // recipients and each one's name and address.
    struct Entry {
        std::int64_t received = 0;
        std::uint64_t size = 0;
        SortKey key;
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
        std::uint32_t from_line = 0;
        std::uint8_t folder = 0;
        bool attachments = false;
        std::string packed;
    };
    static Entry pack(const Summary& summary, const Location& location, SortKey key);
    static Summary unpack(const Entry& entry);
    static std::string_view id_of(const Entry& entry);
    [[nodiscard]] bool before(std::uint32_t a, std::uint32_t b) const;
    static bool matches(const Entry& entry, const std::vector<std::string>& words);

    mutable std::shared_mutex mutex_;
    std::deque<Entry> entries_;                                  // never moved once added
    std::vector<std::uint32_t> order_;                           // indexes, oldest first
    std::unordered_map<std::string_view, std::uint32_t> by_id_;  // views into entries_

    std::mutex listeners_mutex_;
    std::vector<std::pair<std::uint64_t, Listener>> listeners_;
    std::uint64_t next_token_ = 1;
};

// The words of a search query, lower-cased (ASCII): split at spaces, a "quoted phrase" one word.
std::vector<std::string> query_words(std::string_view query);

}  // namespace mail::index
