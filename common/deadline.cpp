// Deadline arithmetic.
#include "deadline.hpp"

#include <limits>

namespace net {

std::chrono::milliseconds Deadline::remaining() const {
    if (is_never()) return std::chrono::milliseconds::max();
    const auto left = at_ - Clock::now();
    if (left <= Clock::duration::zero()) return std::chrono::milliseconds::zero();
    return std::chrono::ceil<std::chrono::milliseconds>(left);
}

int Deadline::poll_timeout_ms() const {
    if (is_never()) return -1;
    const auto left = remaining().count();
    constexpr auto kMax = std::numeric_limits<int>::max();
    return left > kMax ? kMax : static_cast<int>(left);
}

}  // namespace net
