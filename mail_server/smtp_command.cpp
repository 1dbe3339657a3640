// Command-line parsing: verbs from a table, then the MAIL/RCPT grammar of RFC 5321 4.1.1.2-3.
#include "smtp_command.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "common/ascii.hpp"
#include "common/smtp_path.hpp"

namespace mail {
namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 21> kVerbs = {{
    {"HELO", Verb::kHelo},
    {"EHLO", Verb::kEhlo},
    {"MAIL", Verb::kMail},
    {"RCPT", Verb::kRcpt},
    {"DATA", Verb::kData},
    {"RSET", Verb::kRset},
    {"NOOP", Verb::kNoop},
    {"QUIT", Verb::kQuit},
    {"VRFY", Verb::kVrfy},
    {"HELP", Verb::kHelp},
    {"STARTTLS", Verb::kStartTls},
    {"AUTH", Verb::kAuth},
    {"EXPN", Verb::kNotImplemented},
    {"TURN", Verb::kNotImplemented},
    {"ETRN", Verb::kNotImplemented},
    {"ATRN", Verb::kNotImplemented},
    {"SEND", Verb::kNotImplemented},
    {"SOML", Verb::kNotImplemented},
    {"SAML", Verb::kNotImplemented},
    {"BDAT", Verb::kNotImplemented},
    {"XCLIENT", Verb::kNotImplemented},
}};

std::string_view trim_spaces(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// "FROM:" / "TO:" then optional spaces; the rest, or nullopt when the keyword is missing.
std::optional<std::string_view> after_keyword(std::string_view argument, std::string_view keyword) {
    if (argument.size() < keyword.size() ||
        !net::iequals(argument.substr(0, keyword.size()), keyword))
        return std::nullopt;
    argument.remove_prefix(keyword.size());
    while (!argument.empty() && argument.front() == ' ')
        argument.remove_prefix(1);
    return argument;
}

ArgumentStatus path_status(net::smtp::PathStatus status) {
    switch (status) {
        case net::smtp::PathStatus::kOk:
            return ArgumentStatus::kOk;
        case net::smtp::PathStatus::kSyntax:
            return ArgumentStatus::kBadPath;
        case net::smtp::PathStatus::kTooLong:
            return ArgumentStatus::kPathTooLong;
        case net::smtp::PathStatus::kNeedsUtf8:
            return ArgumentStatus::kNeedsUtf8;
    }
    return ArgumentStatus::kBadPath;
}

bool is_keyword_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}
// esmtp-value: any printable except '=' and space (RFC 5321 4.1.2), UTF-8 allowed (RFC 6531).
bool is_value_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 33 && u <= 126 && c != '=') || u >= 128;
}

struct Parameter {
    std::string_view keyword;
    std::optional<std::string_view> value;
};

// Splits "SIZE=10 BODY=8BITMIME" into parameters, calling `take` for each; false on bad syntax.
template <typename Take>
bool for_each_parameter(std::string_view text, Take take) {
    text = trim_spaces(text);
    while (!text.empty()) {
        const auto end = text.find(' ');
        const auto word = text.substr(0, end);
        const auto eq = word.find('=');
        Parameter parameter{word.substr(0, eq), std::nullopt};
        if (eq != std::string_view::npos) parameter.value = word.substr(eq + 1);
        if (parameter.keyword.empty() || !is_keyword_char(parameter.keyword.front())) return false;
        for (const char c : parameter.keyword) {
            if (!is_keyword_char(c)) return false;
        }
        if (parameter.value) {
            if (parameter.value->empty()) return false;
            for (const char c : *parameter.value) {
                if (!is_value_char(c)) return false;
            }
        }
        if (!take(parameter)) return true;  // take() recorded the failure
        if (end == std::string_view::npos) break;
        text = trim_spaces(text.substr(end));
    }
    return true;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t value = 0;
    if (text.empty() || text.size() > 20) return std::nullopt;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

Command parse_command(std::string_view line) {
    Command command;
    const auto space = line.find(' ');
    command.name = line.substr(0, space);
    if (space != std::string_view::npos) command.argument = trim_spaces(line.substr(space + 1));
    for (const auto& [name, verb] : kVerbs) {
        if (net::iequals(command.name, name)) {
            command.verb = verb;
            return command;
        }
    }
    if (is_other_protocol(command.name, command.argument)) command.verb = Verb::kNotSmtp;
    return command;
}

bool is_other_protocol(std::string_view name, std::string_view argument) {
    for (const std::string_view forbidden : {"CONNECT", "GET", "POST"}) {
        if (net::iequals(name, forbidden)) return true;
    }
    // "Label:" as in a header field (RFC 5322 2.2: printable ASCII but the colon), with or
    // without text after the colon.
    const auto colon = name.find(':');
    if (colon != std::string_view::npos && colon > 0 &&
        std::all_of(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u > 32 && u < 127;
        })) {
        return true;
    }
    // "METHOD target HTTP/1.1" (RFC 9112 3): the version ends the line.
    const auto last_space = argument.rfind(' ');
    if (last_space == std::string_view::npos || last_space == 0) return false;
    const auto version = argument.substr(last_space + 1);
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return version.size() == 8 && version.starts_with("HTTP/") && digit(version[5]) &&
           version[6] == '.' && digit(version[7]);
}

MailArguments parse_mail_arguments(std::string_view argument) {
    MailArguments result;
    const auto rest = after_keyword(argument, "FROM:");
    if (!rest || !rest->starts_with('<')) return result;
    // SMTPUTF8 may follow the path, so read the parameters before judging a UTF-8 mailbox.
    const auto path = net::smtp::parse_path(*rest, /*allow_null=*/true, /*allow_utf8=*/true);
    result.status = path_status(path.status);
    if (result.status != ArgumentStatus::kOk) return result;
    if (!path.rest.empty() && path.rest.front() != ' ') {
        result.status = ArgumentStatus::kSyntax;
        return result;
    }
    const bool well_formed = for_each_parameter(path.rest, [&](const Parameter& p) {
        if (net::iequals(p.keyword, "SIZE")) {
            result.size = p.value ? parse_size(*p.value) : std::nullopt;
            if (!result.size) result.status = ArgumentStatus::kBadParameter;
        } else if (net::iequals(p.keyword, "BODY")) {
            if (p.value && net::iequals(*p.value, "7BIT")) {
                result.body = BodyType::k7Bit;
            } else if (p.value && net::iequals(*p.value, "8BITMIME")) {
                result.body = BodyType::k8BitMime;
            } else {
                result.status = ArgumentStatus::kBadParameter;  // BINARYMIME is not offered
            }
        } else if (net::iequals(p.keyword, "SMTPUTF8")) {
            result.smtputf8 = true;
            if (p.value) result.status = ArgumentStatus::kBadParameter;
        } else {
            result.status = ArgumentStatus::kUnknownParameter;
        }
        if (result.status != ArgumentStatus::kOk) result.detail = std::string(p.keyword);
        return result.status == ArgumentStatus::kOk;
    });
    if (!well_formed) {
        result.status = ArgumentStatus::kSyntax;
        return result;
    }
    if (result.status != ArgumentStatus::kOk) return result;
    if (!result.smtputf8 &&
        net::smtp::parse_path(*rest, true, false).status == net::smtp::PathStatus::kNeedsUtf8) {
        result.status = ArgumentStatus::kNeedsUtf8;
        return result;
    }
    result.reverse_path = path.mailbox;
    return result;
}

RcptArguments parse_rcpt_arguments(std::string_view argument, bool smtputf8) {
    RcptArguments result;
    const auto rest = after_keyword(argument, "TO:");
    if (!rest || !rest->starts_with('<')) return result;
    const auto path = net::smtp::parse_path(*rest, /*allow_null=*/false, smtputf8);
    result.status = path_status(path.status);
    if (result.status != ArgumentStatus::kOk) return result;
    if (!path.rest.empty() && path.rest.front() != ' ') {
        result.status = ArgumentStatus::kSyntax;
        return result;
    }
    const bool well_formed = for_each_parameter(path.rest, [&](const Parameter& p) {
        result.status = ArgumentStatus::kUnknownParameter;  // no RCPT parameter is offered
        result.detail = std::string(p.keyword);
        return false;
    });
    if (!well_formed) result.status = ArgumentStatus::kSyntax;
    if (result.status == ArgumentStatus::kOk) result.forward_path = path.mailbox;
    return result;
}

}  // namespace mail
