// The RFC 5321 4.1.2 grammar, one function per rule.
#include "common/smtp_path.hpp"

#include <arpa/inet.h>

#include <array>

#include "common/ascii.hpp"

namespace net::smtp {
namespace {

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_non_ascii(char c) {
    return static_cast<unsigned char>(c) >= 0x80;
}

// atext (RFC 5322 3.2.3), plus UTF-8 bytes when allowed (RFC 6531 3.3).
bool is_atext(char c, bool utf8) {
    static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
    return is_alpha(c) || is_digit(c) || kSpecials.find(c) != std::string_view::npos ||
           (utf8 && is_non_ascii(c));
}

// Let-dig [Ldh-str]: letters, digits and inner hyphens; UTF-8 allowed for U-labels.
bool is_sub_domain(std::string_view label, bool utf8) {
    if (label.empty() || label.size() > 63) return false;
    auto let_dig = [&](char c) { return is_alpha(c) || is_digit(c) || (utf8 && is_non_ascii(c)); };
    if (!let_dig(label.front()) || !let_dig(label.back())) return false;
    for (const char c : label) {
        if (!let_dig(c) && c != '-') return false;
    }
    return true;
}

bool is_domain(std::string_view domain, bool utf8) {
    if (domain.empty()) return false;
    std::size_t start = 0;
    while (true) {
        const auto dot = domain.find('.', start);
        const auto label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!is_sub_domain(label, utf8)) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

// "[192.0.2.1]", "[IPv6:2001:db8::1]" or a General-address-literal "[tag:content]".
bool is_address_literal(std::string_view text) {
    if (text.size() < 3 || text.front() != '[' || text.back() != ']') return false;
    const std::string inner(text.substr(1, text.size() - 2));
    // inet_pton reads a C string: bytes after a NUL would pass unread.
    if (inner.find('\0') != std::string::npos) return false;
    std::array<unsigned char, 16> address{};
    if (inner.rfind("IPv6:", 0) == 0) {
        return ::inet_pton(AF_INET6, inner.c_str() + 5, address.data()) == 1;
    }
    if (::inet_pton(AF_INET, inner.c_str(), address.data()) == 1) return true;
    const auto colon = inner.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == inner.size()) return false;
    for (std::size_t i = 0; i < colon; ++i) {  // Standardized-tag is an Ldh-str
        if (!is_alpha(inner[i]) && !is_digit(inner[i]) && inner[i] != '-') return false;
    }
    for (std::size_t i = colon + 1; i < inner.size(); ++i) {  // dcontent: %d33-90 / %d94-126
        const auto c = static_cast<unsigned char>(inner[i]);
        if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') return false;
    }
    return true;
}

// Dot-string or Quoted-string.
bool is_local_part(std::string_view local, bool utf8) {
    if (local.empty()) return false;
    if (local.front() == '"') {
        if (local.size() < 2 || local.back() != '"') return false;
        for (std::size_t i = 1; i + 1 < local.size(); ++i) {
            const auto c = static_cast<unsigned char>(local[i]);
            if (c == '\\') {  // quoted-pairSMTP: backslash and one printable character
                if (i + 2 >= local.size()) return false;
                const auto next = static_cast<unsigned char>(local[++i]);
                if (next < 32 || next > 126) return false;
            } else if (c == '"' || c < 32 || c == 127 || (c > 127 && !utf8)) {
                return false;
            }
        }
        return true;
    }
    bool after_dot = true;  // no leading dot, no ".."
    for (const char c : local) {
        if (c == '.') {
            if (after_dot) return false;
            after_dot = true;
        } else if (is_atext(c, utf8)) {
            after_dot = false;
        } else {
            return false;
        }
    }
    return !after_dot;
}

bool has_non_ascii(std::string_view text) {
    for (const char c : text) {
        if (is_non_ascii(c)) return true;
    }
    return false;
}

// The '@' that separates local part and domain: the last one outside a quoted local part.
std::size_t find_at_sign(std::string_view mailbox) {
    if (!mailbox.empty() && mailbox.front() == '"') {
        for (std::size_t i = 1; i < mailbox.size(); ++i) {
            if (mailbox[i] == '\\') {
                ++i;
            } else if (mailbox[i] == '"') {
                return mailbox.find('@', i + 1);
            }
        }
        return std::string_view::npos;
    }
    return mailbox.find('@');
}

// A-d-l ":" — each At-domain must be a valid "@domain".
bool is_source_route(std::string_view route, bool utf8) {
    std::size_t start = 0;
    while (true) {
        const auto comma = route.find(',', start);
        const auto hop =
            route.substr(start, comma == std::string_view::npos ? comma : comma - start);
        if (hop.size() < 2 || hop.front() != '@' || !is_domain(hop.substr(1), utf8)) return false;
        if (comma == std::string_view::npos) return true;
        start = comma + 1;
    }
}

}  // namespace

bool is_valid_mailbox(std::string_view mailbox, bool allow_utf8) {
    if (allow_utf8 && !is_well_formed_utf8(mailbox)) return false;
    const auto at = find_at_sign(mailbox);
    if (at == std::string_view::npos) return false;
    const auto local = mailbox.substr(0, at);
    const auto domain = mailbox.substr(at + 1);
    return is_local_part(local, allow_utf8) &&
           (is_domain(domain, allow_utf8) || is_address_literal(domain));
}

std::string_view mailbox_domain(std::string_view mailbox) {
    const auto at = find_at_sign(mailbox);
    return at == std::string_view::npos ? std::string_view{} : mailbox.substr(at + 1);
}

ParsedPath parse_path(std::string_view text, bool allow_null, bool allow_utf8) {
    ParsedPath result;
    if (text.empty() || text.front() != '<') return result;
    // The closing '>' may not sit inside a quoted local part, nor inside an address literal
    // (dcontent allows '>', 4.1.3).
    std::size_t close = std::string_view::npos;
    bool quoted = false;
    bool literal = false;
    for (std::size_t i = 1; i < text.size(); ++i) {
        if (literal) {
            literal = text[i] != ']';
        } else if (!quoted && text[i] == '[') {
            literal = true;
        } else if (quoted && text[i] == '\\') {
            ++i;
        } else if (text[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && text[i] == '>') {
            close = i;
            break;
        }
    }
    if (close == std::string_view::npos) return result;
    result.rest = text.substr(close + 1);
    std::string_view inner = text.substr(1, close - 1);
    if (inner.empty()) {
        result.status = allow_null ? PathStatus::kOk : PathStatus::kSyntax;
        return result;
    }
    if (close + 1 > kMaxPath) {
        result.status = PathStatus::kTooLong;
        return result;
    }
    // UTF-8 anywhere in the path (the route included) must be well-formed, and allowed.
    if (!is_well_formed_utf8(inner)) return result;
    const bool needs_utf8 = has_non_ascii(inner);
    if (inner.front() == '@') {
        const auto colon = inner.find(':');
        if (colon == std::string_view::npos || !is_source_route(inner.substr(0, colon), true))
            return result;
        inner.remove_prefix(colon + 1);
    }
    if (iequals(inner, "postmaster")) {  // RFC 5321 4.5.1: always accepted without a domain
        result.status = !allow_utf8 && needs_utf8 ? PathStatus::kNeedsUtf8 : PathStatus::kOk;
        result.mailbox = std::string(inner);
        return result;
    }
    const auto at = find_at_sign(inner);
    if (at != std::string_view::npos &&
        (at > kMaxLocalPart || inner.size() - at - 1 > kMaxDomain)) {
        result.status = PathStatus::kTooLong;
        return result;
    }
    if (!is_valid_mailbox(inner, true)) return result;
    if (!allow_utf8 && needs_utf8) {
        result.status = PathStatus::kNeedsUtf8;
        return result;
    }
    result.status = PathStatus::kOk;
    result.mailbox = std::string(inner);
    return result;
}

}  // namespace net::smtp
