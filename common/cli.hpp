// Command-line parsing: long and short options, --help, --version, usage errors (exit 64),
// and the one place every program turns exceptions into `prog: message` and an exit status.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exit_codes.hpp"

namespace net {

struct OptionSpec {
    std::string long_name;  // "port" for --port
    char short_name = 0;    // 'p' for -p; 0 for none
    std::string arg_name;   // "PORT"; empty for a flag that takes no value
    std::string help;
};

// A bad command line: main prints "prog: <what>" and a hint, and exits 64.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A failure that ends the program with a chosen sysexits status and one line on stderr.
class FatalError : public std::runtime_error {
  public:
    FatalError(int exit_code, const std::string& what)
        : std::runtime_error(what), exit_code_(exit_code) {}
    [[nodiscard]] int exit_code() const { return exit_code_; }

  private:
    int exit_code_;
};

struct ProgramInfo {
    std::string name;                 // "tcp_server"
    std::string synopsis;             // "[-b ADDR] [-p PORT]"
    std::string description;          // one paragraph under the usage line
    std::vector<OptionSpec> options;  // -h/--help and -V/--version are added automatically
};

// The parsed command line. Values are kept as given; the typed getters throw UsageError.
class Args {
  public:
    [[nodiscard]] bool has(std::string_view long_name) const;
    [[nodiscard]] std::size_t count(std::string_view long_name) const;
    // The last value given for an option, or nullopt.
    [[nodiscard]] std::optional<std::string> value(std::string_view long_name) const;
    [[nodiscard]] std::vector<std::string> values(std::string_view long_name) const;
    [[nodiscard]] const std::vector<std::string>& positionals() const { return positionals_; }

    [[nodiscard]] std::string value_or(std::string_view long_name, std::string fallback) const;
    [[nodiscard]] std::uint16_t port_or(std::string_view long_name, std::uint16_t fallback) const;
    [[nodiscard]] std::uint64_t uint_or(std::string_view long_name, std::uint64_t fallback,
                                        std::uint64_t min, std::uint64_t max) const;
    // Seconds as a decimal ("1", "0.25"), within [min, max].
    [[nodiscard]] std::chrono::milliseconds seconds_or(std::string_view long_name,
                                                       std::chrono::milliseconds fallback,
                                                       std::chrono::milliseconds min,
                                                       std::chrono::milliseconds max) const;

  private:
    friend class CommandLine;
    std::multimap<std::string, std::string, std::less<>> options_;
    std::vector<std::string> positionals_;
};

// The value of an option that names one of a few choices ("--tls auto|starttls|..."), as the
// caller's enum: `fallback` when the option is not given, UsageError ("--tls wants auto,
// starttls or none, not 'x'") when the value is none of them.
template <typename T>
T choice_or(const Args& args, std::string_view long_name, T fallback,
            std::initializer_list<std::pair<std::string_view, T>> choices) {
    const auto given = args.value(long_name);
    if (!given) return fallback;
    std::string names;
    std::size_t i = 0;
    for (const auto& [name, value] : choices) {
        if (name == *given) return value;
        names += i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ";
        names += name;
        ++i;
    }
    throw UsageError("--" + std::string(long_name) + " wants " + names + ", not '" + *given + "'");
}

// What parse() found: run the program, or print help/version and exit 0.
enum class ParseOutcome { kRun, kHelp, kVersion };

class CommandLine {
  public:
    explicit CommandLine(ProgramInfo info);

    // Pure: no printing, no exiting. Throws UsageError. "--" ends the options; "-xVALUE",
    // "-x VALUE", "--name=VALUE", "--name VALUE" and grouped flags "-qv" are all accepted.
    ParseOutcome parse(const std::vector<std::string>& argv, Args& args) const;

    // "Usage: prog SYNOPSIS", wrapped at 80 columns under the program name, with its "\n".
    [[nodiscard]] std::string usage_text() const;
    // The usage line, the description and the options, no line wider than 80 columns.
    [[nodiscard]] std::string help_text() const;
    // "prog (topdown-net) 0.1.0" and a line saying which TLS library the build has, if any.
    [[nodiscard]] std::string version_text() const;
    [[nodiscard]] const ProgramInfo& info() const { return info_; }

  private:
    [[nodiscard]] const OptionSpec* find_long(std::string_view name) const;
    [[nodiscard]] const OptionSpec* find_short(char name) const;

    ProgramInfo info_;
};

// The HOST and PORT a client names as its positional arguments: none (the defaults), "HOST",
// "HOST PORT", "HOST:PORT" or "[IPv6]:PORT". Throws UsageError for anything else.
struct Target {
    std::string host;
    std::string port;
};
Target parse_target(const std::vector<std::string>& positionals, Target defaults);

// "[::1]" -> "::1" (for -b ADDR, which users write either way); anything else unchanged.
std::string strip_brackets(std::string host);

// Seconds as people write them: 1 ms -> "0.001", 86,400 s -> "86400", 1,500 ms -> "1.5".
std::string format_seconds(std::chrono::milliseconds duration);

// `text` as lines of at most `width` columns (a longer word gets a line of its own), each ending
// in "\n": the first starts with `first_prefix`, the others with `indent` spaces. Words are
// split at spaces; with `keep_brackets`, not at spaces inside [...] (a synopsis item).
std::string wrap_words(std::string_view text, std::size_t width, std::size_t indent,
                       std::string_view first_prefix, bool keep_brackets);
// Prose wrapped at `width`: a single "\n" in `text` is a space, a blank line a paragraph break.
std::string wrap_text(std::string_view text, std::size_t width);

// Parses a decimal number of seconds ("2", "0.5", "1e-3"), rounded up to whole milliseconds;
// nullopt when it is not one.
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text);

// What to add to a start-up failure to bind `port` with `error`, for `program`: for a port in use
// " (is another server on it? -p 0 picks a free port)", for EACCES below 1024 the capability to
// grant; "" otherwise.
std::string bind_hint(int error, std::uint16_t port, std::string_view program);

// What a server's stray positional argument was probably meant as: "-p 8000" for a port number,
// "-b ::1" for an IP address ("[::1]" too), "-b 127.0.0.1 -p 8000" for ADDR:PORT, `folder_option` +
// " www" when it names an existing folder (`is_folder`; web_server's "-r", mail_server's
// "--maildir"). nullopt when nothing fits.
std::optional<std::string> stray_argument_meaning(std::string_view argument, bool is_folder,
                                                  std::string_view folder_option);

// A server takes no positional argument: throws UsageError for the first one, "unexpected
// argument '8000' (did you mean -p 8000?)", or returns when there is none.
void reject_stray_arguments(const Args& args, std::string_view folder_option = {});

// The common main(): parses argv (help/version printed on stdout, exit 0), ignores SIGPIPE,
// runs `body`, and maps what it throws to one stderr line and an exit status:
// UsageError -> 64 (with a --help hint), FatalError -> its code, ResolveError -> 68,
// std::system_error -> 69 (address in use, refused...), 77 (EACCES) or 71, anything else -> 70.
// A BindError gets bind_hint()'s hint after its message.
int run_main(int argc, char** argv, const CommandLine& command_line,
             const std::function<int(const Args&)>& body);

}  // namespace net
