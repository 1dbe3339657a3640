// tcp_client: the book's TCPClient.py. Connects (step 1), sends what the user types (step 2),
// prints what comes back (step 3). With stdin not a terminal it streams instead: input and reply
// flow at the same time, so a file of any size goes through without deadlock.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <iostream>

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
constexpr auto kDefaultTimeout = 10s;
constexpr std::size_t kMaxTypedLine = 1024 * 1024;    // a terminal line; streams have no limit
constexpr std::size_t kMaxPendingInput = 256 * 1024;  // read-ahead of stdin while streaming

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "tcp_client",
         .synopsis = "[-W SEC] [-q] [HOST] [PORT]",
         .description =
             "Sends lines to tcp_server and prints the upper-cased replies (default 127.0.0.1 "
             "12000).\nOn a terminal it prompts for each line; otherwise it streams stdin to the "
             "server and the reply to stdout.\nHOST may also be HOST:PORT or [IPv6]:PORT.",
         .options = {
             {"timeout", 'W', "SEC", "connect and reply timeout (default 10)"},
             {"quiet", 'q', "", "no prompt"},
         }});
}

[[noreturn]] void lost_connection(const std::string& peer, int error) {
    if (error == 0) throw net::FatalError(net::kExitUnavailable, "connection closed by " + peer);
    throw net::FatalError(net::kExitUnavailable,
                          "connection to " + peer + " failed: " + std::strerror(error));
}

void write_stdout(std::string_view bytes) {
    try {
        net::write_all(STDOUT_FILENO, bytes);
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitIoErr, std::string("cannot write output: ") + e.what());
    }
}

// Terminal mode: prompt, read a line, send it, print the reply, until end of input (Ctrl-D).
int converse(int sock, const std::string& peer, std::chrono::milliseconds timeout, bool prompt) {
    net::LineReader typed(kMaxTypedLine);
    net::LineReader replies(std::numeric_limits<std::size_t>::max() / 2);
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
        for (;;) {
            const auto reply = replies.next();
            if (reply.status == net::LineStatus::kLine) {
                write_stdout("From Server: " + std::string(reply.line) + "\n");
                break;
            }
            if (reply.status == net::LineStatus::kEof) lost_connection(peer, 0);
            if (!net::wait_readable(sock, timeout)) {
                throw net::FatalError(net::kExitUnavailable, "no reply from " + peer);
            }
            const auto io = net::read_into(replies.buffer(), sock);
            if (io.status == net::IoStatus::kClosed) replies.set_eof();
            if (io.status == net::IoStatus::kError) lost_connection(peer, io.error);
        }
    }
}

// Stream mode: stdin -> server and server -> stdout at once; half-close after EOF, then drain.
int stream(int sock, const std::string& peer) {
    net::set_nonblocking(sock);
    net::Buffer to_server;
    std::array<char, net::kReadChunk> from_server{};
    bool input_done = false;
    bool sent_fin = false;
    for (;;) {
        std::array<pollfd, 2> fds{};
        fds[0] = {sock, POLLIN, 0};
        if (!to_server.empty()) fds[0].events |= POLLOUT;
        const bool want_input = !input_done && to_server.readable_bytes() < kMaxPendingInput;
        fds[1] = {want_input ? STDIN_FILENO : -1, POLLIN, 0};
        net::wait_any(fds, net::Deadline::never());
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
        }
        if (input_done && to_server.empty() && !sent_fin) {
            ::shutdown(sock, SHUT_WR);  // tell the server we are done; it finishes and closes
            sent_fin = true;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const auto io = net::read_some(sock, from_server);
            if (io.status == net::IoStatus::kOk) {
                write_stdout({from_server.data(), io.bytes});
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
    } catch (const net::ResolveError& e) {
        throw net::FatalError(net::kExitUnavailable, e.what());
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitUnavailable, e.what());
    }
    const std::string peer = connection.peer.to_string();
    if (::isatty(STDIN_FILENO) != 0) {
        return converse(connection.fd.get(), peer, timeout, !args.has("quiet"));
    }
    return stream(connection.fd.get(), peer);
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), run);
}
