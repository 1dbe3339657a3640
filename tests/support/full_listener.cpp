// A listener with a full accept queue.
#include "full_listener.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>

#include "common/blocking.hpp"

namespace net::test {

using namespace std::chrono_literals;

FullListener full_listener() {
    FullListener full{.listener = listen_tcp("127.0.0.1", "0", {.backlog = 0}), .fillers = {}};
    // Connect until one connect hangs: from then on the queue is full and the kernel drops new
    // SYNs. (How many fit depends on how the kernel rounds the backlog.)
    const auto& address = full.listener.address;
    for (int i = 0; i < 64; ++i) {
        Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        (void)::connect(fd.get(), address.get(), address.size());
        const bool completed = wait_writable(fd.get(), 200ms);
        full.fillers.push_back(std::move(fd));
        if (!completed) return full;
    }
    ADD_FAILURE() << "64 connects to a listener with backlog 0 all completed";
    return full;
}

}  // namespace net::test
