// mail_server's slow-client and AUTH options, with their defaults and ranges.
#include "session_limits.hpp"

#include <algorithm>

namespace mail {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kDay{86'400'000};

}  // namespace

std::vector<net::OptionSpec> session_limit_options() {
    return {
        {"command-time", 0, "SEC",
         "a command line's time from its first byte, +1 s per --min-rate bytes (default 60, at "
         "most --timeout)"},
        {"data-time", 0, "SEC",
         "DATA's time from the 354, +1 s per --min-rate bytes (default 60, at most --timeout)"},
        {"min-rate", 0, "BYTES", "bytes that earn a phase one more second (default 500)"},
        {"auth-delay", 0, "SEC", "wait before a failed AUTH's 535, doubling (default 1; 0: none)"},
        {"auth-failures", 0, "N", "failed AUTHs per address per window, then 421 (default 10)"},
        {"auth-window", 0, "SEC", "the window of --auth-failures (default 300)"},
    };
}

AuthLimits read_session_limits(const net::Args& args, milliseconds idle_timeout,
                               SessionConfig& config) {
    const auto rate = args.uint_or("min-rate", kDefaultMinRate, 1, std::uint64_t{1} << 40);
    const auto command = args.seconds_or(
        "command-time", std::min(kDefaultCommandTime, idle_timeout), milliseconds{0}, kDay);
    const auto data = args.seconds_or("data-time", std::min(kDefaultDataTime, idle_timeout),
                                      milliseconds{0}, kDay);
    config.command_rate = {.grace = command, .bytes_per_second = rate, .most = milliseconds{0}};
    config.data_rate = {.grace = data, .bytes_per_second = rate, .most = milliseconds{0}};
    config.auth_delay =
        args.seconds_or("auth-delay", kDefaultAuthDelay, milliseconds{0}, milliseconds{60'000});
    AuthLimits limits;
    limits.max_failures = args.uint_or("auth-failures", kDefaultAuthMaxFailures, 0, 1'000'000);
    limits.window = args.seconds_or("auth-window", kDefaultAuthWindow, milliseconds{1}, kDay);
    return limits;
}

}  // namespace mail
