// ASCII-only case mapping: bytes >= 0x80 (UTF-8 continuation and lead bytes) never change.
#include "ascii.hpp"

#include <algorithm>

namespace net {

void upper_case_ascii(std::span<char> bytes) {
    for (char& c : bytes)
        c = to_upper_ascii(c);
}

std::string upper_cased_ascii(std::string_view bytes) {
    std::string result(bytes);
    upper_case_ascii(std::span<char>(result));
    return result;
}

Utf8Sequence next_utf8_sequence(std::string_view bytes) {
    const auto lead = static_cast<unsigned char>(bytes[0]);
    if (lead < 0x80) return {1, true};
    // The sequence length and the range its second byte must fall in: that range is what
    // excludes overlong forms, surrogates and code points above U+10FFFF.
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return {1, false};
    }
    std::size_t good = 1;  // bytes of the sequence that are right so far
    while (good < length && good < bytes.size()) {
        const auto next = static_cast<unsigned char>(bytes[good]);
        if (next < (good == 1 ? low : 0x80) || next > (good == 1 ? high : 0xBF)) break;
        ++good;
    }
    return {good, good == length};
}

bool is_well_formed_utf8(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto sequence = next_utf8_sequence(bytes);
        if (!sequence.valid) return false;
        bytes.remove_prefix(sequence.length);
    }
    return true;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower_ascii(x) == to_lower_ascii(y);
           });
}

}  // namespace net
