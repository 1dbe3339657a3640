// Termination signals through signalfd: no handler runs asynchronously, no global flag.
#include "signals.hpp"

#include <pthread.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <system_error>

namespace net {
namespace {

sigset_t termination_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
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
}

TerminationSignals::TerminationSignals() {
    const sigset_t set = termination_set();
    if (const int rc = ::pthread_sigmask(SIG_BLOCK, &set, &previous_); rc != 0) {
        throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
    }
    fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
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
        if (n == static_cast<ssize_t>(sizeof info)) return static_cast<int>(info.ssi_signo);
        if (n < 0 && errno == EINTR) continue;
        return 0;
    }
}

int TerminationSignals::wait() {
    const sigset_t set = termination_set();
    for (;;) {
        if (const int pending = take(); pending != 0) return pending;
        int signal = 0;
        if (::sigwait(&set, &signal) == 0) return signal;
    }
}

}  // namespace net
