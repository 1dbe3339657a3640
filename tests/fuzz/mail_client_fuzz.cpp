// libFuzzer target for mail_client's pure parts. The first byte picks what is fuzzed:
// - even: the rest is what a server sends, cut into reads at every '\x01', fed to ReplyReader
//   and the Dialogue (TLS starting at once when asked). The dialogue must end with an exit status
//   it documents, never send a command without CRLF, and never show the password in what it
//   sends (the server's own reply text, quoted in errors, is the server's business).
// - odd: the rest, split at '\x00', is a Composition (from, to, subject, body, header name and
//   value, attachment); when validate() accepts it, compose() must give CRLF lines of at most
//   998 octets, with no bare CR or LF.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64.hpp"
#include "mail_client/compose.hpp"
#include "mail_client/dialogue.hpp"
#include "mail_client/smtp_wire.hpp"
#include "tests/fuzz/check.hpp"

namespace {

using fuzz::check;

constexpr std::string_view kPassword = "fuzz-secret-password";

bool allowed_exit(int code) {
    switch (code) {
        case 0:
        case 65:
        case 69:
        case 74:
        case 75:
        case 76:
        case 77:
        case 78:
            return true;
        default:
            return false;
    }
}

void check_actions(const std::vector<mail_client::Action>& actions) {
    for (const auto& action : actions) {
        if (action.kind != mail_client::Action::Kind::kSend) continue;
        check(action.bytes.ends_with("\r\n"));
        check(action.shown.find(kPassword) == std::string::npos);
        check(action.shown.find(net::base64_encode(kPassword)) == std::string::npos);
    }
}

void fuzz_dialogue(std::string_view input, std::uint8_t flags) {
    mail_client::DialogueOptions options;
    options.helo = "fuzz.example";
    options.tls = static_cast<mail_client::TlsMode>((flags >> 1) % 4);
    options.auth = static_cast<mail_client::AuthChoice>((flags >> 3) % 3);
    if ((flags & 0x20) != 0)
        options.credentials = mail_client::Credentials{"user", std::string(kPassword)};
    options.from = "alice@example.org";
    options.recipients = {"bob@example.org", "carol@example.org"};
    options.message = [](bool) { return std::string("Subject: x\r\n\r\n.body\r\n"); };
    mail_client::Dialogue dialogue(options);
    mail_client::ReplyReader reader;
    while (!dialogue.done() && !input.empty()) {
        const auto cut = input.find('\x01');
        const auto chunk = input.substr(0, cut);
        input.remove_prefix(cut == std::string_view::npos ? input.size() : cut + 1);
        std::vector<mail_client::Reply> replies;
        try {
            replies = reader.feed(chunk);
        } catch (const mail_client::ProtocolError&) {
            dialogue.protocol_broken("bad reply");
            break;
        }
        for (const auto& reply : replies) {
            if (dialogue.done()) break;
            check(reply.code >= 200 && reply.code <= 599 && !reply.lines.empty());
            auto actions = dialogue.on_reply(reply);
            check_actions(actions);
            for (const auto& action : actions) {
                if (action.kind == mail_client::Action::Kind::kStartTls) {
                    check_actions(dialogue.tls_started());
                }
            }
        }
    }
    if (!dialogue.done()) dialogue.connection_lost("end of input");
    check(dialogue.done());
    const auto& outcome = dialogue.outcome();
    check(allowed_exit(outcome.exit_code));
    check((outcome.exit_code == 0) == outcome.error.empty());
    check(outcome.accepted + outcome.refused.size() <= 2);
}

void fuzz_compose(std::string_view input) {
    std::vector<std::string> fields;
    while (fields.size() < 7) {
        const auto cut = input.find('\0');
        fields.emplace_back(input.substr(0, cut));
        if (cut == std::string_view::npos) break;
        input.remove_prefix(cut + 1);
    }
    fields.resize(7);
    mail_client::Composition message;
    message.from = fields[0];
    message.to = {fields[1]};
    message.subject = fields[2];
    message.body = fields[3];
    if (!fields[4].empty()) message.extra.emplace_back(fields[4], fields[5]);
    if (!fields[6].empty())
        message.attachments.push_back({"file.bin", "application/octet-stream", fields[6]});
    message.date = "Wed, 25 Nov 2026 12:00:00 +0000";
    message.message_id = mail_client::make_message_id("example.org", 1, 2);
    message.eight_bit = !fields[6].empty() && (fields[6][0] & 1) != 0;
    if (mail_client::validate(message)) return;
    const std::string text = mail_client::compose(message);
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            check(i + 1 < text.size() && text[i + 1] == '\n');
            check(i - line_start <= 998);
            line_start = i + 2;
            ++i;
        } else {
            check(text[i] != '\n');
        }
    }
    check(text.size() - line_start <= 998);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((data[0] & 1) == 0) {
        fuzz_dialogue(input, data[0]);
    } else {
        fuzz_compose(input);
    }
    return 0;
}
