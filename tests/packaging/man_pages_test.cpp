// Each program's man page (roff, kept next to its code) against its --help: every option --help
// lists is documented, the page has the sections of a man page, and man renders it without a
// warning.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/help_options.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

// The folder of the program's code, where its page is.
std::string folder_of(const std::string& program) {
    if (program.starts_with("tcp_")) return "tcp";
    if (program == "udp_server" || program == "udp_client") return "udp";
    if (program.starts_with("udp_ping")) return "udp_ping";
    return program;
}

std::filesystem::path page_path(const std::string& program) {
    return std::filesystem::path(TOPDOWN_SOURCE_DIR) / folder_of(program) / (program + ".1");
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// An option as a man page writes it: bold, each hyphen a minus sign ("\fB\-\-port\fR").
std::string roff_option(const std::string& word) {
    std::string escaped;
    for (const char c : word)
        escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    return "\\fB" + escaped + "\\fR";
}

class ManPage : public ::testing::TestWithParam<std::string> {};

TEST_P(ManPage, DocumentsEveryOptionHelpLists) {
    const std::string page = read_text(page_path(GetParam()));
    ASSERT_FALSE(page.empty()) << "no man page at " << page_path(GetParam());
    const auto options = help_options(GetParam());
    ASSERT_FALSE(options.empty()) << GetParam() << " --help lists no option";
    for (const auto& word : option_words(options)) {
        EXPECT_NE(page.find(roff_option(word)), std::string::npos)
            << page_path(GetParam()).filename().string() << " does not document " << word
            << " (looked for " << roff_option(word) << ")";
    }
}

TEST_P(ManPage, HasTheSectionsOfAManPage) {
    const std::string page = read_text(page_path(GetParam()));
    for (const char* section :
         {".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH OPTIONS\n", ".SH EXIT STATUS\n",
          ".SH EXAMPLES\n", ".SH SEE ALSO\n"}) {
        EXPECT_NE(page.find(section), std::string::npos) << "no " << section;
    }
    EXPECT_NE(page.find("\n" + GetParam() + " \\- "), std::string::npos)
        << "NAME is not \"" << GetParam() << " \\- what it does\"";
}

TEST_P(ManPage, RendersWithoutWarnings) {
    TOPDOWN_REQUIRE_TOOL(man, "man", "man-db");
    TOPDOWN_REQUIRE_TOOL(troff, "troff", "groff-base");
    ProcessOptions options;
    options.env = {{"MANWIDTH", "80"}, {"LC_ALL", "C.UTF-8"}};
    const auto result =
        run(man, {"--warnings", "-l", page_path(GetParam()).string()}, {}, seconds(30), options);
    EXPECT_TRUE(result.status.ok()) << result.status;
    EXPECT_EQ(result.err, "") << "man --warnings -l " << page_path(GetParam()).string();
    EXPECT_NE(result.out.find("NAME"), std::string::npos) << result.out;
}

INSTANTIATE_TEST_SUITE_P(Programs, ManPage, ::testing::ValuesIn(suite_programs()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace net::test
