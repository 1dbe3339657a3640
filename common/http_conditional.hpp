// Conditional requests (RFC 9110 13): If-None-Match, If-Modified-Since and If-Range, decided
// from header values and a representation's validators. Pure: web_server answers them for its
// files, and a proxy cache can answer them for what it stores.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace net::http {

// What identifies one version of a representation (a file, a stored response).
struct Validators {
    std::string etag;  // strong, quoted: "\"5f1a2b-3e8\"" (from size and mtime)
    std::time_t last_modified = 0;
};

// A strong ETag from a file's size and modification time (nanoseconds included).
std::string make_etag(std::uint64_t size, std::int64_t mtime_seconds, std::int64_t mtime_nanos);

// True when a GET/HEAD should get 304 Not Modified: If-None-Match (weak comparison, "*", lists)
// matches; or, only when If-None-Match is absent, If-Modified-Since is a valid date not earlier
// than last_modified.
bool not_modified(std::optional<std::string_view> if_none_match,
                  std::optional<std::string_view> if_modified_since, const Validators& current);

// True when a Range may be honoured under If-Range: absent, or a strong ETag equal to ours, or an
// HTTP date exactly equal to last_modified. Otherwise the whole file is sent (200).
bool if_range_allows(std::optional<std::string_view> if_range, const Validators& current);

}  // namespace net::http
