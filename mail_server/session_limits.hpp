// The command-line options for mail_server's slow-client limits (the minimum data rates of
// command lines and DATA), read into the session's configuration.
#pragma once

#include <chrono>
#include <vector>

#include "common/cli.hpp"
#include "smtp_session.hpp"

namespace mail {

// --command-time, --data-time, --min-rate.
std::vector<net::OptionSpec> session_limit_options();

// Sets config.command_rate and data_rate from the options. The defaults are mail_server's
// (kDefaultCommandTime...), but a phase's time is never longer than the idle timeout unless
// asked: like Postfix's per-request deadline, a whole command line gets no more than the time one
// silence may last. Throws net::UsageError.
void read_session_limits(const net::Args& args, std::chrono::milliseconds idle_timeout,
                         SessionConfig& config);

}  // namespace mail
