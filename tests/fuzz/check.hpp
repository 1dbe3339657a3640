// What every fuzz target checks with: a broken promise aborts, so libFuzzer reports it as a
// crash and keeps the input.
#pragma once

#include <cstdlib>

namespace fuzz {

inline void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace fuzz
