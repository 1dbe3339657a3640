// Signals: SIGPIPE ignored (write errors come back as EPIPE instead), and SIGINT/SIGTERM turned
// into an ordinary readable descriptor so a server can stop gracefully.
#pragma once

#include <csignal>

#include "fd.hpp"

namespace net {

void ignore_sigpipe();

// Ignores SIGINT and SIGTERM from now on, discarding any pending: for a program that is stopping
// already, so a late one cannot kill it (status 143) on its way to a clean exit.
void ignore_termination_signals();

// Blocks SIGINT and SIGTERM in the constructing thread and every thread it starts afterwards
// (construct it before starting threads), and delivers them through a signalfd. Restores the
// previous mask on destruction.
class TerminationSignals {
  public:
    TerminationSignals();
    TerminationSignals(const TerminationSignals&) = delete;
    TerminationSignals& operator=(const TerminationSignals&) = delete;
    ~TerminationSignals();

    // Readable once a signal is pending; read it with take().
    [[nodiscard]] int fd() const { return fd_.get(); }
    // The pending signal's number (consumes it), or 0 when none is pending.
    int take();
    // Blocks until SIGINT or SIGTERM arrives; returns its number.
    int wait();

  private:
    Fd fd_;
    sigset_t previous_{};
};

}  // namespace net
