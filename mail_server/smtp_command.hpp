// SMTP command lines (RFC 5321 4.1.1): the verb, its argument, and the MAIL/RCPT parameters.
// Pure parsing; what a command means in the session's state is smtp_session's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mail {

enum class Verb {
    kHelo,
    kEhlo,
    kMail,
    kRcpt,
    kData,
    kRset,
    kNoop,
    kQuit,
    kVrfy,
    kHelp,
    kStartTls,
    kAuth,
    kNotImplemented,  // EXPN, TURN, ETRN, SEND, SOML, SAML, BDAT...: known, never offered -> 502
    kNotSmtp,         // another protocol talking (HTTP, a header line) -> 421 and close
    kUnknown,         // -> 500
};

struct Command {
    Verb verb = Verb::kUnknown;
    std::string_view name;      // the verb as sent ("ehlo")
    std::string_view argument;  // after the first space, trailing spaces removed
};

// Splits a command line (without its CRLF). Verbs are case-insensitive.
Command parse_command(std::string_view line);

// Whether a line that is no SMTP command is another protocol's: Postfix's
// smtpd_forbidden_commands (CONNECT, GET, POST, any case), a first word in the "Label:" form of
// a header ("Host:", "User-Agent:", "Content-Type:"), or an HTTP request line ("PUT /x
// HTTP/1.1"). A proxy relaying an HTTP request to the SMTP port sends such lines first; the body
// after them must never be read as commands (a cross-protocol request could deliver mail).
bool is_other_protocol(std::string_view name, std::string_view argument);

// How a MAIL or RCPT argument failed, each with its reply.
enum class ArgumentStatus {
    kOk,
    kSyntax,            // 501 5.5.4: not "FROM:<path>" / "TO:<path>"
    kBadPath,           // 501 5.1.7 (sender) / 5.1.3 (recipient): the path itself
    kPathTooLong,       // 501 5.5.4
    kNeedsUtf8,         // 553 5.6.7: non-ASCII mailbox without SMTPUTF8
    kUnknownParameter,  // 555 5.5.4
    kBadParameter,      // 501 5.5.4: a known parameter with a bad value
};

enum class BodyType { k7Bit, k8BitMime };

struct MailArguments {
    ArgumentStatus status = ArgumentStatus::kSyntax;
    std::string reverse_path;           // "" for the null path "<>"
    std::optional<std::uint64_t> size;  // SIZE= (RFC 1870)
    BodyType body = BodyType::k7Bit;    // BODY= (RFC 6152)
    bool smtputf8 = false;              // SMTPUTF8 (RFC 6531)
    std::string detail;                 // the offending parameter, for the reply
};

struct RcptArguments {
    ArgumentStatus status = ArgumentStatus::kSyntax;
    std::string forward_path;
    std::string detail;
};

// "FROM:<alice@example.org> SIZE=1000 BODY=8BITMIME". A space after the colon is tolerated
// (many clients send one); the angle brackets are not optional.
MailArguments parse_mail_arguments(std::string_view argument);
// "TO:<bob@example.org>"; `smtputf8` when the transaction's MAIL carried SMTPUTF8.
RcptArguments parse_rcpt_arguments(std::string_view argument, bool smtputf8);

}  // namespace mail
