// Range header parsing (RFC 9110 14.1.2 grammar, 14.2 semantics, 15.5.17 for 416).
#include "byte_range.hpp"

#include <cstdint>
#include <optional>

#include "ascii.hpp"
#include "http_fields.hpp"

namespace net::http {
namespace {

constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// 1*DIGIT, all of `text`; nullopt when empty, not all digits, or past 2^64-1.
std::optional<std::uint64_t> parse_number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : text) {
        if (!is_digit(c)) return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

// One range-spec as written: "first-last", "first-" or "-suffix".
struct RangeSpec {
    std::optional<std::uint64_t> first;  // absent for a suffix range
    std::optional<std::uint64_t> last;   // absent for "first-"; the length for a suffix range
};

std::optional<RangeSpec> parse_range_spec(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto first_text = text.substr(0, dash);
    const auto last_text = text.substr(dash + 1);
    RangeSpec spec;
    if (first_text.empty()) {  // suffix-range = "-" suffix-length
        spec.last = parse_number(last_text);
        if (!spec.last) return std::nullopt;
        return spec;
    }
    spec.first = parse_number(first_text);
    if (!spec.first) return std::nullopt;
    if (!last_text.empty()) {
        spec.last = parse_number(last_text);
        // RFC 9110 14.1.1: a last-pos below first-pos makes the int-range invalid.
        if (!spec.last || *spec.last < *spec.first) return std::nullopt;
    }
    return spec;
}

// range-set = 1#range-spec: elements separated by commas, OWS allowed next to a comma only,
// empty elements tolerated (RFC 9110 5.6.1.2). The one range-spec, or nullopt when the set is
// malformed, empty, or holds several ranges (which would need multipart/byteranges; RFC 9110
// 14.2 lets a server ignore Range and send the whole representation).
std::optional<RangeSpec> parse_single_range(std::string_view text) {
    std::optional<RangeSpec> found;
    while (true) {
        const auto comma = text.find(',');
        std::string_view element = text.substr(0, comma);
        if (comma != std::string_view::npos) {
            while (!element.empty() && is_ows(element.back()))
                element.remove_suffix(1);
        }
        if (!element.empty()) {
            const auto spec = parse_range_spec(element);
            if (!spec || found) return std::nullopt;
            found = spec;
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
        while (!text.empty() && is_ows(text.front()))
            text.remove_prefix(1);
    }
    return found;
}

// Resolves one range-spec against the representation's size.
RangeDecision resolve(const RangeSpec& spec, std::uint64_t size) {
    RangeDecision decision;
    if (!spec.first) {
        // The last N bytes: a zero length, or an empty file, leaves nothing to send.
        const std::uint64_t suffix = *spec.last;
        if (suffix == 0 || size == 0) {
            decision.outcome = RangeOutcome::kUnsatisfiable;
            return decision;
        }
        decision.outcome = RangeOutcome::kPartial;
        decision.range = {suffix >= size ? 0 : size - suffix, size - 1};
        return decision;
    }
    if (*spec.first >= size) {
        decision.outcome = RangeOutcome::kUnsatisfiable;
        return decision;
    }
    decision.outcome = RangeOutcome::kPartial;
    decision.range = {*spec.first, spec.last && *spec.last < size ? *spec.last : size - 1};
    return decision;
}

}  // namespace

RangeDecision decide_range(std::string_view header_value, std::uint64_t size) {
    const auto equals = header_value.find('=');
    if (equals == std::string_view::npos) return {};
    // The unit is a case-insensitive token with nothing around it: "bytes = 0-1" is malformed.
    if (!net::iequals(header_value.substr(0, equals), "bytes")) return {};
    const auto spec = parse_single_range(header_value.substr(equals + 1));
    if (!spec) return {};
    return resolve(*spec, size);
}

std::string content_range(const ByteRange& range, std::uint64_t size) {
    return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
           std::to_string(size);
}

}  // namespace net::http
