// Deadline arithmetic, wait_any over several descriptors, and the one errno sorter.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>

#include "common/blocking.hpp"
#include "common/deadline.hpp"
#include "common/fd.hpp"
#include "common/io.hpp"
#include "tests/support/pipe.hpp"

namespace net {
namespace {

using test::make_pipe;
using test::Pipe;

using namespace std::chrono_literals;

TEST(DeadlineTest, NeverWaitsForeverAndNeverExpires) {
    const auto never = Deadline::never();
    EXPECT_TRUE(never.is_never());
    EXPECT_FALSE(never.expired());
    EXPECT_EQ(never.poll_timeout_ms(), -1);
    EXPECT_EQ(never.remaining(), std::chrono::milliseconds::max());
    EXPECT_TRUE(Deadline::after(-1ms).is_never());
}

TEST(DeadlineTest, APassedDeadlineIsExpiredWithNothingLeft) {
    const Deadline past = Deadline::at(Deadline::Clock::now() - 1s);
    EXPECT_TRUE(past.expired());
    EXPECT_EQ(past.remaining(), 0ms);
    EXPECT_EQ(past.poll_timeout_ms(), 0);
}

TEST(DeadlineTest, TheTimeoutIsRoundedUpSoAWaitNeverEndsEarly) {
    const Deadline soon = Deadline::at(Deadline::Clock::now() + 1500us);
    EXPECT_GE(soon.poll_timeout_ms(), 1);
    EXPECT_LE(soon.poll_timeout_ms(), 2);
    EXPECT_FALSE(Deadline(1h).expired());
}

TEST(WaitAnyTest, ReportsWhichOfSeveralDescriptorsIsReady) {
    Pipe quiet = make_pipe(O_NONBLOCK);
    Pipe talking = make_pipe(O_NONBLOCK);
    ASSERT_EQ(::write(talking.write_end.get(), "x", 1), 1);
    std::array<pollfd, 2> fds{pollfd{quiet.read_end.get(), POLLIN, 0},
                              pollfd{talking.read_end.get(), POLLIN, 0}};
    EXPECT_EQ(wait_any(fds, Deadline(10s)), 1);
    EXPECT_EQ(fds[0].revents, 0);
    EXPECT_NE(fds[1].revents & POLLIN, 0);
}

TEST(WaitAnyTest, ReturnsZeroOnceTheDeadlinePasses) {
    Pipe quiet = make_pipe(O_NONBLOCK);
    std::array<pollfd, 1> fds{pollfd{quiet.read_end.get(), POLLIN, 0}};
    const auto start = Deadline::Clock::now();
    EXPECT_EQ(wait_any(fds, Deadline(30ms)), 0);
    EXPECT_GE(Deadline::Clock::now() - start, 30ms);
}

TEST(WaitAnyTest, IgnoresSwitchedOffEntries) {
    Pipe talking = make_pipe(O_NONBLOCK);
    ASSERT_EQ(::write(talking.write_end.get(), "x", 1), 1);
    std::array<pollfd, 2> fds{pollfd{-1, POLLIN, 0}, pollfd{talking.read_end.get(), POLLIN, 0}};
    EXPECT_EQ(wait_any(fds, Deadline(10s)), 1);
}

TEST(WriteAllTest, ThrowsTimedOutWhenNobodyReadsBeforeTheDeadline) {
    Pipe pipe = make_pipe(O_NONBLOCK);
    const std::string lots(4 * 1024 * 1024, 'x');  // more than a pipe holds
    try {
        write_all(pipe.write_end.get(), lots, Deadline(50ms));
        FAIL() << "write_all returned with nobody reading";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ETIMEDOUT);
    }
}

TEST(SortIoResultTest, SortsEveryOutcomeOnce) {
    EXPECT_EQ(sort_io_result(5, 0, IoDirection::kRead).status, IoStatus::kOk);
    EXPECT_EQ(sort_io_result(5, 0, IoDirection::kRead).bytes, 5U);
    EXPECT_EQ(sort_io_result(0, 0, IoDirection::kRead).status, IoStatus::kClosed);
    EXPECT_EQ(sort_io_result(0, 0, IoDirection::kWrite).status, IoStatus::kOk);
    EXPECT_EQ(sort_io_result(-1, EAGAIN, IoDirection::kRead).status, IoStatus::kWouldBlock);
    EXPECT_EQ(sort_io_result(-1, EWOULDBLOCK, IoDirection::kWrite).status, IoStatus::kWouldBlock);
    const auto reset = sort_io_result(-1, ECONNRESET, IoDirection::kRead);
    EXPECT_EQ(reset.status, IoStatus::kError);
    EXPECT_EQ(reset.error, ECONNRESET);
}

TEST(RetryIoTest, RetriesWhileInterrupted) {
    int calls = 0;
    const auto result = retry_io(IoDirection::kRead, [&]() -> ssize_t {
        if (++calls < 3) {
            errno = EINTR;
            return -1;
        }
        return 7;
    });
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(result.bytes, 7U);
}

}  // namespace
}  // namespace net
