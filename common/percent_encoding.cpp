// Percent-decoding (RFC 3986 2.1).
#include "percent_encoding.hpp"

#include "ascii.hpp"

namespace net {
namespace {

// Decodes `text` into `out`; false at the first malformed escape when `strict`.
bool decode(std::string_view text, bool plus_is_space, bool strict, std::string& out) {
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            const int high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
            const int low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : -1;
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
            if (strict) return false;
        }
        out += (plus_is_space && c == '+') ? ' ' : c;
    }
    return true;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    if (!decode(text, plus_is_space, true, out)) return std::nullopt;
    return out;
}

std::string percent_decode_lenient(std::string_view text) {
    std::string out;
    decode(text, false, false, out);
    return out;
}

}  // namespace net
