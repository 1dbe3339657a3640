// tcp_client: the book's TCPClient.py. Connects (step 1), sends what the user types (step 2),
// prints what comes back (step 3). With stdin not a terminal it streams instead: input and reply
// flow at the same time, so a file of any size goes through without deadlock. Either way it
// never waits on a silent server for longer than -W.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/address.hpp"
#include "common/blocking.hpp"
#include "common/buffer.hpp"
#include "common/cli.hpp"
#include "common/deadline.hpp"
#include "common/line_reader.hpp"
#include "common/socket.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* kDefaultHost = "127.0.0.1";
constexpr const char* kDefaultPort = "12000";
constexpr const char* kPrompt = "Input lowercase sentence: ";
constexpr auto kDefaultTimeout = 10s;  // -W: connecting, and any wait on the server (69 after)
constexpr std::size_t kMaxTypedLine = 1024 * 1024;  // a terminal line; streams have no limit
// A reply line at a terminal is held until its newline up to this size; beyond it, it is printed
// as it comes, so a reply without a newline cannot grow the client's memory.
constexpr std::size_t kMaxReplyLine = 1024 * 1024;
constexpr std::size_t kMaxPendingInput = 256 * 1024;  // read-ahead of stdin while streaming

using Clock = std::chrono::steady_clock;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "tcp_client",
         .synopsis = "[-W SEC] [-q] [HOST] [PORT]",
         .description =
             "Sends lines to tcp_server and prints the upper-cased replies (default 127.0.0.1 "
             "12000).\nOn a terminal it prompts for each line; otherwise it streams stdin to the "
             "server and the reply to stdout.\nHOST may also be HOST:PORT or [IPv6]:PORT.",
         .options = {
             {"timeout", 'W', "SEC", "connect timeout, and for a silent server (default 10)"},
             {"quiet", 'q', "", "no prompt"},
         }});
}

[[noreturn]] void lost_connection(const std::string& peer, int error) {
    if (error == 0) throw net::FatalError(net::kExitUnavailable, "connection closed by " + peer);
    throw net::FatalError(net::kExitUnavailable,
                          "connection to " + peer + " failed: " + std::strerror(error));
}

// "10 s", "0.5 s": the -W value in messages.
std::string describe_timeout(std::chrono::milliseconds timeout) {
    return net::format_seconds(timeout) + " s";
}

[[noreturn]] void no_reply(const std::string& peer, std::chrono::milliseconds timeout) {
    throw net::FatalError(net::kExitUnavailable,
                          "no reply from " + peer + " for " + describe_timeout(timeout) + " (-W)");
}

void write_stdout(std::string_view bytes) {
    try {
        net::write_all(STDOUT_FILENO, bytes);
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitIoErr, std::string("cannot write output: ") + e.what());
    }
}

// Prints the server's reply to one typed line, "From Server: " and the line. A line longer
// than kMaxReplyLine goes out in pieces as it arrives; a "\r" before its "\n" is dropped.
class ReplyPrinter {
  public:
    // Prints what `pending` holds of the reply; true once its newline is out.
    bool print(net::Buffer& pending) {
        const auto eol = pending.find_eol(scanned_);
        if (!eol && pending.readable_bytes() < kMaxReplyLine) {
            scanned_ = pending.readable_bytes();
            return false;
        }
        std::string out = started_ ? std::string() : std::string("From Server: ");
        if (eol) {
            const std::size_t end = *eol > 0 && pending.peek()[*eol - 1] == '\r' ? *eol - 1 : *eol;
            out.append(pending.peek(), end).push_back('\n');
            pending.consume(*eol + 1);
        } else {
            out.append(pending.view());
            pending.consume_all();
        }
        write_stdout(out);
        started_ = !eol.has_value();
        scanned_ = 0;
        return eol.has_value();
    }
    // The connection ended in the middle of a reply: what came of it, and a newline.
    void finish(net::Buffer& pending) {
        if (!started_ && pending.empty()) return;
        write_stdout((started_ ? std::string() : std::string("From Server: ")) +
                     std::string(pending.view()) + "\n");
        pending.consume_all();
    }

  private:
    bool started_ = false;     // part of the current line is out already
    std::size_t scanned_ = 0;  // bytes of the buffer known to hold no newline
};

// Terminal mode: prompt, read a line, send it, print the reply, until end of input (Ctrl-D).
int converse(int sock, const std::string& peer, std::chrono::milliseconds timeout, bool prompt) {
    net::LineReader typed(kMaxTypedLine);
    net::Buffer replies;
    for (;;) {
        if (prompt) write_stdout(kPrompt);
        const auto line = net::read_line(typed, STDIN_FILENO);
        if (line.status == net::LineStatus::kTooLong) {
            throw net::FatalError(net::kExitDataErr, "line too long for the terminal mode");
        }
        if (line.status == net::LineStatus::kEof && line.line.empty()) {
            if (prompt) write_stdout("\n");
            return net::kExitOk;
        }
        try {
            net::write_all(sock, std::string(line.line) + "\n");
        } catch (const std::system_error& e) {
            lost_connection(peer, e.code().value());
        }
        ReplyPrinter printer;
        while (!printer.print(replies)) {
            if (!net::wait_readable(sock, timeout)) no_reply(peer, timeout);
            const auto io = net::read_into(replies, sock);
            if (io.status == net::IoStatus::kClosed) {
                printer.finish(replies);
                lost_connection(peer, 0);
            }
            if (io.status == net::IoStatus::kError) lost_connection(peer, io.error);
        }
    }
}

// Stream mode: stdin -> server and server -> stdout at once; half-close after EOF, then drain.
// While it waits on the server (for the reply after the input ended, or for the server to take
// what is left to send), the server has `timeout` to move a byte, as with nc -w.
int stream(int sock, const std::string& peer, std::chrono::milliseconds timeout) {
    net::set_nonblocking(sock);
    net::Buffer to_server;
    std::array<char, net::kReadChunk> from_server{};
    bool input_done = false;
    bool sent_fin = false;
    auto server_moved = Clock::now();  // the last byte either way, while waiting on the server
    for (;;) {
        std::array<pollfd, 2> fds{};
        fds[0] = {sock, POLLIN, 0};
        if (!to_server.empty()) fds[0].events |= POLLOUT;
        const bool want_input = !input_done && to_server.readable_bytes() < kMaxPendingInput;
        fds[1] = {want_input ? STDIN_FILENO : -1, POLLIN, 0};
        const bool awaiting_server = input_done || !to_server.empty();
        if (!awaiting_server) server_moved = Clock::now();
        const auto deadline =
            awaiting_server ? net::Deadline::at(server_moved + timeout) : net::Deadline::never();
        if (net::wait_any(fds, deadline) == 0) {
            if (!to_server.empty()) {
                throw net::FatalError(
                    net::kExitUnavailable,
                    peer + " took no input for " + describe_timeout(timeout) + " (-W)");
            }
            no_reply(peer, timeout);
        }
        if (fds[1].revents != 0) {
            const auto io = net::read_into(to_server, STDIN_FILENO,
                                           kMaxPendingInput - to_server.readable_bytes());
            if (io.status == net::IoStatus::kClosed) input_done = true;
            if (io.status == net::IoStatus::kError) {
                throw net::FatalError(net::kExitIoErr,
                                      std::string("cannot read input: ") + std::strerror(io.error));
            }
        }
        if ((fds[0].revents & POLLOUT) != 0) {
            const auto io = net::write_from(to_server, sock);
            if (io.status == net::IoStatus::kError) lost_connection(peer, io.error);
            if (io.status == net::IoStatus::kOk && io.bytes > 0) server_moved = Clock::now();
        }
        if (input_done && to_server.empty() && !sent_fin) {
            ::shutdown(sock, SHUT_WR);  // tell the server we are done; it finishes and closes
            sent_fin = true;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const auto io = net::read_some(sock, from_server);
            if (io.status == net::IoStatus::kOk) {
                write_stdout({from_server.data(), io.bytes});
                server_moved = Clock::now();
            } else if (io.status == net::IoStatus::kClosed) {
                if (!sent_fin) lost_connection(peer, 0);
                return net::kExitOk;
            } else if (io.status == net::IoStatus::kError) {
                lost_connection(peer, io.error);
            }
        }
    }
}

int run(const net::Args& args) {
    const net::Target target = net::parse_target(args.positionals(), {kDefaultHost, kDefaultPort});
    const auto timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 86400s);
    net::Connected connection;
    try {
        connection = net::connect_tcp(target.host, target.port, timeout);
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitUnavailable, e.what());
    }
    const std::string peer = connection.peer.to_string();
    if (::isatty(STDIN_FILENO) != 0) {
        return converse(connection.fd.get(), peer, timeout, !args.has("quiet"));
    }
    return stream(connection.fd.get(), peer, timeout);
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), run);
}
