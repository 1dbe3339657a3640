// Parsing --help into its options.
#include "tests/support/help_options.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/process.hpp"

namespace net::test {

const std::vector<std::string>& suite_programs() {
    static const std::vector<std::string> programs{
        "tcp_server", "tcp_client",      "udp_server",  "udp_client",  "web_server",
        "udp_ping",   "udp_ping_server", "mail_server", "mail_client", "web_proxy"};
    return programs;
}

std::vector<HelpOption> parse_help_options(std::string_view help) {
    // "  -p, --port PORT" or "      --timeout SEC": two spaces and a short name, or six spaces.
    // A value's name is in capitals ("PORT", "USER:PASS") or quoted ("'Name: value'"); the help
    // after it starts in lower case.
    static const std::regex option_line(
        R"(^(?:  -([A-Za-z0-9]), |      )--([a-z0-9][a-z0-9-]*)( [A-Z'])?)");
    std::vector<HelpOption> options;
    bool in_options = false;
    for (const auto& line : split_lines(help)) {
        if (line == "Options:") {
            in_options = true;
            continue;
        }
        std::smatch match;
        if (!in_options || !std::regex_search(line, match, option_line)) continue;
        options.push_back({.long_name = match[2].str(),
                           .short_name = match[1].matched ? match[1].str()[0] : '\0',
                           .takes_value = match[3].matched});
    }
    return options;
}

std::vector<HelpOption> help_options(std::string_view program) {
    const auto result = run(bin_path(program), {"--help"});
    EXPECT_TRUE(result.status.ok()) << program << " --help: " << result.status << "\n"
                                    << result.err;
    if (!result.status.ok()) return {};
    return parse_help_options(result.out);
}

std::vector<std::string> option_words(const std::vector<HelpOption>& options) {
    std::vector<std::string> words;
    for (const auto& option : options) {
        words.push_back("--" + option.long_name);
        if (option.short_name != 0) words.push_back(std::string("-") + option.short_name);
    }
    return words;
}

}  // namespace net::test
