// ScriptedUdpServer: recvfrom, ask the policy, sendto, until told to stop.
#include "tests/support/scripted_udp_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "common/address.hpp"
#include "tests/support/deadline.hpp"

namespace net::test {
namespace {
// Longer than any test may run (ctest stops a test at 120 s): the thread never outlives it.
constexpr auto kLifetime = std::chrono::seconds(600);
}  // namespace

ScriptedUdpServer::ScriptedUdpServer(Policy policy, const std::string& host)
    : socket_(bind_udp(host, "0")), policy_(std::move(policy)) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    stop_read_ = Fd(fds[0]);
    stop_write_ = Fd(fds[1]);
    thread_ = std::jthread([this] { serve(); });
}

ScriptedUdpServer::~ScriptedUdpServer() {
    const char stop = 'x';
    const ssize_t ignored = ::write(stop_write_.get(), &stop, 1);
    (void)ignored;
    if (thread_.joinable()) thread_.join();
}

std::vector<std::string> ScriptedUdpServer::received() const {
    const std::lock_guard lock(mutex_);
    return received_;
}

void ScriptedUdpServer::serve() {
    const Deadline lifetime(kLifetime);
    std::vector<char> datagram(65536);
    for (;;) {
        std::array<pollfd, 2> fds{{{socket_.fd.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}}};
        if (net::wait_any(fds, lifetime) == 0 || fds[1].revents != 0) return;
        SocketAddress from;
        socklen_t len = from.capacity();
        const ssize_t n =
            ::recvfrom(socket_.fd.get(), datagram.data(), datagram.size(), 0, from.get_mut(), &len);
        if (n < 0) continue;  // EAGAIN, EINTR, or an ICMP error left by an earlier reply
        from.set_size(len);
        std::string payload(datagram.data(), static_cast<std::size_t>(n));
        {
            const std::lock_guard lock(mutex_);
            received_.push_back(payload);
        }
        const int copy = ++copies_[payload];
        if (const auto reply = policy_(payload, copy)) {
            ::sendto(socket_.fd.get(), reply->data(), reply->size(), 0, from.get(), from.size());
        }
    }
}

}  // namespace net::test
