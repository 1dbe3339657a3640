// For tests that raise SIGINT/SIGTERM/SIGHUP under a TerminationSignals mask.
#pragma once

namespace net::test {

// Consumes SIGINT/SIGTERM/SIGHUP left pending on this thread or the process, so a failing test
// cannot kill the test binary when the mask is restored. Returns how many there were.
int discard_pending_termination_signals();

}  // namespace net::test
