// mail_client: sends one message through an SMTP server (Kurose & Ross, the SMTP assignment;
// "specifically ... to Gmail's SMTP server": STARTTLS on 587 and AUTH). The steps of the
// assignment are in Dialogue (dialogue.cpp); this file gathers the message from the command
// line, connects, moves the bytes (through TLS when asked) and reports.
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "common/address.hpp"
#include "common/buffer.hpp"
#include "common/cli.hpp"
#include "common/exit_codes.hpp"
#include "common/mail_date.hpp"
#include "common/media_types.hpp"
#include "common/signals.hpp"
#include "common/smtp_path.hpp"
#include "common/socket.hpp"
#include "common/tls.hpp"
#include "mail_client/compose.hpp"
#include "mail_client/dialogue.hpp"
#include "mail_client/smtp_wire.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using mail_client::TlsMode;

constexpr auto kDefaultTimeout = 60s;  // each step: connect, every reply, the TLS handshake
// While a reply is awaited, how often the socket's send queue is looked at for progress.
constexpr auto kDrainCheck = 250ms;
constexpr const char* kSubmissionPort = "587";   // RFC 6409: message submission, STARTTLS
constexpr const char* kImplicitTlsPort = "465";  // RFC 8314: submission over TLS
constexpr const char* kSmtpPort = "25";

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
             "for servers such as Gmail's. The body comes from --body, --body-file or stdin.",
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

// Reads a line from the terminal `fd` (in canonical mode, so the user can edit it). SIGINT and
// SIGTERM are held meanwhile and come back as `interrupted`: the caller restores the terminal
// before they do what they would have done.
struct TypedLine {
    std::string text;
    int interrupted = 0;  // the signal that came instead, or 0
};

TypedLine read_typed_line(int fd) {
    net::TerminationSignals signals;
    TypedLine line;
    while (true) {
        std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {signals.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return line;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            line.interrupted = signals.take();
            if (line.interrupted != 0) return line;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        std::array<char, 256> chunk{};
        const auto n = ::read(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return line;
        line.text.append(chunk.data(), static_cast<std::size_t>(n));
        if (const auto end = line.text.find('\n'); end != std::string::npos) {
            line.text.resize(end);
            return line;
        }
    }
}

// Asks on the terminal (not stdin, which may carry the body), with echo off; ^C there stops the
// program as usual, with the terminal's echo back on first.
std::string ask_password(const std::string& user) {
    const net::Fd terminal(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
    if (!terminal) {
        throw net::UsageError("--user " + user +
                              " needs --password-env, --password-file or a terminal to ask on");
    }
    const int fd = terminal.get();
    termios saved{};
    const bool is_terminal = ::tcgetattr(fd, &saved) == 0;
    if (is_terminal) {
        // Echo off before the prompt shows: what is typed after seeing it is never echoed,
        // nor flushed away.
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    net::write_all(fd, "Password for " + user + ": ");
    auto typed = read_typed_line(fd);
    if (is_terminal) ::tcsetattr(fd, TCSANOW, &saved);
    net::write_all(fd, "\n");
    if (typed.interrupted != 0) std::raise(typed.interrupted);
    if (typed.text.ends_with('\r')) typed.text.pop_back();
    return typed.text;
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
        result.password = ask_password(result.user);
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
    } else if (!stdin_is_terminal()) {
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

// The socket, plain or (after STARTTLS, or from the start) through TLS. The socket is
// non-blocking, so no read or write can wait past its deadline.
class Transport {
  public:
    Transport(net::Fd fd, std::chrono::milliseconds timeout)
        : fd_(std::move(fd)), timeout_(timeout) {
        net::set_nonblocking(fd_.get());
    }

    void start_tls(const net::tls::Context& context, const std::string& server_name) {
        tls_.emplace(fd_.get(), net::tls::Session(context, server_name));
        tls_->handshake(net::Deadline(timeout_));
    }
    [[nodiscard]] std::string tls_description() const {
        return tls_ ? tls_->session().description() : std::string{};
    }

    // Some bytes, or empty when the server closed the connection.
    std::string read_some(Clock::time_point deadline) {
        if (tls_) {
            net::Buffer plain;
            tls_->read_some(plain, net::Deadline::at(deadline));
            return std::string(plain.view());
        }
        std::array<char, kReadChunk> chunk{};
        while (true) {
            wait_for(deadline, &net::wait_readable);
            const auto io = net::read_some(fd_.get(), chunk);
            if (io.status == net::IoStatus::kError) {
                throw std::system_error(io.error, std::generic_category(), "read");
            }
            if (io.status == net::IoStatus::kClosed) return {};
            if (io.status == net::IoStatus::kOk) return std::string(chunk.data(), io.bytes);
        }
    }

    // Sends every byte. The timeout bounds the wait for progress, not the whole transfer: a
    // big message over a slow but steady link goes through; a server that stops reading
    // does not hold us.
    void write_all(std::string_view bytes) {
        if (tls_) {
            while (!bytes.empty()) {
                const auto piece = bytes.substr(0, kTlsWriteChunk);
                tls_->write_all(piece, net::Deadline(timeout_));
                bytes.remove_prefix(piece.size());
            }
            return;
        }
        auto deadline = Clock::now() + timeout_;
        while (!bytes.empty()) {
            wait_for(deadline, &net::wait_writable);
            const auto io = net::write_some(fd_.get(), bytes);
            if (io.status == net::IoStatus::kError) {
                throw std::system_error(io.error, std::generic_category(), "write");
            }
            if (io.bytes > 0) deadline = Clock::now() + timeout_;
            bytes.remove_prefix(io.bytes);
        }
    }

    // Bytes we sent that the server has not acknowledged yet (the socket's send queue).
    [[nodiscard]] std::size_t unacknowledged() const {
        int queued = 0;
        if (::ioctl(fd_.get(), SIOCOUTQ, &queued) != 0 || queued < 0) return 0;
        return static_cast<std::size_t>(queued);
    }

    void close() {
        try {
            if (tls_) tls_->close(net::Deadline(timeout_));
        } catch (const std::exception&) {
            // the server may be gone already; nothing is owed to it
        }
    }

  private:
    static constexpr std::size_t kReadChunk = 16 * 1024;
    static constexpr std::size_t kTlsWriteChunk = 16 * 1024;  // one TLS record

    void wait_for(Clock::time_point deadline, bool (*wait)(int, std::chrono::milliseconds)) const {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms || !wait(fd_.get(), left)) {
            throw std::system_error(ETIMEDOUT, std::generic_category());
        }
    }

    net::Fd fd_;
    std::chrono::milliseconds timeout_;
    std::optional<net::tls::BlockingStream> tls_;
};

// The -v transcript: each line sent or received, on stderr.
void show(bool verbose, std::string_view prefix, std::string_view text) {
    if (!verbose) return;
    std::string out;
    while (!text.empty()) {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (line.ends_with('\r')) line.remove_suffix(1);
        out += prefix;
        out += line;
        out += '\n';
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    std::cerr << out << std::flush;
}

void show_reply(bool verbose, const mail_client::Reply& reply) {
    if (!verbose) return;
    std::string out;
    for (std::size_t i = 0; i < reply.lines.size(); ++i) {
        out += "S: " + std::to_string(reply.code);
        out += i + 1 < reply.lines.size() ? '-' : ' ';
        out += reply.lines[i];
        out += '\n';
    }
    std::cerr << out << std::flush;
}

struct Connection {
    std::string server_name;  // for SNI and the certificate check
    std::optional<net::tls::Context> tls;
    std::chrono::milliseconds timeout;
    bool verbose;
};

// Does what the dialogue asked, in order: sends, or starts TLS (then the dialogue goes on).
// `more_received`: the server sent more after the reply being answered.
void perform(mail_client::Dialogue& dialogue, std::vector<mail_client::Action> actions,
             Transport& transport, const Connection& how, bool more_received) {
    for (std::size_t a = 0; a < actions.size() && !dialogue.done(); ++a) {
        const mail_client::Action action = actions[a];
        try {
            if (action.kind == mail_client::Action::Kind::kSend) {
                show(how.verbose, "C: ", action.shown);
                transport.write_all(action.bytes);
            } else if (action.kind == mail_client::Action::Kind::kStartTls) {
                // RFC 3207 5: anything the server sent after its 220 is not to be trusted.
                if (more_received) {
                    dialogue.protocol_broken("data after the reply to STARTTLS");
                    return;
                }
                transport.start_tls(*how.tls, how.server_name);
                show(how.verbose, "", "TLS started: " + transport.tls_description());
                for (auto& next : dialogue.tls_started())
                    actions.push_back(std::move(next));
            }
        } catch (const net::tls::TlsError& e) {
            if (action.kind == mail_client::Action::Kind::kStartTls) {
                dialogue.tls_failed(e.what());
            } else {
                dialogue.connection_lost(e.what());
            }
        } catch (const std::system_error& e) {
            dialogue.connection_lost(e.code().message());
        }
    }
}

// Some bytes of the reply being waited for. The wait is bounded by `deadline`, pushed back
// while what we sent is still draining from our socket (a slow server still reading the end of
// a big message has not had it whole yet), so only a server that stops is timed out.
std::string read_reply_bytes(Transport& transport, Clock::time_point& deadline,
                             std::chrono::milliseconds timeout) {
    std::size_t queued = transport.unacknowledged();
    while (true) {
        try {
            return transport.read_some(std::min(deadline, Clock::now() + kDrainCheck));
        } catch (const std::system_error& e) {
            if (e.code() != std::errc::timed_out) throw;
        }
        const std::size_t now_queued = transport.unacknowledged();
        if (now_queued < queued) deadline = Clock::now() + timeout;
        queued = now_queued;
        if (Clock::now() >= deadline) {
            throw std::system_error(ETIMEDOUT, std::generic_category());
        }
    }
}

// Runs the dialogue to its end over `transport`. Each reply must come whole within the
// timeout of the moment we began to wait for it (a server trickling bytes does not reset it).
void converse(mail_client::Dialogue& dialogue, Transport& transport, const Connection& how) {
    mail_client::ReplyReader reader;
    auto reply_deadline = Clock::now() + how.timeout;
    while (!dialogue.done()) {
        std::string bytes;
        try {
            bytes = read_reply_bytes(transport, reply_deadline, how.timeout);
        } catch (const net::tls::TlsError& e) {
            dialogue.connection_lost(e.what());
            break;
        } catch (const std::system_error& e) {
            dialogue.connection_lost(e.code().message());
            break;
        }
        if (bytes.empty()) {
            dialogue.connection_lost("the server closed the connection");
            break;
        }
        std::vector<mail_client::Reply> replies;
        try {
            replies = reader.feed(bytes);
        } catch (const mail_client::ProtocolError& e) {
            dialogue.protocol_broken(e.what());
            break;
        }
        for (std::size_t i = 0; i < replies.size() && !dialogue.done(); ++i) {
            show_reply(how.verbose, replies[i]);
            const bool more_received = i + 1 < replies.size() || reader.has_partial();
            perform(dialogue, dialogue.on_reply(replies[i]), transport, how, more_received);
        }
        if (!replies.empty()) reply_deadline = Clock::now() + how.timeout;
    }
    transport.close();
}

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
    Transport transport(std::move(connected.fd), timeout);
    const Connection how{
        .server_name = server.host, .tls = context, .timeout = timeout, .verbose = verbose};
    show(verbose, "", "connected to " + connected.peer.to_string());
    if (tls == TlsMode::kImplicit) {
        try {
            transport.start_tls(*context, server.host);
            show(verbose, "", "TLS started: " + transport.tls_description());
        } catch (const net::tls::TlsError& e) {
            dialogue.tls_failed(e.what());
        } catch (const std::system_error& e) {
            dialogue.connection_lost(e.code().message());
        }
    }
    if (!dialogue.done()) converse(dialogue, transport, how);

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
