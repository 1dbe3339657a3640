// Request targets to relative paths: percent-decoding per segment, dot segments resolved without
// ever climbing above the document root.
#include "request_path.hpp"

#include <vector>

#include "common/ascii.hpp"
#include "common/percent_encoding.hpp"

namespace web {
namespace {

// RFC 3986 2.3 unreserved characters: the only ones a path segment never needs to escape.
constexpr bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

// RFC 8615: the one hidden name a site is expected to serve, as the first segment of a path.
constexpr std::string_view kWellKnown = ".well-known";

PathResult refuse(PathError error) {
    PathResult result;
    result.error = error;
    return result;
}

// The path of an absolute-form target ("http://host:8080/a?b" -> "/a?b"), or nullopt when it is
// not an http(s) URI with a host. RFC 9112 3.2.2: a server must accept absolute-form.
std::optional<std::string_view> absolute_form_path(std::string_view target) {
    std::size_t scheme_length = 0;
    if (target.size() >= 7 && net::iequals(target.substr(0, 7), "http://")) {
        scheme_length = 7;
    } else if (target.size() >= 8 && net::iequals(target.substr(0, 8), "https://")) {
        scheme_length = 8;
    } else {
        return std::nullopt;
    }
    target.remove_prefix(scheme_length);
    const auto authority_end = target.find_first_of("/?#");
    const auto authority = target.substr(0, authority_end);
    // RFC 9110 4.2.1: an empty host is invalid; 4.2.4: userinfo is treated as an error.
    if (authority.empty() || authority.front() == ':' ||
        authority.find('@') != std::string_view::npos) {
        return std::nullopt;
    }
    if (authority_end == std::string_view::npos) return std::string_view("/");
    target.remove_prefix(authority_end);
    // "http://host?q" has an empty path, which means "/" (RFC 9110 4.2.3).
    return target.front() == '/' ? target : std::string_view("/");
}

}  // namespace

std::string percent_encode_path(std::string_view path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(path.size());
    for (const char c : path) {
        if (is_unreserved(c) || c == '/') {
            out.push_back(c);
        } else {
            const auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xf]);
        }
    }
    return out;
}

PathResult parse_request_path(std::string_view target, PathRules rules) {
    if (target.empty() || target.front() != '/') {
        const auto path = absolute_form_path(target);
        if (!path) return refuse(PathError::kBadRequest);  // "*", authority-form, garbage
        target = *path;
    }
    // The query and fragment are not part of the file's name.
    target = target.substr(0, target.find_first_of("?#"));

    std::vector<std::string> segments;
    bool trailing_slash = false;
    target.remove_prefix(1);  // the leading '/'
    while (true) {
        const auto slash = target.find('/');
        const auto raw = target.substr(0, slash);
        auto segment = net::percent_decode(raw);
        if (!segment) return refuse(PathError::kBadRequest);
        // A decoded '/' would merge two names into one; NUL ends a C string early; a backslash
        // is a separator on other systems. None can name a file we serve.
        if (segment->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
            return refuse(PathError::kForbidden);
        }
        if (*segment == "..") {
            if (segments.empty()) return refuse(PathError::kForbidden);
            segments.pop_back();
        } else if (!segment->empty() && *segment != ".") {
            segments.push_back(std::move(*segment));
        }
        if (slash == std::string_view::npos) {
            trailing_slash = raw.empty();
            break;
        }
        target.remove_prefix(slash + 1);
    }

    // Checked on the resolved segments: these, and only these, are what is opened.
    if (!rules.hidden) {
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (is_hidden_name(segments[i]) && !(i == 0 && segments[i] == kWellKnown)) {
                return refuse(PathError::kHidden);
            }
        }
    }

    RequestPath path;
    for (const auto& segment : segments) {
        if (!path.relative.empty()) path.relative.push_back('/');
        path.relative += segment;
    }
    path.trailing_slash = trailing_slash;
    PathResult result;
    result.path = std::move(path);
    return result;
}

}  // namespace web
