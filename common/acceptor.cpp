// Accepting connections, and shedding them when out of descriptors.
#include "common/acceptor.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

namespace net {

Acceptor::Acceptor(int listener)
    : listener_(listener), spare_(::open("/dev/null", O_RDONLY | O_CLOEXEC)) {}

std::optional<Acceptor::Accepted> Acceptor::accept() {
    for (;;) {
        SocketAddress peer;
        socklen_t len = peer.capacity();
        const int fd = ::accept4(listener_, peer.get_mut(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            peer.set_size(len);
            return Accepted{Fd(fd), peer};
        }
        switch (errno) {
            case EINTR:
            case ECONNABORTED:  // the peer gave up while queued
            case EPROTO:
            case EPERM:  // a firewall rule refused it
                continue;
            case EMFILE:
            case ENFILE:
                shed_connection();
                return std::nullopt;
            default:  // EAGAIN: the queue is empty (with a shared listener, another loop took
                      // it); anything else: try again on the next wake-up
                return std::nullopt;
        }
    }
}

void Acceptor::shed_connection() {
    spare_.reset();
    Fd shed(::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC));
    shed.reset();
    spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace net
