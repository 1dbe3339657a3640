// MailServerProcess: mail_server on -p 0, its stdout drained by a thread into a buffer.
#include "tests/support/mail_server_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include "common/address.hpp"
#include "common/fd.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/temp_dir.hpp"

namespace net::test {
namespace {

// What the server wrote to stdout, filled by the reader thread.
class Collected {
  public:
    void append(std::string_view bytes) {
        {
            const std::lock_guard lock(mutex_);
            text_ += bytes;
        }
        changed_.notify_all();
    }
    void end() {
        {
            const std::lock_guard lock(mutex_);
            eof_ = true;
        }
        changed_.notify_all();
    }
    // Waits until `done(text, eof)` holds or the deadline passes; returns done's last answer.
    template <typename Done>
    bool wait(const Deadline& deadline, Done done) const {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, deadline.when(), [&] { return done(text_, eof_); });
    }
    [[nodiscard]] std::string text() const {
        const std::lock_guard lock(mutex_);
        return text_;
    }
    [[nodiscard]] bool eof() const {
        const std::lock_guard lock(mutex_);
        return eof_;
    }

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::string text_;
    bool eof_ = false;
};

}  // namespace

struct MailServerProcess::State {
    TempDir dir;  // the stderr log
    std::filesystem::path log_path;
    Collected collected;
    std::optional<Process> process;
    std::jthread reader;
    std::string first_line;
    Announced announced;

    ~State() {
        // The reader ends at EOF, which comes only once the server is gone.
        if (process) process->kill();
        if (reader.joinable()) reader.join();
    }
};

MailServerProcess::MailServerProcess(std::unique_ptr<State> state) : state_(std::move(state)) {}
MailServerProcess::MailServerProcess(MailServerProcess&&) noexcept = default;
MailServerProcess& MailServerProcess::operator=(MailServerProcess&&) noexcept = default;
MailServerProcess::~MailServerProcess() = default;

MailServerProcess MailServerProcess::start(std::vector<std::string> args,
                                           Clock::duration startup_timeout,
                                           unsigned long open_files) {
    const bool has_port = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "-p" || a == "--port" || a.starts_with("--port=");
    });
    if (!has_port) {
        args.emplace_back("-p");
        args.emplace_back("0");
    }
    std::string command = "mail_server";
    for (const auto& a : args)
        command += " " + a;

    auto state = std::make_unique<State>();
    state->log_path = state->dir.file("mail_server.stderr");
    std::array<int, 2> pipe_fds{};
    if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    Fd read_end(pipe_fds[0]);
    Fd write_end(pipe_fds[1]);
    ProcessOptions options;
    options.out = Redirect::fd(write_end.get());
    options.err = Redirect::file(state->log_path);
    options.open_files = open_files;
    state->process.emplace(Process::start(bin_path("mail_server"), std::move(args), options));
    write_end = Fd();  // the server holds the only writer: EOF once it is gone

    state->reader = std::jthread([collected = &state->collected, fd = std::move(read_end)] {
        std::array<char, 64 * 1024> chunk{};
        for (;;) {
            const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            collected->append(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
        }
        collected->end();
    });

    MailServerProcess server(std::move(state));
    State& s = *server.state_;
    const bool got_line =
        s.collected.wait(Deadline(startup_timeout), [](const std::string& text, bool eof) {
            return eof || text.find('\n') != std::string::npos;
        });
    const std::string text = s.collected.text();
    const auto eol = text.find('\n');
    if (!got_line || eol == std::string::npos) {
        std::string status = "still running";
        if (const auto exit = s.process->wait(Deadline(milliseconds(100))))
            status = exit->describe();
        throw std::runtime_error("`" + command + "` printed no first line (" + status +
                                 "); its stdout: [" + text + "]; its stderr: [" + server.log() +
                                 "]");
    }
    s.first_line = text.substr(0, eol);
    const auto announced = parse_listening_line(s.first_line);
    if (!announced) {
        throw std::runtime_error("`" + command + "` printed a first line with no address: [" +
                                 s.first_line + "]; its stderr: [" + server.log() + "]");
    }
    s.announced = *announced;
    return server;
}

const std::string& MailServerProcess::first_line() const {
    return state_->first_line;
}

const std::string& MailServerProcess::host() const {
    return state_->announced.host;
}

std::uint16_t MailServerProcess::port() const {
    return state_->announced.port;
}

std::string MailServerProcess::endpoint() const {
    const std::string& h = host();
    const bool v6 = h.find(':') != std::string::npos;
    return (v6 ? "[" + h + "]" : h) + ":" + port_string();
}

std::string MailServerProcess::output() const {
    const std::string text = state_->collected.text();
    return text.substr(std::min(text.size(), state_->first_line.size() + 1));
}

bool MailServerProcess::wait_for_output(std::string_view needle, const Deadline& deadline) const {
    const std::size_t skip = state_->first_line.size() + 1;
    return state_->collected.wait(deadline, [&](const std::string& text, bool eof) {
        return eof || (text.size() > skip && text.find(needle, skip) != std::string::npos);
    }) && output().find(needle) != std::string::npos;
}

std::optional<std::string> MailServerProcess::output_to_eof(const Deadline& deadline) const {
    if (!state_->collected.wait(deadline, [](const std::string&, bool eof) { return eof; })) {
        return std::nullopt;
    }
    return output();
}

std::string MailServerProcess::log() const {
    try {
        return read_file(state_->log_path);
    } catch (const std::exception& e) {
        return std::string("(no log: ") + e.what() + ")";
    }
}

std::optional<std::size_t> MailServerProcess::rss_bytes() const {
    return test::rss_bytes(state_->process->pid());
}

std::optional<ExitStatus> MailServerProcess::stop(int sig, Clock::duration timeout) {
    state_->process->signal(sig);
    return state_->process->wait(Deadline(timeout));
}

Process& MailServerProcess::process() {
    return *state_->process;
}

bool MailServerProcess::running() {
    return state_->process->running();
}

std::vector<std::filesystem::path> TestMailServer::new_files() const {
    return files_in(maildir / "new");
}

std::vector<std::filesystem::path> TestMailServer::tmp_files() const {
    return files_in(maildir / "tmp");
}

TestMailServer start_mail_server(std::vector<std::string> args, unsigned long open_files) {
    TempDir dir;
    const std::filesystem::path maildir = dir.file("mail");
    const bool chooses_store = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "--maildir" || a == "--mbox" || a == "--no-store";
    });
    if (!chooses_store) args.insert(args.begin(), {"--maildir", maildir.string()});
    if (std::find(args.begin(), args.end(), "--hostname") == args.end()) {
        args.insert(args.begin(), {"--hostname", "mail.test"});
    }
    MailServerProcess process =
        MailServerProcess::start(std::move(args), std::chrono::seconds(30), open_files);
    return TestMailServer{std::move(dir), maildir, std::move(process)};
}

std::uint16_t web_inbox_port(const MailServerProcess& server, const Deadline& deadline) {
    constexpr std::string_view kPrefix = "web inbox on http://";
    if (!server.wait_for_output(kPrefix, deadline)) {
        ADD_FAILURE() << "no web inbox line in: " << server.output();
        return 0;
    }
    const std::string output = server.output();
    const auto start = output.find(kPrefix) + kPrefix.size();
    const auto end = output.find('/', start);
    const auto colon = output.rfind(':', end);
    const auto port = end == std::string::npos || colon == std::string::npos || colon < start
                          ? std::nullopt
                          : parse_port(std::string_view(output).substr(colon + 1, end - colon - 1));
    if (!port) ADD_FAILURE() << "no port in the web inbox line: " << output;
    return port.value_or(0);
}

SmtpClient connect_smtp(const MailServerProcess& server, const Deadline& deadline) {
    SmtpClient client = SmtpClient::connect(server.host(), server.port(), deadline);
    const SmtpReply greeting = client.read_reply(deadline);
    if (greeting.code != 220) {
        throw std::runtime_error("greeting was not 220: [" + greeting.text() + "]");
    }
    return client;
}

SmtpClient greeted_smtp(const MailServerProcess& server, const Deadline& deadline) {
    SmtpClient client = connect_smtp(server, deadline);
    const SmtpReply ehlo = client.command("EHLO client.example", deadline);
    if (ehlo.code != 250) throw std::runtime_error("EHLO was not 250: [" + ehlo.text() + "]");
    return client;
}

}  // namespace net::test
