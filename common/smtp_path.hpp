// SMTP paths and mailboxes (RFC 5321 4.1.2, with RFC 6531's UTF-8): the syntax both mail
// programs check, the server on MAIL FROM / RCPT TO, the client on --from / --to.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace net::smtp {

constexpr std::size_t kMaxLocalPart = 64;  // RFC 5321 4.5.3.1.1 -> 501
constexpr std::size_t kMaxDomain = 255;    // RFC 5321 4.5.3.1.2 -> 501
constexpr std::size_t kMaxPath = 256;      // RFC 5321 4.5.3.1.3, brackets included -> 501

enum class PathStatus {
    kOk,
    kSyntax,     // not a path: 501 5.1.3 (RCPT) / 5.1.7 (MAIL)
    kTooLong,    // a part over its limit: 501 5.5.4
    kNeedsUtf8,  // non-ASCII without SMTPUTF8: 553 5.6.7 (RFC 6531 3.5)
};

struct ParsedPath {
    PathStatus status = PathStatus::kSyntax;
    std::string mailbox;    // "Local@Example.org" as written (case kept); "" for "<>"
    std::string_view rest;  // what follows the closing '>' (the ESMTP parameters)
};

// Parses the "<...>" path at the start of `text`. A source route ("<@a,@b:user@c>") is accepted
// and dropped (RFC 5321 4.1.1.3, C.). `allow_null` admits "<>" (a reverse-path). Unless
// `allow_utf8`, only ASCII is accepted. "<postmaster>" without a domain is a valid forward-path
// (RFC 5321 4.5.1) and parses with status kOk.
ParsedPath parse_path(std::string_view text, bool allow_null, bool allow_utf8);

// Whether `mailbox` ("local@domain", no brackets) is a valid RFC 5321 Mailbox.
bool is_valid_mailbox(std::string_view mailbox, bool allow_utf8);

// The domain part of a mailbox ("" for one without '@').
std::string_view mailbox_domain(std::string_view mailbox);

}  // namespace net::smtp
