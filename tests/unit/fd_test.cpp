// Fd: one owner per descriptor. Whether a descriptor is still open is checked with
// fcntl(F_GETFD), which fails with EBADF once it is closed.
#include "common/fd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>
#include <utility>

namespace net {
namespace {

static_assert(!std::is_copy_constructible_v<Fd>);
static_assert(!std::is_copy_assignable_v<Fd>);
static_assert(std::is_nothrow_move_constructible_v<Fd>);
static_assert(std::is_nothrow_move_assignable_v<Fd>);

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

bool is_closed(int fd) {
    errno = 0;
    return ::fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

// A fresh descriptor for the tests to own (a pipe's two ends).
struct Pipe {
    int read_end = -1;
    int write_end = -1;
};

Pipe make_pipe() {
    int ends[2] = {-1, -1};
    EXPECT_EQ(::pipe2(ends, O_CLOEXEC), 0);
    return {ends[0], ends[1]};
}

TEST(FdTest, DefaultIsInvalid) {
    const Fd fd;
    EXPECT_EQ(fd.get(), -1);
    EXPECT_FALSE(fd.valid());
    EXPECT_FALSE(static_cast<bool>(fd));
}

TEST(FdTest, OwnsAndClosesOnDestruction) {
    const Pipe p = make_pipe();
    {
        const Fd reader(p.read_end);
        const Fd writer(p.write_end);
        EXPECT_EQ(reader.get(), p.read_end);
        EXPECT_TRUE(reader.valid());
        EXPECT_TRUE(static_cast<bool>(reader));
        EXPECT_TRUE(is_open(p.read_end));
        EXPECT_TRUE(is_open(p.write_end));
    }
    EXPECT_TRUE(is_closed(p.read_end));
    EXPECT_TRUE(is_closed(p.write_end));
}

TEST(FdTest, MoveConstructionTransfersOwnership) {
    const Pipe p = make_pipe();
    const Fd writer(p.write_end);
    Fd source(p.read_end);
    {
        const Fd target(std::move(source));
        EXPECT_EQ(target.get(), p.read_end);
        EXPECT_FALSE(source.valid());  // NOLINT(bugprone-use-after-move): the moved-from state
        EXPECT_EQ(source.get(), -1);   // NOLINT(bugprone-use-after-move)
        EXPECT_TRUE(is_open(p.read_end));
    }
    EXPECT_TRUE(is_closed(p.read_end));
}

TEST(FdTest, MoveAssignmentClosesThePreviousDescriptor) {
    const Pipe first = make_pipe();
    const Pipe second = make_pipe();
    const Fd first_writer(first.write_end);
    const Fd second_writer(second.write_end);
    Fd target(first.read_end);
    Fd source(second.read_end);

    target = std::move(source);

    EXPECT_TRUE(is_closed(first.read_end));
    EXPECT_EQ(target.get(), second.read_end);
    EXPECT_TRUE(is_open(second.read_end));
    EXPECT_FALSE(source.valid());  // NOLINT(bugprone-use-after-move)
}

TEST(FdTest, MoveAssignmentFromEmptyClosesAndEmpties) {
    const Pipe p = make_pipe();
    const Fd writer(p.write_end);
    Fd target(p.read_end);
    Fd empty;

    target = std::move(empty);

    EXPECT_FALSE(target.valid());
    EXPECT_TRUE(is_closed(p.read_end));
}

TEST(FdTest, SelfMoveAssignmentKeepsTheDescriptor) {
    const Pipe p = make_pipe();
    const Fd writer(p.write_end);
    Fd fd(p.read_end);
    Fd& alias = fd;

    fd = std::move(alias);

    EXPECT_EQ(fd.get(), p.read_end);
    EXPECT_TRUE(is_open(p.read_end));
}

TEST(FdTest, ReleaseGivesUpOwnershipWithoutClosing) {
    const Pipe p = make_pipe();
    const Fd writer(p.write_end);
    int released = -1;
    {
        Fd fd(p.read_end);
        released = fd.release();
        EXPECT_EQ(released, p.read_end);
        EXPECT_FALSE(fd.valid());
        EXPECT_EQ(fd.get(), -1);
        EXPECT_EQ(fd.release(), -1);  // nothing left to give
    }
    EXPECT_TRUE(is_open(released));
    EXPECT_EQ(::close(released), 0);
}

TEST(FdTest, ResetClosesTheOldDescriptorAndAdoptsTheNewOne) {
    const Pipe p = make_pipe();
    Fd fd(p.read_end);

    fd.reset(p.write_end);

    EXPECT_TRUE(is_closed(p.read_end));
    EXPECT_EQ(fd.get(), p.write_end);
    EXPECT_TRUE(is_open(p.write_end));

    fd.reset();

    EXPECT_TRUE(is_closed(p.write_end));
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(fd.get(), -1);

    fd.reset();  // resetting an empty Fd is harmless
    EXPECT_FALSE(fd.valid());
}

}  // namespace
}  // namespace net
