// The command-line options for mail_server's slow-client limits (the minimum data rates of
// command lines and DATA) and its AUTH throttling (the delay after a failure, the cap per
// address), read into the session's configuration.
#pragma once

#include <vector>

#include "auth_failures.hpp"
#include "common/cli.hpp"
#include "smtp_session.hpp"

namespace mail {

// --command-time, --data-time, --min-rate, --auth-delay, --auth-failures, --auth-window.
std::vector<net::OptionSpec> session_limit_options();

// Sets config.command_rate, data_rate and auth_delay from the options and returns the
// per-address AUTH limits. The defaults are mail_server's (kDefaultCommandTime...), but a phase's
// time is never longer than the idle timeout unless asked: like Postfix's per-request deadline,
// a whole command line gets no more than the time one silence may last. Throws net::UsageError.
AuthLimits read_session_limits(const net::Args& args, std::chrono::milliseconds idle_timeout,
                               SessionConfig& config);

}  // namespace mail
