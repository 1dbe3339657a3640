// FileCache: small files kept in memory by one event loop, so a hit costs no system call.
// An entry is trusted for kRevalidateAfter, then checked again with open + fstat (size, mtime,
// inode) and reloaded when it changed: like lighttpd's default stat cache, a change on disk shows
// within a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/http_conditional.hpp"
#include "root_directory.hpp"

namespace web {

struct CachedFile {
    std::string body;
    net::http::Validators validators;
    std::string last_modified;  // IMF-fixdate of validators.last_modified
    std::string_view content_type;
    ino_t inode = 0;
    dev_t device = 0;
    std::chrono::steady_clock::time_point checked;
};

// Not thread-safe: one per event loop.
class FileCache {
  public:
    static constexpr auto kRevalidateAfter = std::chrono::seconds(1);
    static constexpr std::size_t kMaxFileBytes = 16 * 1024;         // larger files use sendfile
    static constexpr std::size_t kMaxTotalBytes = 4 * 1024 * 1024;  // per loop -> evict
    static constexpr std::size_t kMaxEntries = 4096;

    // The cached file at `relative` if it is fresh (checked within kRevalidateAfter), or after
    // a successful revalidation; null when it is not cached, changed, or is not a small file.
    const CachedFile* find(const std::string& relative, std::chrono::steady_clock::time_point now);
    // Caches an opened small regular file (reads it) with its Content-Type (a view that must
    // outlive the cache); returns the entry, or null if not cached.
    const CachedFile* insert(const std::string& relative, const OpenedFile& file,
                             std::string_view content_type,
                             std::chrono::steady_clock::time_point now);

    void set_root(const RootDirectory* root) { root_ = root; }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }

  private:
    void evict_for(std::size_t bytes);

    const RootDirectory* root_ = nullptr;
    std::unordered_map<std::string, CachedFile> entries_;
    std::size_t total_bytes_ = 0;
};

}  // namespace web
