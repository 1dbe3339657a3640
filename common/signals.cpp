// Termination signals through signalfd: no handler runs asynchronously, no global flag.
#include "signals.hpp"

#include <pthread.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <system_error>

namespace net {
namespace {

sigset_t signal_set(Hangup hangup) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (hangup != Hangup::kDefault) sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

void ignore_sigpipe() {
    struct sigaction action {};
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGPIPE, &action, nullptr);
}

void ignore_termination_signals() {
    struct sigaction action {};
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGHUP, &action, nullptr);
}

TerminationSignals::TerminationSignals(Hangup hangup) : set_(signal_set(hangup)), hangup_(hangup) {
    if (const int rc = ::pthread_sigmask(SIG_BLOCK, &set_, &previous_); rc != 0) {
        throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
    }
    fd_.reset(::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw std::system_error(errno, std::generic_category(), "signalfd");
}

TerminationSignals::~TerminationSignals() {
    fd_.reset();
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int TerminationSignals::take() {
    signalfd_siginfo info{};
    for (;;) {
        const auto n = ::read(fd_.get(), &info, sizeof info);
        if (n == static_cast<ssize_t>(sizeof info)) {
            const auto signal = static_cast<int>(info.ssi_signo);
            if (signal == SIGHUP && hangup_ == Hangup::kIgnore) continue;
            return signal;
        }
        if (n < 0 && errno == EINTR) continue;
        return 0;
    }
}

int TerminationSignals::wait() {
    for (;;) {
        if (const int pending = take(); pending != 0) return pending;
        int signal = 0;
        if (::sigwait(&set_, &signal) == 0) {
            if (signal == SIGHUP && hangup_ == Hangup::kIgnore) continue;
            return signal;
        }
    }
}

}  // namespace net
