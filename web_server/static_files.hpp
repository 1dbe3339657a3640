// StaticFiles: the request handler. A parsed request in, a Response out; the only I/O is
// opening and reading files beneath ROOT.
#pragma once

#include <chrono>

#include "common/http_conditional.hpp"
#include "common/http_request.hpp"
#include "common/media_types.hpp"
#include "file_cache.hpp"
#include "response.hpp"
#include "root_directory.hpp"

namespace web {

struct StaticFilesOptions {
    bool listing = true;  // an HTML listing for directories without index.html; else 403
    bool hidden = false;  // serve and list names beginning with '.'; else 404 and unlisted
};

// What a request's method gets before its target is looked at: 0 for GET and HEAD (served);
// 405 for the other methods of RFC 9110 and PATCH (RFC 5789), which a static server does not
// do; 501 for any other token, including a wrong-case "get" (methods are case-sensitive,
// RFC 9110 9.1).
int method_status(std::string_view method);

// Files up to this size are read into the response and leave with the head in one write; larger
// ones go out with sendfile(2).
constexpr std::uint64_t kInlineFileBytes = 16 * 1024;
// A custom ROOT/404.html larger than this is ignored (the built-in page is used).
constexpr std::uint64_t kMaxErrorPageBytes = 64 * 1024;

// Thread-safe: const, and RootDirectory is too.
class StaticFiles {
  public:
    // `types` gives each file's Content-Type; root and types must outlive this.
    StaticFiles(const RootDirectory& root, const net::MediaTypes& types, StaticFilesOptions options)
        : root_(root), types_(types), options_(options) {}

    // Answers `request`. With a cache (one per event loop), small files come from memory.
    [[nodiscard]] Response handle(const net::http::Request& request, FileCache* cache = nullptr,
                                  std::chrono::steady_clock::time_point now = {}) const;

  private:
    // Where a file's bytes come from: an open descriptor or the cache.
    struct FileBody {
        const OpenedFile* file = nullptr;
        const std::string* memory = nullptr;
    };
    struct FileFacts {
        std::uint64_t size = 0;
        net::http::Validators validators;
        std::string last_modified;
        std::string_view content_type;
    };

    [[nodiscard]] Response serve_opened(const net::http::Request& request, const OpenedFile& file,
                                        const std::string& relative, FileCache* cache,
                                        std::chrono::steady_clock::time_point now) const;
    [[nodiscard]] Response serve_file(const net::http::Request& request, const FileFacts& facts,
                                      FileBody body) const;
    [[nodiscard]] Response serve_cached(const net::http::Request& request,
                                        const CachedFile& cached) const;
    [[nodiscard]] Response serve_directory(const net::http::Request& request,
                                           const OpenedFile& directory, const std::string& relative,
                                           FileCache* cache,
                                           std::chrono::steady_clock::time_point now) const;
    [[nodiscard]] Response not_found() const;

    const RootDirectory& root_;
    const net::MediaTypes& types_;
    StaticFilesOptions options_;
};

}  // namespace web
