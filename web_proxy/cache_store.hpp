// The proxy cache's memory: stored responses by effective request URI (the primary key), several
// variants per URI (Vary, the secondary key), a byte budget with least-recently-used eviction,
// invalidation, and collapsed forwarding (one request goes upstream for a URI while the others
// for it wait for what it stores). The rules of what to store and when to reuse it are
// cache_rules.hpp's; this only keeps what it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cache_rules.hpp"
#include "common/http_fields.hpp"

namespace web_proxy::cache {

// One stored response. Immutable once stored: an update (a 304) stores a new Entry in its place,
// so a reader holding the old one keeps a consistent response.
struct Entry {
    std::string key;             // the effective request URI
    SelectingHeaders selecting;  // the request fields its Vary names, normalised (4.1)
    StoredResponse response;     // status, reason, fields, request_time, response_time
    std::string body;

    // The bytes it is charged against the store's capacity: key, selecting values, status line,
    // fields and body.
    [[nodiscard]] std::size_t size() const;
};

// The store's sizes, with the reply each triggers.
struct StoreLimits {
    std::size_t capacity_bytes = 64 * 1024 * 1024;   // total; least recently used go first
    std::size_t max_object_bytes = 8 * 1024 * 1024;  // bigger entries are not stored
    std::size_t max_variants = 16;                   // per URI; the oldest variant goes
    std::size_t max_waiters = 256;                   // per fill; more -> kUncollapsed
};

struct StoreStats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0;    // lookups that found a variant
    std::uint64_t misses = 0;  // lookups that did not
    std::uint64_t insertions = 0;
    std::uint64_t evictions = 0;      // entries dropped for space
    std::uint64_t invalidations = 0;  // entries dropped by invalidate()
};

class CacheStore;

// Called with the entry a fill stored, or nullptr when the fill ended without storing. It runs
// on whichever thread ended the fill, never under the store's lock: post it to your own loop.
using FillCallback = std::function<void(std::shared_ptr<const Entry>)>;

// The right and duty to fetch one URI for everyone waiting on it. Move-only. Destroyed while
// still pending, it abandons the fill (the waiters get nullptr). The store must outlive it.
class FillToken {
  public:
    FillToken() = default;
    FillToken(FillToken&& other) noexcept;
    FillToken& operator=(FillToken&& other) noexcept;
    FillToken(const FillToken&) = delete;
    FillToken& operator=(const FillToken&) = delete;
    ~FillToken();

    // Stores `entry` (nullptr: nothing to store) and hands what was stored to every waiter.
    void complete(std::shared_ptr<const Entry> entry);
    // Ends the fill without storing: the waiters get nullptr and go upstream themselves.
    void abandon() { complete(nullptr); }
    // True until completed or abandoned.
    [[nodiscard]] bool pending() const { return store_ != nullptr; }

  private:
    friend class CacheStore;
    FillToken(CacheStore* store, std::string key, std::uint64_t id)
        : store_(store), key_(std::move(key)), id_(id) {}

    CacheStore* store_ = nullptr;
    std::string key_;
    std::uint64_t id_ = 0;
};

// What begin_fill() made of the caller.
enum class FillRole {
    kFiller,       // go upstream, then complete() or abandon() the token
    kWaiter,       // the callback will be called when the fill ends
    kUncollapsed,  // too many waiters already: go upstream, store as usual, no token
};
struct FillStart {
    FillRole role = FillRole::kUncollapsed;
    FillToken token;  // pending with kFiller
};

// Thread-safe: every member may be called from any thread. One mutex guards everything; the
// work under it is a hash lookup and list splicing, never a callback or a copy of a body.
class CacheStore {
  public:
    explicit CacheStore(StoreLimits limits = {});
    CacheStore(const CacheStore&) = delete;
    CacheStore& operator=(const CacheStore&) = delete;

    // The most recently stored variant of `key` that `request_headers` selects (4.1: Vary), or
    // nullptr. A found entry becomes the most recently used. Counts a hit or a miss.
    std::shared_ptr<const Entry> lookup(const std::string& key,
                                        const net::http::Headers& request_headers);

    // Stores `entry`, replacing the variant of its key with the same secondary key; evicts the
    // least recently used entries until it fits. False (nothing changes) when it is larger than
    // max_object_bytes or the capacity.
    bool insert(std::shared_ptr<const Entry> entry);

    // Puts `fresh` in the place of `old` (a 304 freshened it, 4.3.4): in place when `old` is
    // still stored, otherwise as insert(). False when `fresh` is too large (then `old` is
    // dropped: it is no longer current).
    bool replace(const std::shared_ptr<const Entry>& old, std::shared_ptr<const Entry> fresh);

    // Drops every variant of `key` (4.4); the number dropped.
    std::size_t invalidate(const std::string& key);
    // Drops this one stored entry if it is still stored (a HEAD showed it stale, 4.3.5).
    void erase(const std::shared_ptr<const Entry>& entry);

    // Collapsed forwarding for `key`: the first caller becomes the filler; while its fill is
    // pending, later callers wait (`on_filled` is kept and called when the fill ends), up to
    // max_waiters; beyond that they are on their own. Waiters must still check the entry they
    // get against their own request (Vary, freshness, their directives).
    FillStart begin_fill(const std::string& key, FillCallback on_filled);

    [[nodiscard]] StoreStats stats() const;

  private:
    friend class FillToken;
    struct Node {
        std::shared_ptr<const Entry> entry;
        std::size_t size = 0;  // entry->size(), computed once outside the lock
    };
    using Lru = std::list<Node>;  // front: most recently used
    // Entries taken out under the lock, released after it: freeing a body is not lock work.
    using Released = std::vector<std::shared_ptr<const Entry>>;

    struct Fill {
        std::uint64_t id = 0;
        std::vector<FillCallback> waiters;
    };

    void end_fill(const std::string& key, std::uint64_t id, std::shared_ptr<const Entry> entry);
    bool insert_locked(std::shared_ptr<const Entry> entry, std::size_t size, Released& released);
    void remove_locked(Lru::iterator position, Released& released);
    Lru::iterator find_locked(const std::shared_ptr<const Entry>& entry);

    const StoreLimits limits_;
    mutable std::mutex mutex_;
    Lru lru_;
    std::unordered_map<std::string, std::vector<Lru::iterator>> variants_;  // by key, oldest first
    std::unordered_map<std::string, Fill> fills_;
    std::uint64_t next_fill_id_ = 1;
    StoreStats stats_;
};

}  // namespace web_proxy::cache
