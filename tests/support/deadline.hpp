// Deadline: the tests bound every wait with common/'s Deadline and wait_any().
#pragma once

#include <chrono>

#include "common/blocking.hpp"
#include "common/deadline.hpp"

namespace net::test {

using Clock = std::chrono::steady_clock;
using net::Deadline;
using std::chrono::milliseconds;
using std::chrono::seconds;

}  // namespace net::test
