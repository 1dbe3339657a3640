// The static-file handler: GET and HEAD of files and directories beneath ROOT.
#include "static_files.hpp"

#include <unistd.h>

#include <cerrno>

#include "common/byte_range.hpp"
#include "common/http_conditional.hpp"
#include "common/http_date.hpp"
#include "directory_listing.hpp"
#include "request_path.hpp"

namespace web {
namespace {

int status_for_open_error(int error) {
    switch (error) {
        case ENOENT:
        case ENOTDIR:
        case ENAMETOOLONG:
            return 404;
        case EACCES:
        case EPERM:
        case EXDEV:  // the path (or a symlink on it) leads outside ROOT
        case ELOOP:
        case ENXIO:  // a socket or a FIFO without a writer
            return 403;
        case EMFILE:  // out of descriptors: a passing overload, not a fault
        case ENFILE:
        case ENOMEM:
            return 503;
        default:
            return 500;
    }
}

// Reads `length` bytes at `offset` into a string; false on a short or failed read.
bool read_exactly(int fd, std::uint64_t offset, std::uint64_t length, std::string& out) {
    out.resize(length);
    std::uint64_t done = 0;
    while (done < length) {
        const auto n =
            ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::uint64_t>(n);
    }
    return true;
}

// The query part of a target, "?" included, or "" (kept on redirects).
std::string_view query_of(std::string_view target) {
    const auto question = target.find('?');
    return question == std::string_view::npos ? std::string_view() : target.substr(question);
}

}  // namespace

int method_status(std::string_view method) {
    if (method == "GET" || method == "HEAD") return 0;
    // OPTIONS too: this server has nothing to say about a resource's options beyond Allow, and
    // no cross-origin preflight to answer, so it is refused like nginx's static handler does.
    for (const std::string_view known :
         {"POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
        if (method == known) return 405;
    }
    return 501;
}

Response StaticFiles::handle(const net::http::Request& request, FileCache* cache,
                             std::chrono::steady_clock::time_point now) const {
    if (const int status = method_status(request.method); status != 0) {
        Response response = error_response(status);
        // RFC 9110 15.5.6: a 405 says which methods the target does support.
        if (status == 405) response.add("Allow", "GET, HEAD");
        return response;
    }
    const PathResult parsed = parse_request_path(request.target, {.hidden = options_.hidden});
    if (!parsed.path) {
        switch (parsed.error) {
            case PathError::kHidden:
                return not_found();
            case PathError::kForbidden:
                return error_response(403);
            case PathError::kBadRequest:
                break;
        }
        return error_response(400);
    }
    const RequestPath& path = *parsed.path;

    if (cache != nullptr) {
        // "dir/" is served by dir/index.html when there is one: look that up directly.
        const std::string key =
            path.trailing_slash || path.relative.empty()
                ? (path.relative.empty() ? "" : path.relative + "/") + "index.html"
                : path.relative;
        if (const CachedFile* hit = cache->find(key, now)) return serve_cached(request, *hit);
    }

    const OpenedFile opened = root_.open(path.relative);
    if (!opened.fd) {
        const int status = status_for_open_error(opened.error);
        if (status == 503) {
            Response busy = error_response(503);
            busy.add("Retry-After", "1");
            return busy;
        }
        return status == 404 ? not_found() : error_response(status);
    }
    if (S_ISDIR(opened.info.st_mode)) {
        if (!path.trailing_slash && !path.relative.empty()) {
            Response response = error_response(301);
            response.add("Location", percent_encode_path("/" + path.relative + "/") +
                                         std::string(query_of(request.target)));
            return response;
        }
        return serve_directory(request, opened, path.relative, cache, now);
    }
    if (!S_ISREG(opened.info.st_mode)) return error_response(403);
    if (path.trailing_slash) return not_found();  // "file.txt/" names no file
    return serve_opened(request, opened, path.relative, cache, now);
}

Response StaticFiles::serve_directory(const net::http::Request& request,
                                      const OpenedFile& directory, const std::string& relative,
                                      FileCache* cache,
                                      std::chrono::steady_clock::time_point now) const {
    const std::string prefix = relative.empty() ? "" : relative + "/";
    const OpenedFile index = root_.open(prefix + "index.html");
    if (index.fd && S_ISREG(index.info.st_mode)) {
        return serve_opened(request, index, prefix + "index.html", cache, now);
    }
    if (!options_.listing) return error_response(403);
    auto entries = root_.list(*directory.fd);
    if (!options_.hidden) {
        std::erase_if(entries,
                      [](const DirectoryEntry& entry) { return is_hidden_name(entry.name); });
    }
    Response response;
    response.body = render_directory_listing("/" + prefix, std::move(entries));
    response.add("Content-Type", "text/html; charset=utf-8");
    response.add("Cache-Control", "no-cache");
    return response;
}

Response StaticFiles::serve_opened(const net::http::Request& request, const OpenedFile& file,
                                   const std::string& relative, FileCache* cache,
                                   std::chrono::steady_clock::time_point now) const {
    if (cache != nullptr) {
        if (const CachedFile* cached =
                cache->insert(relative, file, types_.type_for(relative), now)) {
            return serve_cached(request, *cached);
        }
    }
    const auto size = static_cast<std::uint64_t>(file.info.st_size);
    FileFacts facts;
    facts.size = size;
    facts.validators = {
        net::http::make_etag(size, file.info.st_mtim.tv_sec, file.info.st_mtim.tv_nsec),
        file.info.st_mtim.tv_sec};
    facts.last_modified = net::http::format_http_date(facts.validators.last_modified);
    facts.content_type = types_.type_for(relative);
    return serve_file(request, facts, {.file = &file, .memory = nullptr});
}

Response StaticFiles::serve_cached(const net::http::Request& request,
                                   const CachedFile& cached) const {
    const FileFacts facts{cached.body.size(), cached.validators, cached.last_modified,
                          cached.content_type};
    return serve_file(request, facts, {.file = nullptr, .memory = &cached.body});
}

// Conditional requests, ranges and the body, the same whether the bytes are in memory or on disk.
Response StaticFiles::serve_file(const net::http::Request& request, const FileFacts& facts,
                                 FileBody body) const {
    Response response;
    if (net::http::not_modified(request.headers.get("If-None-Match"),
                                request.headers.get("If-Modified-Since"), facts.validators)) {
        response.status = 304;
        response.add("ETag", facts.validators.etag);
        response.add("Last-Modified", facts.last_modified);
        return response;
    }

    std::uint64_t offset = 0;
    std::uint64_t length = facts.size;
    const auto range_header = request.headers.get("Range");
    if (range_header &&
        net::http::if_range_allows(request.headers.get("If-Range"), facts.validators)) {
        const net::http::RangeDecision decision =
            net::http::decide_range(*range_header, facts.size);
        if (decision.outcome == net::http::RangeOutcome::kUnsatisfiable) {
            Response refused = error_response(416);
            refused.add("Content-Range", "bytes */" + std::to_string(facts.size));
            return refused;
        }
        if (decision.outcome == net::http::RangeOutcome::kPartial) {
            response.status = 206;
            response.add("Content-Range", net::http::content_range(decision.range, facts.size));
            offset = decision.range.first;
            length = decision.range.length();
        }
    }
    response.add("Content-Type", std::string(facts.content_type));
    response.add("Last-Modified", facts.last_modified);
    response.add("ETag", facts.validators.etag);
    response.add("Accept-Ranges", "bytes");

    const bool head = request.method == "HEAD";
    if (body.memory != nullptr) {
        if (head) {
            response.declared_length = length;
        } else {
            response.body.assign(*body.memory, static_cast<std::size_t>(offset),
                                 static_cast<std::size_t>(length));
        }
        return response;
    }
    if (length <= kInlineFileBytes) {
        // Small: read it now, so head and body leave together in one write.
        if (head) {
            response.declared_length = length;
        } else if (!read_exactly(body.file->fd->get(), offset, length, response.body)) {
            return error_response(500);
        }
        return response;
    }
    response.file = body.file->fd;
    response.file_offset = offset;
    response.file_length = length;
    return response;
}

Response StaticFiles::not_found() const {
    Response response = error_response(404);
    const OpenedFile page = root_.open("404.html");
    if (page.fd && S_ISREG(page.info.st_mode) &&
        static_cast<std::uint64_t>(page.info.st_size) <= kMaxErrorPageBytes) {
        std::string body;
        if (read_exactly(page.fd->get(), 0, static_cast<std::uint64_t>(page.info.st_size), body)) {
            response.body = std::move(body);
        }
    }
    return response;
}

}  // namespace web
