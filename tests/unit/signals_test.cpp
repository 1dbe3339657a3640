// TerminationSignals: SIGINT/SIGTERM blocked and read from a signalfd, the mask restored on
// destruction; ignore_sigpipe. Signals are raised at this thread only (raise()).
#include "common/signals.hpp"
#include "tests/support/pending_signals.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <thread>

namespace net {
namespace {

using test::discard_pending_termination_signals;

bool blocked(int signal) {
    sigset_t current;
    sigemptyset(&current);
    EXPECT_EQ(::pthread_sigmask(SIG_BLOCK, nullptr, &current), 0);
    return sigismember(&current, signal) == 1;
}

bool readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

TEST(TerminationSignalsTest, RaisedSigtermIsTaken) {
    ASSERT_FALSE(blocked(SIGTERM));
    {
        TerminationSignals signals;
        EXPECT_TRUE(blocked(SIGTERM));
        EXPECT_TRUE(blocked(SIGINT));
        ASSERT_GE(signals.fd(), 0);
        EXPECT_FALSE(readable_now(signals.fd()));
        EXPECT_EQ(signals.take(), 0) << "nothing pending yet";

        ASSERT_EQ(::raise(SIGTERM), 0);
        EXPECT_TRUE(readable_now(signals.fd()));
        EXPECT_EQ(signals.take(), SIGTERM);
        EXPECT_EQ(signals.take(), 0) << "taken once";
        EXPECT_FALSE(readable_now(signals.fd()));
        EXPECT_EQ(discard_pending_termination_signals(), 0) << "take() left the signal pending";
    }
    EXPECT_FALSE(blocked(SIGTERM)) << "the previous mask was not restored";
    EXPECT_FALSE(blocked(SIGINT));
}

TEST(TerminationSignalsTest, RaisedSigintIsTaken) {
    {
        TerminationSignals signals;
        ASSERT_EQ(::raise(SIGINT), 0);
        EXPECT_EQ(signals.take(), SIGINT);
        EXPECT_EQ(discard_pending_termination_signals(), 0);
    }
    EXPECT_FALSE(blocked(SIGINT));
}

TEST(TerminationSignalsTest, WaitReturnsAPendingSignal) {
    TerminationSignals signals;
    ASSERT_EQ(::raise(SIGTERM), 0);
    EXPECT_EQ(signals.wait(), SIGTERM);  // already pending: returns at once
    EXPECT_EQ(discard_pending_termination_signals(), 0);
}

TEST(TerminationSignalsTest, FdIsNonblockingAndCloseOnExec) {
    const TerminationSignals signals;
    EXPECT_NE(::fcntl(signals.fd(), F_GETFL) & O_NONBLOCK, 0);
    EXPECT_NE(::fcntl(signals.fd(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(TerminationSignalsTest, ThreadsStartedAfterwardsInheritTheMask) {
    const TerminationSignals signals;
    bool child_blocked = false;
    std::thread([&child_blocked] { child_blocked = blocked(SIGTERM) && blocked(SIGINT); }).join();
    EXPECT_TRUE(child_blocked);
}

TEST(TerminationSignalsTest, RestoresAMaskThatAlreadyBlockedSigint) {
    sigset_t only_int;
    sigemptyset(&only_int);
    sigaddset(&only_int, SIGINT);
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &only_int, nullptr), 0);
    { const TerminationSignals signals; }
    EXPECT_TRUE(blocked(SIGINT)) << "SIGINT was blocked before: it must stay blocked";
    EXPECT_FALSE(blocked(SIGTERM));
    ASSERT_EQ(::pthread_sigmask(SIG_UNBLOCK, &only_int, nullptr), 0);
}

TEST(TerminationSignalsTest, ClosesItsDescriptor) {
    int fd = -1;
    {
        const TerminationSignals signals;
        fd = signals.fd();
        EXPECT_NE(::fcntl(fd, F_GETFD), -1);
    }
    errno = 0;
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
    EXPECT_EQ(errno, EBADF);
}

TEST(TerminationSignalsTest, HangupIsLeftAloneByDefault) {
    const TerminationSignals signals;
    EXPECT_FALSE(blocked(SIGHUP)) << "a client must still end when its terminal hangs up";
}

TEST(TerminationSignalsTest, DeliveredHangupIsTakenAndTheServerGoesOn) {
    {
        TerminationSignals signals(Hangup::kDeliver);
        EXPECT_TRUE(blocked(SIGHUP));
        ASSERT_EQ(::raise(SIGHUP), 0);
        EXPECT_EQ(signals.wait(), SIGHUP);
        ASSERT_EQ(::raise(SIGHUP), 0);
        ASSERT_EQ(::raise(SIGTERM), 0);
        EXPECT_EQ(signals.take(), SIGHUP);
        EXPECT_EQ(signals.take(), SIGTERM);
        EXPECT_EQ(signals.take(), 0);
        EXPECT_EQ(discard_pending_termination_signals(), 0);
    }
    EXPECT_FALSE(blocked(SIGHUP)) << "the previous mask was not restored";
}

TEST(TerminationSignalsTest, IgnoredHangupIsTakenAndDiscarded) {
    TerminationSignals signals(Hangup::kIgnore);
    EXPECT_TRUE(blocked(SIGHUP)) << "blocked, so no thread dies of it";
    ASSERT_EQ(::raise(SIGHUP), 0);
    EXPECT_EQ(signals.take(), 0) << "a hangup alone is nothing to act on";
    EXPECT_FALSE(readable_now(signals.fd()));
    ASSERT_EQ(::raise(SIGHUP), 0);
    ASSERT_EQ(::raise(SIGTERM), 0);
    EXPECT_EQ(signals.wait(), SIGTERM) << "wait() passes over the hangup";
    EXPECT_EQ(discard_pending_termination_signals(), 0);
}

TEST(IgnoreSigpipeTest, WritesToAClosedPipeFailWithEpipe) {
    struct sigaction previous {};
    ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &previous), 0);

    ignore_sigpipe();
    struct sigaction now {};
    ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &now), 0);
    EXPECT_EQ(now.sa_handler, SIG_IGN);

    int fds[2] = {-1, -1};
    ASSERT_EQ(::pipe(fds), 0);
    ::close(fds[0]);
    errno = 0;
    EXPECT_EQ(::write(fds[1], "x", 1), -1);
    EXPECT_EQ(errno, EPIPE);
    ::close(fds[1]);

    ::sigaction(SIGPIPE, &previous, nullptr);
}

}  // namespace
}  // namespace net
