// Acceptor: takes connections off a listening socket, sorting accept(2)'s errors in one place
// (muduo's Acceptor): a connection the peer gave up on is skipped, and when the process is out
// of descriptors a spare one is freed to accept the waiting connection and close it at once, so
// the peer learns now instead of the listener staying readable (and a loop spinning) forever.
#pragma once

#include <optional>

#include "common/address.hpp"
#include "common/fd.hpp"

namespace net {

class Acceptor {
  public:
    // `listener` is not owned: it must outlive the Acceptor.
    explicit Acceptor(int listener);

    struct Accepted {
        Fd fd;  // non-blocking, close-on-exec
        SocketAddress peer;
    };
    // The next waiting connection; nullopt when none is waiting, or the one waiting had to be
    // shed for want of descriptors (EMFILE, ENFILE).
    std::optional<Accepted> accept();

  private:
    void shed_connection();

    int listener_;
    Fd spare_;  // held back to accept-and-close when out of descriptors
};

}  // namespace net
