// Content types by extension: one sorted constexpr table, searched with std::lower_bound.
#include "media_types.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "ascii.hpp"

namespace net {
namespace {

struct MimeType {
    std::string_view extension;  // lower case, no dot
    std::string_view type;
};

// Text types (and the JSON/XML/SVG ones browsers treat as text) say their charset, so a UTF-8
// file is never decoded as windows-1252. JavaScript is text/javascript (RFC 9239).
constexpr std::array kTypes = std::to_array<MimeType>({
    {"7z", "application/x-7z-compressed"},
    {"aac", "audio/aac"},
    {"apng", "image/apng"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"bz2", "application/x-bzip2"},
    {"css", "text/css; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"doc", "application/msword"},
    {"eot", "application/vnd.ms-fontobject"},
    {"epub", "application/epub+zip"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/vnd.microsoft.icon"},
    {"ics", "text/calendar; charset=utf-8"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"jsonld", "application/ld+json; charset=utf-8"},
    {"log", "text/plain; charset=utf-8"},
    {"m4a", "audio/mp4"},
    {"map", "application/json; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"mkv", "video/x-matroska"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"opus", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"rss", "application/rss+xml; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"tar", "application/x-tar"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"vtt", "text/vtt; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"weba", "audio/webm"},
    {"webm", "video/webm"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xhtml", "application/xhtml+xml; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"xz", "application/x-xz"},
    {"zip", "application/zip"},
    {"zst", "application/zstd"},
});

constexpr bool by_extension(const MimeType& a, const MimeType& b) {
    return a.extension < b.extension;
}
static_assert(std::is_sorted(kTypes.begin(), kTypes.end(), by_extension),
              "kTypes must stay sorted for the binary search");
static_assert(std::adjacent_find(kTypes.begin(), kTypes.end(),
                                 [](const MimeType& a, const MimeType& b) {
                                     return a.extension == b.extension;
                                 }) == kTypes.end(),
              "kTypes must not list an extension twice");

constexpr std::string_view kDefaultType = "application/octet-stream";
constexpr std::size_t kLongestExtension = 16;  // longer ones cannot be in the table

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
    const auto slash = file_name.rfind('/');
    if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
    const auto dot = file_name.rfind('.');
    // No dot, or only a leading one (".bashrc" is a name, not an extension).
    if (dot == std::string_view::npos || dot == 0) return kDefaultType;
    const auto extension = file_name.substr(dot + 1);
    if (extension.empty() || extension.size() > kLongestExtension) return kDefaultType;

    std::array<char, kLongestExtension> lower{};
    std::transform(extension.begin(), extension.end(), lower.begin(), to_lower_ascii);
    const std::string_view key(lower.data(), extension.size());
    const auto it = std::lower_bound(
        kTypes.begin(), kTypes.end(), key,
        [](const MimeType& entry, std::string_view wanted) { return entry.extension < wanted; });
    return it != kTypes.end() && it->extension == key ? it->type : kDefaultType;
}

}  // namespace net
