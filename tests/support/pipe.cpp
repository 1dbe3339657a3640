// make_pipe for the unit tests.
#include "tests/support/pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace net::test {

Pipe make_pipe(int flags) {
    int fds[2] = {-1, -1};
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC | flags), 0);
    return {Fd(fds[0]), Fd(fds[1])};
}

}  // namespace net::test
