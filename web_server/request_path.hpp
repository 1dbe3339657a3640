// From a request target to a safe relative path under the document root. Pure string work; the
// file system checks (symlinks leaving ROOT) are done when opening, in file_opener.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace web {

// Percent-encodes everything but unreserved characters and '/' (for hrefs and Location).
std::string percent_encode_path(std::string_view path);

enum class PathError {
    kBadRequest,  // 400: not origin-form, malformed escape
    kForbidden,   // 403: NUL, backslash, an encoded '/', or a ".." that would climb out of ROOT
    kHidden,      // 404: a hidden name (one beginning with '.'); 404 rather than 403, so the
                  // answer does not confirm that it exists
};

// The rules a path must keep beyond staying beneath ROOT.
struct PathRules {
    // Serve names beginning with '.' (".env", ".git/config"). Without it, only the first
    // segment ".well-known" is allowed (RFC 8615); hidden names below it are still refused.
    bool hidden = false;
};

// Whether `name`, one segment of a path, is hidden: it begins with '.'.
constexpr bool is_hidden_name(std::string_view name) {
    return !name.empty() && name.front() == '.';
}

struct RequestPath {
    std::string relative;  // "docs/a b.txt", "" for the root; never starts with '/', no "." or
                           // ".." segments, no empty segments
    bool trailing_slash = false;  // the decoded path ended in '/'
};

// Turns an origin-form target ("/docs/a%20b.txt?x=1") into a RequestPath: the query and any
// fragment are dropped, the path is decoded segment by segment (an encoded "%2f" inside a
// segment is refused), "." segments are removed, ".." segments climbing above the root are
// refused, and "//" collapses. An absolute-form target ("http://host/path") uses its path.
// Then, unless `rules.hidden`, a resolved path with a hidden segment is refused (kHidden), however
// the target spelled it ("%2e", "/a/../.git"), except for a first segment ".well-known".
struct PathResult {
    std::optional<RequestPath> path;
    PathError error = PathError::kBadRequest;
};
PathResult parse_request_path(std::string_view target, PathRules rules = {});

}  // namespace web
