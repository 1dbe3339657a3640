// Received: from <helo> ([address]) by <host> (mail_server) with <proto> id <id> for <rcpt>; date
#include "trace_headers.hpp"

#include "common/mail_date.hpp"
#include "common/smtp_path.hpp"

namespace mail {
namespace {

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3).
std::string address_literal(std::string_view address) {
    std::string literal = "[";
    if (address.find(':') != std::string_view::npos) literal += "IPv6:";
    literal += address;
    literal += ']';
    return literal;
}

// The client's HELO name is untrusted text: inside a comment, only printable ASCII and spaces
// without the comment's own delimiters survives.
std::string comment_safe(std::string_view text) {
    std::string safe;
    for (const char c : text.substr(0, 255)) {
        const auto u = static_cast<unsigned char>(c);
        safe += (u < 32 || u > 126 || c == '(' || c == ')' || c == '\\') ? '?' : c;
    }
    return safe;
}

// A HELO argument usable as the From-domain: a domain name or an address literal.
bool is_domain_or_literal(std::string_view helo) {
    std::string probe = "x@";
    probe += helo;
    return !helo.empty() && net::smtp::is_valid_mailbox(probe, false);
}

}  // namespace

std::string_view with_protocol(bool extended, bool tls, bool authenticated) {
    if (!extended) return "SMTP";
    if (tls) return authenticated ? "ESMTPSA" : "ESMTPS";
    return authenticated ? "ESMTPA" : "ESMTP";
}

std::string format_trace_headers(const TraceInfo& info) {
    const std::string literal = address_literal(info.client_address);
    std::string out = "Return-Path: <";
    out += info.reverse_path;
    out += ">\r\nReceived: from ";
    if (is_domain_or_literal(info.helo)) {
        out += info.helo;
        out += " (";
    } else {
        out += literal;
        out += " (helo=";
        out += comment_safe(info.helo);
        out += ' ';
    }
    out += literal;
    out += ")\r\n\tby ";
    out += info.hostname;
    out += " (mail_server) with ";
    out += info.protocol;
    if (!info.tls.empty()) {
        out += " (";
        out += comment_safe(info.tls);
        out += ')';
    }
    out += " id ";
    out += info.id;
    if (info.recipient) {
        out += "\r\n\tfor <";
        out += *info.recipient;
        out += '>';
    }
    out += ";\r\n\t";
    out += net::format_mail_date(info.when);
    out += "\r\n";
    return out;
}

}  // namespace mail
