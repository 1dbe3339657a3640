// The message mail_client sends, composed from the command line's parts (RFC 5322 + MIME):
// pure functions of their inputs, no I/O. The result has CRLF line ends, no line over 998
// octets, and is not yet dot-stuffed (that is the wire's business: see smtp_wire.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mail_client {

struct Attachment {
    std::string filename;      // the name shown to the reader (no directory part)
    std::string content_type;  // "application/pdf"; empty: net::content_type_for(filename)
    std::string data;          // the file's bytes
};

struct Composition {
    std::string from;             // a mailbox, "alice@example.org"
    std::vector<std::string> to;  // mailboxes; Bcc recipients are never given here
    std::vector<std::string> cc;
    std::string subject;                                     // UTF-8; may be empty
    std::string body;                                        // UTF-8 text, any line ends
    std::vector<Attachment> attachments;                     // none: a single text/plain part
    std::vector<std::pair<std::string, std::string>> extra;  // --header 'Name: value', in order
    std::string date;                                        // RFC 5322 date-time (Date:)
    std::string message_id;                                  // "<...@...>" (Message-ID:)
    bool eight_bit = false;  // the server offers 8BITMIME: 8bit text, else quoted-printable
};

// The whole message. Headers in this order: Date, From, To, Cc, Subject, Message-ID,
// MIME-Version, the extra headers, then Content-Type / Content-Transfer-Encoding. Long header
// fields are folded (RFC 5322 2.2.3, lines of at most 78 characters where possible); a
// non-ASCII Subject becomes RFC 2047 encoded-words. The text part is "text/plain;
// charset=utf-8", 7bit when it is ASCII with short lines, else 8bit (eight_bit) or
// quoted-printable (always for a line over 998 octets or a NUL). Attachments: multipart/mixed,
// the text part first, then each attachment base64 with Content-Type (name=) and
// Content-Disposition: attachment; filename= (RFC 2231 name*= / filename*=utf-8''..., in
// sections when long, unless printable ASCII that fits a line), under a boundary derived from
// message_id that occurs in no part. The text ends with a line end (one is added if missing).
// An empty date or message_id leaves that field out; with neither To nor Cc recipients, To is
// "undisclosed-recipients:;". Addresses and extra header values are written as given (folded).
// Precondition: validate() returned nothing.
std::string compose(const Composition& message);

// What is wrong with the parts a user gave, or nothing: a CR or LF in any address, the subject,
// an extra header's name or value (header injection), an extra header name that is not
// printable ASCII without ':' or that names a header compose() writes itself (Date, From, To,
// Cc, Bcc, Subject, Message-ID, MIME-Version, Content-Type, Content-Transfer-Encoding), a body
// or subject that is not well-formed UTF-8. Also: an empty From or address, another control
// character (HTAB aside) in an address, the subject or a header value, an address or header
// value with a word too long to fold into 998-octet lines, a Date with a line break, a
// message_id that is not "<left@right>" (RFC 5322 3.6.4), an attachment whose file name is not
// UTF-8 or whose content type is not type/subtype or is multipart/ or message/ (which may not
// be base64-encoded). E.g. "--subject contains a line break (header injection is refused)".
std::optional<std::string> validate(const Composition& message);

// Parses "Name: value" as given to --header; nullopt when there is no ':' or no name.
std::optional<std::pair<std::string, std::string>> parse_header_option(std::string_view text);

// "=?utf-8?B?...?=" (or "?Q?" when that is shorter) encoded-words (RFC 2047), separated by one
// space, split between characters so no encoded-word is over 75 characters; ASCII text without
// "=?" or a control character (HTAB aside) is returned as it is.
std::string encode_header_text(std::string_view utf8);

// Quoted-printable (RFC 2045 6.7) of text whose line ends are CRLF (kept as hard line breaks;
// a lone CR or LF is encoded as data); soft line breaks keep every line at most 76 characters.
std::string quoted_printable(std::string_view text);

// Base64 in lines of 76 characters, each ending CRLF (RFC 2045 6.8).
std::string base64_lines(std::string_view bytes);

// Every line end (CRLF, LF or a lone CR) made CRLF.
std::string crlf_normalized(std::string_view text);

// A unique Message-ID for a message from `domain`: "<micros.random@domain>", the time in
// decimal and the random value in 16 hex digits, from the given clock and random values (the
// caller supplies them, so tests are repeatable). A domain that would make an invalid msg-id
// (empty, a space...) is replaced by "localhost".
std::string make_message_id(std::string_view domain, std::uint64_t unix_micros,
                            std::uint64_t random);

}  // namespace mail_client
