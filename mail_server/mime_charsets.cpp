// Charsets to UTF-8: UTF-8 itself (repaired), US-ASCII, ISO-8859-1, ISO-8859-15 and
// windows-1252. Every result is well-formed UTF-8, whatever the bytes.
#include <array>
#include <cstdint>

#include "common/ascii.hpp"
#include "mime.hpp"
#include "mime_detail.hpp"

namespace mail::mime {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

enum class Charset { kUtf8, kAscii, kLatin1, kLatin9, kWindows1252, kNone, kUnknown };

// The charset a label names (case-insensitive; quotes and surrounding spaces ignored). The
// labels are those of the IANA registry and what mailers write in practice.
Charset charset_named(std::string_view label) {
    label = detail::trimmed(label);
    if (label.size() >= 2 && label.front() == '"' && label.back() == '"')
        label = detail::trimmed(label.substr(1, label.size() - 2));
    if (label.empty()) return Charset::kNone;
    const std::string name = detail::lower_cased(label);
    constexpr std::string_view kUtf8[] = {"utf-8", "utf8", "unicode-1-1-utf-8"};
    constexpr std::string_view kAscii[] = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us",
                                           "us",       "cp367", "ibm367",         "csascii"};
    constexpr std::string_view kLatin1[] = {
        "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "latin1",     "latin-1",
        "l1",         "cp819",     "ibm819",     "iso-ir-100",      "csisolatin1"};
    constexpr std::string_view kLatin9[] = {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin9",
                                            "latin-9",     "l9",         "csisolatin9"};
    constexpr std::string_view kWindows1252[] = {"windows-1252", "cp1252", "x-cp1252",
                                                 "cswindows1252"};
    const auto named = [&name](const auto& labels) {
        for (std::string_view known : labels)
            if (name == known) return true;
        return false;
    };
    if (named(kUtf8)) return Charset::kUtf8;
    if (named(kAscii)) return Charset::kAscii;
    if (named(kLatin1)) return Charset::kLatin1;
    if (named(kLatin9)) return Charset::kLatin9;
    if (named(kWindows1252)) return Charset::kWindows1252;
    return Charset::kUnknown;
}

// windows-1252's bytes 0x80-0x9F; 0 where the code page leaves a byte undefined.
constexpr std::array<char16_t, 32> kWindows1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// ISO-8859-15 is ISO-8859-1 with eight code points replaced.
char32_t latin9(unsigned char byte) {
    switch (byte) {
        case 0xA4:
            return 0x20AC;
        case 0xA6:
            return 0x0160;
        case 0xA8:
            return 0x0161;
        case 0xB4:
            return 0x017D;
        case 0xB8:
            return 0x017E;
        case 0xBC:
            return 0x0152;
        case 0xBD:
            return 0x0153;
        case 0xBE:
            return 0x0178;
        default:
            return byte;
    }
}

// UTF-8 with each ill-formed sequence replaced by one U+FFFD per maximal subpart (Unicode
// 15.0, 3.9 "U+FFFD Substitution of Maximal Subparts"), as python's errors="replace" does.
std::string repaired_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    while (!bytes.empty()) {
        const auto sequence = net::next_utf8_sequence(bytes);
        if (sequence.valid)
            out.append(bytes.substr(0, sequence.length));
        else
            detail::append_utf8(out, kReplacement);
        bytes.remove_prefix(sequence.length);
    }
    return out;
}

}  // namespace

namespace detail {

void append_utf8(std::string& out, char32_t code_point) {
    if ((code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF)
        code_point = kReplacement;
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

std::string raw_to_utf8(std::string_view bytes) {
    if (net::is_well_formed_utf8(bytes)) return std::string(bytes);
    return to_utf8(bytes, "iso-8859-1");
}

}  // namespace detail

std::string to_utf8(std::string_view bytes, std::string_view charset) {
    const Charset which = charset_named(charset);
    if (which == Charset::kUtf8) return repaired_utf8(bytes);
    if (which == Charset::kNone) return detail::raw_to_utf8(bytes);
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2);
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80) {
            out += c;
            continue;
        }
        char32_t code_point = kReplacement;
        switch (which) {
            case Charset::kLatin1:
                code_point = byte;
                break;
            case Charset::kLatin9:
                code_point = latin9(byte);
                break;
            case Charset::kWindows1252:
                if (byte >= 0xA0)
                    code_point = byte;
                else if (kWindows1252High[byte - 0x80] != 0)
                    code_point = kWindows1252High[byte - 0x80];
                break;
            default:
                break;  // US-ASCII and unknown charsets: not a character
        }
        detail::append_utf8(out, code_point);
    }
    return out;
}

}  // namespace mail::mime
