// The cache's memory: an LRU list of entries, an index of variants by key, pending fills.
#include "cache_store.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace web_proxy::cache {

std::size_t Entry::size() const {
    // The status line's fixed part ("HTTP/1.1 200 \r\n") and each field's ": " and CRLF.
    constexpr std::size_t kStatusLine = 15;
    constexpr std::size_t kFieldOverhead = 4;
    std::size_t total = key.size() + body.size() + kStatusLine + response.reason.size();
    for (const auto& header : selecting)
        total += header.name.size() + (header.value ? header.value->size() : 0) + kFieldOverhead;
    for (const auto& field : response.headers.all())
        total += field.name.size() + field.value.size() + kFieldOverhead;
    return total;
}

// ---- FillToken

FillToken::FillToken(FillToken&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)), key_(std::move(other.key_)), id_(other.id_) {}

FillToken& FillToken::operator=(FillToken&& other) noexcept {
    if (this != &other) {
        abandon();
        store_ = std::exchange(other.store_, nullptr);
        key_ = std::move(other.key_);
        id_ = other.id_;
    }
    return *this;
}

FillToken::~FillToken() {
    abandon();
}

void FillToken::complete(std::shared_ptr<const Entry> entry) {
    if (store_ == nullptr) return;
    CacheStore* store = std::exchange(store_, nullptr);
    store->end_fill(key_, id_, std::move(entry));
}

// ---- CacheStore

CacheStore::CacheStore(StoreLimits limits) : limits_(limits) {}

std::shared_ptr<const Entry> CacheStore::lookup(const std::string& key,
                                                const net::http::Headers& request_headers) {
    // The variants are copied out and matched against the request without the lock.
    std::vector<std::shared_ptr<const Entry>> candidates;
    {
        const std::lock_guard lock(mutex_);
        if (const auto it = variants_.find(key); it != variants_.end()) {
            for (const auto position : it->second)
                candidates.push_back(position->entry);
        }
    }
    std::shared_ptr<const Entry> found;
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
        if (variant_matches((*it)->selecting, (*it)->response.headers, request_headers)) {
            found = *it;
            break;
        }
    }
    const std::lock_guard lock(mutex_);
    if (!found) {
        ++stats_.misses;
        return nullptr;
    }
    ++stats_.hits;
    if (const auto position = find_locked(found); position != lru_.end()) {
        lru_.splice(lru_.begin(), lru_, position);
    }
    return found;
}

bool CacheStore::insert(std::shared_ptr<const Entry> entry) {
    if (!entry) return false;
    const std::size_t size = entry->size();
    Released released;
    const std::lock_guard lock(mutex_);
    return insert_locked(std::move(entry), size, released);
}

bool CacheStore::replace(const std::shared_ptr<const Entry>& old,
                         std::shared_ptr<const Entry> fresh) {
    if (!fresh) return false;
    const std::size_t size = fresh->size();
    Released released;
    const std::lock_guard lock(mutex_);
    if (const auto position = find_locked(old); position != lru_.end()) {
        remove_locked(position, released);
    }
    return insert_locked(std::move(fresh), size, released);
}

std::size_t CacheStore::invalidate(const std::string& key) {
    Released released;
    const std::lock_guard lock(mutex_);
    const auto it = variants_.find(key);
    if (it == variants_.end()) return 0;
    const auto positions = it->second;  // remove_locked() edits the index
    for (const auto position : positions)
        remove_locked(position, released);
    stats_.invalidations += positions.size();
    return positions.size();
}

void CacheStore::erase(const std::shared_ptr<const Entry>& entry) {
    Released released;
    const std::lock_guard lock(mutex_);
    if (const auto position = find_locked(entry); position != lru_.end()) {
        remove_locked(position, released);
    }
}

FillStart CacheStore::begin_fill(const std::string& key, FillCallback on_filled) {
    const std::lock_guard lock(mutex_);
    auto [it, inserted] = fills_.try_emplace(key);
    if (inserted) {
        it->second.id = next_fill_id_++;
        return {FillRole::kFiller, FillToken(this, key, it->second.id)};
    }
    if (it->second.waiters.size() >= limits_.max_waiters) return {FillRole::kUncollapsed, {}};
    it->second.waiters.push_back(std::move(on_filled));
    return {FillRole::kWaiter, {}};
}

StoreStats CacheStore::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

void CacheStore::end_fill(const std::string& key, std::uint64_t id,
                          std::shared_ptr<const Entry> entry) {
    const std::size_t size = entry ? entry->size() : 0;
    std::vector<FillCallback> waiters;
    std::shared_ptr<const Entry> stored;
    Released released;
    {
        const std::lock_guard lock(mutex_);
        if (const auto it = fills_.find(key); it != fills_.end() && it->second.id == id) {
            waiters = std::move(it->second.waiters);
            fills_.erase(it);
        }
        if (entry && insert_locked(entry, size, released)) stored = std::move(entry);
    }
    // Outside the lock: a waiter may well call lookup() or begin_fill() at once.
    for (auto& waiter : waiters)
        waiter(stored);
}

bool CacheStore::insert_locked(std::shared_ptr<const Entry> entry, std::size_t size,
                               Released& released) {
    if (size > limits_.max_object_bytes || size > limits_.capacity_bytes) return false;
    // The variant with the same secondary key is replaced (4.1: the newer response is used).
    if (const auto it = variants_.find(entry->key); it != variants_.end()) {
        const auto same = std::find_if(it->second.begin(), it->second.end(), [&](auto position) {
            return position->entry->selecting == entry->selecting;
        });
        if (same != it->second.end()) remove_locked(*same, released);
    }
    // Then the oldest variants beyond the limit, then the least recently used entries.
    while (true) {
        const auto it = variants_.find(entry->key);
        if (it == variants_.end() || it->second.size() < limits_.max_variants) break;
        remove_locked(it->second.front(), released);
        ++stats_.evictions;
    }
    while (!lru_.empty() && stats_.bytes + size > limits_.capacity_bytes) {
        remove_locked(std::prev(lru_.end()), released);
        ++stats_.evictions;
    }
    const std::string& key = entry->key;
    lru_.push_front(Node{std::move(entry), size});
    variants_[key].push_back(lru_.begin());
    stats_.bytes += size;
    ++stats_.entries;
    ++stats_.insertions;
    return true;
}

void CacheStore::remove_locked(Lru::iterator position, Released& released) {
    const auto it = variants_.find(position->entry->key);
    if (it != variants_.end()) {
        std::erase(it->second, position);
        if (it->second.empty()) variants_.erase(it);
    }
    stats_.bytes -= position->size;
    --stats_.entries;
    released.push_back(std::move(position->entry));
    lru_.erase(position);
}

CacheStore::Lru::iterator CacheStore::find_locked(const std::shared_ptr<const Entry>& entry) {
    if (!entry) return lru_.end();
    const auto it = variants_.find(entry->key);
    if (it == variants_.end()) return lru_.end();
    const auto position = std::find_if(it->second.begin(), it->second.end(),
                                       [&](auto candidate) { return candidate->entry == entry; });
    return position == it->second.end() ? lru_.end() : *position;
}

}  // namespace web_proxy::cache
