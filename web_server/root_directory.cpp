// Opening files beneath ROOT, with the kernel's help.
#include "root_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <system_error>

namespace web {
namespace {

int open_beneath(int root, const std::string& relative) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        const auto fd = ::syscall(SYS_openat2, root, relative.empty() ? "." : relative.c_str(),
                                  &how, sizeof how);
        if (fd >= 0 || errno != EINTR) return static_cast<int>(fd);
    }
}

// Where openat2 is missing: open normally, then ask the kernel where the descriptor really
// points and refuse anything outside ROOT. Checked on the open descriptor, so no race.
int open_and_check(int root, const std::string& relative, const std::string& real_root) {
    const int fd = ::openat(root, relative.empty() ? "." : relative.c_str(),
                            O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return fd;
    std::array<char, PATH_MAX> target{};
    const auto link = "/proc/self/fd/" + std::to_string(fd);
    const auto n = ::readlink(link.c_str(), target.data(), target.size() - 1);
    const std::string real(target.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
    if (n <= 0 || !(real == real_root || real.starts_with(real_root + "/"))) {
        ::close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

}  // namespace

RootDirectory::RootDirectory(const std::string& path) : path_(path) {
    root_.reset(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_) throw std::system_error(errno, std::generic_category(), "cannot open root " + path);
    std::array<char, PATH_MAX> real{};
    if (::realpath(path.c_str(), real.data()) != nullptr) real_path_ = real.data();
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    const auto probe = ::syscall(SYS_openat2, root_.get(), ".", &how, sizeof how);
    if (probe >= 0) {
        ::close(static_cast<int>(probe));
    } else if (errno == ENOSYS) {
        have_openat2_ = false;
    } else {
        throw std::system_error(errno, std::generic_category(), "cannot read root " + path);
    }
}

OpenedFile RootDirectory::open(const std::string& relative) const {
    OpenedFile result;
    const int fd = have_openat2_ ? open_beneath(root_.get(), relative)
                                 : open_and_check(root_.get(), relative, real_path_);
    if (fd < 0) {
        result.error = errno;
        return result;
    }
    auto owned = std::make_shared<net::Fd>(fd);
    if (::fstat(fd, &result.info) != 0) {
        result.error = errno;
        return result;
    }
    result.fd = std::move(owned);
    return result;
}

std::vector<DirectoryEntry> RootDirectory::list(const net::Fd& directory) const {
    std::vector<DirectoryEntry> entries;
    // fdopendir takes ownership of its descriptor: give it a duplicate.
    const int copy = ::openat(directory.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) return entries;
    const auto close_dir = [](DIR* d) { ::closedir(d); };
    const std::unique_ptr<DIR, decltype(close_dir)> dir(::fdopendir(copy), close_dir);
    if (!dir) {
        ::close(copy);
        return entries;
    }
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        struct stat info {};
        // Follow symlinks for the size and kind shown; a dangling link is still listed.
        if (::fstatat(::dirfd(dir.get()), entry->d_name, &info, 0) != 0 &&
            ::fstatat(::dirfd(dir.get()), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;
        }
        entries.push_back({name, S_ISDIR(info.st_mode),
                           static_cast<std::uint64_t>(S_ISREG(info.st_mode) ? info.st_size : 0),
                           info.st_mtim.tv_sec});
    }
    return entries;
}

}  // namespace web
