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
// `program --version` and `program -V` to exit 0 with the same two lines on stdout: one naming
// the program, then "TLS: ..." (the OpenSSL version, or "not built in").
void expect_help_and_version(std::string_view program);

// Expects every line of `program --help` to be at most 80 columns wide.
void expect_help_fits_80_columns(std::string_view program);

// Runs bin_path(program) with `args`, which name a host that does not resolve (`host`), and
// expects exit 68 (EX_NOHOST) with one line on stderr, "program: ..." naming the host.
void expect_unknown_host(std::string_view program, const std::vector<std::string>& args,
                         std::string_view host);

// `text` split at "\n"; a final line without "\n" counts, an empty text has no lines.
std::vector<std::string> split_lines(std::string_view text);

// The decimal number right after `marker` in `line` ("seq=" in "... seq=7 time=..."), up to a
// non-digit; nullopt when `marker` is not there or no digit follows it.
std::optional<std::uint64_t> number_after(std::string_view line, std::string_view marker);

}  // namespace net::test
