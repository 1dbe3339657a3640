// Signals: SIGPIPE ignored (write errors come back as EPIPE instead), and SIGINT/SIGTERM (and,
// for a server, SIGHUP) turned into an ordinary readable descriptor so a server can stop
// gracefully and reopen its logs.
#pragma once

#include <csignal>

#include "fd.hpp"

namespace net {

void ignore_sigpipe();

// Ignores SIGINT, SIGTERM and SIGHUP from now on, discarding any pending: for a program that is
// stopping already, so a late one cannot kill it (status 143) on its way to a clean exit.
void ignore_termination_signals();

// What a TerminationSignals does with SIGHUP.
enum class Hangup {
    // Left alone: a hangup ends the program, as it should a client whose terminal went away.
    kDefault,
    // Delivered like SIGINT and SIGTERM: take() and wait() return SIGHUP. For a server that
    // reopens its log files on it (logrotate renames the file, then sends SIGHUP).
    kDeliver,
    // Taken and discarded: take() and wait() never return it. For a server with no file to
    // reopen, which must not die when a service manager sends the usual reload signal.
    kIgnore,
};

// Blocks SIGINT and SIGTERM (and SIGHUP unless kDefault) in the constructing thread and every
// thread it starts afterwards (construct it before starting threads), and delivers them through
// a signalfd. Restores the previous mask on destruction.
class TerminationSignals {
  public:
    explicit TerminationSignals(Hangup hangup = Hangup::kDefault);
    TerminationSignals(const TerminationSignals&) = delete;
    TerminationSignals& operator=(const TerminationSignals&) = delete;
    ~TerminationSignals();

    // Readable once a signal is pending; read it with take().
    [[nodiscard]] int fd() const { return fd_.get(); }
    // The pending signal's number (consumes it), or 0 when none is pending.
    int take();
    // Blocks until one of the signals arrives; returns its number.
    int wait();

  private:
    sigset_t set_{};
    Hangup hangup_;
    Fd fd_;
    sigset_t previous_{};
};

}  // namespace net
