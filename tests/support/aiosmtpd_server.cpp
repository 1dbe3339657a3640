// aiosmtpd_server.py started and stopped, its stored messages and python's email parse read back.
#include "tests/support/aiosmtpd_server.hpp"

#include <algorithm>
#include <csignal>
#include <exception>
#include <stdexcept>

#include "common/ascii.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/server_process.hpp"

namespace net::test {
namespace {

// The script beside this file in the source tree (tests/CMakeLists.txt passes the folder).
std::filesystem::path script_path() {
    return std::filesystem::path(TOPDOWN_TEST_SUPPORT_DIR) / "aiosmtpd_server.py";
}

// "a b c" -> {"a", "b", "c"} (single spaces; an empty field stays empty).
std::vector<std::string_view> split_spaces(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const auto space = line.find(' ', start);
        fields.push_back(
            line.substr(start, space == std::string_view::npos ? line.npos : space - start));
        if (space == std::string_view::npos) return fields;
        start = space + 1;
    }
}

// One stored file: envelope lines up to "content", then the message bytes.
AiosmtpdMessage read_stored(const std::filesystem::path& file) {
    const std::string bytes = read_file(file);
    AiosmtpdMessage message;
    message.file = file;
    std::size_t start = 0;
    for (;;) {
        const auto eol = bytes.find('\n', start);
        if (eol == std::string::npos) {
            throw std::runtime_error("no content line in " + file.string() + ": " + bytes);
        }
        const std::string_view line(bytes.data() + start, eol - start);
        start = eol + 1;
        if (line == "content") break;
        const auto space = line.find(' ');
        const std::string_view key = line.substr(0, space);
        const std::string value(space == std::string_view::npos ? "" : line.substr(space + 1));
        if (key == "mail_from") {
            message.mail_from = value;
        } else if (key == "mail_option") {
            message.mail_options.push_back(value);
        } else if (key == "rcpt_to") {
            message.rcpt_tos.push_back(value);
        } else if (key == "helo") {
            message.helo = value;
        } else if (key == "tls") {
            message.tls = value;
        } else if (key == "sni") {
            message.sni = value;
        } else if (key == "auth") {
            message.auth = value;
        } else {
            throw std::runtime_error("unexpected line in " + file.string() + ": " +
                                     std::string(line));
        }
    }
    message.content = bytes.substr(start);
    return message;
}

}  // namespace

std::optional<std::string> aiosmtpd_unavailable(const std::string& python) {
    std::optional<std::string> why;
    try {
        const Finished probe =
            run(python, {"-c", "import aiosmtpd.controller, aiosmtpd.smtp"}, {}, seconds(30));
        if (!probe.status.ok()) {
            why = python + " cannot import aiosmtpd (" + probe.status.describe() +
                  "): " + probe.err.substr(probe.err.rfind('\n', probe.err.size() - 2) + 1);
        }
    } catch (const std::exception& e) {
        why = python + " does not run: " + e.what();
    }
    return why;
}

bool AiosmtpdMessage::has_mail_option(std::string_view option) const {
    return std::any_of(mail_options.begin(), mail_options.end(),
                       [&](const std::string& o) { return iequals(o, option); });
}

AiosmtpdServer::AiosmtpdServer(const std::string& python, AiosmtpdOptions options,
                               Clock::duration startup_timeout)
    : store_(dir_.file("store")), log_path_(dir_.file("aiosmtpd.stderr")) {
    std::filesystem::create_directory(store_);
    std::vector<std::string> args = {script_path().string(), "serve",  "--dir",
                                     store_.string(),        "--host", options.host};
    if (options.certificate) {
        args.insert(args.end(), {"--cert", options.certificate->cert_file.string(), "--key",
                                 options.certificate->key_file.string()});
        if (options.implicit_tls) args.emplace_back("--implicit-tls");
    }
    if (options.credentials) {
        args.insert(args.end(), {"--user", options.credentials->first, "--password",
                                 options.credentials->second});
    }
    ProcessOptions process_options;
    process_options.out = Redirect::pipe();
    process_options.err = Redirect::file(log_path_);
    process_options.new_session = true;  // a group of its own, stopped as a whole
    // Unbuffered, so a traceback reaches the log even when the process is killed.
    process_options.env = {{"PYTHONUNBUFFERED", "1"}, {"PYTHONDONTWRITEBYTECODE", "1"}};
    process_.emplace(Process::start(python, std::move(args), std::move(process_options)));

    const auto line = process_->read_line(Deadline(startup_timeout));
    const auto announced = line ? parse_listening_line(*line) : std::nullopt;
    if (!announced) {
        const ExitStatus status = stop(seconds(5));
        throw std::runtime_error("aiosmtpd_server.py announced no port (first line: [" +
                                 line.value_or("(none)") + "], " + status.describe() +
                                 "); its stderr: [" + log() + "]");
    }
    host_ = announced->host;
    port_ = announced->port;
}

AiosmtpdServer::~AiosmtpdServer() {
    try {
        stop(seconds(10));
    } catch (const std::exception&) {
        process_->kill();  // a destructor must not throw; the SIGKILL path needs no poll loop
    }
}

std::string AiosmtpdServer::endpoint() const {
    const bool v6 = host_.find(':') != std::string::npos;
    return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

std::vector<AiosmtpdMessage> AiosmtpdServer::messages() const {
    std::vector<AiosmtpdMessage> messages;
    for (const auto& file : files_in(store_)) {
        // ".NNNN.msg.part" is a message being written; only renamed ones are complete.
        if (file.filename().string().starts_with(".")) continue;
        messages.push_back(read_stored(file));
    }
    return messages;
}

std::string AiosmtpdServer::log() const {
    try {
        return read_file(log_path_);
    } catch (const std::exception& e) {
        return std::string("(no log: ") + e.what() + ")";
    }
}

ExitStatus AiosmtpdServer::stop(Clock::duration timeout) {
    // The group is signalled only while its leader is unreaped, so its id cannot be reused yet.
    if (process_->running()) ::kill(-process_->pid(), SIGTERM);
    if (const auto status = process_->wait(Deadline(timeout))) return *status;
    if (process_->running()) ::kill(-process_->pid(), SIGKILL);
    process_->kill();
    return process_->wait(Deadline(seconds(5))).value_or(ExitStatus::killed_by(SIGKILL));
}

std::optional<std::string> ParsedEmail::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (iequals(field, name)) return value;
    }
    return std::nullopt;
}

std::size_t ParsedEmail::count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(),
                      [&](const auto& field) { return iequals(field.first, name); }));
}

ParsedEmail parse_email(const std::string& python, const std::filesystem::path& file) {
    ProcessOptions options;
    options.env = {{"PYTHONDONTWRITEBYTECODE", "1"}};
    const Finished parsed =
        run(python, {script_path().string(), "parse", file.string()}, {}, seconds(60), options);
    if (!parsed.status.ok()) {
        throw std::runtime_error("python's email module could not parse " + file.string() + " (" +
                                 parsed.status.describe() + "): " + parsed.err);
    }
    ParsedEmail email;
    bool ended = false;
    std::size_t start = 0;
    const std::string& out = parsed.out;
    while (start < out.size()) {
        const auto eol = out.find('\n', start);
        const std::string_view line(out.data() + start,
                                    (eol == std::string::npos ? out.size() : eol) - start);
        start = eol == std::string::npos ? out.size() : eol + 1;
        const auto fields = split_spaces(line);
        if (fields[0] == "header" && fields.size() == 3) {
            email.headers.emplace_back(from_hex(fields[1]), from_hex(fields[2]));
        } else if (fields[0] == "part" && fields.size() == 4) {
            email.parts.push_back({from_hex(fields[1]), from_hex(fields[2]), from_hex(fields[3])});
        } else if (fields[0] == "end" && fields.size() == 1) {
            ended = true;
        } else {
            throw std::runtime_error("unexpected line from the email parse: " + std::string(line));
        }
    }
    if (!ended) throw std::runtime_error("the email parse of " + file.string() + " is incomplete");
    return email;
}

}  // namespace net::test
