// udp_server: the book's UDPServer.py. Binds a UDP socket (step 1), and for every datagram
// (step 2) sends it back upper-cased to the address it came from (step 3).
#include <sys/socket.h>

#include <array>
#include <cstring>

#include "common/ascii.hpp"
#include "common/cli.hpp"
#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"

namespace {

constexpr std::uint16_t kDefaultPort = 12000;  // serverPort = 12000, as in the book
constexpr std::size_t kMaxDatagram = 65535;    // the largest UDP payload is 65,507 (IPv4)
constexpr int kMaxDatagramsPerWakeup = 64;     // then let the signal descriptor have a turn

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "udp_server",
         .synopsis = "[-b ADDR] [-p PORT] [-q | -v]",
         .description = "Sends every UDP datagram back to its sender with the ASCII letters "
                        "upper-cased.\nThe first line on stdout is the address it bound.",
         .options = {
             {"bind", 'b', "ADDR",
              "address to listen on (default 127.0.0.1; :: for all, dual-stack)"},
             {"port", 'p', "PORT", "port to listen on (default 12000; 0 picks a free one)"},
             {"quiet", 'q', "", "print errors only"},
             {"verbose", 'v', "", "log every datagram"},
         }});
}

// Step 2 and 3 for every datagram waiting: recvfrom, upper-case, sendto.
void answer_datagrams(int sock, const net::Logger& log) {
    std::array<char, kMaxDatagram> datagram{};
    for (int i = 0; i < kMaxDatagramsPerWakeup; ++i) {
        net::SocketAddress client;
        socklen_t len = client.capacity();
        const ssize_t n =
            ::recvfrom(sock, datagram.data(), datagram.size(), 0, client.get_mut(), &len);
        if (n < 0) {
            if (errno == EINTR) continue;
            // EAGAIN: none left. Anything else (an ICMP error from an earlier reply) is that
            // client's problem, not ours.
            if (errno != EAGAIN && errno != EWOULDBLOCK) log.debug(std::strerror(errno));
            return;
        }
        client.set_size(len);
        const auto size = static_cast<std::size_t>(n);
        net::upper_case_ascii({datagram.data(), size});
        if (log.enabled(net::LogLevel::kDebug)) {
            log.debug(std::to_string(size) + " bytes from " + client.to_string());
        }
        // A full send buffer drops the reply, as the network itself might: UDP promises nothing.
        ::sendto(sock, datagram.data(), size, 0, client.get(), client.size());
    }
}

int serve(const net::Args& args) {
    net::reject_stray_arguments(args);
    // Queued: with -v a line per datagram, and a stderr nobody reads must not stop the answers.
    const auto log = net::Logger::queued(
        "udp_server", net::Logger::level_from_flags(args.has("quiet"), args.count("verbose")));
    const std::string host = net::strip_brackets(args.value_or("bind", "127.0.0.1"));
    const auto port = args.port_or("port", kDefaultPort);

    net::TerminationSignals signals(net::Hangup::kIgnore);  // a service: SIGHUP must not end it
    const auto bound = net::bind_udp(host, std::to_string(port));
    net::EventLoop loop;
    loop.add(bound.fd.get(), EPOLLIN,
             [&](std::uint32_t) { answer_datagrams(bound.fd.get(), log); });
    loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
        if (signals.take() != 0) loop.stop();
    });
    net::announce("udp_server: listening on " + bound.address.to_string());
    loop.run();
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
