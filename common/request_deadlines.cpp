// The head and body rules derived from --timeout and --min-rate.
#include "request_deadlines.hpp"

namespace net::http {

RequestDeadlines request_deadlines(std::chrono::milliseconds timeout, std::uint64_t min_rate) {
    return {.head = {.grace = timeout, .bytes_per_second = min_rate, .most = 2 * timeout},
            .body = {.grace = timeout, .bytes_per_second = min_rate, .most = {}}};
}

}  // namespace net::http
