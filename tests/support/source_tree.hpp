// Where the tests find files of the source tree (www/, scripts, fixtures): the path CMake gives
// them, so the build folder may be anywhere (`cmake -S . -B /elsewhere`).
#pragma once

#include <filesystem>
#include <string_view>

namespace net::test {

// The source tree's top folder, as configured (TOPDOWN_SOURCE_DIR).
std::filesystem::path source_dir();

// source_dir() / relative ("www/index.html").
std::filesystem::path source_path(std::string_view relative);

}  // namespace net::test
