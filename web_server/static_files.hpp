// StaticFiles: the request handler. A parsed request in, a Response out; the only I/O is
// opening and reading files beneath ROOT.
#pragma once

#include "common/http_message.hpp"
#include "response.hpp"
#include "root_directory.hpp"

namespace web {

struct StaticFilesOptions {
    bool listing = true;  // an HTML listing for directories without index.html; else 403
};

// Files up to this size are read into the response and leave with the head in one write; larger
// ones go out with sendfile(2).
constexpr std::uint64_t kInlineFileBytes = 16 * 1024;
// A custom ROOT/404.html larger than this is ignored (the built-in page is used).
constexpr std::uint64_t kMaxErrorPageBytes = 64 * 1024;

// Thread-safe: const, and RootDirectory is too.
class StaticFiles {
  public:
    StaticFiles(const RootDirectory& root, StaticFilesOptions options)
        : root_(root), options_(options) {}

    [[nodiscard]] Response handle(const net::http::Request& request) const;

  private:
    [[nodiscard]] Response serve_file(const net::http::Request& request, const OpenedFile& file,
                                      const std::string& name) const;
    [[nodiscard]] Response serve_directory(const net::http::Request& request,
                                           const OpenedFile& directory,
                                           const std::string& relative) const;
    [[nodiscard]] Response not_found() const;

    const RootDirectory& root_;
    StaticFilesOptions options_;
};

}  // namespace web
