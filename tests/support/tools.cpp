// Looking up third-party tools in PATH.
#include "tests/support/tools.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <filesystem>

#include "tests/support/process.hpp"

namespace net::test {

std::string find_tool(std::string_view name) {
    if (name.empty()) return {};
    const char* path_env = std::getenv("PATH");
    const std::string_view path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find(':', start), path.size());
        const std::string_view dir = path.substr(start, end - start);
        const std::filesystem::path candidate =
            std::filesystem::path(dir.empty() ? "." : std::string(dir)) / name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        start = end + 1;
    }
    return {};
}

std::string find_openbsd_netcat() {
    const std::string nc = find_tool("nc");
    if (nc.empty()) return {};
    try {
        // OpenBSD's nc prints its usage (naming itself) on stderr for -h and exits 1 or 0.
        const Finished help = run(nc, {"-h"}, {}, seconds(10));
        if ((help.err + help.out).find("OpenBSD netcat") != std::string::npos) return nc;
    } catch (const std::exception&) {
        // A netcat that hangs on -h or cannot run is not the one the tests expect.
    }
    return {};
}

}  // namespace net::test
