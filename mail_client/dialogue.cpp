// The client dialogue, one function per step: what each reply means at that step (RFC 5321
// 4.3.2 lists the codes each command may get) and what to send next.
#include "mail_client/dialogue.hpp"

#include <algorithm>
#include <utility>

#include "common/base64.hpp"
#include "common/exit_codes.hpp"

namespace mail_client {
namespace {

constexpr int kReady = 220;          // greeting, STARTTLS
constexpr int kOk = 250;             // EHLO, HELO, MAIL, RCPT, end of data
constexpr int kWillForward = 251;    // RCPT: user not local, will forward
constexpr int kAuthenticated = 235;  // AUTH succeeded (RFC 4954)
constexpr int kAuthContinue = 334;   // AUTH: send the next response
constexpr int kStartInput = 354;     // DATA: send the message
constexpr int kClosing = 421;        // any step: the server closes the connection
constexpr int kAuthRequired = 530;   // MAIL without AUTH (RFC 4954 6)

std::string line(std::string text) {
    text += "\r\n";
    return text;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

Action send(std::string text, std::string shown) {
    return Action{Action::Kind::kSend, std::move(text), std::move(shown)};
}

// RFC 4616: authorization identity (empty), NUL, user, NUL, password; in base64.
std::string plain_response(const Credentials& credentials) {
    std::string message;
    message += '\0';
    message += credentials.user;
    message += '\0';
    message += credentials.password;
    return net::base64_encode(message);
}

Action send(const std::string& command) {
    return send(line(command), command);
}

}  // namespace

Dialogue::Dialogue(DialogueOptions options) : options_(std::move(options)) {
    tls_active_ = options_.tls == TlsMode::kImplicit;
}

std::vector<Action> Dialogue::on_reply(const Reply& reply) {
    switch (state_) {
        case State::kGreeting:
            return greeted(reply);
        case State::kEhlo:
            return ehlo_answered(reply);
        case State::kHelo:
            return helo_answered(reply);
        case State::kStartTls:
            return starttls_answered(reply);
        case State::kAuthPlain:
        case State::kAuthLogin:
        case State::kAuthLoginUser:
        case State::kAuthLoginPassword:
            return auth_answered(reply);
        case State::kMail:
            return mail_answered(reply);
        case State::kRcpt:
            return rcpt_answered(reply);
        case State::kData:
            return data_answered(reply);
        case State::kMessage:
            return message_answered(reply);
        case State::kQuit:
            state_ = State::kDone;
            return {Action{Action::Kind::kClose, {}, {}}};
        case State::kDone:
            break;
    }
    return {};
}

// ---- one function per step ------------------------------------------------------------------

std::vector<Action> Dialogue::greeted(const Reply& reply) {
    if (reply.code != kReady) {
        // RFC 5321 3.1: a 554 greeting still expects QUIT; a 421 closes at once.
        return fail(net::kExitUnavailable, "the server refused the session: " + reply.summary(),
                    reply.code != kClosing);
    }
    return send_command(State::kEhlo, "EHLO " + options_.helo);
}

std::vector<Action> Dialogue::ehlo_answered(const Reply& reply) {
    if (reply.code == kOk) {
        extensions_ = parse_extensions(reply);
        return after_hello();
    }
    if (reply.kind() == 5) return send_command(State::kHelo, "HELO " + options_.helo);
    return fail_on_reply("EHLO", reply, net::kExitUnavailable);
}

std::vector<Action> Dialogue::helo_answered(const Reply& reply) {
    if (reply.code == kOk) {
        extensions_ = {};  // HELO: no extensions at all
        return after_hello();
    }
    if (reply.kind() == 5) {
        return fail(net::kExitUnavailable, "the server refused EHLO and HELO: " + reply.summary());
    }
    return fail_on_reply("HELO", reply, net::kExitUnavailable);
}

std::vector<Action> Dialogue::after_hello() {
    // auto: TLS when offered, or when a password is to be sent; a build without TLS goes on in
    // clear text only when there is no password.
    const bool needs_tls = options_.tls == TlsMode::kStartTls ||
                           (options_.tls == TlsMode::kAuto && options_.credentials.has_value());
    const bool wants_tls =
        !tls_active_ && (needs_tls || (options_.tls == TlsMode::kAuto && extensions_.starttls &&
                                       options_.tls_available));
    if (wants_tls) {
        if (!extensions_.starttls) {
            return fail(net::kExitConfig,
                        options_.tls == TlsMode::kStartTls
                            ? "the server does not offer STARTTLS"
                            : "the server does not offer STARTTLS, and a password is never "
                              "sent in clear text (--tls none would send it)");
        }
        if (!options_.tls_available) {
            return fail(net::kExitConfig,
                        "TLS is needed, and this build has no TLS (OpenSSL): install libssl-dev "
                        "and rebuild");
        }
        return send_command(State::kStartTls, "STARTTLS");
    }
    if (options_.credentials && !authenticated_) return send_auth();
    return send_mail();
}

std::vector<Action> Dialogue::starttls_answered(const Reply& reply) {
    if (reply.code == kReady) return {Action{Action::Kind::kStartTls, {}, {}}};
    if (reply.code == kClosing || reply.kind() == 4 || reply.kind() == 5) {
        return fail(net::kExitConfig, "STARTTLS refused: " + reply.summary(),
                    reply.code != kClosing);
    }
    return fail(net::kExitProtocol, "unexpected reply to STARTTLS: " + reply.summary());
}

std::vector<Action> Dialogue::tls_started() {
    // RFC 3207 4.2: forget everything learnt before TLS and start with EHLO again.
    tls_active_ = true;
    extensions_ = {};
    return send_command(State::kEhlo, "EHLO " + options_.helo);
}

std::vector<Action> Dialogue::send_auth() {
    const bool plain = options_.auth == AuthChoice::kPlain ||
                       (options_.auth == AuthChoice::kAuto && extensions_.auth_plain);
    const bool offered = plain ? extensions_.auth_plain : extensions_.auth_login;
    if (!offered) {
        return fail(
            net::kExitNoPerm,
            options_.auth == AuthChoice::kAuto
                ? "the server offers no AUTH mechanism this client has (PLAIN, LOGIN)"
                : std::string("the server does not offer AUTH ") + (plain ? "PLAIN" : "LOGIN"));
    }
    const auto& credentials = *options_.credentials;
    if (plain) {
        state_ = State::kAuthPlain;
        return {send(line("AUTH PLAIN " + plain_response(credentials)), "AUTH PLAIN <redacted>")};
    }
    return send_command(State::kAuthLogin, "AUTH LOGIN");
}

std::vector<Action> Dialogue::auth_answered(const Reply& reply) {
    if (reply.code == kAuthenticated) {
        authenticated_ = true;
        return send_mail();
    }
    if (reply.code == kAuthContinue) {
        const auto& credentials = *options_.credentials;
        switch (state_) {
            case State::kAuthLogin:  // "Username:"
                state_ = State::kAuthLoginUser;
                return {send(line(net::base64_encode(credentials.user)), "<redacted>")};
            case State::kAuthLoginUser:  // "Password:"
                state_ = State::kAuthLoginPassword;
                return {send(line(net::base64_encode(credentials.password)), "<redacted>")};
            case State::kAuthPlain:  // a server that wants the response on a line of its own
                state_ = State::kAuthLoginPassword;
                return {send(line(plain_response(credentials)), "<redacted>")};
            default:
                break;
        }
        return fail(net::kExitProtocol, "unexpected reply to AUTH: " + reply.summary());
    }
    if (reply.kind() == 5) {
        return fail(net::kExitNoPerm, "authentication refused: " + reply.summary());
    }
    return fail_on_reply("AUTH", reply, net::kExitNoPerm);
}

std::vector<Action> Dialogue::send_mail() {
    const std::string message =
        options_.message ? options_.message(extensions_.eight_bit_mime) : std::string{};
    wire_message_ = data_for_wire(message);
    // RFC 1870 3: the message's size in octets with CRLF line ends, before dot-stuffing.
    const std::size_t size = message.size() + (message.ends_with("\r\n") ? 0 : 2);
    if (extensions_.max_size > 0 && size > extensions_.max_size) {
        return fail(net::kExitDataErr, "the message (" + std::to_string(size) +
                                           " octets) is over the server's limit of " +
                                           std::to_string(extensions_.max_size) + " octets");
    }
    std::string command = "MAIL FROM:<" + options_.from + ">";
    if (extensions_.size_offered) command += " SIZE=" + std::to_string(size);
    if (extensions_.eight_bit_mime && !is_ascii(message)) command += " BODY=8BITMIME";
    const bool utf8_addresses =
        !is_ascii(options_.from) ||
        std::any_of(options_.recipients.begin(), options_.recipients.end(),
                    [](const std::string& recipient) { return !is_ascii(recipient); });
    if (utf8_addresses) {
        if (!extensions_.smtputf8) {
            return fail(net::kExitDataErr,
                        "an address is not ASCII and the server does not offer SMTPUTF8");
        }
        command += " SMTPUTF8";
    }
    return send_command(State::kMail, command);
}

std::vector<Action> Dialogue::mail_answered(const Reply& reply) {
    if (reply.code == kOk) {
        next_recipient_ = 0;
        return send_command(State::kRcpt, "RCPT TO:<" + options_.recipients.front() + ">");
    }
    if (reply.code == kAuthRequired) {
        return fail(net::kExitNoPerm,
                    "the server requires authentication (--user): " + reply.summary());
    }
    return fail_on_reply("MAIL FROM", reply, net::kExitDataErr);
}

std::vector<Action> Dialogue::rcpt_answered(const Reply& reply) {
    const std::string& recipient = options_.recipients[next_recipient_];
    if (reply.code == kOk || reply.code == kWillForward) {
        ++outcome_.accepted;
    } else if (reply.code == kClosing) {
        return fail_on_reply("RCPT TO", reply, net::kExitDataErr);
    } else if (reply.kind() == 4 || reply.kind() == 5) {
        outcome_.refused.emplace_back(recipient, reply.summary());
    } else {
        return fail(net::kExitProtocol, "unexpected reply to RCPT TO: " + reply.summary());
    }
    if (++next_recipient_ < options_.recipients.size()) {
        return send_command(State::kRcpt, "RCPT TO:<" + options_.recipients[next_recipient_] + ">");
    }
    if (outcome_.accepted == 0) {
        const bool all_temporary =
            std::all_of(outcome_.refused.begin(), outcome_.refused.end(),
                        [](const auto& refusal) { return refusal.second.starts_with('4'); });
        return fail(all_temporary ? net::kExitTempFail : net::kExitDataErr,
                    "every recipient was refused");
    }
    return send_command(State::kData, "DATA");
}

std::vector<Action> Dialogue::data_answered(const Reply& reply) {
    if (reply.code == kStartInput) {
        state_ = State::kMessage;
        return {send(wire_message_, wire_message_)};
    }
    return fail_on_reply("DATA", reply, net::kExitDataErr);
}

std::vector<Action> Dialogue::message_answered(const Reply& reply) {
    if (reply.code == kOk) {
        outcome_.exit_code = net::kExitOk;
        outcome_.final_reply = reply.summary();
        return quit();
    }
    return fail_on_reply("the message", reply, net::kExitDataErr);
}

// ---- endings --------------------------------------------------------------------------------

std::vector<Action> Dialogue::send_command(State next, const std::string& command) {
    state_ = next;
    return {send(command)};
}

std::vector<Action> Dialogue::quit() {
    return send_command(State::kQuit, "QUIT");
}

std::vector<Action> Dialogue::fail(int exit_code, const std::string& what, bool quit_first) {
    outcome_.exit_code = exit_code;
    outcome_.error = what;
    if (quit_first) return quit();
    state_ = State::kDone;
    return {Action{Action::Kind::kClose, {}, {}}};
}

std::vector<Action> Dialogue::fail_on_reply(const std::string& step, const Reply& reply,
                                            int permanent_exit) {
    if (reply.code == kClosing) {
        return fail(net::kExitTempFail,
                    "the server is closing the connection (at " + step + "): " + reply.summary(),
                    false);
    }
    if (reply.kind() == 4) {
        return fail(net::kExitTempFail, step + " refused for now: " + reply.summary());
    }
    if (reply.kind() == 5) return fail(permanent_exit, step + " refused: " + reply.summary());
    return fail(net::kExitProtocol, "unexpected reply to " + step + ": " + reply.summary());
}

void Dialogue::connection_lost(const std::string& what) {
    if (state_ == State::kDone) return;
    if (state_ != State::kQuit) {  // after the QUIT, the outcome stands
        outcome_.exit_code = net::kExitIoErr;
        outcome_.error = "connection lost waiting for " + waiting_for() + ": " + what;
    }
    state_ = State::kDone;
}

void Dialogue::tls_failed(const std::string& what) {
    outcome_.exit_code = net::kExitConfig;
    outcome_.error = "TLS failed: " + what;
    state_ = State::kDone;
}

void Dialogue::protocol_broken(const std::string& what) {
    outcome_.exit_code = net::kExitProtocol;
    outcome_.error = "the server broke the protocol, waiting for " + waiting_for() + ": " + what;
    state_ = State::kDone;
}

std::string Dialogue::waiting_for() const {
    switch (state_) {
        case State::kGreeting:
            return "the greeting";
        case State::kEhlo:
            return "the reply to EHLO";
        case State::kHelo:
            return "the reply to HELO";
        case State::kStartTls:
            return "the reply to STARTTLS";
        case State::kAuthPlain:
        case State::kAuthLogin:
        case State::kAuthLoginUser:
        case State::kAuthLoginPassword:
            return "the reply to AUTH";
        case State::kMail:
            return "the reply to MAIL FROM";
        case State::kRcpt:
            return "the reply to RCPT TO";
        case State::kData:
            return "the reply to DATA";
        case State::kMessage:
            return "the reply to the message";
        case State::kQuit:
            return "the reply to QUIT";
        case State::kDone:
            break;
    }
    return "nothing";
}

}  // namespace mail_client
