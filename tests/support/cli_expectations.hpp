// Expectations every program of the suite shares about its command line (sysexits, --help).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::test {

// Runs bin_path(program) with `args` and expects a usage error: exit 64, nothing on stdout,
// stderr starting "program: " and pointing at the usage (mentions "usage" or "--help").
void expect_usage_error(std::string_view program, const std::vector<std::string>& args);

// Expects `program --help` to exit 0 with a usage text naming the program on stdout, and
// `program --version` to exit 0 with a line naming the program on stdout.
void expect_help_and_version(std::string_view program);

// `text` split at "\n"; a final line without "\n" counts, an empty text has no lines.
std::vector<std::string> split_lines(std::string_view text);

// The decimal number right after `marker` in `line` ("seq=" in "... seq=7 time=..."), up to a
// non-digit; nullopt when `marker` is not there or no digit follows it.
std::optional<std::uint64_t> number_after(std::string_view line, std::string_view marker);

}  // namespace net::test
