// Composition of the message: header fields folded to their line limits, RFC 2047 encoded-words,
// the text part's transfer encoding, and the multipart/mixed body with base64 attachments.
#include "mail_client/compose.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "common/ascii.hpp"
#include "common/base64.hpp"
#include "common/fnv1a.hpp"
#include "common/media_types.hpp"

namespace mail_client {
namespace {

// RFC 5322 2.1.1: a line MUST be at most 998 octets and SHOULD be at most 78, CRLF excluded.
constexpr std::size_t kMaxLineOctets = 998;
constexpr std::size_t kFoldColumn = 78;
// RFC 2047 2: an encoded-word is at most 75 characters, and a header line holding one at most 76.
constexpr std::size_t kMaxEncodedWord = 75;
constexpr std::size_t kMaxEncodedWordLine = 76;
// RFC 2045 6.7 (5): a quoted-printable line is at most 76 characters, its soft break '=' included.
constexpr std::size_t kMaxQuotedPrintableLine = 76;
// RFC 2045 6.8: base64 lines of at most 76 characters.
constexpr std::size_t kBase64LineChars = 76;
// Longest value shown in a validate() message before it is cut with "...".
constexpr std::size_t kMaxShownOctets = 60;

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kHexDigits = "0123456789ABCDEF";
// "=?utf-8?B?" + "?=": what an encoded-word adds around its text (RFC 2047 2).
constexpr std::size_t kEncodedWordOverhead = 12;

// The header fields compose() writes itself; an --header naming one is refused.
constexpr std::array<std::string_view, 10> kComposedHeaders = {
    "Date",    "From",       "To",           "Cc",           "Bcc",
    "Subject", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
};

enum class TransferEncoding { k7bit, k8bit, kQuotedPrintable, kBase64 };

std::string_view encoding_name(TransferEncoding encoding) {
    switch (encoding) {
        case TransferEncoding::k7bit:
            return "7bit";
        case TransferEncoding::k8bit:
            return "8bit";
        case TransferEncoding::kQuotedPrintable:
            return "quoted-printable";
        case TransferEncoding::kBase64:
            return "base64";
    }
    return "7bit";
}

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}
bool is_line_break(char c) {
    return c == '\r' || c == '\n';
}
// C0 controls and DEL, but not HTAB (which is WSP).
bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
}
bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}
bool is_printable_ascii(char c) {
    return c >= 0x20 && c <= 0x7E;
}
bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

void append_hex_octet(std::string& out, unsigned char octet) {
    out += kHexDigits[octet >> 4];
    out += kHexDigits[octet & 0xF];
}

// Sixteen lower-case hex digits.
std::string hex64(std::uint64_t value) {
    std::string out(16, '0');
    for (std::size_t i = 16; i-- > 0; value >>= 4)
        out[i] = "0123456789abcdef"[value & 0xF];
    return out;
}

// The length of the UTF-8 character starting at `i` (1 for a byte that starts none, so any
// bytes can be walked), never past the end.
std::size_t utf8_char_length(std::string_view text, std::size_t i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return std::min(length, text.size() - i);
}

// The longest line of `text`, CRLF (or a lone LF) excluded.
std::size_t longest_line(std::string_view text) {
    std::size_t longest = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::size_t length = end - start;
        if (length > 0 && end < text.size() && text[end - 1] == '\r') --length;
        longest = std::max(longest, length);
        start = end + 1;
    }
    return longest;
}

// ----------------------------------------------------------------------------- header fields

// Splits " value" where folding may go (RFC 5322 2.2.3: a CRLF before any WSP): each piece
// after the first is a run of WSP and the word after it. Trailing WSP stays with the last word,
// so no fold leaves a line of only WSP.
std::vector<std::string> whitespace_pieces(std::string_view text) {
    std::vector<std::string> pieces;
    std::size_t start = 0;
    for (std::size_t i = 1; i < text.size(); ++i) {
        if (!is_wsp(text[i]) || is_wsp(text[i - 1])) continue;
        const auto word = text.find_first_not_of(" \t", i);
        if (word == std::string_view::npos) break;
        pieces.emplace_back(text.substr(start, i - start));
        start = i;
    }
    pieces.emplace_back(text.substr(start));
    return pieces;
}

// "Name:" and the pieces (each starting with WSP), with a CRLF before every piece that would
// pass `column`; a piece longer than a line gets a line of its own. Ends with CRLF.
std::string folded_field(std::string_view name, std::span<const std::string> pieces,
                         std::size_t column) {
    std::string out(name);
    out += ':';
    std::size_t line = out.size();
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (i > 0 && line + pieces[i].size() > column) {
            out += kCrlf;
            line = 0;
        }
        out += pieces[i];
        line += pieces[i].size();
    }
    out += kCrlf;
    return out;
}

// An unstructured field (or one whose value may fold at any WSP, like an address list).
std::string text_field(std::string_view name, std::string_view value) {
    if (value.empty()) return std::string(name) + ":" + std::string(kCrlf);
    return folded_field(name, whitespace_pieces(" " + std::string(value)), kFoldColumn);
}

std::string address_list_field(std::string_view name, const std::vector<std::string>& addresses) {
    std::string value;
    for (const auto& address : addresses) {
        if (!value.empty()) value += ", ";
        value += address;
    }
    return text_field(name, value);
}

// ----------------------------------------------------------------------------- encoded-words

// RFC 2047 4.2 "Q": the characters kept as they are are the ones allowed even in a phrase
// (5 (3)); a space is '_'; everything else is =XX.
std::string q_encoded(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        if (c == ' ') {
            out += '_';
        } else if (is_alnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/') {
            out += c;
        } else {
            out += '=';
            append_hex_octet(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

std::size_t base64_length(std::size_t octets) {
    return (octets + 2) / 3 * 4;
}

// Text that must go as encoded-words: not ASCII, a control character, or an "=?" that a
// reader would take for the start of one.
bool needs_encoded_words(std::string_view text) {
    return contains(text, "=?") || std::any_of(text.begin(), text.end(), [](char c) {
               return static_cast<unsigned char>(c) >= 0x80 || is_control(c);
           });
}

// The encoded-words for `utf8`: Q when that is shorter, else B (as python's email chooses).
// Each holds whole characters (RFC 2047 5) and is at most kMaxEncodedWord characters, the
// first at most `first_limit` (so it fits on the line after the field name).
std::vector<std::string> encoded_words(std::string_view utf8, std::size_t first_limit) {
    const bool use_q = q_encoded(utf8).size() <= base64_length(utf8.size());
    const std::string_view prefix = use_q ? "=?utf-8?Q?" : "=?utf-8?B?";
    std::vector<std::string> words;
    std::string chunk;  // raw bytes of the word being filled
    const auto word_length = [&](std::string_view bytes) {
        return kEncodedWordOverhead +
               (use_q ? q_encoded(bytes).size() : base64_length(bytes.size()));
    };
    const auto flush = [&] {
        words.push_back(std::string(prefix) +
                        (use_q ? q_encoded(chunk) : net::base64_encode(chunk)) + "?=");
        chunk.clear();
    };
    for (std::size_t i = 0; i < utf8.size();) {
        const std::size_t length = utf8_char_length(utf8, i);
        const std::string_view character = utf8.substr(i, length);
        const std::size_t limit = words.empty() ? first_limit : kMaxEncodedWord;
        if (!chunk.empty() && word_length(chunk + std::string(character)) > limit) flush();
        chunk += character;
        i += length;
    }
    if (!chunk.empty() || words.empty()) flush();
    return words;
}

std::string subject_field(std::string_view subject) {
    constexpr std::string_view kName = "Subject";
    if (!needs_encoded_words(subject)) {
        std::string field = text_field(kName, subject);
        if (longest_line(field) <= kMaxLineOctets) return field;
        // A word too long to fold: encoded-words can be split anywhere.
    }
    std::vector<std::string> pieces;
    for (auto& word : encoded_words(subject, kMaxEncodedWordLine - kName.size() - 2))
        pieces.push_back(" " + word);
    return folded_field(kName, pieces, kMaxEncodedWordLine);
}

// ----------------------------------------------------------------------------- MIME parameters

// RFC 2231 7 attribute-char: what an extended parameter value keeps as it is.
bool is_attribute_char(char c) {
    return is_alnum(c) || std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
}

std::string percent_encoded(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        if (is_attribute_char(c)) {
            out += c;
        } else {
            out += '%';
            append_hex_octet(out, static_cast<unsigned char>(c));
        }
    }
    return out;
}

// The parameter `name` = `value` as one or more "attribute=value" texts: a quoted-string when
// the value is printable ASCII and fits a line; else RFC 2231 `name*=utf-8''%XX`, split into
// sections `name*0*=`, `name*1*=`... (whole characters in each) when that is too long.
std::vector<std::string> mime_parameter(std::string_view name, std::string_view value) {
    // A folded line is " " + parameter + ";".
    constexpr std::size_t kLimit = kFoldColumn - 2;
    if (std::all_of(value.begin(), value.end(), is_printable_ascii)) {
        std::string quoted = std::string(name) + "=\"";
        for (const char c : value) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        quoted += '"';
        if (quoted.size() <= kLimit) return {quoted};
    }
    const std::string single = std::string(name) + "*=utf-8''" + percent_encoded(value);
    if (single.size() <= kLimit) return {single};

    std::vector<std::string> sections;
    std::string section;
    std::size_t section_start = 0;  // where the section's value begins
    const auto start_section = [&] {
        section = std::string(name) + "*" + std::to_string(sections.size()) + "*=";
        if (sections.empty()) section += "utf-8''";
        section_start = section.size();
    };
    start_section();
    for (std::size_t i = 0; i < value.size();) {
        const std::size_t length = utf8_char_length(value, i);
        const std::string encoded = percent_encoded(value.substr(i, length));
        if (section.size() > section_start && section.size() + encoded.size() > kLimit) {
            sections.push_back(section);
            start_section();
        }
        section += encoded;
        i += length;
    }
    sections.push_back(section);
    return sections;
}

// "Name: value; p1; p2" with a fold before any parameter that would pass column 78.
std::string field_with_parameters(std::string_view name, std::string_view value,
                                  const std::vector<std::string>& parameters) {
    std::vector<std::string> pieces = {" " + std::string(value)};
    for (const auto& parameter : parameters) {
        pieces.back() += ';';
        pieces.push_back(" " + parameter);
    }
    return folded_field(name, pieces, kFoldColumn);
}

// ----------------------------------------------------------------------------- body parts

// The body as text/plain wants it: CRLF line ends, and a last line that ends with one.
std::string text_with_line_ends(std::string_view body) {
    std::string text = crlf_normalized(body);
    if (!text.empty() && !text.ends_with(kCrlf)) text += kCrlf;
    return text;
}

// RFC 2045 2.7 / 2.8: 7bit and 8bit data have lines of at most 998 octets and no NUL; 7bit
// is also ASCII. Anything else goes quoted-printable.
TransferEncoding text_encoding_for(std::string_view text, bool eight_bit) {
    if (contains(text, std::string_view("\0", 1)) || longest_line(text) > kMaxLineOctets)
        return TransferEncoding::kQuotedPrintable;
    if (is_ascii(text)) return TransferEncoding::k7bit;
    return eight_bit ? TransferEncoding::k8bit : TransferEncoding::kQuotedPrintable;
}

std::string encoding_field(TransferEncoding encoding) {
    return "Content-Transfer-Encoding: " + std::string(encoding_name(encoding)) +
           std::string(kCrlf);
}

std::string text_type_field() {
    return field_with_parameters("Content-Type", "text/plain", {"charset=utf-8"});
}

// A body part: its header fields, the empty line, and its content without a final CRLF (the
// CRLF before the next boundary line belongs to the boundary, RFC 2046 5.1.1).
std::string text_part(std::string_view content, TransferEncoding encoding) {
    return text_type_field() + encoding_field(encoding) + std::string(kCrlf) + std::string(content);
}

std::string attachment_part(const Attachment& attachment) {
    const std::string type = attachment.content_type.empty()
                                 ? std::string(net::content_type_for(attachment.filename))
                                 : attachment.content_type;
    std::vector<std::string> name;
    std::vector<std::string> filename;
    if (!attachment.filename.empty()) {
        name = mime_parameter("name", attachment.filename);
        filename = mime_parameter("filename", attachment.filename);
    }
    std::string content = base64_lines(attachment.data);
    if (content.ends_with(kCrlf)) content.resize(content.size() - kCrlf.size());
    return field_with_parameters("Content-Type", type, name) +
           encoding_field(TransferEncoding::kBase64) +
           field_with_parameters("Content-Disposition", "attachment", filename) +
           std::string(kCrlf) + content;
}

// RFC 2046 5.1.1: a boundary that occurs in no part. It starts "=_", which base64 and
// quoted-printable never write, is derived from the message id (the same message composes to
// the same bytes), and gets a counter when a 7bit/8bit text or a part's header holds it.
std::string boundary_for(std::string_view message_id, std::span<const std::string> parts) {
    const std::string base = "=_part_" + hex64(net::fnv1a(message_id));
    for (std::uint64_t n = 0;; ++n) {
        const std::string candidate = n == 0 ? base : base + "." + std::to_string(n);
        if (std::none_of(parts.begin(), parts.end(),
                         [&](const std::string& part) { return contains(part, candidate); }))
            return candidate;
    }
}

// ----------------------------------------------------------------------------- validation

// `text` quoted for a message to the user, line breaks and controls shown as escapes, cut
// after kMaxShownOctets.
std::string shown(std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kMaxShownOctets; ++i) {
        const char c = text[i];
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (is_control(c)) {
            out += "\\x";
            append_hex_octet(out, static_cast<unsigned char>(c));
        } else {
            out += c;
        }
    }
    if (text.size() > kMaxShownOctets) out += "...";
    return out + "\"";
}

bool has_line_break(std::string_view text) {
    return std::any_of(text.begin(), text.end(), is_line_break);
}
bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), is_control);
}

// RFC 5322 3.2.3 atext, and 3.6.4 dtext.
bool is_atext(char c) {
    return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}
bool is_dot_atom_text(std::string_view text) {
    if (text.empty() || text.front() == '.' || text.back() == '.' || contains(text, ".."))
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || is_atext(c); });
}
bool is_no_fold_literal(std::string_view text) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
    return std::all_of(text.begin() + 1, text.end() - 1,
                       [](char c) { return (c >= 33 && c <= 90) || (c >= 94 && c <= 126); });
}

// RFC 5322 3.6.4 msg-id: "<" id-left "@" id-right ">".
bool is_msg_id(std::string_view text) {
    if (text.size() < 2 || text.front() != '<' || text.back() != '>') return false;
    const std::string_view inside = text.substr(1, text.size() - 2);
    const auto at = inside.rfind('@');
    if (at == std::string_view::npos) return false;
    const std::string_view right = inside.substr(at + 1);
    return is_dot_atom_text(inside.substr(0, at)) &&
           (is_dot_atom_text(right) || is_no_fold_literal(right));
}

// RFC 5322 3.6.8 field-name: printable ASCII except ':', at least one.
bool is_field_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return c >= 33 && c <= 126 && c != ':'; });
}

// RFC 2045 5.1: "type/subtype" of tokens, parameters after a ';' allowed, printable ASCII.
bool is_media_type(std::string_view text) {
    const std::string_view type = text.substr(0, text.find(';'));
    const auto slash = type.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) return false;
    const auto is_token_char = [](char c) {
        return c > 32 && c < 127 &&
               std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
    };
    const auto token_ok = [&](std::string_view token) {
        return std::all_of(token.begin(), token.end(), is_token_char);
    };
    return token_ok(type.substr(0, slash)) && token_ok(type.substr(slash + 1)) &&
           std::all_of(text.begin(), text.end(), is_printable_ascii);
}

std::optional<std::string> address_problem(std::string_view option, std::string_view address) {
    const std::string what = std::string(option) + " " + shown(address);
    if (address.empty()) return std::string(option) + " is empty";
    if (has_line_break(address))
        return what + " contains a line break (header injection is refused)";
    if (has_control(address)) return what + " contains a control character";
    if (longest_line(text_field("From", address)) > kMaxLineOctets)
        return what + " is too long for a header line (998 octets, RFC 5322 2.1.1)";
    return std::nullopt;
}

std::optional<std::string> addresses_problem(std::string_view option,
                                             const std::vector<std::string>& addresses) {
    for (const auto& address : addresses) {
        if (auto problem = address_problem(option, address)) return problem;
    }
    return std::nullopt;
}

std::optional<std::string> subject_problem(std::string_view subject) {
    if (has_line_break(subject))
        return "--subject contains a line break (header injection is refused)";
    if (has_control(subject)) return "--subject contains a control character";
    if (!net::is_well_formed_utf8(subject)) return "--subject is not well-formed UTF-8";
    return std::nullopt;
}

std::optional<std::string> extra_header_problem(std::string_view name, std::string_view value) {
    const std::string what = "--header " + shown(name);
    if (has_line_break(name))
        return what + ": the name contains a line break (header injection is refused)";
    if (!is_field_name(name))
        return what + ": a header name is printable ASCII without spaces or ':' (RFC 5322 3.6.8)";
    for (const auto composed : kComposedHeaders) {
        if (net::iequals(name, composed))
            return what + ": mail_client writes " + std::string(composed) + " itself";
    }
    if (has_line_break(value))
        return what + ": the value " + shown(value) +
               " contains a line break (header injection is refused)";
    if (has_control(value)) return what + ": the value contains a control character";
    if (!net::is_well_formed_utf8(value)) return what + ": the value is not well-formed UTF-8";
    if (longest_line(text_field(name, value)) > kMaxLineOctets)
        return what + ": the value has a word too long for a header line (998 octets, " +
               "RFC 5322 2.1.1)";
    return std::nullopt;
}

std::optional<std::string> attachment_problem(const Attachment& attachment) {
    const std::string what = "--attach " + shown(attachment.filename);
    if (!net::is_well_formed_utf8(attachment.filename))
        return what + ": the file name is not well-formed UTF-8";
    if (attachment.content_type.empty()) return std::nullopt;
    if (!is_media_type(attachment.content_type))
        return what + ": the content type " + shown(attachment.content_type) +
               " is not type/subtype";
    // RFC 2045 6.4: a composite type is never base64-encoded, and every attachment is.
    const std::string_view top =
        std::string_view(attachment.content_type).substr(0, attachment.content_type.find('/'));
    if (net::iequals(top, "multipart") || net::iequals(top, "message"))
        return what + ": a " + std::string(top) +
               "/ type cannot be sent base64-encoded (RFC 2045 6.4)";
    return std::nullopt;
}

}  // namespace

std::string compose(const Composition& message) {
    std::string out;
    if (!message.date.empty()) out += text_field("Date", message.date);
    out += text_field("From", message.from);
    if (!message.to.empty()) {
        out += address_list_field("To", message.to);
    } else if (message.cc.empty()) {
        // Only Bcc recipients: say so (RFC 5322 A.1.3's example) rather than leave no To.
        out += text_field("To", "undisclosed-recipients:;");
    }
    if (!message.cc.empty()) out += address_list_field("Cc", message.cc);
    out += subject_field(message.subject);
    if (!message.message_id.empty()) out += text_field("Message-ID", message.message_id);
    out += "MIME-Version: 1.0";
    out += kCrlf;
    for (const auto& [name, value] : message.extra)
        out += text_field(name, value);

    const std::string text = text_with_line_ends(message.body);
    const TransferEncoding encoding = text_encoding_for(text, message.eight_bit);
    const std::string content =
        encoding == TransferEncoding::kQuotedPrintable ? quoted_printable(text) : text;

    if (message.attachments.empty()) {
        out += text_type_field();
        out += encoding_field(encoding);
        out += kCrlf;
        out += content;
        return out;
    }

    std::vector<std::string> parts = {text_part(content, encoding)};
    for (const auto& attachment : message.attachments)
        parts.push_back(attachment_part(attachment));
    const std::string boundary = boundary_for(message.message_id, parts);
    out +=
        field_with_parameters("Content-Type", "multipart/mixed", {"boundary=\"" + boundary + "\""});
    // RFC 2045 6.4: a multipart's encoding is 8bit when a part's is.
    out += encoding_field(encoding == TransferEncoding::k8bit ? TransferEncoding::k8bit
                                                              : TransferEncoding::k7bit);
    out += kCrlf;
    for (const auto& part : parts) {
        out += "--" + boundary + std::string(kCrlf);
        out += part;
        out += kCrlf;
    }
    out += "--" + boundary + "--" + std::string(kCrlf);
    return out;
}

std::optional<std::string> validate(const Composition& message) {
    if (auto problem = address_problem("--from", message.from)) return problem;
    if (auto problem = addresses_problem("--to", message.to)) return problem;
    if (auto problem = addresses_problem("--cc", message.cc)) return problem;
    if (auto problem = subject_problem(message.subject)) return problem;
    for (const auto& [name, value] : message.extra) {
        if (auto problem = extra_header_problem(name, value)) return problem;
    }
    if (!net::is_well_formed_utf8(message.body)) return "the body is not well-formed UTF-8";
    for (const auto& attachment : message.attachments) {
        if (auto problem = attachment_problem(attachment)) return problem;
    }
    if (has_line_break(message.date) || has_control(message.date))
        return "the Date " + shown(message.date) + " contains a line break or control character";
    if (!message.message_id.empty() && !is_msg_id(message.message_id))
        return "the Message-ID " + shown(message.message_id) +
               " is not <left@right> (RFC 5322 3.6.4)";
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> parse_header_option(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto trimmed = [](std::string_view part) {
        const auto first = part.find_first_not_of(" \t");
        if (first == std::string_view::npos) return std::string_view{};
        return part.substr(first, part.find_last_not_of(" \t") - first + 1);
    };
    const std::string_view name = trimmed(text.substr(0, colon));
    if (name.empty()) return std::nullopt;
    return std::pair{std::string(name), std::string(trimmed(text.substr(colon + 1)))};
}

std::string encode_header_text(std::string_view utf8) {
    if (!needs_encoded_words(utf8)) return std::string(utf8);
    std::string out;
    for (const auto& word : encoded_words(utf8, kMaxEncodedWord)) {
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out;
}

std::string quoted_printable(std::string_view text) {
    std::string out;
    std::size_t column = 0;  // characters on the current encoded line
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(kCrlf, start);
        const bool hard_break = end != std::string_view::npos;
        if (!hard_break) end = text.size();
        for (std::size_t i = start; i < end; ++i) {
            const char c = text[i];
            const bool last = i + 1 == end;
            std::string token;
            // Rule (2) literal, rule (3) WSP unless it ends the line, rule (1) =XX for the rest.
            if ((c >= 33 && c <= 126 && c != '=') || (is_wsp(c) && !last)) {
                token = c;
            } else {
                token = "=";
                append_hex_octet(token, static_cast<unsigned char>(c));
            }
            // Rule (5): a soft break "=" keeps the line within 76; the last token of a line
            // needs no room for one.
            const std::size_t room = last ? kMaxQuotedPrintableLine : kMaxQuotedPrintableLine - 1;
            if (column + token.size() > room) {
                out += "=";
                out += kCrlf;
                column = 0;
            }
            out += token;
            column += token.size();
        }
        if (!hard_break) break;
        out += kCrlf;
        column = 0;
        start = end + kCrlf.size();
    }
    return out;
}

std::string base64_lines(std::string_view bytes) {
    const std::string encoded = net::base64_encode(bytes);
    std::string out;
    out.reserve(encoded.size() + encoded.size() / kBase64LineChars * 2 + 2);
    for (std::size_t i = 0; i < encoded.size(); i += kBase64LineChars) {
        out.append(encoded, i, kBase64LineChars);
        out += kCrlf;
    }
    return out;
}

std::string crlf_normalized(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
            out += kCrlf;
        } else if (text[i] == '\n') {
            out += kCrlf;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string make_message_id(std::string_view domain, std::uint64_t unix_micros,
                            std::uint64_t random) {
    // RFC 5322 3.6.4: id-right is a dot-atom-text or a [literal]; a host name that is neither
    // (empty, or with a space) would make the whole id invalid.
    const std::string_view right =
        is_dot_atom_text(domain) || is_no_fold_literal(domain) ? domain : "localhost";
    return "<" + std::to_string(unix_micros) + "." + hex64(random) + "@" + std::string(right) + ">";
}

}  // namespace mail_client
