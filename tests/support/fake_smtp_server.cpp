// FakeSmtpServer: the script played on one connection at a time, every line recorded.
#include "tests/support/fake_smtp_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <exception>
#include <system_error>
#include <thread>
#include <utility>

#include "tests/support/socket_client.hpp"

namespace net::test {
namespace {

bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

// The server's side of one connection: lines in (CRLF-terminated), replies out, every wait
// bounded by one deadline.
class Wire {
  public:
    Wire(Fd fd, const Deadline& deadline) : fd_(std::move(fd)), deadline_(deadline) {}

    // The next line without its CRLF; nullopt at EOF, reset, error or the deadline.
    std::optional<std::string> read_line() {
        for (;;) {
            const auto crlf = buffer_.find("\r\n");
            if (crlf != std::string::npos) {
                std::string line = buffer_.substr(0, crlf);
                buffer_.erase(0, crlf + 2);
                return line;
            }
            if (!fill()) return std::nullopt;
        }
    }

    // Waits, reading nothing, until the client shuts down its side, `release` is readable or
    // the deadline passes.
    void hang(int release) {
        // A small receive buffer, so the client's writes block after its own send buffer
        // fills: a few MiB of message are enough, not the many a grown window would take.
        const int buffer = 4096;
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        std::array<pollfd, 2> fds{{{fd_.get(), POLLRDHUP, 0}, {release, POLLIN, 0}}};
        (void)net::wait_any(fds, deadline_);
    }

    // From now on reads about `bytes_per_second`, through a receive buffer about the size of
    // what one tick reads (no more kept in the kernel than needed to keep that rate).
    void throttle(std::size_t bytes_per_second) {
        chunk_limit_ = std::clamp<std::size_t>(bytes_per_second / kTicksPerSecond, 1, kChunk);
        const int buffer = static_cast<int>(std::max<std::size_t>(chunk_limit_, 4096));
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);  // doubled
    }

    // Waits for any byte from the client; false at EOF, error or the deadline.
    bool wait_for_bytes() { return !buffer_.empty() || fill(); }

    // Sends every byte; false when the client is gone or the deadline passed.
    bool send(std::string_view bytes) {
        try {
            send_all(fd_.get(), bytes, deadline_);
            return true;
        } catch (const std::exception&) {
            return false;
        }
    }

    // Reads and drops everything until the client closes (or the deadline); what arrives is
    // returned as lines (an unterminated tail as one more).
    std::vector<std::string> drain() {
        std::vector<std::string> lines;
        while (auto line = read_line())
            lines.push_back(std::move(*line));
        if (!buffer_.empty()) lines.push_back(std::exchange(buffer_, {}));
        return lines;
    }

    // A clean close (a FIN): our half first, then what the client still sends is read and
    // dropped, so unread bytes never turn it into an RST while a reply is on its way.
    void close_gracefully() {
        shutdown_write(fd_.get());
        (void)drain();
    }

  private:
    static constexpr std::size_t kTicksPerSecond = 50;
    static constexpr std::size_t kChunk = 64 * 1024;

    bool fill() {
        std::array<char, kChunk> chunk;
        if (chunk_limit_ != 0) {
            // Rate limiting, not waiting for readiness: one chunk per tick.
            std::this_thread::sleep_for(std::chrono::milliseconds(1000 / kTicksPerSecond));
        }
        const std::size_t want = chunk_limit_ != 0 ? chunk_limit_ : chunk.size();
        for (;;) {
            pollfd p{fd_.get(), POLLIN, 0};
            if (net::wait_any({&p, 1}, deadline_) == 0) return false;
            const ssize_t n = ::recv(fd_.get(), chunk.data(), want, MSG_DONTWAIT);
            if (n > 0) {
                buffer_.append(chunk.data(), static_cast<std::size_t>(n));
                return true;
            }
            if (n == 0) return false;
            if (errno != EINTR && errno != EAGAIN) return false;
        }
    }

    Fd fd_;
    Deadline deadline_;
    std::string buffer_;
    std::size_t chunk_limit_ = 0;  // bytes per tick when throttled, else 0
};

std::string reply_bytes(const std::vector<std::string>& lines) {
    std::string bytes;
    for (const auto& line : lines)
        bytes += line + "\r\n";
    return bytes;
}

// A reply after which a real server closes: 221 to QUIT, 421 at any time.
bool closes_after(const std::vector<std::string>& reply) {
    return !reply.empty() && (reply.front().starts_with("221") || reply.front().starts_with("421"));
}

// Plays `script` on `wire`, recording into `session`.
void play(const std::vector<SmtpStep>& script, Wire& wire, SmtpSession& session, int release) {
    bool in_message = false;  // the last reply was 354: lines are the message's
    // The next line outside a message; lines of a message go into session.messages until its
    // "." line, which is returned as a command.
    const auto next_command = [&]() -> std::optional<std::string> {
        if (in_message) {
            in_message = false;
            std::string& message = session.messages.emplace_back();
            for (;;) {
                auto line = wire.read_line();
                if (!line) {
                    session.problems.push_back("the connection ended inside a message");
                    return std::nullopt;
                }
                message += *line + "\r\n";
                if (*line == ".") break;
            }
            session.commands.emplace_back(".");
            return std::string(".");
        }
        auto line = wire.read_line();
        if (line) session.commands.push_back(*line);
        return line;
    };

    for (const SmtpStep& step : script) {
        if (!step.command.empty()) {
            std::optional<std::string> line;
            for (;;) {
                line = next_command();
                if (!line) return;  // the client left: the script stops short
                if (istarts_with(*line, step.command)) break;
                if (istarts_with(*line, "RSET") || istarts_with(*line, "NOOP")) {
                    if (!wire.send("250 2.0.0 Ok\r\n")) return;
                    continue;
                }
                session.problems.push_back("expected \"" + step.command + "\", received \"" +
                                           *line + "\"");
                (void)wire.send("503 5.5.1 fake server: expected " + step.command + "\r\n");
                wire.close_gracefully();
                return;
            }
        }
        if (!step.reply.empty()) {
            if (!wire.send(reply_bytes(step.reply))) return;
            // Only DATA's 354 starts a message: a 354 to anything else is a test of the client.
            in_message =
                step.reply.front().starts_with("354") && istarts_with(step.command, "DATA");
            if (in_message && step.read_rate != 0) wire.throttle(step.read_rate);
        }
        switch (step.then) {
            case SmtpStep::Then::kGoOn:
                break;
            case SmtpStep::Then::kClose:
                session.script_done = true;
                return;
            case SmtpStep::Then::kStall:
                session.script_done = true;
                for (auto& line : wire.drain())
                    session.commands.push_back(std::move(line));
                return;
            case SmtpStep::Then::kHang:
                session.script_done = true;
                wire.hang(release);
                return;
            case SmtpStep::Then::kNotTls:
                session.script_done = true;
                if (wire.wait_for_bytes()) {
                    (void)wire.send("this is not TLS\r\n");
                }
                return;
        }
        if (closes_after(step.reply)) {
            session.script_done = &step == &script.back();
            if (!session.script_done)
                session.problems.push_back("the script goes on after 221/421");
            wire.close_gracefully();
            return;
        }
    }
    session.script_done = true;

    // After the script: anything more is a problem, answered so the client does not hang.
    while (auto line = next_command()) {
        session.problems.push_back("after the script: \"" + *line + "\"");
        if (istarts_with(*line, "QUIT")) {
            (void)wire.send("221 2.0.0 fake server: bye\r\n");
            wire.close_gracefully();
            return;
        }
        if (!wire.send("500 5.5.1 fake server: the script has ended\r\n")) return;
    }
}

}  // namespace

std::size_t SmtpSession::count(std::string_view prefix) const {
    return static_cast<std::size_t>(std::count_if(
        commands.begin(), commands.end(),
        [prefix](const std::string& command) { return istarts_with(command, prefix); }));
}

std::string SmtpSession::find(std::string_view prefix) const {
    for (const auto& command : commands) {
        if (istarts_with(command, prefix)) return command;
    }
    return {};
}

std::string SmtpSession::describe() const {
    std::string text = "commands received:\n";
    for (const auto& command : commands)
        text += "  " + command + "\n";
    for (const auto& problem : problems)
        text += "problem: " + problem + "\n";
    text += script_done ? "script done\n" : "script NOT done\n";
    return text;
}

FakeSmtpServer::FakeSmtpServer(std::vector<SmtpStep> script, const std::string& host,
                               Clock::duration session_limit)
    : script_(std::move(script)),
      host_(host),
      session_limit_(session_limit),
      release_(make_pipe()),
      server_([this](Fd connection) { serve(std::move(connection)); }, host) {}

FakeSmtpServer::Pipe FakeSmtpServer::make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    return {Fd(fds[0]), Fd(fds[1])};
}

FakeSmtpServer::~FakeSmtpServer() {
    release();
}

void FakeSmtpServer::release() {
    const char byte = 'x';
    const ssize_t ignored = ::write(release_.write.get(), &byte, 1);
    (void)ignored;
}

std::string FakeSmtpServer::endpoint() const {
    const std::string port_text = std::to_string(port());
    if (host_.find(':') != std::string::npos) return "[" + host_ + "]:" + port_text;
    return host_ + ":" + port_text;
}

void FakeSmtpServer::serve(Fd connection) {
    SmtpSession session;
    {
        Wire wire(std::move(connection), Deadline(session_limit_));
        try {
            play(script_, wire, session, release_.read.get());
        } catch (const std::exception& e) {
            session.problems.push_back(std::string("fake server failed: ") + e.what());
        }
    }  // closed before the session is published: a test that sees it sees the close done
    const std::lock_guard lock(mutex_);
    sessions_.push_back(std::move(session));
    ended_.notify_all();
}

std::optional<SmtpSession> FakeSmtpServer::first_session(const Deadline& deadline) const {
    std::unique_lock lock(mutex_);
    if (!ended_.wait_until(lock, deadline.when(), [this] { return !sessions_.empty(); })) {
        return std::nullopt;
    }
    return sessions_.front();
}

std::size_t FakeSmtpServer::sessions() const {
    const std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace net::test
