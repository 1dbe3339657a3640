// Conditional GET (RFC 9110 13.1.2 If-None-Match, 13.1.3 If-Modified-Since, 13.1.5 If-Range,
// 13.2.2 precedence) and the ETag it compares against.
#include "http_conditional.hpp"

#include <array>
#include <charconv>

#include "http_date.hpp"
#include "http_fields.hpp"

namespace net::http {
namespace {

// etagc = %x21 / %x23-7E / obs-text: anything visible but DQUOTE (a comma is allowed).
constexpr bool is_etagc(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

struct EntityTag {
    bool weak = false;
    std::string_view opaque;  // with its quotes
};

// Reads one entity-tag (`[ "W/" ] DQUOTE *etagc DQUOTE`) from the front of `text`.
std::optional<EntityTag> read_entity_tag(std::string_view& text) {
    EntityTag tag;
    if (text.starts_with("W/")) {
        tag.weak = true;
        text.remove_prefix(2);
    }
    if (text.empty() || text.front() != '"') return std::nullopt;
    std::size_t end = 1;
    while (end < text.size() && is_etagc(text[end]))
        ++end;
    if (end == text.size() || text[end] != '"') return std::nullopt;
    tag.opaque = text.substr(0, end + 1);
    text.remove_prefix(end + 1);
    return tag;
}

// RFC 9110 13.1.2: "*" matches any current representation; otherwise a list of entity-tags,
// compared weakly (W/"x" matches "x"). A malformed list matches nothing.
bool if_none_match_matches(std::string_view value, std::string_view current_etag) {
    if (value == "*") return true;
    std::string_view ours = current_etag;
    const auto current = read_entity_tag(ours);
    if (!current || !ours.empty()) return false;
    bool matched = false;
    bool any = false;
    while (true) {
        // #entity-tag: elements separated by commas with OWS around them; empty ones allowed.
        while (!value.empty() && (is_ows(value.front()) || value.front() == ',')) {
            value.remove_prefix(1);
        }
        if (value.empty()) break;
        const auto tag = read_entity_tag(value);
        if (!tag) return false;
        any = true;
        matched = matched || tag->opaque == current->opaque;
        while (!value.empty() && is_ows(value.front()))
            value.remove_prefix(1);
        if (!value.empty() && value.front() != ',') return false;
    }
    return any && matched;
}

}  // namespace

std::string make_etag(std::uint64_t size, std::int64_t mtime_seconds, std::int64_t mtime_nanos) {
    // "size-seconds-nanos" in hex; the signed times are written as their two's-complement bits,
    // so a pre-1970 mtime still gives a distinct, quote-safe tag.
    const auto hex = [](std::uint64_t value) {
        std::array<char, 16> digits{};
        const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value, 16);
        return std::string(digits.data(), result.ptr);
    };
    return "\"" + hex(size) + "-" + hex(static_cast<std::uint64_t>(mtime_seconds)) + "-" +
           hex(static_cast<std::uint64_t>(mtime_nanos)) + "\"";
}

bool not_modified(std::optional<std::string_view> if_none_match,
                  std::optional<std::string_view> if_modified_since, const Validators& current) {
    // RFC 9110 13.2.2: If-None-Match, when present, decides alone.
    if (if_none_match) return if_none_match_matches(*if_none_match, current.etag);
    if (!if_modified_since) return false;
    // An invalid date is ignored (13.1.3): the full response is sent.
    const auto since = parse_http_date(*if_modified_since);
    return since && current.last_modified <= *since;
}

bool if_range_allows(std::optional<std::string_view> if_range, const Validators& current) {
    if (!if_range) return true;
    std::string_view value = *if_range;
    // RFC 9110 13.1.5: an entity-tag starts with DQUOTE or "W/"; anything else is a date.
    if (value.starts_with('"') || value.starts_with("W/")) {
        const auto tag = read_entity_tag(value);
        // Strong comparison: a weak tag never matches, nor does anything after the tag.
        return tag && value.empty() && !tag->weak && tag->opaque == current.etag;
    }
    const auto date = parse_http_date(value);
    return date && *date == current.last_modified;
}

}  // namespace net::http
