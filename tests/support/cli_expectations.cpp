// Shared command-line expectations, written with gtest's non-fatal EXPECTs.
#include "tests/support/cli_expectations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "tests/support/process.hpp"

namespace net::test {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string join(const std::vector<std::string>& args) {
    std::string joined;
    for (const auto& a : args)
        joined += " '" + a + "'";
    return joined;
}

}  // namespace

void expect_usage_error(std::string_view program, const std::vector<std::string>& args) {
    SCOPED_TRACE(std::string(program) + join(args));
    const Finished result = run(bin_path(program), args, {}, seconds(30));
    EXPECT_EQ(result.status, ExitStatus::exit_code(64)) << "stderr: " << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with(std::string(program) + ": ")) << "stderr: " << result.err;
    const std::string err = lower(result.err);
    EXPECT_TRUE(err.find("usage") != std::string::npos || err.find("--help") != std::string::npos)
        << "no usage hint in stderr: " << result.err;
}

void expect_help_and_version(std::string_view program) {
    {
        SCOPED_TRACE(std::string(program) + " --help");
        const Finished help = run(bin_path(program), {"--help"}, {}, seconds(30));
        EXPECT_EQ(help.status, ExitStatus::exit_code(0)) << "stderr: " << help.err;
        EXPECT_NE(lower(help.out).find("usage"), std::string::npos) << help.out;
        EXPECT_NE(help.out.find(program), std::string::npos) << help.out;
    }
    std::string long_version;
    for (const char* flag : {"--version", "-V"}) {
        SCOPED_TRACE(std::string(program) + " " + flag);
        const Finished version = run(bin_path(program), {flag}, {}, seconds(30));
        EXPECT_EQ(version.status, ExitStatus::exit_code(0)) << "stderr: " << version.err;
        EXPECT_NE(version.out.find(program), std::string::npos) << version.out;
        EXPECT_TRUE(version.out.ends_with("\n")) << version.out;
        const auto lines = split_lines(version.out);
        ASSERT_EQ(lines.size(), 2U) << version.out;
        EXPECT_TRUE(lines[1] == "TLS: not built in" || lines[1].starts_with("TLS: OpenSSL "))
            << version.out;
        if (long_version.empty()) long_version = version.out;
        EXPECT_EQ(version.out, long_version);
    }
}

void expect_help_fits_80_columns(std::string_view program) {
    SCOPED_TRACE(std::string(program) + " --help");
    const Finished help = run(bin_path(program), {"--help"}, {}, seconds(30));
    EXPECT_EQ(help.status, ExitStatus::exit_code(0)) << "stderr: " << help.err;
    for (const auto& line : split_lines(help.out))
        EXPECT_LE(line.size(), 80U) << line;
}

void expect_unknown_host(std::string_view program, const std::vector<std::string>& args,
                         std::string_view host) {
    SCOPED_TRACE(std::string(program) + join(args));
    const Finished result = run(bin_path(program), args, {}, seconds(60));
    EXPECT_EQ(result.status, ExitStatus::exit_code(68)) << "stderr: " << result.err;
    const auto lines = split_lines(result.err);
    ASSERT_EQ(lines.size(), 1U) << result.err;
    EXPECT_TRUE(lines[0].starts_with(std::string(program) + ": ")) << result.err;
    EXPECT_NE(lines[0].find(host), std::string::npos) << result.err;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        lines.emplace_back(text.substr(0, eol));
        if (eol == std::string_view::npos) break;
        text.remove_prefix(eol + 1);
    }
    return lines;
}

std::optional<std::uint64_t> number_after(std::string_view line, std::string_view marker) {
    const auto at = line.find(marker);
    if (at == std::string_view::npos) return std::nullopt;
    std::uint64_t value = 0;
    bool any = false;
    for (auto i = at + marker.size(); i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
        value = value * 10 + static_cast<std::uint64_t>(line[i] - '0');
        any = true;
    }
    return any ? std::optional(value) : std::nullopt;
}

}  // namespace net::test
