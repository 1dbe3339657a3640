// The options a program's --help lists, for the tests that keep its man page and its shell
// completion in step with it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace net::test {

// The ten programs of the suite, as installed in bin/.
const std::vector<std::string>& suite_programs();

struct HelpOption {
    std::string long_name;  // "port" for --port
    char short_name = 0;    // 'p' for -p; 0 for none
    bool takes_value = false;
};

// The options listed under "Options:" in a --help text: the lines "  -p, --port PORT  ..." and
// "      --timeout SEC  ..." (continuation lines of a wrapped help are indented further).
std::vector<HelpOption> parse_help_options(std::string_view help);

// Runs `program --help` from the build's bin/ and parses it; fails the test (and returns
// nothing) when it does not exit 0.
std::vector<HelpOption> help_options(std::string_view program);

// Every name an option is given on the command line: "--port", and "-p" when it has one.
std::vector<std::string> option_words(const std::vector<HelpOption>& options);

}  // namespace net::test
