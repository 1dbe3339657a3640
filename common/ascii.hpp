// ASCII helpers that leave every other byte alone, so UTF-8 and binary data pass unchanged.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace net {

constexpr char to_upper_ascii(char c) {
    return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
}
constexpr char to_lower_ascii(char c) {
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// Upper-cases the ASCII letters a-z in place; every other byte is unchanged.
void upper_case_ascii(std::span<char> bytes);
// A copy of `bytes` with the ASCII letters upper-cased.
std::string upper_cased_ascii(std::string_view bytes);

// The value of the hexadecimal digit `c` (either case), or -1.
constexpr int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The UTF-8 sequence at the start of `bytes` (not empty). Well-formed (RFC 3629 4): `length`
// bytes, 1 for ASCII, make one code point. Not: `length` is the maximal subpart (Unicode 15,
// 3.9, U+FFFD substitution), the bytes one replacement character stands for, at least 1.
struct Utf8Sequence {
    std::size_t length = 1;
    bool valid = true;
};
Utf8Sequence next_utf8_sequence(std::string_view bytes);

// Well-formed UTF-8 (RFC 3629): no stray continuation bytes, no truncated or overlong
// sequences, no surrogates, nothing above U+10FFFF. ASCII is well-formed UTF-8.
bool is_well_formed_utf8(std::string_view bytes);

// Case-insensitive ASCII comparison (header names, SMTP verbs).
bool iequals(std::string_view a, std::string_view b);

}  // namespace net
