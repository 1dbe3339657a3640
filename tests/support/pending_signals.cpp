// discard_pending_termination_signals: sigtimedwait with a zero timeout until none is left.
#include "tests/support/pending_signals.hpp"

#include <csignal>
#include <ctime>

namespace net::test {

int discard_pending_termination_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    const timespec zero{0, 0};
    int count = 0;
    while (::sigtimedwait(&set, nullptr, &zero) > 0)
        ++count;
    return count;
}

}  // namespace net::test
