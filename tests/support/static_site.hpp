// StaticSite: a tree of files for a web server to serve, built by the test itself: ROOT is
// <tmp>/root, and <tmp> holds files outside ROOT (to show that they stay out of reach).
#pragma once

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

#include "tests/support/temp_dir.hpp"

namespace net::test {

// Move-only; everything is removed with it. Paths given as "a/b.txt" are relative to ROOT.
class StaticSite {
  public:
    StaticSite();

    [[nodiscard]] const std::filesystem::path& root() const { return root_; }
    // <tmp>/name: beside ROOT, never beneath it.
    [[nodiscard]] std::filesystem::path outside(std::string_view name) const {
        return dir_.file(name);
    }

    // Writes ROOT/relative (creating its folders); returns its path.
    std::filesystem::path add_file(std::string_view relative, std::string_view bytes) const;
    // Creates ROOT/relative and its parents; returns its path.
    std::filesystem::path add_directory(std::string_view relative) const;
    // ROOT/relative as a symbolic link holding `target` verbatim (relative or absolute).
    std::filesystem::path add_symlink(std::string_view relative,
                                      const std::filesystem::path& target) const;
    // Writes <tmp>/name, outside ROOT; returns its path.
    std::filesystem::path add_outside_file(std::string_view name, std::string_view bytes) const;
    // Sets the modification time of ROOT/relative (whole seconds since the epoch).
    void set_mtime(std::string_view relative, std::time_t when) const;

  private:
    TempDir dir_;
    std::filesystem::path root_;
};

// `n` bytes of every value, from a fixed seed: the same on every run (file contents to check
// byte for byte after a trip through a server).
std::string pattern_bytes(std::size_t n, unsigned seed);

}  // namespace net::test
