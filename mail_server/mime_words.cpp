// Header field values: RFC 2047 encoded-words, address lists (RFC 5322 3.4) and parameters
// (RFC 2045 5.1, RFC 2231). Lenient as readers must be: whatever the bytes, the result is
// well-formed UTF-8, and each step is a single pass over the value.
#include <algorithm>
#include <optional>

#include "common/ascii.hpp"
#include "common/percent_encoding.hpp"
#include "mime.hpp"
#include "mime_detail.hpp"

namespace mail::mime {
namespace {

// RFC 2047 2 bounds an encoded-word at 75 characters; the charset name alone gets this much
// room (mailers do exceed the word limit, but not with charset names).
constexpr std::size_t kMaxCharsetName = 64;
// Parameters read from one Content-Type or Content-Disposition value; more are ignored. It
// bounds the work of gathering RFC 2231 sections (a file name of 2,000 characters takes ~100).
constexpr std::size_t kMaxParameters = 256;
// RFC 2231 section numbers are read up to this many digits ("name*999*"); longer ones make
// no section.
constexpr std::size_t kMaxSectionDigits = 3;

struct EncodedWord {
    std::string_view charset;  // without an RFC 2231 language suffix ("utf-8*en")
    std::string bytes;         // the decoded text, still in `charset`
    std::size_t end = 0;       // just past "?="
};

// The encoded-word "=?charset?B|Q?text?=" starting at value[at] (which is "=?"), or nullopt.
std::optional<EncodedWord> encoded_word_at(std::string_view value, std::size_t at) {
    const std::size_t charset_start = at + 2;
    std::size_t i = charset_start;
    while (i < value.size() && value[i] != '?' && !detail::is_space(value[i]) &&
           i - charset_start <= kMaxCharsetName)
        ++i;
    if (i == charset_start || i + 2 >= value.size() || value[i] != '?') return std::nullopt;
    const char encoding = value[i + 1];
    if (value[i + 2] != '?') return std::nullopt;
    const bool base64 = encoding == 'B' || encoding == 'b';
    if (!base64 && encoding != 'Q' && encoding != 'q') return std::nullopt;
    std::string_view charset = value.substr(charset_start, i - charset_start);
    charset = charset.substr(0, charset.find('*'));
    const std::size_t text_start = i + 3;
    std::size_t end = text_start;
    while (end < value.size() && value[end] != '?' && !detail::is_space(value[end]))
        ++end;
    if (end + 1 >= value.size() || value[end] != '?' || value[end + 1] != '=') return std::nullopt;
    const std::string_view text = value.substr(text_start, end - text_start);

    EncodedWord word{charset, {}, end + 2};
    if (base64) {
        word.bytes = detail::decode_base64(text);
        return word;
    }
    // RFC 2047 4.2: '_' is a space, "=XX" a byte, anything else itself.
    word.bytes.reserve(text.size());
    for (std::size_t k = 0; k < text.size(); ++k) {
        if (text[k] == '_') {
            word.bytes += ' ';
        } else if (text[k] == '=' && k + 2 < text.size() &&
                   net::hex_digit_value(text[k + 1]) >= 0 &&
                   net::hex_digit_value(text[k + 2]) >= 0) {
            word.bytes += static_cast<char>(net::hex_digit_value(text[k + 1]) * 16 +
                                            net::hex_digit_value(text[k + 2]));
            k += 2;
        } else {
            word.bytes += text[k];
        }
    }
    return word;
}

bool all_space(std::string_view text) {
    return std::all_of(text.begin(), text.end(), detail::is_space);
}

// Runs of whitespace made one space, and none at either end: a display name as shown.
std::string collapsed_spaces(std::string_view text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (detail::is_space(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Reads a quoted-string whose opening '"' is value[i]; returns its content with backslash
// escapes undone and moves i past the closing quote (or to the end when there is none).
std::string read_quoted(std::string_view value, std::size_t& i) {
    std::string out;
    for (++i; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
            out += value[++i];
        } else if (value[i] == '"') {
            ++i;
            return out;
        } else {
            out += value[i];
        }
    }
    return out;
}

// Reads a comment whose '(' is value[i] (nested, with escapes, RFC 5322 3.2.2); returns its
// text and moves i past its closing ')' (or to the end).
std::string read_comment(std::string_view value, std::size_t& i) {
    std::string out;
    int depth = 0;
    for (; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
            out += value[++i];
        } else if (c == '(') {
            if (depth++ > 0) out += c;
        } else if (c == ')') {
            if (--depth == 0) {
                ++i;
                return out;
            }
            out += c;
        } else {
            out += c;
        }
    }
    return out;
}

// Reads up to and including `close` from value[i] (an opening '<' or '['), returning what is
// between them and moving i past `close` (or to the end).
std::string_view read_until(std::string_view value, std::size_t& i, char close) {
    const std::size_t start = i + 1;
    const std::size_t end = std::min(value.find(close, start), value.size());
    i = end < value.size() ? end + 1 : end;
    return value.substr(start, end - start);
}

// One mailbox of an address list while it is read.
struct MailboxText {
    std::string phrase;   // the display name's text, quotes undone
    std::string outside;  // the text outside angle brackets and comments, as written
    std::string comment;  // the first comment's text
    std::string angle;    // what is inside <...>
    bool has_angle = false;

    void add_to(std::vector<Address>& out) {
        Address address;
        if (has_angle) {
            std::string_view spec = detail::trimmed(angle);
            // An obsolete route ("<@a.example,@b.example:user@c.example>", RFC 5322 4.4).
            if (!spec.empty() && spec.front() == '@' && spec.find(':') != std::string_view::npos)
                spec = detail::trimmed(spec.substr(spec.rfind(':') + 1));
            address.address = detail::raw_to_utf8(spec);
            address.name = decode_words(collapsed_spaces(phrase));
            // "<alice@example.org> (Alice)": the comment is the only name there is.
            if (address.name.empty()) address.name = decode_words(collapsed_spaces(comment));
        } else {
            address.address = detail::raw_to_utf8(detail::trimmed(outside));
            address.name = decode_words(collapsed_spaces(comment));
        }
        if (!address.address.empty() || !address.name.empty()) out.push_back(std::move(address));
        *this = {};
    }
};

// RFC 5322 3.2.3 specials: a display name with one of them is quoted when written.
bool needs_quotes(std::string_view name) {
    return name.find_first_of("()<>[]:;@\\,.\"") != std::string_view::npos;
}

// One RFC 2231 section: "name*N=text" or, extended, "name*N*=text".
struct Section {
    int number = 0;
    std::string text;
    bool extended = false;
};

// An RFC 2231 parameter while its sections are gathered.
struct Gathered {
    std::string name;
    std::string plain;  // name=value
    bool has_plain = false;
    std::vector<Section> sections;
};

// The value of an RFC 2231 parameter from its sections: "charset'language'%XX..." in the first
// when it is extended, percent-encoding in every extended section, joined in section order.
std::string joined_sections(Gathered& parameter) {
    std::stable_sort(parameter.sections.begin(), parameter.sections.end(),
                     [](const Section& a, const Section& b) { return a.number < b.number; });
    std::string charset;
    std::string bytes;
    bool first = true;
    for (const Section& section : parameter.sections) {
        std::string_view text = section.text;
        if (section.extended && first) {
            const std::size_t charset_end = text.find('\'');
            const std::size_t language_end = charset_end == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : text.find('\'', charset_end + 1);
            if (language_end != std::string_view::npos) {
                charset = std::string(text.substr(0, charset_end));
                text.remove_prefix(language_end + 1);
            }
        }
        first = false;
        bytes += section.extended ? net::percent_decode_lenient(text) : std::string(text);
    }
    return to_utf8(bytes, charset);
}

}  // namespace

std::string decode_words(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    // Adjacent encoded-words in one charset are decoded together: mailers split a character's
    // bytes between words, and only the joined bytes make it whole again.
    std::string pending;
    std::string pending_charset;
    bool have_pending = false;
    const auto flush = [&] {
        if (have_pending) out += to_utf8(pending, pending_charset);
        pending.clear();
        have_pending = false;
    };

    std::size_t plain_start = 0;
    std::size_t i = 0;
    while (i + 1 < value.size()) {
        if (value[i] != '=' || value[i + 1] != '?') {
            ++i;
            continue;
        }
        std::optional<EncodedWord> word = encoded_word_at(value, i);
        if (!word) {
            i += 2;
            continue;
        }
        const std::string_view plain = value.substr(plain_start, i - plain_start);
        // RFC 2047 6.2: whitespace between adjacent encoded-words is not displayed.
        if (!(have_pending && all_space(plain))) {
            flush();
            out += detail::raw_to_utf8(plain);
        }
        const std::string charset = detail::lower_cased(word->charset);
        if (have_pending && charset != pending_charset) flush();
        pending_charset = charset;
        pending += word->bytes;
        have_pending = true;
        i = word->end;
        plain_start = i;
    }
    flush();
    out += detail::raw_to_utf8(value.substr(plain_start));
    return out;
}

std::vector<Address> parse_addresses(std::string_view value) {
    std::vector<Address> out;
    MailboxText mailbox;
    bool in_group = false;
    std::size_t i = 0;
    while (i < value.size()) {
        const char c = value[i];
        if (c == '"') {
            const std::size_t start = i;
            mailbox.phrase += read_quoted(value, i);
            mailbox.outside += value.substr(start, i - start);
        } else if (c == '(') {
            std::string comment = read_comment(value, i);
            if (mailbox.comment.empty()) mailbox.comment = std::move(comment);
            mailbox.phrase += ' ';
        } else if (c == '<') {
            mailbox.angle = read_until(value, i, '>');
            mailbox.has_angle = true;
        } else if (c == '[') {
            // A domain literal ("user@[IPv6:::1]"): its colons are not a group's.
            const std::size_t start = i;
            read_until(value, i, ']');
            mailbox.outside += value.substr(start, i - start);
            mailbox.phrase += value.substr(start, i - start);
        } else if (c == ',') {
            mailbox.add_to(out);
            ++i;
        } else if (c == ':' && !in_group && !mailbox.has_angle) {
            // "name: member, member;" (RFC 5322 3.4): the group's name is no mailbox.
            mailbox = {};
            in_group = true;
            ++i;
        } else if (c == ';' && in_group) {
            mailbox.add_to(out);
            in_group = false;
            ++i;
        } else {
            mailbox.outside += c;
            mailbox.phrase += c;
            ++i;
        }
    }
    mailbox.add_to(out);
    return out;
}

std::string format_address(const Address& address) {
    if (address.name.empty()) return address.address;
    std::string out;
    if (needs_quotes(address.name)) {
        out += '"';
        for (const char c : address.name) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    } else {
        out += address.name;
    }
    if (address.address.empty()) return out;
    return out + " <" + address.address + ">";
}

std::string HeaderValue::parameter(std::string_view name) const {
    for (const auto& [key, value] : parameters)
        if (key == name) return value;
    return {};
}

HeaderValue parse_header_value(std::string_view value) {
    HeaderValue result;
    std::size_t i = 0;
    // The value itself ("text/plain"): comments and whitespace dropped, lower-cased.
    while (i < value.size() && value[i] != ';') {
        if (value[i] == '(') {
            read_comment(value, i);
        } else {
            if (!detail::is_space(value[i])) result.value += value[i];
            ++i;
        }
    }
    result.value = detail::lower_cased(result.value);

    std::vector<Gathered> gathered;
    std::size_t count = 0;
    while (i < value.size() && count < kMaxParameters) {
        ++i;  // the ';'
        const std::size_t name_start = i;
        while (i < value.size() && value[i] != '=' && value[i] != ';')
            ++i;
        const std::string name =
            detail::lower_cased(detail::trimmed(value.substr(name_start, i - name_start)));
        if (i >= value.size() || value[i] == ';') continue;  // no value: not a parameter
        ++i;                                                 // the '='
        while (i < value.size() && detail::is_space(value[i]))
            ++i;
        std::string text;
        if (i < value.size() && value[i] == '"') {
            text = read_quoted(value, i);
            while (i < value.size() && value[i] != ';')  // anything after the quotes
                ++i;
        } else {
            // A token; lenient: spaces inside are kept ("name=my file.pdf"), comments dropped.
            while (i < value.size() && value[i] != ';') {
                if (value[i] == '(')
                    read_comment(value, i);
                else
                    text += value[i++];
            }
            text = std::string(detail::trimmed(text));
        }
        if (name.empty()) continue;
        ++count;

        // RFC 2231 3 and 4: "name*" is extended, "name*N" a section, "name*N*" both.
        std::string base = name;
        int section = -1;
        bool extended = false;
        if (const std::size_t star = name.find('*'); star != std::string::npos) {
            const std::string_view rest = std::string_view(name).substr(star + 1);
            const std::string_view digits = rest.substr(0, rest.find('*'));
            const std::string_view after = rest.substr(digits.size());
            const bool numbered = !digits.empty() && digits.size() <= kMaxSectionDigits &&
                                  std::all_of(digits.begin(), digits.end(),
                                              [](char d) { return d >= '0' && d <= '9'; });
            if (rest.empty()) {
                base = name.substr(0, star);
                section = 0;
                extended = true;
            } else if (numbered && (after.empty() || after == "*")) {
                base = name.substr(0, star);
                section = std::stoi(std::string(digits));
                extended = after == "*";
            }
        }
        if (base.empty()) continue;  // "*=x" names nothing
        auto entry = std::find_if(gathered.begin(), gathered.end(),
                                  [&base](const Gathered& g) { return g.name == base; });
        if (entry == gathered.end()) {
            gathered.push_back(Gathered{base, {}, false, {}});
            entry = gathered.end() - 1;
        }
        if (section < 0) {
            if (!entry->has_plain) {
                entry->plain = std::move(text);
                entry->has_plain = true;
            }
        } else {
            entry->sections.push_back(Section{section, std::move(text), extended});
        }
    }

    for (Gathered& parameter : gathered) {
        std::string decoded;
        if (!parameter.sections.empty())
            decoded = joined_sections(parameter);  // RFC 2231 wins over a plain value
        else if (parameter.name == "boundary")
            decoded = parameter.plain;  // compared as bytes with the body's lines
        else
            decoded = decode_words(parameter.plain);
        result.parameters.emplace_back(std::move(parameter.name), std::move(decoded));
    }
    return result;
}

}  // namespace mail::mime
