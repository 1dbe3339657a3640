// wait_until: for what only shows on disk or in /proc (no descriptor to wait on), checking a
// condition every few milliseconds until a deadline.
#pragma once

#include <chrono>
#include <thread>

#include "tests/support/deadline.hpp"

namespace net::test {

// Checks `done()` every `step` until it holds; false at the deadline.
template <typename Done>
bool wait_until(Done done, const Deadline& deadline,
                std::chrono::milliseconds step = std::chrono::milliseconds(10)) {
    while (!done()) {
        if (deadline.expired()) return false;
        std::this_thread::sleep_for(step);
    }
    return true;
}

}  // namespace net::test
