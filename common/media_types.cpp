// Content types by extension: a built-in table (searched with std::lower_bound), and MediaTypes,
// which adds a mime.types file to it in one hash map.
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
    // The web needs this one exact (a browser refuses a script, style sheet or module with another
    // type, shows images and pages only with theirs): it wins over a mime.types file.
    bool exact = false;
};

// Text types (and the JSON/XML/SVG ones browsers treat as text) say their charset, so a UTF-8
// file is never decoded as windows-1252. JavaScript is text/javascript (RFC 9239).
constexpr std::array kTypes = std::to_array<MimeType>({
    {"7z", "application/x-7z-compressed", false},
    {"aac", "audio/aac", false},
    {"apng", "image/apng", true},
    {"avif", "image/avif", true},
    {"bmp", "image/bmp", true},
    {"bz2", "application/x-bzip2", false},
    {"css", "text/css; charset=utf-8", true},
    {"csv", "text/csv; charset=utf-8", false},
    {"doc", "application/msword", false},
    {"eot", "application/vnd.ms-fontobject", false},
    {"epub", "application/epub+zip", false},
    {"flac", "audio/flac", false},
    {"gif", "image/gif", true},
    {"gz", "application/gzip", false},
    {"htm", "text/html; charset=utf-8", true},
    {"html", "text/html; charset=utf-8", true},
    {"ico", "image/vnd.microsoft.icon", true},
    {"ics", "text/calendar; charset=utf-8", false},
    {"jpeg", "image/jpeg", true},
    {"jpg", "image/jpeg", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"json", "application/json; charset=utf-8", true},
    {"jsonld", "application/ld+json; charset=utf-8", false},
    {"log", "text/plain; charset=utf-8", false},
    {"m4a", "audio/mp4", false},
    {"map", "application/json; charset=utf-8", true},
    {"md", "text/markdown; charset=utf-8", false},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"mkv", "video/x-matroska", false},
    {"mov", "video/quicktime", false},
    {"mp3", "audio/mpeg", false},
    {"mp4", "video/mp4", false},
    {"mpeg", "video/mpeg", false},
    {"mpg", "video/mpeg", false},
    {"oga", "audio/ogg", false},
    {"ogg", "audio/ogg", false},
    {"ogv", "video/ogg", false},
    {"opus", "audio/ogg", false},
    {"otf", "font/otf", false},
    {"pdf", "application/pdf", false},
    {"png", "image/png", true},
    {"rss", "application/rss+xml; charset=utf-8", false},
    {"svg", "image/svg+xml; charset=utf-8", true},
    {"tar", "application/x-tar", false},
    {"tif", "image/tiff", false},
    {"tiff", "image/tiff", false},
    {"ttf", "font/ttf", false},
    {"txt", "text/plain; charset=utf-8", true},
    {"vtt", "text/vtt; charset=utf-8", false},
    {"wasm", "application/wasm", true},
    {"wav", "audio/wav", false},
    {"weba", "audio/webm", false},
    {"webm", "video/webm", false},
    {"webmanifest", "application/manifest+json; charset=utf-8", true},
    {"webp", "image/webp", true},
    {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},
    {"xhtml", "application/xhtml+xml; charset=utf-8", true},
    {"xml", "application/xml; charset=utf-8", true},
    {"xz", "application/x-xz", false},
    {"zip", "application/zip", false},
    {"zst", "application/zstd", false},
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
constexpr std::size_t kLongestBuiltIn = 16;  // longer extensions cannot be in kTypes

// The extension of the last segment of `file_name`, or "" when it has none (".bashrc" is a name,
// not an extension).
std::string_view extension_of(std::string_view file_name) {
    const auto slash = file_name.rfind('/');
    if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
    const auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return {};
    return file_name.substr(dot + 1);
}

// Lower-cases `extension` into `buffer`, which must be at least as long.
template <std::size_t N>
std::string_view lower_into(std::array<char, N>& buffer, std::string_view extension) {
    std::transform(extension.begin(), extension.end(), buffer.begin(), to_lower_ascii);
    return {buffer.data(), extension.size()};
}

// RFC 9110 5.6.2 tchar: what a type, a subtype and (here) an extension are made of.
constexpr bool is_tchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
}

// "type/subtype", both tokens, nothing else.
bool is_media_type(std::string_view text) {
    const auto slash = text.find('/');
    return slash != std::string_view::npos && is_token(text.substr(0, slash)) &&
           is_token(text.substr(slash + 1));
}

bool iends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           iequals(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
    const auto extension = extension_of(file_name);
    if (extension.empty() || extension.size() > kLongestBuiltIn) return kDefaultType;
    std::array<char, kLongestBuiltIn> lower{};
    const auto key = lower_into(lower, extension);
    const auto it = std::lower_bound(
        kTypes.begin(), kTypes.end(), key,
        [](const MimeType& entry, std::string_view wanted) { return entry.extension < wanted; });
    return it != kTypes.end() && it->extension == key ? it->type : kDefaultType;
}

bool is_text_type(std::string_view type) {
    if (type.size() >= 5 && iequals(type.substr(0, 5), "text/")) return true;
    for (const std::string_view text : {"application/json", "application/javascript",
                                        "application/xml", "application/ecmascript"}) {
        if (iequals(type, text)) return true;
    }
    // Structured syntax suffixes (RFC 6839): "application/ld+json", "image/svg+xml".
    return iends_with(type, "+json") || iends_with(type, "+xml");
}

std::vector<MimeTypesEntry> parse_mime_types(std::string_view text) {
    std::vector<MimeTypesEntry> entries;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        line = line.substr(0, line.find('#'));  // a comment runs to the end of the line

        // Fields are separated by spaces and tabs (and a '\r' from a file written on Windows).
        constexpr std::string_view kBlanks = " \t\r\f\v";
        std::string_view type;
        while (true) {
            const auto begin = line.find_first_not_of(kBlanks);
            if (begin == std::string_view::npos) break;
            line.remove_prefix(begin);
            const auto field = line.substr(0, line.find_first_of(kBlanks));
            line.remove_prefix(field.size());
            if (type.empty()) {
                if (!is_media_type(field)) break;  // not a type: the line says nothing we use
                type = field;
            } else if (is_token(field) && field.find('/') == std::string_view::npos) {
                entries.push_back({type, field});
            }
        }
    }
    return entries;
}

MediaTypes::MediaTypes(std::string_view mime_types_text) {
    for (const auto& entry : parse_mime_types(mime_types_text)) {
        if (entry.extension.size() > kLongestExtension) continue;  // could never be looked up
        std::string type(entry.type);
        if (is_text_type(type)) type += "; charset=utf-8";
        std::array<char, kLongestExtension> lower{};
        // A later line wins, as in python's mimetypes (what python3 -m http.server serves with).
        types_.insert_or_assign(std::string(lower_into(lower, entry.extension)), std::move(type));
    }
    for (const auto& builtin : kTypes) {
        if (builtin.exact) {
            types_.insert_or_assign(std::string(builtin.extension), std::string(builtin.type));
        } else {
            types_.try_emplace(std::string(builtin.extension), builtin.type);
        }
    }
}

std::string_view MediaTypes::type_for(std::string_view file_name) const {
    const auto extension = extension_of(file_name);
    if (extension.empty() || extension.size() > kLongestExtension) return kDefaultType;
    std::array<char, kLongestExtension> lower{};
    const auto it = types_.find(lower_into(lower, extension));
    return it != types_.end() ? std::string_view(it->second) : kDefaultType;
}

}  // namespace net
