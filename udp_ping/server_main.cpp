// udp_ping_server: the book's UDPPingerServer.py. Receives pings (step 1), drops some to simulate
// loss (step 2: "rand < 4" drops 30%; here --loss P), and sends the rest back upper-cased
// (step 3). Also the assignment's heartbeat exercise: it follows each client's sequence numbers,
// logs one-way delays and gaps, and notices when a client stops.
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>

#include "common/ascii.hpp"
#include "common/cli.hpp"
#include "common/event_loop.hpp"
#include "common/log.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "heartbeat.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 12000;
constexpr auto kDefaultHeartbeatTimeout = 5s;
constexpr int kMaxDatagramsPerWakeup = 64;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "udp_ping_server",
         .synopsis = "[-b ADDR] [-p PORT] [--loss P] [--delay MS[-MS]] [--seed N] "
                     "[--heartbeat-timeout SEC] [-q]",
         .description = "Echoes UDP pings upper-cased, dropping and delaying some on request, and "
                        "logs each\nclient's one-way delays, lost pings and silence. The first "
                        "line on stdout is the address it bound.",
         .options = {
             {"bind", 'b', "ADDR", "address to listen on (default 127.0.0.1; :: for all)"},
             {"port", 'p', "PORT", "port (default 12000; 0 picks a free one)"},
             {"loss", 0, "P", "drop this fraction of pings, 0 to 1 (default 0; the book: 0.3)"},
             {"delay", 0, "MS[-MS]", "delay each reply this many ms, or a random time between two"},
             {"seed", 0, "N", "seed for --loss and --delay, to repeat a run exactly"},
             {"heartbeat-timeout", 0, "SEC", "report a client stopped after this long (default 5)"},
             {"quiet", 'q', "", "print errors only"},
         }});
}

struct DelayRange {
    double min_ms = 0;
    double max_ms = 0;
};

DelayRange parse_delay(const std::string& text) {
    const auto dash = text.find('-');
    const auto parse = [&](const std::string& part) {
        const auto value = net::parse_seconds(part);  // same number syntax; milliseconds here
        if (!value) throw net::UsageError("invalid --delay '" + text + "' (expected MS or MS-MS)");
        return static_cast<double>(value->count()) / 1000.0;
    };
    DelayRange range;
    range.min_ms = parse(text.substr(0, dash));
    range.max_ms = dash == std::string::npos ? range.min_ms : parse(text.substr(dash + 1));
    if (range.max_ms < range.min_ms)
        throw net::UsageError("invalid --delay '" + text + "' (MS-MS must rise)");
    return range;
}

double parse_loss(const net::Args& args) {
    const auto text = args.value("loss");
    if (!text) return 0;
    char* end = nullptr;
    const double loss = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !(loss >= 0 && loss <= 1)) {
        throw net::UsageError("invalid --loss '" + *text + "' (expected a fraction from 0 to 1)");
    }
    return loss;
}

class PingServer {
  public:
    PingServer(net::EventLoop& loop, net::BoundSocket socket, const net::Logger& log, double loss,
               std::optional<DelayRange> delay, std::uint64_t seed,
               std::chrono::milliseconds heartbeat_timeout)
        : loop_(loop),
          socket_(std::move(socket)),
          log_(log),
          loss_(loss),
          delay_(delay),
          random_(seed),
          heartbeat_(heartbeat_timeout) {
        loop_.add(socket_.fd.get(), EPOLLIN, [this](std::uint32_t) { answer_pings(); });
        schedule_heartbeat_check();
    }

    [[nodiscard]] const net::SocketAddress& address() const { return socket_.address; }

  private:
    void answer_pings();
    void reply(const net::SocketAddress& client, std::string datagram);
    void schedule_heartbeat_check();

    net::EventLoop& loop_;
    net::BoundSocket socket_;
    const net::Logger& log_;
    double loss_;
    std::optional<DelayRange> delay_;
    std::mt19937_64 random_;
    ping::HeartbeatMonitor heartbeat_;
};

double wall_clock_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void PingServer::answer_pings() {
    std::array<char, 65536> buffer{};
    for (int i = 0; i < kMaxDatagramsPerWakeup; ++i) {
        net::SocketAddress client;
        socklen_t len = client.capacity();
        const ssize_t n =
            ::recvfrom(socket_.fd.get(), buffer.data(), buffer.size(), 0, client.get_mut(), &len);
        if (n < 0) return;  // EAGAIN: none left (or an ICMP error about an earlier reply)
        client.set_size(len);
        std::string datagram(buffer.data(), static_cast<std::size_t>(n));
        for (const auto& event : heartbeat_.on_datagram(client.to_string(), datagram,
                                                        wall_clock_seconds(), loop_.now())) {
            log_.info(event);
        }
        // Step 2 of the book: simulate loss.
        if (loss_ > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < loss_) {
            log_.info("dropped " + std::to_string(n) + " bytes from " + client.to_string() + " (" +
                      ping::describe(datagram) + ")");
            continue;
        }
        net::upper_case_ascii({datagram.data(), datagram.size()});
        if (delay_) {
            const double ms =
                std::uniform_real_distribution<double>(delay_->min_ms, delay_->max_ms)(random_);
            loop_.run_after(std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000)),
                            [this, client, datagram = std::move(datagram)]() mutable {
                                reply(client, std::move(datagram));
                            });
        } else {
            reply(client, std::move(datagram));
        }
    }
}

// Step 3: the (upper-cased) ping goes back to whoever sent it. A full socket buffer drops it, as
// the network may.
void PingServer::reply(const net::SocketAddress& client, std::string datagram) {
    ::sendto(socket_.fd.get(), datagram.data(), datagram.size(), 0, client.get(), client.size());
}

void PingServer::schedule_heartbeat_check() {
    loop_.run_after(heartbeat_.check_interval(), [this] {
        for (const auto& event : heartbeat_.check(loop_.now()))
            log_.info(event);
        schedule_heartbeat_check();
    });
}

int serve(const net::Args& args) {
    if (!args.positionals().empty()) {
        throw net::UsageError("unexpected argument '" + args.positionals().front() + "'");
    }
    const net::Logger log("udp_ping_server",
                          args.has("quiet") ? net::LogLevel::kError : net::LogLevel::kInfo);
    const std::string host = net::strip_brackets(args.value_or("bind", "127.0.0.1"));
    const auto port = args.port_or("port", kDefaultPort);
    const double loss = parse_loss(args);
    std::optional<DelayRange> delay;
    if (const auto text = args.value("delay")) delay = parse_delay(*text);
    const auto seed =
        args.has("seed") ? args.uint_or("seed", 0, 0, UINT64_MAX) : std::random_device{}();
    const auto heartbeat_timeout =
        args.seconds_or("heartbeat-timeout", kDefaultHeartbeatTimeout, 1ms, 86400s);

    net::TerminationSignals signals;
    net::EventLoop loop;
    PingServer server(loop, net::bind_udp(host, std::to_string(port)), log, loss, delay, seed,
                      heartbeat_timeout);
    loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
        if (signals.take() != 0) loop.stop();
    });
    net::announce("udp_ping_server: listening on " + server.address().to_string());
    loop.run();
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
