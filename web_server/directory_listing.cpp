// Directory listings as a small HTML5 page: escaped names, percent-encoded relative links.
#include "directory_listing.hpp"
#include "common/html.hpp"
#include "common/http_date.hpp"

#include <time.h>  // gmtime_r
#include <algorithm>
#include <array>

#include "request_path.hpp"

namespace web {
namespace {

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;background:#fff}"
    "h1{font-size:1.3em;font-weight:600;word-break:break-all}"
    "table{border-collapse:collapse;min-width:50%}"
    "th,td{padding:.25em 1.5em .25em 0;text-align:left;white-space:nowrap}"
    "th{border-bottom:1px solid #ccc}"
    "td.size,th.size{text-align:right}"
    "td.modified{font-family:ui-monospace,monospace;color:#555}"
    "tbody tr:hover{background:#f3f6fa}"
    "a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}";

// "2026-11-25 04:14", UTC.
std::string format_modified(std::time_t when) {
    std::tm tm{};
    if (gmtime_r(&when, &tm) == nullptr || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        return "-";
    }
    std::string out;
    net::http::append_zero_padded(out, tm.tm_year + 1900, 4);
    out.push_back('-');
    net::http::append_zero_padded(out, tm.tm_mon + 1, 2);
    out.push_back('-');
    net::http::append_zero_padded(out, tm.tm_mday, 2);
    out.push_back(' ');
    net::http::append_zero_padded(out, tm.tm_hour, 2);
    out.push_back(':');
    net::http::append_zero_padded(out, tm.tm_min, 2);
    return out;
}

// "512 B", "1.5 KiB", "3.0 GiB": integer arithmetic, rounded to one decimal (no locale, no
// floating point).
std::string format_size(std::uint64_t size) {
    if (size < 1024) return std::to_string(size) + " B";
    constexpr std::array<std::string_view, 6> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    std::size_t unit_index = 0;
    std::uint64_t unit = 1024;
    while (unit_index + 1 < kUnits.size() && size / unit >= 1024) {
        unit *= 1024;
        ++unit_index;
    }
    std::uint64_t whole = size / unit;
    // remainder * 10 < 10 * 2^60 fits in 64 bits for every unit up to EiB.
    std::uint64_t tenths = (size % unit * 10 + unit / 2) / unit;
    if (tenths == 10) {
        ++whole;
        tenths = 0;
    }
    if (whole == 1024 && unit_index + 1 < kUnits.size()) {  // 1023.96 KiB rounds to 1.0 MiB
        whole = 1;
        ++unit_index;
    }
    return std::to_string(whole) + "." + std::to_string(tenths) + " " +
           std::string(kUnits[unit_index]);
}

// A name is one path segment: like percent_encode_path, and a '/' (which no file name on
// POSIX holds, but the entries come from the caller) is encoded too.
std::string percent_encode_segment(std::string_view name) {
    std::string out;
    for (const char c : percent_encode_path(name)) {
        if (c == '/') {
            out += "%2F";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

void append_row(std::string& out, std::string_view href, std::string_view name,
                std::string_view size, std::string_view modified) {
    out += "<tr><td><a href=\"";
    out += net::html_escape(href);
    out += "\">";
    out += net::html_escape(name);
    out += "</a></td><td class=\"size\">";
    out += size;
    out += "</td><td class=\"modified\">";
    out += modified;
    out += "</td></tr>\n";
}

}  // namespace

std::string render_directory_listing(std::string_view url_path,
                                     std::vector<DirectoryEntry> entries) {
    // "." and ".." are not entries to show: the parent gets its own row below.
    std::erase_if(entries, [](const DirectoryEntry& e) { return e.name == "." || e.name == ".."; });
    std::sort(entries.begin(), entries.end(), [](const DirectoryEntry& a, const DirectoryEntry& b) {
        if (a.is_directory != b.is_directory) return a.is_directory;
        return a.name < b.name;  // std::string compares as unsigned bytes
    });

    const std::string title = "Index of " + net::html_escape(url_path);
    std::string out;
    out.reserve(1024 + entries.size() * 160);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + title + "</title>\n";
    out += "<style>";
    out += kStyle;
    out += "</style>\n</head>\n<body>\n<h1>" + title + "</h1>\n";
    out +=
        "<table>\n<thead><tr><th>Name</th><th class=\"size\">Size</th><th>Modified</th></tr>"
        "</thead>\n<tbody>\n";
    if (url_path != "/" && !url_path.empty()) append_row(out, "../", "../", "-", "");
    for (const auto& entry : entries) {
        // Relative hrefs: encoding everything but unreserved bytes keeps '#', '?', '%' and a
        // leading "scheme:" from changing what the link means.
        std::string href = percent_encode_segment(entry.name);
        std::string name = entry.name;
        if (entry.is_directory) {
            href.push_back('/');
            name.push_back('/');
        }
        append_row(out, href, name, entry.is_directory ? "-" : format_size(entry.size),
                   format_modified(entry.modified));
    }
    out += "</tbody>\n</table>\n</body>\n</html>\n";
    return out;
}

}  // namespace web
