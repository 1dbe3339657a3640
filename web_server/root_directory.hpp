// RootDirectory: opens files strictly beneath the document root. The kernel enforces it
// (openat2 with RESOLVE_BENEATH): "..", absolute symlinks and symlinks that lead outside all fail,
// with no string games and no race between a check and the open.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "directory_listing.hpp"

namespace web {

struct OpenedFile {
    std::shared_ptr<const net::Fd> fd;  // shared: the connection keeps it until sendfile is done
    struct stat info {};
    int error = 0;  // errno when fd is null: ENOENT, EACCES, EXDEV (escapes ROOT), ELOOP...
};

// Thread-safe: every method is const and only uses the root descriptor.
class RootDirectory {
  public:
    // Opens ROOT; throws std::system_error ("cannot open root DIR: ...") when it is missing, not
    // a directory or unreadable.
    explicit RootDirectory(const std::string& path);

    // Opens `relative` ("" is the root itself; no leading '/'), read-only.
    [[nodiscard]] OpenedFile open(const std::string& relative) const;

    // The entries of an opened directory, "." and ".." left out, for the listing.
    [[nodiscard]] std::vector<DirectoryEntry> list(const net::Fd& directory) const;

    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
    net::Fd root_;
    bool have_openat2_ = true;
    std::string real_path_;  // for the fallback check where openat2 is missing (Linux < 5.6)
};

}  // namespace web
