// The ping server's steps: receive, maybe drop, upper-case, reply (maybe after a delay).
#include "udp_ping/ping_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <utility>

#include "common/ascii.hpp"

namespace ping {
namespace {

constexpr int kMaxDatagramsPerWakeup = 64;

double wall_clock_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

PingServer::PingServer(net::EventLoop& loop, net::BoundSocket socket, const net::Logger& log,
                       const PingServerOptions& options)
    : loop_(loop),
      socket_(std::move(socket)),
      log_(log),
      loss_(options.loss),
      delay_(options.delay),
      random_(options.seed),
      heartbeat_(options.heartbeat_timeout) {
    loop_.add(socket_.fd.get(), EPOLLIN, [this](std::uint32_t) { answer_pings(); });
    schedule_heartbeat_check();
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
                      describe(datagram) + ")");
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

}  // namespace ping
