// mail_client: sends one message through an SMTP server (Kurose & Ross, the SMTP assignment;
// "specifically ... to Gmail's SMTP server": STARTTLS on 587 and AUTH). The steps of the
// assignment are in Dialogue (dialogue.cpp), run over the connection by converse()
// (conversation.cpp, transport.cpp); this file gathers the message and the settings from the
// command line, connects, and reports.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/address.hpp"
#include "common/cli.hpp"
#include "common/exit_codes.hpp"
#include "common/mail_date.hpp"
#include "common/media_types.hpp"
#include "common/smtp_path.hpp"
#include "common/socket.hpp"
#include "common/tls.hpp"
#include "mail_client/compose.hpp"
#include "mail_client/conversation.hpp"
#include "mail_client/dialogue.hpp"
#include "mail_client/password_prompt.hpp"
#include "mail_client/transport.hpp"

namespace {

using namespace std::chrono_literals;
using mail_client::TlsMode;

constexpr auto kDefaultTimeout = 60s;  // each step: connect, every reply, the TLS handshake
constexpr const char* kSubmissionPort = "587";   // RFC 6409: message submission, STARTTLS
constexpr const char* kImplicitTlsPort = "465";  // RFC 8314: submission over TLS
constexpr const char* kSmtpPort = "25";
// Said once on stderr when the body is to be typed at the terminal.
constexpr const char* kTypeTheBody = "Type the message; end it with Ctrl-D on a line of its own.\n";

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "mail_client",
         .synopsis = "--server HOST[:PORT] --from ADDR --to ADDR... [--cc ADDR]... [--bcc ADDR]... "
                     "[--subject TEXT] [--body TEXT | --body-file F] [--attach FILE]... "
                     "[--header 'Name: value']... [--message FILE|-] "
                     "[--tls auto|starttls|implicit|none] [--user USER] "
                     "[--password-env VAR | --password-file F] [--auth auto|plain|login] "
                     "[--helo NAME] [--cafile F] [--insecure] [--timeout SEC] [-q | -v]",
         .description =
             "Sends one message through an SMTP server (RFC 5321), with STARTTLS and AUTH\n"
             "for servers such as Gmail's. The body comes from --body, --body-file or stdin\n"
             "(at a terminal: typed, ended with Ctrl-D on a line of its own).",
         .options = {
             {"server", 's', "HOST[:PORT]",
              "the SMTP server (port: 587, 465 with --tls implicit, 25 with --tls none)"},
             {"from", 'f', "ADDR", "the sender (From: and MAIL FROM)"},
             {"to", 't', "ADDR", "a recipient (repeatable)"},
             {"cc", 0, "ADDR", "a recipient shown in Cc: (repeatable)"},
             {"bcc", 0, "ADDR", "a recipient shown nowhere (repeatable)"},
             {"subject", 0, "TEXT", "the Subject: (UTF-8)"},
             {"body", 0, "TEXT", "the text of the message"},
             {"body-file", 0, "F", "the text of the message, from a file"},
             {"attach", 'a', "FILE", "attach a file (repeatable)"},
             {"header", 0, "'Name: value'", "an extra header (repeatable)"},
             {"message", 0, "FILE|-", "send this complete RFC 5322 message as it is"},
             {"tls", 0, "MODE",
              "auto (STARTTLS when offered; required for a password), starttls, implicit, none"},
             {"user", 'u', "USER", "authenticate as USER (AUTH)"},
             {"password-env", 0, "VAR", "the password is in environment variable VAR"},
             {"password-file", 0, "F", "the password is the first line of F"},
             {"auth", 0, "MECH", "auto (PLAIN, then LOGIN), plain or login"},
             {"helo", 0, "NAME", "the name sent in EHLO (default: this host's name)"},
             {"cafile", 0, "F", "trust the CA certificates in the PEM file F"},
             {"insecure", 'k', "", "do not verify the server's certificate (test servers)"},
             {"timeout", 0, "SEC", "limit for each step (default 60)"},
             {"quiet", 'q', "", "print nothing but errors"},
             {"verbose", 'v', "", "print the dialogue (C: and S: lines) on stderr"},
         }});
}

// ---- the command line -------------------------------------------------------------------------

std::string read_file(const std::string& path, const std::string& option) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw net::FatalError(net::kExitNoInput,
                              option + ": cannot read " + path + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw net::FatalError(net::kExitNoInput, option + ": cannot read " + path);
    return text.str();
}

std::string read_stdin() {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
}

TlsMode parse_tls(const net::Args& args) {
    return net::choice_or(args, "tls", TlsMode::kAuto,
                          {{"auto", TlsMode::kAuto},
                           {"starttls", TlsMode::kStartTls},
                           {"implicit", TlsMode::kImplicit},
                           {"none", TlsMode::kNone}});
}

mail_client::AuthChoice parse_auth(const net::Args& args) {
    using mail_client::AuthChoice;
    return net::choice_or(args, "auth", AuthChoice::kAuto,
                          {{"auto", AuthChoice::kAuto},
                           {"plain", AuthChoice::kPlain},
                           {"login", AuthChoice::kLogin}});
}

net::HostPort parse_server(const net::Args& args, TlsMode tls) {
    const auto text = args.value("server");
    if (!text) throw net::UsageError("--server HOST[:PORT] is required");
    auto server = net::split_host_port(*text);
    if (!server || server->host.empty()) {
        throw net::UsageError("--server wants HOST[:PORT], not '" + *text + "'");
    }
    if (server->port.empty()) {
        server->port = tls == TlsMode::kImplicit ? kImplicitTlsPort
                       : tls == TlsMode::kNone   ? kSmtpPort
                                                 : kSubmissionPort;
    } else if (!net::parse_port(server->port)) {
        throw net::UsageError("--server: bad port '" + server->port + "'");
    }
    return *server;
}

std::string checked_address(const std::string& option, const std::string& address) {
    if (address.find_first_of("\r\n") != std::string::npos) {
        throw net::UsageError("--" + option + " contains a line break");
    }
    if (!net::smtp::is_valid_mailbox(address, true)) {
        throw net::UsageError("--" + option + ": '" + address +
                              "' is not a mail address (local@domain)");
    }
    return address;
}

std::vector<std::string> checked_addresses(const net::Args& args, const std::string& option) {
    std::vector<std::string> addresses;
    for (const auto& address : args.values(option))
        addresses.push_back(checked_address(option, address));
    return addresses;
}

// The password: from the environment, a file, or asked on the terminal without echo.
std::optional<mail_client::Credentials> credentials(const net::Args& args) {
    const bool from_env = args.has("password-env");
    const bool from_file = args.has("password-file");
    if (from_env && from_file) {
        throw net::UsageError("--password-env and --password-file: choose one");
    }
    if (!args.has("user")) {
        if (from_env || from_file) throw net::UsageError("a password needs --user");
        return std::nullopt;
    }
    mail_client::Credentials result{.user = *args.value("user"), .password = {}};
    if (from_env) {
        const auto name = *args.value("password-env");
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) {
            throw net::UsageError("--password-env: the environment has no " + name);
        }
        result.password = value;
    } else if (from_file) {
        const auto text = read_file(*args.value("password-file"), "--password-file");
        result.password = text.substr(0, text.find_first_of("\r\n"));
    } else {
        result.password = mail_client::ask_password(result.user);
    }
    return result;
}

// What to send: either a message composed from the options, or --message as it is.
struct MessageSource {
    std::optional<std::string> prepared;   // --message
    mail_client::Composition composition;  // otherwise
};

bool stdin_is_terminal() {
    return ::isatty(STDIN_FILENO) != 0;
}

std::string message_id_domain(const std::string& from) {
    const auto domain = net::smtp::mailbox_domain(from);
    return domain.empty() ? net::local_host_name() : std::string(domain);
}

MessageSource message_source(const net::Args& args, const std::string& from,
                             const std::vector<std::string>& to,
                             const std::vector<std::string>& cc) {
    MessageSource source;
    if (args.has("message")) {
        for (const char* other : {"subject", "body", "body-file", "attach", "header"}) {
            if (args.has(other)) {
                throw net::UsageError(std::string("--message sends a complete message: --") +
                                      other + " cannot be added to it");
            }
        }
        const auto path = *args.value("message");
        source.prepared =
            mail_client::crlf_normalized(path == "-" ? read_stdin() : read_file(path, "--message"));
        return source;
    }
    if (args.has("body") && args.has("body-file")) {
        throw net::UsageError("--body and --body-file: choose one");
    }
    auto& message = source.composition;
    message.from = from;
    message.to = to;
    message.cc = cc;
    message.subject = args.value_or("subject", "");
    if (args.has("body")) {
        message.body = *args.value("body");
    } else if (args.has("body-file")) {
        message.body = read_file(*args.value("body-file"), "--body-file");
    } else {
        // As mailx: the body is standard input, to its end. At a terminal that means typing it,
        // so say once how to end it; from a pipe or file (even an empty one) it is read as is.
        if (stdin_is_terminal()) std::cerr << kTypeTheBody << std::flush;
        message.body = read_stdin();
    }
    for (const auto& path : args.values("attach")) {
        message.attachments.push_back({.filename = std::filesystem::path(path).filename().string(),
                                       .content_type = std::string(net::content_type_for(path)),
                                       .data = read_file(path, "--attach")});
    }
    for (const auto& header : args.values("header")) {
        if (header.find_first_of("\r\n") != std::string::npos) {
            throw net::UsageError("--header contains a line break");
        }
        auto parsed = mail_client::parse_header_option(header);
        if (!parsed) throw net::UsageError("--header wants 'Name: value', not '" + header + "'");
        message.extra.push_back(std::move(*parsed));
    }
    const auto now = std::chrono::system_clock::now();
    message.date = net::format_mail_date(std::chrono::system_clock::to_time_t(now));
    std::random_device random;
    const std::uint64_t random_bits = (std::uint64_t{random()} << 32) | random();
    message.message_id = mail_client::make_message_id(
        message_id_domain(from),
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count()),
        random_bits);
    if (const auto problem = mail_client::validate(message)) throw net::UsageError(*problem);
    return source;
}

// ---- the connection ---------------------------------------------------------------------------

std::optional<net::tls::Context> tls_context(const net::Args& args, TlsMode mode) {
    if (mode == TlsMode::kNone || !net::tls::available()) {
        if (mode == TlsMode::kImplicit || mode == TlsMode::kStartTls) {
            throw net::FatalError(net::kExitConfig,
                                  "--tls: this mail_client was built without OpenSSL, so TLS is "
                                  "not available (install libssl-dev and rebuild)");
        }
        return std::nullopt;
    }
    net::tls::ClientOptions options{.ca_file = args.value_or("cafile", ""),
                                    .verify = !args.has("insecure")};
    if (!options.ca_file.empty()) read_file(options.ca_file, "--cafile");  // readable?
    try {
        return net::tls::Context::client(options);
    } catch (const net::tls::TlsError& e) {
        throw net::FatalError(net::kExitConfig, e.what());
    }
}

int run(const net::Args& args) {
    if (!args.positionals().empty()) {
        throw net::UsageError("unexpected argument '" + args.positionals().front() + "'");
    }
    if (args.has("quiet") && args.has("verbose")) throw net::UsageError("-q and -v contradict");
    const TlsMode tls = parse_tls(args);
    const auto server = parse_server(args, tls);
    if (!args.has("from")) throw net::UsageError("--from ADDR is required");
    const auto from = checked_address("from", *args.value("from"));
    const auto to = checked_addresses(args, "to");
    const auto cc = checked_addresses(args, "cc");
    const auto bcc = checked_addresses(args, "bcc");
    if (to.empty() && cc.empty() && bcc.empty()) {
        throw net::UsageError("no recipient: give --to, --cc or --bcc");
    }
    if (args.has("subject") && args.value("subject")->find_first_of("\r\n") != std::string::npos) {
        throw net::UsageError("--subject contains a line break");
    }
    const auto timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 86400s);
    const auto auth = parse_auth(args);
    const auto source = message_source(args, from, to, cc);
    const auto context = tls_context(args, tls);
    auto login = credentials(args);

    mail_client::DialogueOptions options;
    options.helo = args.value_or("helo", net::local_host_name());
    options.tls = tls;
    options.tls_available = context.has_value();
    options.credentials = std::move(login);
    options.auth = auth;
    options.from = from;
    options.recipients = to;
    options.recipients.insert(options.recipients.end(), cc.begin(), cc.end());
    options.recipients.insert(options.recipients.end(), bcc.begin(), bcc.end());
    options.message = [&source](bool eight_bit) {
        if (source.prepared) return *source.prepared;
        auto composition = source.composition;
        composition.eight_bit = eight_bit;
        return mail_client::compose(composition);
    };
    const std::size_t recipients = options.recipients.size();
    mail_client::Dialogue dialogue(std::move(options));

    const bool verbose = args.has("verbose");
    auto connected = net::connect_tcp(server.host, server.port, timeout);
    mail_client::Transport transport(std::move(connected.fd), timeout);
    const mail_client::Connection how{
        .server_name = server.host, .tls = context, .timeout = timeout, .verbose = verbose};
    mail_client::show(verbose, "", "connected to " + connected.peer.to_string());
    if (tls == TlsMode::kImplicit) mail_client::start_implicit_tls(dialogue, transport, how);
    if (!dialogue.done()) mail_client::converse(dialogue, transport, how);

    const auto& outcome = dialogue.outcome();
    for (const auto& [recipient, reply] : outcome.refused)
        std::cerr << "mail_client: recipient <" << recipient << "> refused: " << reply << '\n';
    if (outcome.exit_code != net::kExitOk) {
        std::cerr << "mail_client: " << outcome.error << '\n';
        return outcome.exit_code;
    }
    if (!args.has("quiet")) {
        std::cout << "accepted for " << outcome.accepted << " of " << recipients
                  << " recipients: " << outcome.final_reply << '\n';
    }
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), run);
}
