// `cpack -G DEB` in the build folder these tests belong to: the package holds every program,
// page and completion file, its programs run from an unpacked copy, its dependencies come from
// the binaries, and lintian finds no error in it.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/help_options.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

constexpr const char* kPackage = "topdown-net";
const std::string kDebVersion = std::string(TOPDOWN_PROJECT_VERSION) + "-1";

// Declares `dpkg_deb`, or skips the test when dpkg-deb or dpkg-shlibdeps (which CPack runs for
// the Depends field) is missing.
#define REQUIRE_DPKG_TOOLS(dpkg_deb)                    \
    TOPDOWN_REQUIRE_TOOL(dpkg_deb, "dpkg-deb", "dpkg"); \
    TOPDOWN_REQUIRE_TOOL(shlibdeps, "dpkg-shlibdeps", "dpkg-dev");

// Builds the .deb from this build folder into `dir` and returns its path.
std::filesystem::path build_deb(const TempDir& dir) {
    const auto result = run(TOPDOWN_CPACK_COMMAND,
                            {"--config", std::string(TOPDOWN_BUILD_DIR) + "/CPackConfig.cmake",
                             "-G", "DEB", "-B", dir.path().string()},
                            {}, seconds(60));
    EXPECT_TRUE(result.status.ok()) << "cpack: " << result.status << "\n"
                                    << result.out << result.err;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        if (entry.path().extension() == ".deb") return entry.path();
    }
    ADD_FAILURE() << "cpack made no .deb in " << dir.path();
    return {};
}

// What the package holds: every program (not the benchmark helper), page and completion link,
// the Debian copyright and changelog, and a Depends field from the binaries.
void expect_contents(const std::string& dpkg_deb, const std::filesystem::path& deb,
                     const std::filesystem::path& root) {
    EXPECT_EQ(deb.filename().string().rfind(std::string(kPackage) + "_" + kDebVersion + "_", 0), 0u)
        << deb;
    const auto usr = root / "usr";
    for (const auto& program : suite_programs()) {
        SCOPED_TRACE(program);
        EXPECT_TRUE(std::filesystem::is_regular_file(usr / "bin" / program));
        EXPECT_TRUE(std::filesystem::is_regular_file(usr / "share/man/man1" / (program + ".1.gz")));
        EXPECT_TRUE(std::filesystem::exists(usr / "share/bash-completion/completions" / program));
    }
    EXPECT_FALSE(std::filesystem::exists(usr / "bin/tcp_load")) << "the benchmark helper";
    const auto doc = usr / "share/doc" / kPackage;
    EXPECT_TRUE(std::filesystem::is_regular_file(doc / "copyright"));
    EXPECT_TRUE(std::filesystem::is_regular_file(doc / "changelog.Debian.gz"));
    EXPECT_TRUE(std::filesystem::is_regular_file(doc / "README.md"));
    EXPECT_NE(read_file(doc / "copyright").find("Copyright: 2026 topdown-net contributors"),
              std::string::npos);

    const auto control = run(dpkg_deb, {"--field", deb.string()});
    EXPECT_NE(control.out.find("Package: topdown-net\n"), std::string::npos) << control.out;
    EXPECT_NE(control.out.find("Version: " + kDebVersion + "\n"), std::string::npos) << control.out;
    EXPECT_NE(control.out.find("Section: net\n"), std::string::npos) << control.out;
    EXPECT_NE(control.out.find("Depends: libc6"), std::string::npos) << control.out;
#ifdef TOPDOWN_PACKAGE_HAS_TLS
    EXPECT_NE(control.out.find("libssl3"), std::string::npos) << control.out;
#endif
}

// Every program of the unpacked package answers --version, and -V where its --help lists it.
void expect_programs_run(const std::filesystem::path& root) {
    for (const auto& program : suite_programs()) {
        SCOPED_TRACE(program);
        std::vector<std::string> flags{"--version"};
        for (const auto& option : help_options(program)) {
            if (option.long_name == "version" && option.short_name == 'V') flags.push_back("-V");
        }
        for (const auto& flag : flags) {
            const auto result = run(root / "usr/bin" / program, {flag});
            EXPECT_TRUE(result.status.ok()) << flag << ": " << result.status << "\n" << result.err;
            const std::string expected =
                program + " (topdown-net) " + std::string(TOPDOWN_PROJECT_VERSION);
            EXPECT_EQ(result.out.rfind(expected, 0), 0u) << flag << ": " << result.out;
        }
    }
}

// bash-completion finds each program's completion by the program's name in the package's
// share/bash-completion/completions (here through XDG_DATA_DIRS, as /usr/share is found).
void expect_completion_loads(const std::string& bash, const std::filesystem::path& root) {
    const std::string script =
        "source /usr/share/bash-completion/bash_completion || exit 3\n"
        "XDG_DATA_DIRS='" +
        (root / "usr/share").string() +
        "'\n"
        "for program in \"$@\"; do __load_completion \"$program\" && complete -p \"$program\"; "
        "done\n";
    std::vector<std::string> args{"--norc", "--noprofile", "-c", script, "bash"};
    for (const auto& program : suite_programs())
        args.push_back(program);
    const auto result = run(bash, args);
    EXPECT_TRUE(result.status.ok()) << result.status << "\n" << result.err;
    for (const auto& program : suite_programs()) {
        EXPECT_NE(result.out.find("complete -F _topdown_net " + program + "\n"), std::string::npos)
            << program << ": " << result.out;
    }
}

// One package built for three checks: cpack takes seconds.
TEST(Deb, UnpackedPackageHoldsAndRunsEveryProgram) {
    REQUIRE_DPKG_TOOLS(dpkg_deb);
    const TempDir dir;
    const auto deb = build_deb(dir);
    ASSERT_TRUE(std::filesystem::exists(deb));
    const auto root = dir.file("root");
    ASSERT_TRUE(run(dpkg_deb, {"-x", deb.string(), root.string()}).status.ok());
    expect_contents(dpkg_deb, deb, root);
    expect_programs_run(root);
    const std::string bash = find_tool("bash");
    if (bash.empty() || !std::filesystem::exists("/usr/share/bash-completion/bash_completion")) {
        std::cout << "completion loading not checked: needs bash-completion (Debian package "
                     "bash-completion)\n";
    } else {
        expect_completion_loads(bash, root);
    }
}

TEST(Deb, LintianFindsNoError) {
    REQUIRE_DPKG_TOOLS(dpkg_deb);
    TOPDOWN_REQUIRE_TOOL(lintian, "lintian", "lintian");
    const TempDir dir;
    const auto deb = build_deb(dir);
    ASSERT_TRUE(std::filesystem::exists(deb));
    const auto result = run(lintian, {"--fail-on", "error", deb.string()}, {}, seconds(90));
    // Warnings are shown, not failed on: initial-upload-closes-no-bugs (no Debian ITP bug to
    // close) is expected of a package made outside Debian.
    std::cout << result.out;
    EXPECT_TRUE(result.status.ok()) << result.status << "\n" << result.out << result.err;
    for (const auto& line : split_lines(result.out))
        EXPECT_FALSE(line.starts_with("E: ")) << line;
}

}  // namespace
}  // namespace net::test
