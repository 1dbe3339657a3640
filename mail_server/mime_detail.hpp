// Pieces the MIME reader's files share (mime.cpp, mime_charsets.cpp, mime_words.cpp): not part of
// its interface, so only those files include this.
#pragma once

#include <string>
#include <string_view>

namespace mail::mime::detail {

// Appends the UTF-8 form of `code_point` (U+FFFD for a surrogate or anything past U+10FFFF).
void append_utf8(std::string& out, char32_t code_point);

// Bytes of no declared charset (raw 8-bit header text, a text part without charset=): kept
// when they are well-formed UTF-8, else read as Latin-1.
std::string raw_to_utf8(std::string_view bytes);

// Lenient base64 (RFC 2045 6.8): whitespace is skipped, the first '=' or byte outside the
// alphabet ends the data; a last group of 2 or 3 characters still yields its 1 or 2 bytes.
std::string decode_base64(std::string_view text);

// Space, horizontal tab, CR or LF.
constexpr bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// `text` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trimmed(std::string_view text);

// A lower-cased copy (ASCII letters only).
std::string lower_cased(std::string_view text);

}  // namespace mail::mime::detail
