// libFuzzer target for SMTP paths (RFC 5321 4.1.2, RFC 6531): the syntax mail_server checks on
// MAIL FROM and RCPT TO and mail_client on --from and --to. The first byte picks allow_null and
// allow_utf8; the rest is the text after "MAIL FROM:". Checks:
// - an accepted mailbox is within RFC 5321's limits, holds no control byte (it goes into
//   Received and Return-Path lines), is ASCII unless UTF-8 is allowed, and is a valid mailbox
//   (or postmaster);
// - `rest` is exactly what follows the path;
// - parse, write "<mailbox>" + rest, parse: the same mailbox and rest (the source route gone);
// - allowing more (UTF-8, the null path) never refuses what was accepted;
// - the two entry points agree: a valid mailbox in brackets is a path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "common/smtp_path.hpp"
#include "tests/fuzz/check.hpp"

namespace {

using fuzz::check;
using net::smtp::PathStatus;

bool has_control_byte(std::string_view text) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return true;
    }
    return false;
}

bool is_ascii(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

void check_accepted(const net::smtp::ParsedPath& path, std::string_view text, bool allow_null,
                    bool allow_utf8) {
    const std::string& mailbox = path.mailbox;
    check(text.ends_with(path.rest));
    check(text.starts_with('<') && text[text.size() - path.rest.size() - 1] == '>');
    if (mailbox.empty()) {
        check(allow_null);
        check(text.size() == path.rest.size() + 2);  // "<>" exactly
        return;
    }
    check(mailbox.size() + 2 <= net::smtp::kMaxPath);
    check(!has_control_byte(mailbox));
    if (!allow_utf8) check(is_ascii(mailbox));
    if (net::iequals(mailbox, "postmaster")) return;
    check(net::smtp::is_valid_mailbox(mailbox, allow_utf8));
    const auto domain = net::smtp::mailbox_domain(mailbox);
    check(!domain.empty() && domain.size() <= net::smtp::kMaxDomain);
    check(mailbox.ends_with(domain));
    check(mailbox.size() - domain.size() - 1 <= net::smtp::kMaxLocalPart);
}

void fuzz_path(std::string_view text, bool allow_null, bool allow_utf8) {
    const auto path = net::smtp::parse_path(text, allow_null, allow_utf8);
    if (path.status != PathStatus::kOk) {
        if (path.status == PathStatus::kNeedsUtf8) check(!allow_utf8);
        return;
    }
    check_accepted(path, text, allow_null, allow_utf8);

    const std::string again_text = "<" + path.mailbox + ">" + std::string(path.rest);
    const auto again = net::smtp::parse_path(again_text, allow_null, allow_utf8);
    check(again.status == PathStatus::kOk && again.mailbox == path.mailbox &&
          again.rest == path.rest);

    const auto wider = net::smtp::parse_path(text, true, true);
    check(wider.status == PathStatus::kOk && wider.mailbox == path.mailbox);
}

void fuzz_mailbox(std::string_view text) {
    for (const bool utf8 : {false, true}) {
        if (!net::smtp::is_valid_mailbox(text, utf8)) continue;
        check(!has_control_byte(text));
        if (!utf8) check(net::smtp::is_valid_mailbox(text, true));
        const auto path = net::smtp::parse_path("<" + std::string(text) + ">", false, utf8);
        check(path.status == PathStatus::kOk || path.status == PathStatus::kTooLong);
        if (path.status == PathStatus::kOk) check(path.mailbox == text && path.rest.empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool allow_null = (data[0] & 1) != 0;
    const bool allow_utf8 = (data[0] & 2) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    fuzz_path(text, allow_null, allow_utf8);
    fuzz_mailbox(text);
    return 0;
}
