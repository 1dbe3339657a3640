// ScriptedTcpServer: accept, hand over, repeat, until told to stop.
#include "tests/support/scripted_tcp_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "tests/support/deadline.hpp"

namespace net::test {
namespace {
// Longer than any test may run (ctest stops a test at 120 s): the thread never outlives it.
constexpr auto kLifetime = std::chrono::seconds(600);
}  // namespace

ScriptedTcpServer::ScriptedTcpServer(Handler handler, const std::string& host)
    : listener_(listen_tcp(host, "0")), handler_(std::move(handler)) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    stop_read_ = Fd(fds[0]);
    stop_write_ = Fd(fds[1]);
    thread_ = std::jthread([this] { serve(); });
}

ScriptedTcpServer::~ScriptedTcpServer() {
    const char stop = 'x';
    const ssize_t ignored = ::write(stop_write_.get(), &stop, 1);
    (void)ignored;
    if (thread_.joinable()) thread_.join();
}

void ScriptedTcpServer::serve() {
    const Deadline lifetime(kLifetime);
    for (;;) {
        std::array<pollfd, 2> fds{{{listener_.fd.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}}};
        if (net::wait_any(fds, lifetime) == 0 || fds[1].revents != 0) return;
        Fd connection(::accept4(listener_.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!connection) continue;  // EAGAIN, ECONNABORTED...: wait for the next one
        try {
            handler_(std::move(connection));
        } catch (const std::exception&) {
            // A handler's failure is the test's to report through its own checks.
        }
        ++handled_;
    }
}

}  // namespace net::test
