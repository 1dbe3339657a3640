// Deadline arithmetic and the one poll loop the test helpers share.
#include "tests/support/deadline.hpp"

#include <cerrno>
#include <limits>
#include <system_error>

namespace net::test {

milliseconds Deadline::remaining() const {
    const auto left = at_ - Clock::now();
    if (left <= Clock::duration::zero()) return milliseconds::zero();
    return std::chrono::ceil<milliseconds>(left);
}

int Deadline::poll_timeout_ms() const {
    const auto left = remaining().count();
    constexpr auto kMax = std::numeric_limits<int>::max();
    return left > kMax ? kMax : static_cast<int>(left);
}

int poll_until(pollfd* fds, std::size_t count, const Deadline& deadline) {
    for (;;) {
        const int rc = ::poll(fds, static_cast<nfds_t>(count), deadline.poll_timeout_ms());
        if (rc > 0) return rc;
        if (rc == 0) {
            // poll may return early by a rounding hair: wait out the rest of the deadline.
            if (deadline.expired()) return 0;
            continue;
        }
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
    }
}

}  // namespace net::test
