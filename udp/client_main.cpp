// udp_client: the book's UDPClient.py. Creates a UDP socket (step 1), sends each input line as
// one datagram (step 2), and prints the reply (step 3). UDP may lose either datagram, so each
// line waits at most TIMEOUT for its reply and is sent again up to --retries times.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "common/address.hpp"
#include "common/blocking.hpp"
#include "common/cli.hpp"
#include "common/deadline.hpp"
#include "common/line_reader.hpp"
#include "common/log.hpp"
#include "common/socket.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* kDefaultHost = "127.0.0.1";
constexpr const char* kDefaultPort = "12000";
constexpr const char* kPrompt = "Input lowercase sentence: ";
constexpr auto kDefaultTimeout = 1s;
constexpr std::uint64_t kDefaultRetries = 2;
// The largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header).
constexpr std::size_t kMaxDatagram = 65507;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "udp_client",
         .synopsis = "[-W SEC] [--retries N] [-q] [HOST] [PORT]",
         .description =
             "Sends each line of input as one UDP datagram to udp_server (default 127.0.0.1 "
             "12000)\nand prints each reply. A line with no reply is reported and the client "
             "goes on;\nthe exit status is 69 if any line went unanswered.",
         .options = {
             {"timeout", 'W', "SEC", "how long to wait for each reply (default 1)"},
             {"retries", 'r', "N", "send a line again this many times (default 2)"},
             {"quiet", 'q', "", "no prompt"},
         }});
}

// Throws away datagrams still queued (late replies to an earlier line), so they are never
// printed as the reply to the next one.
void discard_stale_replies(int sock) {
    std::array<char, 1> scratch{};
    while (::recv(sock, scratch.data(), scratch.size(), MSG_DONTWAIT | MSG_TRUNC) >= 0 ||
           errno == ECONNREFUSED || errno == EINTR) {
    }
}

struct Exchange {
    bool answered = false;
    bool refused = false;  // an ICMP port unreachable came back
    std::string reply;
};

// Sends `line` and waits for the reply, up to `tries` times.
Exchange exchange(int sock, std::string_view line, std::uint64_t tries,
                  std::chrono::milliseconds timeout) {
    Exchange result;
    std::array<char, 65536> datagram{};
    for (std::uint64_t attempt = 0; attempt < tries; ++attempt) {
        if (::send(sock, line.data(), line.size(), 0) < 0) {
            if (errno == ECONNREFUSED)
                result.refused = true;
            else
                throw std::system_error(errno, std::generic_category(), "send");
        }
        const net::Deadline deadline(timeout);
        for (;;) {
            if (!net::wait_readable(sock, deadline)) break;
            const ssize_t n = ::recv(sock, datagram.data(), datagram.size(), MSG_DONTWAIT);
            if (n >= 0) {
                result.answered = true;
                result.reply.assign(datagram.data(), static_cast<std::size_t>(n));
                return result;
            }
            // Port unreachable: nobody is listening. Waiting out the timeout would not help,
            // but the next try might reach a server that has just started.
            if (errno == ECONNREFUSED) {
                result.refused = true;
                break;
            }
            if (errno != EAGAIN && errno != EINTR) {
                throw std::system_error(errno, std::generic_category(), "recv");
            }
        }
    }
    return result;
}

int run(const net::Args& args) {
    const net::Target target = net::parse_target(args.positionals(), {kDefaultHost, kDefaultPort});
    const auto timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 3600s);
    const auto tries = args.uint_or("retries", kDefaultRetries, 0, 1000) + 1;
    const net::Logger log("udp_client", net::LogLevel::kInfo);

    // An unknown host ends in run_main as ResolveError: exit 68 (EX_NOHOST).
    const auto addresses =
        net::resolve(target.host, target.port, {.transport = net::Transport::kUdp});
    net::Fd sock = net::connect_udp(addresses.front());
    const std::string peer = addresses.front().to_string();

    const bool prompt = ::isatty(STDIN_FILENO) != 0 && !args.has("quiet");
    net::LineReader input(kMaxDatagram);
    bool unanswered = false;
    bool too_long = false;
    for (std::uint64_t number = 1;; ++number) {
        if (prompt) net::write_all(STDOUT_FILENO, kPrompt);
        const auto line = net::read_line(input, STDIN_FILENO);
        if (line.status == net::LineStatus::kTooLong) {
            log.error("line " + std::to_string(number) + " is too long for one datagram (over " +
                      std::to_string(kMaxDatagram) + " bytes); not sent");
            too_long = true;
            continue;
        }
        if (line.status == net::LineStatus::kEof && line.line.empty()) break;
        discard_stale_replies(sock.get());
        const auto result = exchange(sock.get(), line.line, tries, timeout);
        if (!result.answered) {
            log.error("no reply from " + peer + " after " + std::to_string(tries) +
                      (tries == 1 ? " try" : " tries") +
                      (result.refused ? " (port unreachable: is the server running?)" : ""));
            unanswered = true;
            continue;
        }
        net::write_all(STDOUT_FILENO, result.reply + "\n");
    }
    if (unanswered) return net::kExitUnavailable;
    return too_long ? net::kExitDataErr : net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), run);
}
