// The bash completion (completion/topdown-net.bash) in a real bash with bash-completion loaded:
// it offers every option each program's --help lists, and the right values after an option.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/help_options.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

constexpr const char* kBashCompletion = "/usr/share/bash-completion/bash_completion";

// Declares `bash`, or skips the test when bash or bash-completion is missing.
#define REQUIRE_BASH_COMPLETION(bash)                                                       \
    TOPDOWN_REQUIRE_TOOL(bash, "bash", "bash");                                             \
    if (!std::filesystem::exists(kBashCompletion)) {                                        \
        GTEST_SKIP() << "needs " << kBashCompletion << " (Debian package bash-completion)"; \
    }

std::string shell_quoted(const std::string& word) {
    std::string quoted = "'";
    for (const char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// What bash offers for the last of `words` (the word being completed, maybe empty), as bash
// would ask it when Tab is pressed at the end of the line: COMPREPLY, sorted. `setup` runs
// first (cd, export).
std::vector<std::string> complete(const std::string& bash, const std::vector<std::string>& words,
                                  const std::string& setup = "") {
    std::string line;
    std::string array;
    for (const auto& word : words) {
        line += (line.empty() ? "" : " ") + word;
        array += shell_quoted(word) + " ";
    }
    const std::string script =
        "source " + std::string(kBashCompletion) + " || exit 3\n" + "source " +
        shell_quoted(std::string(TOPDOWN_SOURCE_DIR) + "/completion/topdown-net.bash") +
        " || exit 4\n" + setup + "\n" + "COMP_WORDS=(" + array + ")\n" +
        "COMP_CWORD=" + std::to_string(words.size() - 1) + "\n" +
        "COMP_LINE=" + shell_quoted(line) + "\n" + "COMP_POINT=${#COMP_LINE}\n" + "_topdown_net " +
        shell_quoted(words.front()) + " " + shell_quoted(words.back()) + " " +
        shell_quoted(words.size() > 1 ? words[words.size() - 2] : "") + "\n" +
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    const auto result = run(bash, {"--norc", "--noprofile", "-c", script});
    EXPECT_TRUE(result.status.ok()) << result.status << "\n" << result.err;
    auto replies = split_lines(result.out);
    replies.erase(std::remove(replies.begin(), replies.end(), ""), replies.end());
    std::sort(replies.begin(), replies.end());
    return replies;
}

bool offers(const std::vector<std::string>& replies, const std::string& word) {
    return std::find(replies.begin(), replies.end(), word) != replies.end();
}

class ProgramCompletion : public ::testing::TestWithParam<std::string> {};

TEST_P(ProgramCompletion, OffersEveryOptionHelpLists) {
    REQUIRE_BASH_COMPLETION(bash);
    const auto options = help_options(GetParam());
    ASSERT_FALSE(options.empty());
    const auto replies = complete(bash, {GetParam(), "-"});
    for (const auto& word : option_words(options)) {
        EXPECT_TRUE(offers(replies, word))
            << GetParam() << " " << word << " is missing from completion/topdown-net.bash";
    }
}

TEST_P(ProgramCompletion, CompletesLongOptionsByPrefix) {
    REQUIRE_BASH_COMPLETION(bash);
    const auto replies = complete(bash, {GetParam(), "--vers"});
    EXPECT_EQ(replies, std::vector<std::string>{"--version"});
}

INSTANTIATE_TEST_SUITE_P(Programs, ProgramCompletion, ::testing::ValuesIn(suite_programs()),
                         [](const auto& info) { return info.param; });

TEST(Completion, OffersTheChoicesOfAnOption) {
    REQUIRE_BASH_COMPLETION(bash);
    const std::vector<std::string> tls{"auto", "implicit", "none", "starttls"};
    EXPECT_EQ(complete(bash, {"mail_client", "--tls", ""}), tls);
    EXPECT_EQ(complete(bash, {"mail_client", "--tls", "s"}), std::vector<std::string>{"starttls"});
    const std::vector<std::string> auth{"auto", "login", "plain"};
    EXPECT_EQ(complete(bash, {"mail_client", "--auth", ""}), auth);
}

TEST(Completion, OffersFoldersForARootAndFilesForAFile) {
    REQUIRE_BASH_COMPLETION(bash);
    const TempDir dir;
    std::filesystem::create_directory(dir.file("site"));
    dir.write_file("notes.txt", "notes\n");
    const std::string prefix = dir.path().string() + "/";

    const auto roots = complete(bash, {"web_server", "-r", prefix});
    EXPECT_TRUE(offers(roots, prefix + "site")) << ::testing::PrintToString(roots);
    EXPECT_FALSE(offers(roots, prefix + "notes.txt")) << ::testing::PrintToString(roots);

    const auto attachments = complete(bash, {"mail_client", "--attach", prefix + "no"});
    EXPECT_EQ(attachments, std::vector<std::string>{prefix + "notes.txt"});
}

TEST(Completion, OffersStandardOutputForALog) {
    REQUIRE_BASH_COMPLETION(bash);
    const TempDir dir;
    dir.write_file("access.log", "");
    const auto replies = complete(bash, {"web_server", "--access-log", ""},
                                  "cd " + shell_quoted(dir.path().string()));
    EXPECT_TRUE(offers(replies, "-")) << ::testing::PrintToString(replies);
    EXPECT_TRUE(offers(replies, "access.log")) << ::testing::PrintToString(replies);
}

TEST(Completion, OffersHostNamesForAClientsHost) {
    REQUIRE_BASH_COMPLETION(bash);
    const TempDir dir;
    const auto hosts = dir.write_file("hosts", "192.0.2.7 labhost.example.org\n");
    const std::string setup = "export HOSTFILE=" + shell_quoted(hosts.string()) +
                              "; HOME=" + shell_quoted(dir.path().string());
    EXPECT_TRUE(offers(complete(bash, {"tcp_client", "labh"}, setup), "labhost.example.org"));
    EXPECT_TRUE(
        offers(complete(bash, {"udp_ping", "-c", "3", "labh"}, setup), "labhost.example.org"));
    EXPECT_TRUE(
        offers(complete(bash, {"mail_client", "--server", "labh"}, setup), "labhost.example.org"));
}

TEST(Completion, OffersEnvironmentVariablesForAPassword) {
    REQUIRE_BASH_COMPLETION(bash);
    const auto replies = complete(bash, {"mail_client", "--password-env", "TOPDOWN_COMPLETION_"},
                                  "export TOPDOWN_COMPLETION_SECRET=x");
    EXPECT_EQ(replies, std::vector<std::string>{"TOPDOWN_COMPLETION_SECRET"});
}

TEST(Completion, OffersNothingForANumber) {
    REQUIRE_BASH_COMPLETION(bash);
    EXPECT_EQ(complete(bash, {"udp_ping", "-c", ""}), std::vector<std::string>{});
    EXPECT_EQ(complete(bash, {"web_server", "--port", ""}), std::vector<std::string>{});
}

}  // namespace
}  // namespace net::test
