// A listener whose accept queue is full, so the kernel drops further SYNs: a connect to it
// neither succeeds nor fails until the client gives up (a server too busy to answer).
#pragma once

#include <vector>

#include "common/fd.hpp"
#include "common/socket.hpp"

namespace net::test {

struct FullListener {
    BoundSocket listener;
    std::vector<Fd> fillers;  // the connections that fill the queue: they must stay open
};

// Fills a new loopback listener's queue; a gtest failure when the kernel never drops a SYN.
FullListener full_listener();

}  // namespace net::test
