// TempDir: a private directory for one test's files, removed with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace net::test {

// Created under $TMPDIR (or /tmp) as topdown-test-XXXXXX. Move-only; the destructor removes it
// recursively and never throws.
class TempDir {
  public:
    TempDir();
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir& operator=(TempDir&& other) noexcept;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // path() / name (nothing is created).
    [[nodiscard]] std::filesystem::path file(std::string_view name) const { return path_ / name; }

    // Writes `bytes` to path() / name, replacing it; returns the file's path.
    std::filesystem::path write_file(std::string_view name, std::string_view bytes) const;

  private:
    void remove() noexcept;
    std::filesystem::path path_;
};

// The whole content of a file; throws std::system_error when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace net::test
