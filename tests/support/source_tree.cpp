// The source tree's path, given by CMake as TOPDOWN_SOURCE_DIR when the tests are configured.
#include "tests/support/source_tree.hpp"

namespace net::test {

std::filesystem::path source_dir() {
    return TOPDOWN_SOURCE_DIR;
}

std::filesystem::path source_path(std::string_view relative) {
    return source_dir() / relative;
}

}  // namespace net::test
