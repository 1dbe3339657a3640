// CommandLine/Args: option syntax, usage errors naming the culprit, help and version, typed
// getters with their ranges, parse_seconds, and run_main's exit statuses.
#include "common/cli.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <functional>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "common/address.hpp"

namespace net {
namespace {

using std::chrono::milliseconds;

ProgramInfo test_program() {
    return {"tcp_server",
            "[-b ADDR] [-p PORT]",
            "Upper-cases every line it receives.",
            {
                {"port", 'p', "PORT", "port to listen on"},
                {"bind", 'b', "ADDR", "address to bind to"},
                {"timeout", 0, "SECONDS", "idle timeout in seconds"},
                {"threads", 't', "N", "number of event loops"},
                {"quiet", 'q', "", "print errors only"},
                {"verbose", 'v', "", "print debug messages"},
            }};
}

// argv as main() gets it: the program name first.
Args parse_ok(std::vector<std::string> words) {
    words.insert(words.begin(), "tcp_server");
    Args args;
    EXPECT_EQ(CommandLine(test_program()).parse(words, args), ParseOutcome::kRun);
    return args;
}

ParseOutcome outcome_of(std::vector<std::string> words) {
    words.insert(words.begin(), "tcp_server");
    Args args;
    return CommandLine(test_program()).parse(words, args);
}

// The UsageError parse() throws for `words`, or "" when it throws none.
std::string usage_error(std::vector<std::string> words) {
    words.insert(words.begin(), "tcp_server");
    Args args;
    try {
        (void)CommandLine(test_program()).parse(words, args);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (auto eol = text.find('\n'); eol != std::string::npos; eol = text.find('\n', start)) {
        lines.push_back(text.substr(start, eol - start));
        start = eol + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------- syntax

TEST(CommandLineTest, NoOptions) {
    const Args args = parse_ok({});
    EXPECT_FALSE(args.has("port"));
    EXPECT_EQ(args.count("port"), 0U);
    EXPECT_EQ(args.value("port"), std::nullopt);
    EXPECT_TRUE(args.values("port").empty());
    EXPECT_TRUE(args.positionals().empty());
}

TEST(CommandLineTest, LongOptionWithSeparateValue) {
    const Args args = parse_ok({"--port", "8080"});
    EXPECT_TRUE(args.has("port"));
    EXPECT_EQ(args.value("port"), "8080");
    EXPECT_TRUE(args.positionals().empty());
}

TEST(CommandLineTest, LongOptionWithEquals) {
    const Args args = parse_ok({"--port=8080", "--bind=a=b"});
    EXPECT_EQ(args.value("port"), "8080");
    EXPECT_EQ(args.value("bind"), "a=b") << "only the first '=' separates";
}

TEST(CommandLineTest, LongOptionWithEmptyValue) {
    const Args args = parse_ok({"--bind="});
    EXPECT_TRUE(args.has("bind"));
    EXPECT_EQ(args.value("bind"), "");
}

TEST(CommandLineTest, SeparateValueMayStartWithADash) {
    const Args args = parse_ok({"--bind", "-x", "-p", "--"});
    EXPECT_EQ(args.value("bind"), "-x");
    EXPECT_EQ(args.value("port"), "--");
    EXPECT_TRUE(args.positionals().empty());
}

TEST(CommandLineTest, ShortOptionWithSeparateValue) {
    const Args args = parse_ok({"-p", "80"});
    EXPECT_EQ(args.value("port"), "80");
}

TEST(CommandLineTest, ShortOptionWithAttachedValue) {
    const Args args = parse_ok({"-p80", "-b::1"});
    EXPECT_EQ(args.value("port"), "80");
    EXPECT_EQ(args.value("bind"), "::1");
}

TEST(CommandLineTest, GroupedFlags) {
    const Args args = parse_ok({"-qv"});
    EXPECT_TRUE(args.has("quiet"));
    EXPECT_TRUE(args.has("verbose"));
    EXPECT_EQ(args.count("verbose"), 1U);
}

TEST(CommandLineTest, RepeatedFlagsAreCounted) {
    const Args args = parse_ok({"-vvv", "--verbose"});
    EXPECT_EQ(args.count("verbose"), 4U);
    EXPECT_FALSE(args.has("quiet"));
}

TEST(CommandLineTest, GroupedFlagsEndingWithAnOptionThatTakesAValue) {
    const Args attached = parse_ok({"-qp8080"});
    EXPECT_TRUE(attached.has("quiet"));
    EXPECT_EQ(attached.value("port"), "8080");

    const Args separate = parse_ok({"-vp", "8080"});
    EXPECT_TRUE(separate.has("verbose"));
    EXPECT_EQ(separate.value("port"), "8080");
}

TEST(CommandLineTest, RepeatedOptionKeepsEveryValueAndTheLastWins) {
    const Args args = parse_ok({"-p", "1", "--port=2", "-p3"});
    EXPECT_EQ(args.count("port"), 3U);
    EXPECT_EQ(args.values("port"), (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(args.value("port"), "3");
}

TEST(CommandLineTest, Positionals) {
    const Args args = parse_ok({"-q", "file", "-"});
    EXPECT_TRUE(args.has("quiet"));
    EXPECT_EQ(args.positionals(), (std::vector<std::string>{"file", "-"}));
}

TEST(CommandLineTest, DoubleDashEndsOptions) {
    const Args args = parse_ok({"-q", "--", "-p", "80", "--verbose", "--"});
    EXPECT_TRUE(args.has("quiet"));
    EXPECT_FALSE(args.has("port"));
    EXPECT_FALSE(args.has("verbose"));
    EXPECT_EQ(args.positionals(), (std::vector<std::string>{"-p", "80", "--verbose", "--"}));
}

// ---------------------------------------------------------------------------- usage errors

TEST(CommandLineTest, UnknownLongOptionNamesIt) {
    const std::string what = usage_error({"--nope"});
    EXPECT_TRUE(contains(what, "--nope")) << what;
    EXPECT_TRUE(contains(usage_error({"--nope=3"}), "--nope"));
}

TEST(CommandLineTest, UnknownShortOptionNamesIt) {
    const std::string what = usage_error({"-x"});
    EXPECT_TRUE(contains(what, "-x")) << what;
    const std::string grouped = usage_error({"-qz"});
    EXPECT_TRUE(contains(grouped, "-z")) << grouped;
}

TEST(CommandLineTest, MissingValueIsAUsageError) {
    const std::string what_long = usage_error({"--port"});
    EXPECT_TRUE(contains(what_long, "port")) << what_long;
    const std::string what_short = usage_error({"-q", "-p"});
    EXPECT_TRUE(contains(what_short, "-p")) << what_short;
    EXPECT_TRUE(contains(usage_error({"-qt"}), "-t"));
}

TEST(CommandLineTest, FlagWithAValueIsAUsageError) {
    const std::string what = usage_error({"--quiet=yes"});
    EXPECT_TRUE(contains(what, "--quiet")) << what;
}

TEST(CommandLineTest, UsageErrorIsARuntimeError) {
    const UsageError error("bad");
    const std::runtime_error& base = error;
    EXPECT_STREQ(base.what(), "bad");
}

// ---------------------------------------------------------------------------- help and version

TEST(CommandLineTest, HelpAndVersionOutcomes) {
    EXPECT_EQ(outcome_of({"--help"}), ParseOutcome::kHelp);
    EXPECT_EQ(outcome_of({"-h"}), ParseOutcome::kHelp);
    EXPECT_EQ(outcome_of({"-p", "80", "--help"}), ParseOutcome::kHelp);
    EXPECT_EQ(outcome_of({"--version"}), ParseOutcome::kVersion);
    EXPECT_EQ(outcome_of({"-V"}), ParseOutcome::kVersion);
    EXPECT_EQ(outcome_of({"-qV"}), ParseOutcome::kVersion);
    EXPECT_EQ(outcome_of({"-q"}), ParseOutcome::kRun);
}

TEST(CommandLineTest, HelpTextListsEveryOption) {
    const CommandLine command_line(test_program());
    const std::string help = command_line.help_text();
    EXPECT_TRUE(contains(help, "tcp_server")) << help;
    EXPECT_TRUE(contains(help, "[-b ADDR] [-p PORT]")) << help;
    EXPECT_TRUE(contains(help, "Upper-cases every line it receives.")) << help;
    for (const OptionSpec& spec : test_program().options) {
        EXPECT_TRUE(contains(help, "--" + spec.long_name)) << spec.long_name << "\n" << help;
        EXPECT_TRUE(contains(help, spec.help)) << spec.long_name << "\n" << help;
        if (spec.short_name != 0) {
            EXPECT_TRUE(contains(help, std::string("-") + spec.short_name)) << help;
        }
        if (!spec.arg_name.empty()) {
            EXPECT_TRUE(contains(help, spec.arg_name)) << help;
        }
    }
    EXPECT_TRUE(contains(help, "--help")) << help;
    EXPECT_TRUE(contains(help, "--version")) << help;
}

TEST(CommandLineTest, VersionTextNamesTheProgram) {
    const CommandLine command_line(test_program());
    const std::string version = command_line.version_text();
    EXPECT_TRUE(contains(version, "tcp_server")) << version;
    EXPECT_NE(version.find_first_of("0123456789"), std::string::npos) << version;
    EXPECT_EQ(command_line.info().name, "tcp_server");
}

TEST(CommandLineTest, VersionTextSaysWhetherTlsIsBuiltIn) {
    const std::vector<std::string> lines = lines_of(CommandLine(test_program()).version_text());
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_TRUE(lines[1] == "TLS: not built in" ||
                (lines[1].starts_with("TLS: OpenSSL ") &&
                 lines[1].ends_with(" (STARTTLS in mail_client and mail_server)")))
        << lines[1];
}

TEST(CommandLineTest, HelpTextFitsEightyColumns) {
    ProgramInfo info = test_program();
    info.synopsis =
        "--server HOST[:PORT] --from ADDR --to ADDR... [--cc ADDR]... [--bcc ADDR]... "
        "[--subject TEXT] [--body TEXT | --body-file F] [--attach FILE]... "
        "[--header 'Name: value']... [--message FILE|-] [--tls auto|starttls|implicit|none]";
    info.description =
        "A first sentence that goes on and on, wrapped by hand at a width wider than eighty\n"
        "columns in the source, which help_text() reflows.\n\nA second paragraph.";
    info.options.push_back({"header", 0, "'Name: value'", "an extra header (repeatable)"});
    info.options.push_back({"tls", 0, "MODE",
                            "auto (STARTTLS when offered; required for a password), starttls, "
                            "implicit or none, and some more words to wrap twice over"});
    const std::string help = CommandLine(info).help_text();
    const auto lines = lines_of(help);
    for (const auto& line : lines)
        EXPECT_LE(line.size(), 80U) << line;
    // The usage line wraps under the program name, never inside a [...] item.
    ASSERT_GE(lines.size(), 3U);
    EXPECT_TRUE(lines[0].starts_with("Usage: tcp_server --server HOST[:PORT] ")) << help;
    EXPECT_TRUE(lines[1].starts_with(std::string(18, ' ') + "[")) << help;
    EXPECT_TRUE(contains(help, "[--body TEXT | --body-file F]")) << help;
    EXPECT_TRUE(contains(help, "[--tls auto|starttls|implicit|none]")) << help;
    EXPECT_TRUE(contains(help, "reflows.\n\nA second paragraph.\n")) << help;
    // Option help wraps in its column; a long option name puts its help on the next line.
    EXPECT_TRUE(contains(help, "\n      --header 'Name: value'\n" + std::string(28, ' ') +
                                   "an extra header (repeatable)\n"))
        << help;
    EXPECT_TRUE(contains(help, "\n      --tls MODE            auto (STARTTLS when offered;"))
        << help;
    EXPECT_TRUE(contains(help, "\n" + std::string(28, ' ') + "password), starttls,")) << help;
    EXPECT_TRUE(contains(help, "\n" + std::string(28, ' ') + "words to wrap twice over\n")) << help;
    EXPECT_TRUE(contains(help, "\n  -V, --version             show the version and exit\n"))
        << help;
}

TEST(WrapTest, WordsLongerThanTheWidthGetALineOfTheirOwn) {
    EXPECT_EQ(wrap_words("aaa bbbbbbbbbb cc", 8, 2, "> ", false), "> aaa\n  bbbbbbbbbb\n  cc\n");
    EXPECT_EQ(wrap_words("", 80, 0, "x", false), "x\n");
    EXPECT_EQ(wrap_words("[a b] [c d]", 6, 0, "", true), "[a b]\n[c d]\n");
    EXPECT_EQ(wrap_text("one\ntwo three", 9), "one two\nthree\n");
}

TEST(FormatSecondsTest, AsPeopleWriteThem) {
    EXPECT_EQ(format_seconds(milliseconds(1)), "0.001");
    EXPECT_EQ(format_seconds(milliseconds(0)), "0");
    EXPECT_EQ(format_seconds(milliseconds(86400000)), "86400");
    EXPECT_EQ(format_seconds(milliseconds(1500)), "1.5");
    EXPECT_EQ(format_seconds(milliseconds(250)), "0.25");
    EXPECT_EQ(format_seconds(milliseconds(31536000000)), "31536000");
}

TEST(ArgsTest, SecondsOrSaysTheRangeAsPeopleWriteIt) {
    try {
        (void)parse_ok({"--timeout=0"})
            .seconds_or("timeout", milliseconds(1000), milliseconds(1), milliseconds(86400000));
        FAIL() << "0 accepted";
    } catch (const UsageError& e) {
        EXPECT_TRUE(contains(e.what(), "(expected seconds from 0.001 to 86400)")) << e.what();
    }
}

// ---------------------------------------------------------------------------- start-up hints

TEST(BindHintTest, PortInUseSuggestsPortZero) {
    EXPECT_EQ(bind_hint(EADDRINUSE, 8080, "web_server"),
              " (is another server on it? -p 0 picks a free port)");
}

TEST(BindHintTest, PrivilegedPortNamesTheCapabilityAndTheProgram) {
    EXPECT_EQ(bind_hint(EACCES, 80, "web_server"),
              " (ports below 1024 need a capability: sudo setcap cap_net_bind_service=+ep "
              "$(command -v web_server), or a port above 1023)");
    EXPECT_EQ(bind_hint(EACCES, 1024, "web_server"), "");  // not a privileged port: no guess
    EXPECT_EQ(bind_hint(ECONNREFUSED, 80, "web_server"), "");
}

TEST(StrayArgumentTest, SaysWhichOptionWasMeant) {
    EXPECT_EQ(stray_argument_meaning("8000", false, "-r"), "-p 8000");
    EXPECT_EQ(stray_argument_meaning("www", true, "-r"), "-r www");
    EXPECT_EQ(stray_argument_meaning("mail", true, "--maildir"), "--maildir mail");
    EXPECT_EQ(stray_argument_meaning("8000", true, "-r"), "-r 8000");  // a folder named 8000
    EXPECT_EQ(stray_argument_meaning("www", true, ""), std::nullopt);  // no folder option
    EXPECT_EQ(stray_argument_meaning("0.0.0.0", false, ""), "-b 0.0.0.0");
    EXPECT_EQ(stray_argument_meaning("::", false, ""), "-b ::");
    EXPECT_EQ(stray_argument_meaning("[::1]", false, ""), "-b ::1");
    EXPECT_EQ(stray_argument_meaning("127.0.0.1:8080", false, ""), "-b 127.0.0.1 -p 8080");
    EXPECT_EQ(stray_argument_meaning("[::1]:25", false, ""), "-b ::1 -p 25");
    EXPECT_EQ(stray_argument_meaning("www", false, "-r"), std::nullopt);
    EXPECT_EQ(stray_argument_meaning("99999", false, ""), std::nullopt);
    EXPECT_EQ(stray_argument_meaning("127.0.0.1:http", false, ""), std::nullopt);
}

// ---------------------------------------------------------------------------- typed getters

TEST(ArgsTest, ValueOr) {
    const Args args = parse_ok({"-b", "::1"});
    EXPECT_EQ(args.value_or("bind", "0.0.0.0"), "::1");
    EXPECT_EQ(args.value_or("port", "12000"), "12000");
}

TEST(ArgsTest, PortOr) {
    EXPECT_EQ(parse_ok({}).port_or("port", 12000), 12000);
    EXPECT_EQ(parse_ok({"-p", "0"}).port_or("port", 12000), 0);
    EXPECT_EQ(parse_ok({"-p", "65535"}).port_or("port", 12000), 65535);
    EXPECT_THROW((void)parse_ok({"-p", "65536"}).port_or("port", 1), UsageError);
    EXPECT_THROW((void)parse_ok({"-p", "-1"}).port_or("port", 1), UsageError);
    EXPECT_THROW((void)parse_ok({"-p", "http"}).port_or("port", 1), UsageError);
    EXPECT_THROW((void)parse_ok({"--port="}).port_or("port", 1), UsageError);
    try {
        (void)parse_ok({"-p", "99999"}).port_or("port", 1);
        FAIL() << "port 99999 accepted";
    } catch (const UsageError& e) {
        EXPECT_TRUE(contains(e.what(), "99999")) << e.what();
    }
}

TEST(ArgsTest, UintOrChecksTheRange) {
    EXPECT_EQ(parse_ok({}).uint_or("threads", 4, 1, 64), 4U);
    EXPECT_EQ(parse_ok({"-t", "1"}).uint_or("threads", 4, 1, 64), 1U);
    EXPECT_EQ(parse_ok({"-t", "64"}).uint_or("threads", 4, 1, 64), 64U);
    EXPECT_EQ(parse_ok({"-t", "18446744073709551615"})
                  .uint_or("threads", 4, 0, std::numeric_limits<std::uint64_t>::max()),
              std::numeric_limits<std::uint64_t>::max());
    for (const char* bad : {"0", "65", "-1", "+1", " 1", "1.5", "", "x", "18446744073709551616"}) {
        EXPECT_THROW((void)parse_ok({"-t", bad}).uint_or("threads", 4, 1, 64), UsageError)
            << "'" << bad << "'";
    }
    try {
        (void)parse_ok({"-t", "65"}).uint_or("threads", 4, 1, 64);
        FAIL() << "65 accepted for 1..64";
    } catch (const UsageError& e) {
        EXPECT_TRUE(contains(e.what(), "65")) << e.what();
        EXPECT_TRUE(contains(e.what(), "threads")) << e.what();
    }
}

TEST(ArgsTest, SecondsOr) {
    const milliseconds fallback(30000);
    const milliseconds min(0);
    const milliseconds max(3600000);
    EXPECT_EQ(parse_ok({}).seconds_or("timeout", fallback, min, max), fallback);
    EXPECT_EQ(parse_ok({"--timeout", "0.5"}).seconds_or("timeout", fallback, min, max),
              milliseconds(500));
    EXPECT_EQ(parse_ok({"--timeout=2"}).seconds_or("timeout", fallback, min, max),
              milliseconds(2000));
    EXPECT_EQ(parse_ok({"--timeout=0"}).seconds_or("timeout", fallback, min, max), milliseconds(0));
    EXPECT_EQ(parse_ok({"--timeout=3600"}).seconds_or("timeout", fallback, min, max), max);
    EXPECT_THROW((void)parse_ok({"--timeout=3601"}).seconds_or("timeout", fallback, min, max),
                 UsageError);
    EXPECT_THROW(
        (void)parse_ok({"--timeout=0.05"}).seconds_or("timeout", fallback, milliseconds(100), max),
        UsageError);
    EXPECT_THROW((void)parse_ok({"--timeout=-1"}).seconds_or("timeout", fallback, min, max),
                 UsageError);
    EXPECT_THROW((void)parse_ok({"--timeout=soon"}).seconds_or("timeout", fallback, min, max),
                 UsageError);
}

TEST(ParseSecondsTest, Decimals) {
    EXPECT_EQ(parse_seconds("2"), milliseconds(2000));
    EXPECT_EQ(parse_seconds("0.5"), milliseconds(500));
    EXPECT_EQ(parse_seconds("0.25"), milliseconds(250));
    EXPECT_EQ(parse_seconds("1.5"), milliseconds(1500));
    EXPECT_EQ(parse_seconds("1e-3"), milliseconds(1));
    EXPECT_EQ(parse_seconds("0"), milliseconds(0));
    EXPECT_EQ(parse_seconds("0.001"), milliseconds(1));
}

TEST(ParseSecondsTest, RejectsWhatIsNotADecimalNumberOfSeconds) {
    for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1s", "abc", "inf", "nan", "0x10"}) {
        EXPECT_EQ(parse_seconds(bad), std::nullopt) << "'" << bad << "'";
    }
}

// ---------------------------------------------------------------------------- run_main

// run_main ignores SIGPIPE for the whole process; put the old disposition back afterwards so
// other tests still see what their own code does about it.
class RunMainTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &previous_), 0); }
    void TearDown() override { ::sigaction(SIGPIPE, &previous_, nullptr); }

    int run(std::vector<std::string> words, const std::function<int(const Args&)>& body) {
        words.insert(words.begin(), "tcp_server");
        std::vector<char*> argv;
        for (std::string& word : words)
            argv.push_back(word.data());
        argv.push_back(nullptr);
        ::testing::internal::CaptureStdout();
        ::testing::internal::CaptureStderr();
        const int status = run_main(static_cast<int>(words.size()), argv.data(),
                                    CommandLine(test_program()), body);
        out_ = ::testing::internal::GetCapturedStdout();
        err_ = ::testing::internal::GetCapturedStderr();
        return status;
    }

    std::string out_;
    std::string err_;

  private:
    struct sigaction previous_ {};
};

TEST_F(RunMainTest, RunsTheBodyWithTheParsedArgs) {
    std::string port;
    EXPECT_EQ(run({"-p", "7"},
                  [&](const Args& args) {
                      port = args.value_or("port", "");
                      return 3;
                  }),
              3);
    EXPECT_EQ(port, "7");
    EXPECT_EQ(err_, "");
}

TEST_F(RunMainTest, HelpPrintsOnStdoutAndSkipsTheBody) {
    bool ran = false;
    EXPECT_EQ(run({"--help"},
                  [&](const Args&) {
                      ran = true;
                      return 1;
                  }),
              kExitOk);
    EXPECT_FALSE(ran);
    EXPECT_TRUE(contains(out_, "--port")) << out_;
    EXPECT_EQ(err_, "");
}

TEST_F(RunMainTest, VersionPrintsOnStdout) {
    EXPECT_EQ(run({"--version"}, [](const Args&) { return 1; }), kExitOk);
    EXPECT_TRUE(contains(out_, "tcp_server")) << out_;
}

TEST_F(RunMainTest, UsageErrorExits64) {
    bool ran = false;
    EXPECT_EQ(run({"--nope"},
                  [&](const Args&) {
                      ran = true;
                      return 0;
                  }),
              kExitUsage);
    EXPECT_FALSE(ran);
    EXPECT_TRUE(err_.starts_with("tcp_server: ")) << err_;
    EXPECT_TRUE(contains(err_, "--nope")) << err_;
    EXPECT_TRUE(contains(err_, "--help")) << err_;
}

TEST_F(RunMainTest, UsageErrorFromTheBodyExits64) {
    EXPECT_EQ(run({"-p", "x"},
                  [](const Args& args) {
                      (void)args.port_or("port", 1);
                      return 0;
                  }),
              kExitUsage);
    EXPECT_TRUE(err_.starts_with("tcp_server: ")) << err_;
}

TEST_F(RunMainTest, ExceptionsMapToSysexits) {
    EXPECT_EQ(run({}, [](const Args&) -> int { throw FatalError(kExitNoInput, "no such file"); }),
              kExitNoInput);
    EXPECT_TRUE(contains(err_, "tcp_server: no such file")) << err_;

    EXPECT_EQ(run({}, [](const Args&) -> int { throw ResolveError("unknown host x", 1); }),
              kExitNoHost);
    EXPECT_TRUE(contains(err_, "unknown host x")) << err_;

    EXPECT_EQ(run({},
                  [](const Args&) -> int {
                      throw std::system_error(ECONNREFUSED, std::generic_category(),
                                              "cannot connect to 127.0.0.1:1");
                  }),
              kExitUnavailable);
    EXPECT_TRUE(contains(err_, "cannot connect to 127.0.0.1:1")) << err_;

    EXPECT_EQ(run({},
                  [](const Args&) -> int {
                      throw std::system_error(EADDRINUSE, std::generic_category(), "listen");
                  }),
              kExitUnavailable);
    EXPECT_EQ(run({},
                  [](const Args&) -> int {
                      throw std::system_error(EACCES, std::generic_category(), "listen");
                  }),
              kExitNoPerm);
    EXPECT_EQ(run({},
                  [](const Args&) -> int {
                      throw std::system_error(EMFILE, std::generic_category(), "accept");
                  }),
              kExitOsErr);
    EXPECT_EQ(run({}, [](const Args&) -> int { throw std::runtime_error("bug"); }), kExitSoftware);
    EXPECT_TRUE(contains(err_, "tcp_server: bug")) << err_;
}

}  // namespace
}  // namespace net
