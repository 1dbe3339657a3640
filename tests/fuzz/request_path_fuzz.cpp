// libFuzzer target for web_server's percent-decoding and path resolution. Checks:
// - percent-encoding then decoding gives back any bytes, and encoding writes only unreserved
//   characters, '/' and escapes;
// - a resolved path is always inside the root: joined to a root and normalised it stays under
//   it, and names what the decoded target names there; a target whose decoded path climbs above
//   the root at any step ("/a/../..", "/%2e%2e/x", "\" as a separator) is refused;
// - the query, the fragment and an absolute-form prefix change nothing;
// - unless hidden names are allowed, no resolved path has a segment beginning with '.' other than
//   a first segment ".well-known", and that rule refuses (kHidden) exactly the paths that it
//   changes: every other target gets the same answer with hidden names allowed or not.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/percent_encoding.hpp"
#include "tests/fuzz/check.hpp"
#include "web_server/request_path.hpp"

namespace {

using fuzz::check;

constexpr std::string_view kRoot = "/srv/root";

bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

void check_percent_round_trip(std::string_view bytes) {
    const std::string encoded = web::percent_encode_path(bytes);
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        const char c = encoded[i];
        if (c == '%') {
            check(i + 2 < encoded.size() && is_hex(encoded[i + 1]) && is_hex(encoded[i + 2]));
            i += 2;
        } else {
            check(is_unreserved(c) || c == '/');
        }
    }
    check(net::percent_decode(encoded) == std::string(bytes));
}

// Whether `path` (decoded, from its leading '/') goes above the root at some step when '/' and
// '\' both separate names: the walk a careless server would do.
bool climbs(std::string_view path) {
    long depth = 0;
    while (!path.empty()) {
        const auto separator = path.find_first_of("/\\");
        const auto name = path.substr(0, separator);
        if (name == "..") {
            if (--depth < 0) return true;
        } else if (!name.empty() && name != ".") {
            ++depth;
        }
        if (separator == std::string_view::npos) break;
        path.remove_prefix(separator + 1);
    }
    return false;
}

std::string without_trailing_slash(std::string text) {
    while (text.size() > 1 && text.back() == '/')
        text.pop_back();
    return text;
}

// `target` is origin-form ("/...").
void check_inside_root(std::string_view target, const web::PathResult& result) {
    const auto path_part = target.substr(0, target.find_first_of("?#"));
    const auto decoded = net::percent_decode(path_part);
    if (decoded && climbs(*decoded)) check(!result.path);
    if (!result.path) return;
    check(decoded.has_value());
    const std::string& relative = result.path->relative;
    check(result.path->trailing_slash == path_part.ends_with('/'));

    namespace fs = std::filesystem;
    const fs::path root(kRoot);
    const fs::path joined = (root / relative).lexically_normal();
    // Normalising changes nothing: the relative path has no "." or ".." to remove.
    check(without_trailing_slash(joined.string()) ==
          without_trailing_slash((root / relative).string()));
    const fs::path inside = joined.lexically_relative(root);
    check(!inside.empty() && *inside.begin() != "..");
    // What the decoded target names under the root, as the file system reads it.
    const fs::path named = fs::path(std::string(kRoot) + *decoded).lexically_normal();
    check(without_trailing_slash(named.string()) == without_trailing_slash(joined.string()));
}

// The paths that hidden names change: with `rules.hidden` off, a resolved path never holds one
// (a first segment ".well-known" aside), and the only difference from `allowed` is kHidden.
void check_hidden_rule(std::string_view target, const web::PathResult& allowed) {
    const auto result = web::parse_request_path(target, {.hidden = false});
    if (!allowed.path) {
        check(!result.path && result.error == allowed.error);
        return;
    }
    bool hidden = false;
    std::string_view rest = allowed.path->relative;
    for (bool first = true; !rest.empty(); first = false) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        if (segment.starts_with('.') && !(first && segment == ".well-known")) hidden = true;
        rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
    }
    if (hidden) {
        check(!result.path && result.error == web::PathError::kHidden);
    } else {
        check(result.path && result.path->relative == allowed.path->relative &&
              result.path->trailing_slash == allowed.path->trailing_slash);
    }
}

void check_path(std::string_view target) {
    const auto result = web::parse_request_path(target, {.hidden = true});
    check_hidden_rule(target, result);
    if (result.path) {
        const std::string& relative = result.path->relative;
        check(!relative.starts_with('/'));
        check(relative.find('\0') == std::string::npos);
        check(relative.find('\\') == std::string::npos);
        // Re-encoding the result and parsing it again is a fixed point.
        const auto again =
            web::parse_request_path("/" + web::percent_encode_path(relative), {.hidden = true});
        check(again.path && again.path->relative == relative);
    }
    if (!target.starts_with('/')) return;
    check_inside_root(target, result);

    const auto same = [&](const web::PathResult& other) {
        check(other.path.has_value() == result.path.has_value());
        if (result.path) {
            check(other.path->relative == result.path->relative &&
                  other.path->trailing_slash == result.path->trailing_slash);
        } else {
            check(other.error == result.error);
        }
    };
    same(web::parse_request_path("http://fuzz.test" + std::string(target), {.hidden = true}));
    if (target.find_first_of("?#") == std::string_view::npos) {
        same(web::parse_request_path(std::string(target) + "?x=/../..#y", {.hidden = true}));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_percent_round_trip(bytes);
    check_path(bytes);
    check_path("/" + std::string(bytes));
    return 0;
}
