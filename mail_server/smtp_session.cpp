// The SMTP server dialogue: one handler per command, the sequence rules of RFC 5321 4.1.4 in
// each handler's first lines, and the DATA transparency rules of 4.5.2.
#include "smtp_session.hpp"

#include <algorithm>

#include "common/ascii.hpp"
#include "common/base64.hpp"
#include "common/smtp_path.hpp"
#include "trace_headers.hpp"

namespace mail {
namespace {

constexpr std::size_t kMaxSubject = 200;  // of the Subject kept for the transcript's summary

bool starts_with_icase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && net::iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// Compares secrets in time that depends only on their lengths, not on where they differ.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return difference == 0;
}

}  // namespace

Session::Session(const SessionConfig& config, ClientInfo client, SessionEvents& events)
    : config_(config), client_(std::move(client)), events_(events) {}

void Session::start() {
    reply("220 " + config_.hostname + " ESMTP mail_server");
}

// ---- Input ----------------------------------------------------------------------------------

void Session::receive(net::Buffer& input, Clock::time_point now) {
    now_ = now;
    // What arrived since the last call counts toward the phase under way.
    if (input.readable_bytes() > input_counted_)
        phase_time_.received(input.readable_bytes() - input_counted_);
    handle_input(input);
    track_phase(input);
    input_counted_ = input.readable_bytes();
    dropped_ = 0;
}

void Session::handle_input(net::Buffer& input) {
    std::string line;
    while (!input.empty()) {
        switch (state_) {
            case State::kReceivingData:
                receive_data(input);
                if (state_ == State::kReceivingData) return;  // the rest is an incomplete line
                continue;
            case State::kStoring:
            case State::kStartingTls:
            case State::kAuthWait:
            case State::kClosed:
                return;
            default:
                break;
        }
        if (!take_command_line(input, line)) return;
        handle_line(line);
        if (phase_started_) {
            // DATA's time began with its 354: what the client sent after the command counts.
            phase_time_.received(input.readable_bytes());
            phase_started_ = false;
        }
        if (state_ == State::kStartingTls) {
            input.consume_all();  // RFC 3207 4.2: plaintext sent after STARTTLS is discarded
            return;
        }
    }
}

// ---- Time -----------------------------------------------------------------------------------

void Session::start_phase(Phase phase, net::MinRate rule, std::size_t bytes) {
    phase_ = phase;
    phase_time_ = net::RateDeadline(rule, now_);
    phase_time_.received(bytes);
}

// A command line's time starts with its first byte (before it, the connection is idle, and
// the idle timeout applies); DATA's and a TLS handshake's when they begin. The server's own
// waits (storing, an AUTH delay) are not timed.
void Session::track_phase(const net::Buffer& input) {
    switch (state_) {
        case State::kConnected:
        case State::kGreeted:
        case State::kHaveSender:
        case State::kHaveRecipients:
        case State::kAuthenticating:
            if (phase_ == Phase::kCommand) return;  // a line under way (or being dropped)
            if (input.empty() && !discarding_line_) {
                end_phase();
            } else {
                start_phase(Phase::kCommand, config_.command_rate,
                            input.readable_bytes() + dropped_);
            }
            return;
        case State::kReceivingData:
        case State::kStartingTls:
            return;  // started by DATA and STARTTLS
        case State::kStoring:
        case State::kAuthWait:
        case State::kClosed:
            end_phase();
            return;
    }
}

Session::Clock::time_point Session::deadline() const {
    auto when = phase_ == Phase::kNone ? Clock::time_point::max() : phase_time_.deadline();
    if (state_ == State::kAuthWait) when = std::min(when, auth_wait_end_);
    return when;
}

bool Session::tick(Clock::time_point now) {
    now_ = now;
    if (state_ == State::kAuthWait && now >= auth_wait_end_) {
        state_ = State::kGreeted;
        reply_error("535 5.7.8 Authentication credentials invalid");
    }
    if (phase_ == Phase::kNone || !phase_time_.expired(now) || state_ == State::kClosed) {
        return false;
    }
    if (state_ == State::kReceivingData) abandon_message();
    close_with("421 4.4.2 " + config_.hostname + " Error: timeout exceeded");
    return true;
}

bool Session::take_command_line(net::Buffer& input, std::string& line) {
    const auto lf = input.find_eol();
    if (!lf) {
        // No line can be longer than an AUTH line: beyond that, drop bytes until the LF.
        if (input.readable_bytes() > kMaxAuthLine) {
            discarding_line_ = true;
            dropped_ += input.readable_bytes();
            input.consume_all();
        }
        return false;
    }
    const std::string_view raw(input.peek(), *lf);
    line.assign(raw.substr(0, !raw.empty() && raw.back() == '\r' ? raw.size() - 1 : raw.size()));
    input.consume(*lf + 1);
    end_phase();  // the line is complete in time
    if (discarding_line_) {
        discarding_line_ = false;
        line.clear();
        refuse_long_line();
        if (state_ == State::kClosed) return false;
        return take_command_line(input, line);
    }
    return true;
}

// An AUTH response over the limit ends the exchange too (RFC 4954 4: 500 5.5.6).
void Session::refuse_long_line() {
    events_.transcript(Direction::kClient, "(a line over the length limit)");
    if (state_ == State::kAuthenticating) {
        state_ = State::kGreeted;
        return reply_error("500 5.5.6 Authentication exchange line is too long");
    }
    reply_error("500 5.5.2 Error: line too long");
}

std::size_t Session::line_limit(std::string_view line) const {
    if (state_ == State::kAuthenticating) return kMaxAuthLine;
    const auto verb = parse_command(line).verb;
    if (verb == Verb::kAuth) return kMaxAuthLine;
    if (verb == Verb::kMail) return kMaxCommandLine + kMailParameterAllowance;
    return kMaxCommandLine;
}

void Session::handle_line(std::string_view line) {
    if (line.size() + 2 > line_limit(line)) return refuse_long_line();
    if (state_ == State::kAuthenticating) {
        events_.transcript(Direction::kClient, "(authentication data hidden)");
        handle_auth_response(line);
        return;
    }
    const Command command = parse_command(line);
    if (command.verb == Verb::kAuth) {
        // "AUTH PLAIN <secret>": the mechanism is shown, the initial response never.
        const auto space = command.argument.find(' ');
        std::string shown(command.name);
        shown += ' ';
        shown += command.argument.substr(0, space);
        if (space != std::string_view::npos) shown += " (hidden)";
        events_.transcript(Direction::kClient, shown);
    } else {
        events_.transcript(Direction::kClient, line);
    }
    handle_command(command);
}

void Session::handle_command(const Command& command) {
    switch (command.verb) {
        case Verb::kHelo:
            return handle_helo(command, false);
        case Verb::kEhlo:
            return handle_helo(command, true);
        case Verb::kMail:
            return handle_mail(command);
        case Verb::kRcpt:
            return handle_rcpt(command);
        case Verb::kData:
            return handle_data(command);
        case Verb::kRset:
            return handle_rset(command);
        case Verb::kNoop:
            return reply("250 2.0.0 Ok");  // parameters ignored (4.1.1.9)
        case Verb::kQuit:
            return handle_quit();
        case Verb::kVrfy:
            return handle_vrfy(command);
        case Verb::kHelp:
            return handle_help();
        case Verb::kStartTls:
            return handle_starttls(command);
        case Verb::kAuth:
            return handle_auth(command);
        case Verb::kNotImplemented:
            return reply_error("502 5.5.1 Error: command not implemented");
        case Verb::kNotSmtp:
            // Postfix drops these sessions too (smtpd_forbidden_commands): whatever follows is
            // another protocol's payload, never commands to run.
            return close_with("421 4.7.0 " + config_.hostname +
                              " Error: not an SMTP command; closing the connection");
        case Verb::kUnknown:
            return reply_error(command.name.empty() ? "500 5.5.2 Error: bad syntax"
                                                    : "500 5.5.2 Error: command not recognized");
    }
}

// ---- Commands -------------------------------------------------------------------------------

void Session::handle_helo(const Command& command, bool extended) {
    if (command.argument.empty()) {
        return reply_error(extended ? "501 5.5.4 Syntax: EHLO hostname"
                                    : "501 5.5.4 Syntax: HELO hostname");
    }
    reset_transaction();  // 4.1.4: a second EHLO/HELO is like RSET
    helo_ = std::string(command.argument);
    extended_ = extended;
    state_ = State::kGreeted;
    if (!extended) return reply("250 " + config_.hostname);
    reply(ehlo_keywords());
}

std::string Session::ehlo_keywords() const {
    std::string text = "250-" + config_.hostname + "\r\n";
    text += "250-PIPELINING\r\n";
    text += "250-SIZE " + std::to_string(config_.max_message_bytes) + "\r\n";
    text += "250-8BITMIME\r\n";
    text += "250-ENHANCEDSTATUSCODES\r\n";
    text += "250-SMTPUTF8\r\n";
    if (config_.starttls && !tls_active_) text += "250-STARTTLS\r\n";
    if (auth_offered()) text += "250-AUTH PLAIN LOGIN\r\n";
    text += "250 HELP";
    return text;
}

bool Session::auth_offered() const {
    return !config_.credentials.empty() && (tls_active_ || config_.allow_insecure_auth);
}

void Session::handle_mail(const Command& command) {
    if (state_ == State::kConnected) return reply_error("503 5.5.1 Error: send HELO/EHLO first");
    if (state_ != State::kGreeted) return reply_error("503 5.5.1 Error: nested MAIL command");
    if (!config_.credentials.empty() && !authenticated()) {
        // RFC 3207 4 and RFC 4954 6: 530 for both.
        if (!tls_active_ && config_.starttls && !config_.allow_insecure_auth)
            return reply_error("530 5.7.0 Must issue a STARTTLS command first");
        return reply_error("530 5.7.0 Authentication required");
    }
    const MailArguments args = parse_mail_arguments(command.argument);
    switch (args.status) {
        case ArgumentStatus::kOk:
            break;
        case ArgumentStatus::kSyntax:
            return reply_error("501 5.5.4 Syntax: MAIL FROM:<address>");
        case ArgumentStatus::kBadPath:
            return reply_error("501 5.1.7 Bad sender address syntax");
        case ArgumentStatus::kPathTooLong:
            return reply_error("501 5.5.4 Path too long");
        case ArgumentStatus::kNeedsUtf8:
            return reply_error("553 5.6.7 Non-ASCII address requires SMTPUTF8");
        case ArgumentStatus::kUnknownParameter:
            return reply_error("555 5.5.4 Unsupported parameter " + args.detail);
        case ArgumentStatus::kBadParameter:
            return reply_error("501 5.5.4 Bad value for parameter " + args.detail);
    }
    const bool has_parameters = args.size || args.body != BodyType::k7Bit || args.smtputf8;
    if (has_parameters && !extended_) {
        return reply_error("555 5.5.4 Parameters need EHLO");  // RFC 5321 4.1.1.11
    }
    if (args.size && *args.size > config_.max_message_bytes) {
        return reply_error("552 5.3.4 Message size exceeds fixed maximum message size");
    }
    envelope_.reverse_path = args.reverse_path;
    envelope_.body = args.body;
    envelope_.smtputf8 = args.smtputf8;
    state_ = State::kHaveSender;
    reply("250 2.1.0 Ok");
}

void Session::handle_rcpt(const Command& command) {
    if (state_ != State::kHaveSender && state_ != State::kHaveRecipients) {
        return reply_error("503 5.5.1 Error: need MAIL command");
    }
    const RcptArguments args = parse_rcpt_arguments(command.argument, envelope_.smtputf8);
    switch (args.status) {
        case ArgumentStatus::kOk:
            break;
        case ArgumentStatus::kSyntax:
            return reply_error("501 5.5.4 Syntax: RCPT TO:<address>");
        case ArgumentStatus::kBadPath:
            return reply_error("501 5.1.3 Bad recipient address syntax");
        case ArgumentStatus::kPathTooLong:
            return reply_error("501 5.5.4 Path too long");
        case ArgumentStatus::kNeedsUtf8:
            return reply_error("553 5.6.7 Non-ASCII address requires SMTPUTF8");
        case ArgumentStatus::kUnknownParameter:
        case ArgumentStatus::kBadParameter:
            return reply_error("555 5.5.4 Unsupported parameter " + args.detail);
    }
    if (envelope_.recipients.size() >= config_.max_recipients) {
        return reply("452 4.5.3 Error: too many recipients");  // 4.5.3.1.10: not an error
    }
    if (!accepts_domain(args.forward_path)) {
        return reply_error("550 5.7.1 <" + args.forward_path + ">: Relay access denied");
    }
    envelope_.recipients.push_back(args.forward_path);
    state_ = State::kHaveRecipients;
    reply("250 2.1.5 Ok");
}

bool Session::accepts_domain(std::string_view mailbox) const {
    if (config_.domains.empty()) return true;
    const auto domain = net::smtp::mailbox_domain(mailbox);
    if (domain.empty()) return true;  // <postmaster>: always accepted (4.5.1)
    return std::any_of(config_.domains.begin(), config_.domains.end(),
                       [&](const std::string& d) { return net::iequals(d, domain); });
}

void Session::handle_data(const Command& command) {
    if (!command.argument.empty()) return reply_error("501 5.5.4 Syntax: DATA");
    if (state_ == State::kHaveSender) return reply_error("554 5.5.1 Error: no valid recipients");
    if (state_ != State::kHaveRecipients) return reply_error("503 5.5.1 Error: need RCPT command");
    ++transactions_;
    message_id_ = client_.id_prefix + "-" + std::to_string(client_.number) + "-" +
                  std::to_string(transactions_);
    message_bytes_ = 0;
    message_too_big_ = line_too_long_ = abandoned_ = false;
    at_line_start_ = in_headers_ = true;
    in_subject_ = false;
    smuggling_ = bare_line_end_ = false;
    line_length_ = 0;
    data_read_ = 0;
    subject_.clear();
    state_ = State::kReceivingData;
    start_phase(Phase::kData, config_.data_rate, 0);
    phase_started_ = true;
    reply("354 End data with <CR><LF>.<CR><LF>");
    events_.begin_message(envelope_, message_id_);
    events_.message_data(trace_headers());
}

std::string Session::trace_headers() const {
    const std::time_t now = config_.clock != nullptr ? config_.clock() : std::time(nullptr);
    TraceInfo info{.reverse_path = envelope_.reverse_path,
                   .helo = helo_,
                   .client_address = client_.address,
                   .hostname = config_.hostname,
                   .protocol = with_protocol(extended_, tls_active_, authenticated()),
                   .tls = tls_description_,
                   .id = message_id_,
                   .recipient = std::nullopt,
                   .when = now};
    if (envelope_.recipients.size() == 1) info.recipient = envelope_.recipients.front();
    return format_trace_headers(info);
}

void Session::handle_rset(const Command& command) {
    if (!command.argument.empty()) return reply_error("501 5.5.4 Syntax: RSET");
    reset_transaction();
    if (state_ != State::kConnected) state_ = State::kGreeted;
    reply("250 2.0.0 Ok");
}

void Session::handle_vrfy(const Command& command) {
    if (command.argument.empty()) return reply_error("501 5.5.4 Syntax: VRFY address");
    // 252 (3.5.3): cannot verify, but a message to it would be accepted.
    reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
}

void Session::handle_help() {
    std::string text = "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP";
    if (config_.starttls && !tls_active_) text += " STARTTLS";
    if (auth_offered()) text += " AUTH";
    text += "\r\n214 2.0.0 mail_server keeps every message it accepts; see RFC 5321";
    reply(text);
}

void Session::handle_quit() {
    reply("221 2.0.0 Bye");
    state_ = State::kClosed;
    events_.close();
}

void Session::handle_starttls(const Command& command) {
    if (!config_.starttls) return reply_error("502 5.5.1 Error: command not implemented");
    if (tls_active_) return reply_error("503 5.5.1 Error: TLS already active");
    if (!command.argument.empty()) return reply_error("501 5.5.4 Syntax: STARTTLS");
    reply("220 2.0.0 Ready to start TLS");
    state_ = State::kStartingTls;
    start_phase(Phase::kTls, config_.command_rate, 0);  // the handshake, like a command line
    events_.start_tls();
}

void Session::tls_started(std::string description) {
    // RFC 3207 4.2: forget everything learned before TLS, the client starts over with EHLO.
    reset_transaction();
    tls_active_ = true;
    tls_description_ = std::move(description);
    helo_.clear();
    extended_ = false;
    authenticated_user_.clear();
    state_ = State::kConnected;
    end_phase();
}

// ---- AUTH (RFC 4954, PLAIN RFC 4616, LOGIN) -------------------------------------------------

void Session::handle_auth(const Command& command) {
    if (config_.credentials.empty()) {
        return reply_error("502 5.5.1 Error: authentication not enabled");
    }
    if (config_.auth_failures != nullptr && config_.auth_failures->blocked(client_.address, now_)) {
        return close_with("421 4.7.0 " + config_.hostname +
                          " Error: too many failed authentications from " + client_.address +
                          ", try again later");
    }
    if (state_ == State::kConnected) return reply_error("503 5.5.1 Error: send EHLO first");
    if (state_ != State::kGreeted) {
        return reply_error("503 5.5.1 Error: MAIL transaction in progress");
    }
    if (authenticated()) return reply_error("503 5.5.1 Error: already authenticated");
    if (!auth_offered()) {
        return reply_error("538 5.7.11 Encryption required for requested authentication mechanism");
    }
    const auto space = command.argument.find(' ');
    const auto mechanism = command.argument.substr(0, space);
    const auto initial =
        space == std::string_view::npos ? std::string_view{} : trim(command.argument.substr(space));
    if (mechanism.empty()) return reply_error("501 5.5.4 Syntax: AUTH mechanism");
    if (net::iequals(mechanism, "PLAIN")) {
        auth_step_ = AuthStep::kPlainResponse;
        state_ = State::kAuthenticating;
        if (initial.empty()) return reply("334 ");
        return handle_auth_response(initial);
    }
    if (net::iequals(mechanism, "LOGIN")) {
        state_ = State::kAuthenticating;
        if (initial.empty()) {
            auth_step_ = AuthStep::kLoginUser;
            return reply("334 VXNlcm5hbWU6");  // "Username:"
        }
        auth_step_ = AuthStep::kLoginUser;
        return handle_auth_response(initial);
    }
    reply_error("504 5.5.4 Unrecognized authentication type");
}

void Session::handle_auth_response(std::string_view line) {
    state_ = State::kGreeted;  // whatever happens next, the exchange is over unless re-entered
    if (line == "*") return reply_error("501 5.0.0 Authentication cancelled");
    const auto decoded = line == "=" ? std::optional<std::string>("") : net::base64_decode(line);
    if (!decoded) return reply_error("501 5.5.2 Cannot decode response");
    switch (auth_step_) {
        case AuthStep::kPlainResponse: {
            // authzid NUL authcid NUL passwd; an authzid must be empty or the same user.
            const auto first = decoded->find('\0');
            const auto second = first == std::string::npos ? first : decoded->find('\0', first + 1);
            if (second == std::string::npos) {
                return reply_error("501 5.5.2 Malformed PLAIN response");
            }
            const std::string_view text(*decoded);
            const auto authzid = text.substr(0, first);
            const auto user = text.substr(first + 1, second - first - 1);
            if (!authzid.empty() && authzid != user) return auth_failed();
            return finish_auth(user, text.substr(second + 1));
        }
        case AuthStep::kLoginUser:
            login_user_ = *decoded;
            auth_step_ = AuthStep::kLoginPassword;
            state_ = State::kAuthenticating;
            return reply("334 UGFzc3dvcmQ6");  // "Password:"
        case AuthStep::kLoginPassword:
            return finish_auth(login_user_, *decoded);
    }
}

void Session::finish_auth(std::string_view user, std::string_view password) {
    bool valid = false;
    for (const auto& credentials : config_.credentials) {
        // Every entry is compared, so the time taken does not tell which user exists.
        const bool user_matches = same_secret(user, credentials.user);
        const bool password_matches = same_secret(password, credentials.password);
        valid = valid || (user_matches && password_matches);
    }
    login_user_.clear();
    if (!valid) return auth_failed();
    authenticated_user_ = std::string(user);
    reply("235 2.7.0 Authentication successful");
}

// Each failure is answered later than the one before (on this connection, or from this address
// when the server counts per address), so guessing costs time; the wait is the loop's timer, not
// a sleep, and the session holds every command after it until the 535 is out.
void Session::auth_failed() {
    std::size_t failures = ++auth_failures_;
    if (config_.auth_failures != nullptr) {
        failures = std::max(failures, config_.auth_failures->record(client_.address, now_));
    }
    const auto delay = auth_delay(config_.auth_delay, failures);
    if (delay.count() == 0) return reply_error("535 5.7.8 Authentication credentials invalid");
    state_ = State::kAuthWait;
    auth_wait_end_ = now_ + delay;
}

// ---- DATA -----------------------------------------------------------------------------------

// Only CRLF.CRLF ends the data. A bare LF or CR (one not in a CRLF) also ends a line, and is
// stored as CRLF, so the stored message has one kind of line end; but a lone dot next to one
// ("<LF>.<LF>", "<CRLF>.<LF>", "<CR>.<CR>"...) refuses the whole message (554 5.6.0): a relay that
// took that for the end of the data would read what follows as commands (SMTP smuggling).
void Session::receive_data(net::Buffer& input) {
    const std::string_view text = input.view();
    std::size_t pos = 0;        // the start of the line being looked at
    std::size_t run_start = 0;  // the first byte not yet delivered
    while (true) {
        const auto stop = text.find_first_of("\r\n", pos);
        if (stop == std::string_view::npos) break;
        std::size_t end_length = 2;  // CRLF
        if (text[stop] == '\n') {
            end_length = 1;  // a bare LF
        } else if (stop + 1 == text.size()) {
            break;  // a CR last: whether an LF follows is not known yet
        } else if (text[stop + 1] != '\n') {
            end_length = 1;  // a bare CR
        }
        const bool bare = end_length == 1;
        const std::string_view line = text.substr(pos, stop - pos);
        line_length_ += line.size() + 2;  // as stored, with CRLF
        if (line_length_ > kMaxTextLine) line_too_long_ = true;
        if (line_too_long_) abandon_message();
        const bool whole_line = at_line_start_;
        if (whole_line && line == ".") {
            if (!bare && !bare_line_end_) {  // <CRLF>.<CRLF>: the end of the data
                deliver(text.substr(run_start, pos - run_start));
                input.consume(stop + 2);
                data_read_ += stop + 2;
                finish_data();
                return;
            }
            smuggling_ = true;
            abandon_message();
        }
        std::string_view content = line;
        const bool stuffed = whole_line && !line.empty() && line.front() == '.';
        if (stuffed) content.remove_prefix(1);  // 4.5.2: the first dot of a line is dropped
        if (bare) {
            // The lines before go as they are; this one with CRLF for its bare line end.
            deliver(text.substr(run_start, pos - run_start));
            normalised_.assign(content);
            normalised_ += "\r\n";
            deliver(normalised_);
            run_start = stop + 1;
        } else if (stuffed) {
            deliver(text.substr(run_start, pos - run_start));
            run_start = pos + 1;
        }
        if (in_headers_ && whole_line) note_header_line(content);
        if (config_.transcript_data) events_.transcript(Direction::kClient, content);
        at_line_start_ = true;
        bare_line_end_ = bare;
        line_length_ = 0;
        pos = stop + end_length;
    }
    deliver(text.substr(run_start, pos - run_start));
    // The rest is an incomplete line. It stays buffered unless it is already too long: then it
    // is dropped (the message will be refused), keeping a final CR that may start the CRLF.
    const std::size_t partial = text.size() - pos;
    if (line_length_ + partial > kMaxTextLine) {
        line_too_long_ = true;
        const std::size_t drop = partial - (text.back() == '\r' ? 1 : 0);
        if (drop > 0) {
            line_length_ += drop;
            at_line_start_ = false;
            pos += drop;
        }
        abandon_message();
    }
    input.consume(pos);
    data_read_ += pos;
    // A refused message is read on to its end only so far: a client streaming without end
    // gets the reply, then 421, and the connection closes.
    if (abandoned_ && data_read_ > config_.max_message_bytes + kMaxDataAfterRefusal) {
        const std::string refused(refusal());
        reset_transaction();
        state_ = State::kGreeted;
        if (!refused.empty()) reply(refused);
        close_with("421 4.7.0 " + config_.hostname +
                   " Error: too much data after the message was refused");
    }
}

void Session::deliver(std::string_view lines) {
    if (lines.empty() || abandoned_) return;
    message_bytes_ += lines.size();
    if (message_bytes_ > config_.max_message_bytes) {
        message_too_big_ = true;  // reported after the final dot; nothing more is kept
        abandon_message();
        return;
    }
    events_.message_data(lines);
}

void Session::note_header_line(std::string_view line) {
    if (line.empty()) {
        in_headers_ = false;
        return;
    }
    if (line.front() == ' ' || line.front() == '\t') {  // a folded continuation
        if (in_subject_ && subject_.size() < kMaxSubject) {
            subject_ += ' ';
            subject_ += trim(line);
        }
        return;
    }
    in_subject_ = false;
    if (subject_.empty() && starts_with_icase(line, "Subject:")) {
        subject_ = std::string(trim(line.substr(8)));
        in_subject_ = true;
    }
    if (subject_.size() > kMaxSubject) subject_.resize(kMaxSubject);
}

void Session::abandon_message() {
    if (abandoned_) return;
    abandoned_ = true;
    events_.discard_message();
}

std::string_view Session::refusal() const {
    if (smuggling_) {
        return "554 5.6.0 Error: a lone dot next to a bare <CR> or <LF>; message refused "
               "(RFC 5321 2.3.8)";
    }
    if (line_too_long_) {
        return "500 5.5.2 Error: message has a line over 1000 octets (RFC 5321 4.5.3.1.6)";
    }
    if (message_too_big_) return "552 5.3.4 Message size exceeds fixed maximum message size";
    return {};
}

void Session::finish_data() {
    end_phase();
    const std::string_view refused = refusal();
    if (!refused.empty()) {
        reset_transaction();
        state_ = State::kGreeted;
        return reply(refused);
    }
    state_ = State::kStoring;
    const MessageInfo info{
        .id = message_id_, .envelope = envelope_, .size = message_bytes_, .subject = subject_};
    events_.end_message(info);
}

void Session::message_stored(const StoreResult& result) {
    if (state_ != State::kStoring) return;
    state_ = State::kGreeted;
    if (result.stored) {
        ++messages_stored_;
        reply("250 2.0.0 Ok: queued as " + message_id_);
    } else {
        reply("451 4.3.0 Error: local error in processing, message not stored");
    }
    reset_transaction();
    if (closing_after_store_)
        close_with("421 4.3.2 " + config_.hostname + " Service shutting down");
}

// ---- Endings --------------------------------------------------------------------------------

bool Session::timed_out() {
    if (state_ == State::kStoring || state_ == State::kAuthWait || state_ == State::kClosed) {
        return false;  // the wait is ours
    }
    if (state_ == State::kReceivingData) abandon_message();
    close_with("421 4.4.2 " + config_.hostname + " Error: timeout exceeded");
    return true;
}

void Session::shut_down() {
    if (state_ == State::kClosed) return;
    if (state_ == State::kStoring) {
        closing_after_store_ = true;
        return;
    }
    if (state_ == State::kAuthWait) {
        state_ = State::kGreeted;  // the held-back answer first
        reply_error("535 5.7.8 Authentication credentials invalid");
        if (state_ == State::kClosed) return;
    }
    if (state_ == State::kReceivingData) abandon_message();
    close_with("421 4.3.2 " + config_.hostname + " Service shutting down");
}

void Session::peer_closed() {
    if (state_ == State::kReceivingData) abandon_message();
    if (state_ != State::kStoring) state_ = State::kClosed;
}

void Session::close_with(std::string_view text) {
    reply(text);
    state_ = State::kClosed;
    end_phase();
    events_.close();
}

void Session::reply(std::string_view text) {
    // Each line of a multi-line reply is one transcript line.
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find("\r\n", start);
        events_.transcript(Direction::kServer,
                           text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) break;
        start = end + 2;
    }
    std::string line(text);
    line += "\r\n";
    events_.send(line);
}

void Session::reply_error(std::string_view text) {
    reply(text);
    if (++errors_ >= kMaxErrors && state_ != State::kClosed) {
        close_with("421 4.7.0 " + config_.hostname + " Error: too many errors");
    }
}

void Session::reset_transaction() {
    envelope_ = Envelope{};
    if (state_ == State::kHaveSender || state_ == State::kHaveRecipients) state_ = State::kGreeted;
}

}  // namespace mail
