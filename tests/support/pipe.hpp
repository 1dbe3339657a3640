// A pipe whose two ends are owned Fds, for tests that need a descriptor to read and write.
#pragma once

#include "common/fd.hpp"

namespace net::test {

struct Pipe {
    Fd read_end;
    Fd write_end;
};

// pipe2(O_CLOEXEC | flags); a failure is a test failure (and two invalid ends).
Pipe make_pipe(int flags = 0);

}  // namespace net::test
