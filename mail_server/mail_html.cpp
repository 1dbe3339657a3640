// Renaming the elements of a mail's HTML that reach the network before CSP is asked.
#include "mail_html.hpp"

#include <array>

#include "common/ascii.hpp"
#include "common/percent_encoding.hpp"

namespace mail {
namespace {

constexpr std::array<std::string_view, 15> kNetworkElements = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe",
    "link",   "meta",  "base",     "video",  "audio", "source", "track",
};

bool is_ascii_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Where a tag name starting at `begin` ends: whitespace, '/' or '>' (HTML's tag name state).
std::size_t tag_name_end(std::string_view html, std::size_t begin) {
    std::size_t end = begin;
    while (end < html.size()) {
        const char c = html[end];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>')
            break;
        ++end;
    }
    return end;
}

bool reaches_network(std::string_view name) {
    for (const auto element : kNetworkElements) {
        if (net::iequals(name, element)) return true;
    }
    return false;
}

}  // namespace

std::string inert_html(std::string_view html) {
    std::string out;
    out.reserve(html.size() + 16);
    std::size_t copied = 0;
    std::size_t pos = html.find('<');
    while (pos != std::string_view::npos) {
        std::size_t name = pos + 1;
        if (name < html.size() && html[name] == '/') ++name;
        if (name < html.size() && is_ascii_letter(html[name])) {
            const std::size_t end = tag_name_end(html, name);
            if (reaches_network(html.substr(name, end - name))) {
                out.append(html.substr(copied, name - copied));
                out += "x-";
                copied = name;
            }
            pos = html.find('<', end);
        } else {
            pos = html.find('<', pos + 1);
        }
    }
    out.append(html.substr(copied));
    return out;
}

std::string inline_cid_images(std::string_view html, const CidLookup& lookup) {
    constexpr std::string_view kScheme = "cid:";
    constexpr std::string_view kOpeners = "\"'=(";
    constexpr std::string_view kEnds = "\"' \t\r\n\f>)";
    std::string out;
    std::size_t copied = 0;
    for (std::size_t pos = html.find(':'); pos != std::string_view::npos;
         pos = html.find(':', pos + 1)) {
        if (pos < 3 || !net::iequals(html.substr(pos - 3, kScheme.size()), kScheme)) continue;
        const std::size_t start = pos - 3;
        if (start == 0 || kOpeners.find(html[start - 1]) == std::string_view::npos) continue;
        std::size_t end = html.find_first_of(kEnds, pos + 1);
        if (end == std::string_view::npos) end = html.size();
        const auto id = net::percent_decode_lenient(html.substr(pos + 1, end - pos - 1));
        if (id.empty()) continue;
        const auto replacement = lookup(id);
        if (!replacement) continue;
        out.append(html.substr(copied, start - copied));
        out += *replacement;
        copied = end;
        pos = end - 1;
    }
    if (copied == 0) return std::string(html);
    out.append(html.substr(copied));
    return out;
}

}  // namespace mail
