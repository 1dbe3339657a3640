// The per-loop small-file cache.
#include "file_cache.hpp"

#include <unistd.h>

#include <cerrno>

#include "common/http_date.hpp"

namespace web {
namespace {

bool same_version(const CachedFile& cached, const struct stat& info) {
    return cached.inode == info.st_ino && cached.device == info.st_dev &&
           cached.body.size() == static_cast<std::uint64_t>(info.st_size) &&
           cached.validators.etag == net::http::make_etag(static_cast<std::uint64_t>(info.st_size),
                                                          info.st_mtim.tv_sec,
                                                          info.st_mtim.tv_nsec);
}

bool read_all(int fd, std::size_t length, std::string& out) {
    out.resize(length);
    std::size_t done = 0;
    while (done < length) {
        const auto n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

const CachedFile* FileCache::find(const std::string& relative,
                                  std::chrono::steady_clock::time_point now) {
    const auto it = entries_.find(relative);
    if (it == entries_.end()) return nullptr;
    CachedFile& cached = it->second;
    if (now - cached.checked < kRevalidateAfter) return &cached;
    // Stale: look at the file again.
    if (root_ != nullptr) {
        const OpenedFile file = root_->open(relative);
        if (file.fd && S_ISREG(file.info.st_mode) && same_version(cached, file.info)) {
            cached.checked = now;
            return &cached;
        }
    }
    total_bytes_ -= cached.body.size();
    entries_.erase(it);
    return nullptr;
}

const CachedFile* FileCache::insert(const std::string& relative, const OpenedFile& file,
                                    std::string_view content_type,
                                    std::chrono::steady_clock::time_point now) {
    if (!file.fd || !S_ISREG(file.info.st_mode)) return nullptr;
    const auto size = static_cast<std::size_t>(file.info.st_size);
    if (size > kMaxFileBytes) return nullptr;
    CachedFile cached;
    if (!read_all(file.fd->get(), size, cached.body)) return nullptr;
    cached.validators = {
        net::http::make_etag(size, file.info.st_mtim.tv_sec, file.info.st_mtim.tv_nsec),
        file.info.st_mtim.tv_sec};
    cached.last_modified = net::http::format_http_date(file.info.st_mtim.tv_sec);
    cached.content_type = content_type;
    cached.inode = file.info.st_ino;
    cached.device = file.info.st_dev;
    cached.checked = now;
    if (const auto old = entries_.find(relative); old != entries_.end()) {
        total_bytes_ -= old->second.body.size();
        entries_.erase(old);
    }
    evict_for(size);
    total_bytes_ += size;
    auto [it, added] = entries_.insert_or_assign(relative, std::move(cached));
    return &it->second;
}

// Makes room by dropping arbitrary entries: the cache is a shortcut, not a store, and a dropped
// file is only one open() away.
void FileCache::evict_for(std::size_t bytes) {
    while (!entries_.empty() &&
           (entries_.size() >= kMaxEntries || total_bytes_ + bytes > kMaxTotalBytes)) {
        const auto victim = entries_.begin();
        total_bytes_ -= victim->second.body.size();
        entries_.erase(victim);
    }
}

}  // namespace web
