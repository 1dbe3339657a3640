// Reading a stored message (RFC 5322 + MIME, RFC 2045-2047, 2231): the header fields, the
// structure of its parts, and their content decoded to bytes and to UTF-8 text. Pure functions of
// the message's bytes, no I/O. Malformed input never throws: a part that cannot be understood is
// shown as it is (its raw bytes, as text/plain), a word that cannot be decoded is kept as written.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mail::mime {

// One header field: its name as written, its value unfolded (CRLF/LF before WSP removed) and not
// otherwise decoded.
struct Field {
    std::string name;
    std::string value;
};

struct Head {
    std::vector<Field> fields;
    std::size_t body_offset = 0;  // where the body starts (after the empty line), or the size
};

// The header block at the start of `message`, up to the first empty line (CRLF or LF line ends).
// A line that is neither a field nor a continuation ends the head there (it belongs to the body).
// An mbox separator line ("From sender date") first is skipped.
Head parse_head(std::string_view message);

// The value of the first field called `name` (case-insensitive), or null.
const std::string* find_field(const std::vector<Field>& fields, std::string_view name);

// Bytes in `charset` to UTF-8: utf-8, us-ascii, iso-8859-1 (latin1...), iso-8859-15,
// windows-1252 at least, names compared case-insensitively. Bytes invalid in the charset, and
// every byte >= 0x80 of an unknown charset, become U+FFFD. The result is always valid UTF-8.
// An empty charset (none declared): the bytes as UTF-8 when they are well-formed, else Latin-1.
std::string to_utf8(std::string_view bytes, std::string_view charset);

// An unstructured header value (Subject, a display name) with its RFC 2047 encoded-words
// ("=?utf-8?B?...?=", "=?iso-8859-1?Q?...?=") decoded, whitespace between adjacent encoded-words
// dropped (RFC 2047 6.2); raw 8-bit bytes taken as UTF-8 when valid, else Latin-1. Always valid
// UTF-8.
std::string decode_words(std::string_view value);

// A mailbox of an address list: "Alice Example <alice@example.org>" -> {"Alice Example",
// "alice@example.org"}; display names RFC 2047 decoded, quotes and comments removed.
struct Address {
    std::string name;     // may be empty
    std::string address;  // addr-spec as written; may be empty for a malformed entry
};

// The mailboxes of an address-list header value (From, To, Cc, Reply-To): comma-separated,
// groups ("undisclosed-recipients:;") flattened, commas inside quotes and angle brackets kept.
std::vector<Address> parse_addresses(std::string_view value);

// "Alice Example <alice@example.org>", or the bare address when there is no name.
std::string format_address(const Address& address);

// A Content-Type or Content-Disposition value: "text/plain; charset=utf-8".
struct HeaderValue {
    std::string value;  // lower-cased: "text/plain", "attachment"
    // Parameter names lower-cased; values unquoted and, for RFC 2231 (name*=, name*0*=...),
    // joined and decoded to UTF-8; an RFC 2047 word in a quoted value (as many mailers write
    // file names) decoded too.
    std::vector<std::pair<std::string, std::string>> parameters;

    // The first parameter called `name` (lower-case), or empty.
    [[nodiscard]] std::string parameter(std::string_view name) const;
};
HeaderValue parse_header_value(std::string_view value);

// One leaf part of a message (multiparts are walked, not listed).
struct Part {
    // Mailpit's PartID: the leaf's position in the tree, "1", "2", "2.1"... A message that is
    // not multipart has the single part "1".
    std::string id;
    std::string content_type = "text/plain";  // lower-cased type/subtype
    std::string charset;                      // lower-cased; empty when not given
    std::string disposition;                  // "inline", "attachment" or empty
    std::string filename;                     // UTF-8 (filename= or name=); may be empty
    std::string content_id;                   // without the angle brackets
    std::string transfer_encoding;            // lower-cased: "base64", "quoted-printable"...
    std::size_t offset = 0;                   // the body's bytes in the message
    std::size_t length = 0;
    bool malformed = false;  // not understood: shown raw as text/plain

    // An attachment: disposition attachment, or a file name on a part that is not the text or
    // HTML body.
    bool attachment = false;
};

// The message's tree, flattened to its leaves in order.
struct Message {
    Head head;
    std::vector<Part> parts;
    // Indexes into parts: the text/plain and text/html bodies a reader shows (the first of each
    // that is not an attachment; inside multipart/alternative both are taken), or nullopt.
    std::optional<std::size_t> text;
    std::optional<std::size_t> html;
};

// The structure of `message`. Nested multipart (any depth up to a limit; deeper is shown raw),
// message/rfc822 parts are leaves. Never throws on any input.
Message parse_message(std::string_view message);

// A part's content with its transfer encoding undone (base64, quoted-printable; 7bit, 8bit,
// binary and unknown encodings as they are). Lenient: base64 ignores whitespace and stops at
// invalid input, quoted-printable keeps a malformed '=' as it is.
std::string decode_content(std::string_view message, const Part& part);

// A text part's content decoded to UTF-8 (decode_content, then to_utf8 with its charset).
std::string decode_text(std::string_view message, const Part& part);

}  // namespace mail::mime
