// The HTML page listing a directory's entries: sorted, names escaped, links that work.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace web {

struct DirectoryEntry {
    std::string name;  // raw file name bytes
    bool is_directory = false;
    std::uint64_t size = 0;
    std::time_t modified = 0;
};

// `url_path` is the decoded path of the directory as requested, ending in '/' ("/docs/").
// Directories first, then files, each group sorted by name (byte order); a "../" link except at
// the root; names HTML-escaped, hrefs percent-encoded (and directories' hrefs end in '/');
// sizes human-readable ("1.5 KiB"), dates as "2026-11-25 04:14". A complete UTF-8 HTML document.
std::string render_directory_listing(std::string_view url_path,
                                     std::vector<DirectoryEntry> entries);

}  // namespace web
