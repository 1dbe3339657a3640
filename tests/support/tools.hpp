// Third-party tools the tests drive (nc, socat, curl...): found in PATH or the test is skipped.
#pragma once

#include <string>
#include <string_view>

namespace net::test {

// The full path of `name` found in PATH (an executable regular file), or "" when missing.
std::string find_tool(std::string_view name);

// The path of an OpenBSD netcat ("nc -N", "nc -u -w1" behave as the tests expect), or "" when
// nc is missing or is another netcat (traditional, ncat, busybox).
std::string find_openbsd_netcat();

}  // namespace net::test

// Declares `const std::string var` holding the path of `tool`, or skips the test, naming the
// Debian package to install. A macro because GTEST_SKIP() must return from the test body:
//   TOPDOWN_REQUIRE_TOOL(socat, "socat", "socat");
#define TOPDOWN_REQUIRE_TOOL(var, tool, package)                                       \
    const std::string var = ::net::test::find_tool(tool);                              \
    if (var.empty()) {                                                                 \
        GTEST_SKIP() << "needs " << (tool) << " (Debian package " << (package) << ")"; \
    }

// Declares `const std::string var` holding the path of OpenBSD's nc, or skips the test.
#define TOPDOWN_REQUIRE_OPENBSD_NC(var)                             \
    const std::string var = ::net::test::find_openbsd_netcat();     \
    if (var.empty()) {                                              \
        GTEST_SKIP() << "needs nc (Debian package netcat-openbsd)"; \
    }
