// StaticSite: file trees for web server tests.
#include "tests/support/static_site.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace net::test {

StaticSite::StaticSite() : root_(dir_.file("root")) {
    std::filesystem::create_directory(root_);
}

std::filesystem::path StaticSite::add_file(std::string_view relative,
                                           std::string_view bytes) const {
    const std::filesystem::path path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    return dir_.write_file((std::filesystem::path("root") / relative).string(), bytes);
}

std::filesystem::path StaticSite::add_directory(std::string_view relative) const {
    const std::filesystem::path path = root_ / relative;
    std::filesystem::create_directories(path);
    return path;
}

std::filesystem::path StaticSite::add_symlink(std::string_view relative,
                                              const std::filesystem::path& target) const {
    const std::filesystem::path path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::filesystem::create_symlink(target, path);
    return path;
}

std::filesystem::path StaticSite::add_outside_file(std::string_view name,
                                                   std::string_view bytes) const {
    return dir_.write_file(name, bytes);
}

void StaticSite::set_mtime(std::string_view relative, std::time_t when) const {
    const std::filesystem::path path = root_ / relative;
    const timespec times[2] = {{when, 0}, {when, 0}};
    if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
        throw std::system_error(errno, std::generic_category(), "utimensat " + path.string());
    }
}

std::string pattern_bytes(std::size_t n, unsigned seed) {
    std::string bytes(n, '\0');
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : bytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<char>(x & 0xff);
    }
    return bytes;
}

}  // namespace net::test
