// Command-line parsing and the shared main() wrapper.
#include "cli.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <system_error>

#include "address.hpp"
#include "signals.hpp"
#include "socket.hpp"
#include "version.hpp"

namespace net {
namespace {

const OptionSpec kHelpOption{"help", 'h', "", "show this help and exit"};
const OptionSpec kVersionOption{"version", 'V', "", "show the version and exit"};

// --help fits a classic terminal: every line of it is at most this wide.
constexpr std::size_t kHelpWidth = 80;
// Where option help starts; a longer option name puts its help on the next line.
constexpr std::size_t kHelpColumn = 28;

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

// A start-up failure's errno, sorted into sysexits: the peer or port is unavailable, we lack
// permission, or the system itself failed.
int exit_code_for(const std::system_error& error) {
    switch (error.code().value()) {
        case EACCES:
        case EPERM:
            return kExitNoPerm;
        case EADDRINUSE:
        case EADDRNOTAVAIL:
        case ECONNREFUSED:
        case ECONNRESET:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ETIMEDOUT:
            return kExitUnavailable;
        default:
            return kExitOsErr;
    }
}

}  // namespace

// ---------------------------------------------------------------------------- Args

bool Args::has(std::string_view long_name) const {
    return options_.contains(long_name);
}

std::size_t Args::count(std::string_view long_name) const {
    return options_.count(long_name);
}

std::optional<std::string> Args::value(std::string_view long_name) const {
    const auto [first, last] = options_.equal_range(long_name);
    if (first == last) return std::nullopt;
    return std::prev(last)->second;
}

std::vector<std::string> Args::values(std::string_view long_name) const {
    std::vector<std::string> result;
    const auto [first, last] = options_.equal_range(long_name);
    for (auto it = first; it != last; ++it)
        result.push_back(it->second);
    return result;
}

std::string Args::value_or(std::string_view long_name, std::string fallback) const {
    auto found = value(long_name);
    return found ? *found : std::move(fallback);
}

std::uint16_t Args::port_or(std::string_view long_name, std::uint16_t fallback) const {
    const auto text = value(long_name);
    if (!text) return fallback;
    const auto port = parse_port(*text);
    if (!port) throw UsageError("invalid port " + quoted(*text) + " (expected 0 to 65535)");
    return *port;
}

std::uint64_t Args::uint_or(std::string_view long_name, std::uint64_t fallback, std::uint64_t min,
                            std::uint64_t max) const {
    const auto text = value(long_name);
    if (!text) return fallback;
    std::uint64_t number = 0;
    const auto* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, number);
    if (text->empty() || ec != std::errc{} || ptr != end || number < min || number > max) {
        throw UsageError("invalid value " + quoted(*text) + " for --" + std::string(long_name) +
                         " (expected a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ")");
    }
    return number;
}

std::chrono::milliseconds Args::seconds_or(std::string_view long_name,
                                           std::chrono::milliseconds fallback,
                                           std::chrono::milliseconds min,
                                           std::chrono::milliseconds max) const {
    const auto text = value(long_name);
    if (!text) return fallback;
    const auto parsed = parse_seconds(*text);
    if (!parsed || *parsed < min || *parsed > max) {
        throw UsageError("invalid time " + quoted(*text) + " for --" + std::string(long_name) +
                         " (expected seconds from " + format_seconds(min) + " to " +
                         format_seconds(max) + ")");
    }
    return *parsed;
}

Target parse_target(const std::vector<std::string>& positionals, Target defaults) {
    if (positionals.size() > 2) throw UsageError("too many arguments");
    Target target = std::move(defaults);
    if (!positionals.empty()) {
        const auto split = split_host_port(positionals[0]);
        if (!split || split->host.empty()) {
            throw UsageError("invalid host " + quoted(positionals[0]));
        }
        target.host = split->host;
        if (!split->port.empty()) target.port = split->port;
    }
    if (positionals.size() == 2) target.port = positionals[1];
    if (!parse_port(target.port)) throw UsageError("invalid port " + quoted(target.port));
    return target;
}

std::string strip_brackets(std::string host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        return host.substr(1, host.size() - 2);
    }
    return host;
}

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) {
    if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
    double seconds = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
    if (ec != std::errc{} || ptr != end || !std::isfinite(seconds) || seconds > 1e9) {
        return std::nullopt;
    }
    // Round up: a tiny non-zero time must not become 0, which often means "never".
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0)));
}

std::string format_seconds(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    std::string text = std::to_string(ms / 1000);
    if (const auto fraction = ms % 1000; fraction != 0) {
        std::string digits = std::to_string(fraction + 1000).substr(1);  // "005" for 5 ms
        while (digits.back() == '0')
            digits.pop_back();
        text += "." + digits;
    }
    return text;
}

std::string wrap_words(std::string_view text, std::size_t width, std::size_t indent,
                       std::string_view first_prefix, bool keep_brackets) {
    // Words are split at spaces; with keep_brackets, not at those inside [...], so a synopsis
    // item such as "[-b ADDR]" never breaks in two.
    std::vector<std::string_view> words;
    int depth = 0;
    std::size_t start = std::string_view::npos;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ' ';
        if (c == ' ' && (depth <= 0 || !keep_brackets)) {
            if (start != std::string_view::npos) words.push_back(text.substr(start, i - start));
            start = std::string_view::npos;
            continue;
        }
        if (start == std::string_view::npos) start = i;
        if (c == '[') ++depth;
        if (c == ']') --depth;
    }
    std::string out(first_prefix);
    std::size_t line_length = out.size();
    bool line_empty = true;
    for (const auto word : words) {
        if (!line_empty && line_length + 1 + word.size() > width) {
            out += "\n" + std::string(indent, ' ');
            line_length = indent;
            line_empty = true;
        }
        if (!line_empty) {
            out += ' ';
            ++line_length;
        }
        out += word;
        line_length += word.size();
        line_empty = false;
    }
    return out + "\n";
}

std::string wrap_text(std::string_view text, std::size_t width) {
    // A single newline is a soft break (the source's own wrapping); a blank line ends a paragraph.
    std::string out;
    while (!text.empty()) {
        const auto end = text.find("\n\n");
        std::string paragraph(text.substr(0, end));
        std::replace(paragraph.begin(), paragraph.end(), '\n', ' ');
        out += (out.empty() ? "" : "\n") + wrap_words(paragraph, width, 0, "", false);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 2);
    }
    return out;
}

// ---------------------------------------------------------------------------- start-up hints

std::string bind_hint(int error, std::uint16_t port, std::string_view program) {
    if (error == EADDRINUSE) return " (is another server on it? -p 0 picks a free port)";
    // Ports below 1024 are privileged (the kernel's ip_unprivileged_port_start is 1024 unless
    // lowered); capabilities(7): CAP_NET_BIND_SERVICE lifts that for one executable.
    if ((error == EACCES || error == EPERM) && port != 0 && port < 1024) {
        return " (ports below 1024 need a capability: sudo setcap cap_net_bind_service=+ep "
               "$(command -v " +
               std::string(program) + "), or a port above 1023)";
    }
    return "";
}

std::optional<std::string> stray_argument_meaning(std::string_view argument, bool is_folder,
                                                  std::string_view folder_option) {
    if (is_folder && !folder_option.empty()) {
        return std::string(folder_option) + " " + std::string(argument);
    }
    if (parse_port(argument)) return "-p " + std::string(argument);
    const auto is_ip = [](const std::string& text) {
        std::array<unsigned char, 16> scratch{};
        return ::inet_pton(AF_INET, text.c_str(), scratch.data()) == 1 ||
               ::inet_pton(AF_INET6, text.c_str(), scratch.data()) == 1;
    };
    const auto split = split_host_port(argument);
    if (!split) return std::nullopt;
    const std::string host = strip_brackets(split->host);
    if (!is_ip(host)) return std::nullopt;
    if (split->port.empty()) return "-b " + host;
    if (!parse_port(split->port)) return std::nullopt;
    return "-b " + host + " -p " + split->port;
}

void reject_stray_arguments(const Args& args, std::string_view folder_option) {
    if (args.positionals().empty()) return;
    const std::string& argument = args.positionals().front();
    struct stat info {};
    const bool is_folder = ::stat(argument.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    const auto meaning = stray_argument_meaning(argument, is_folder, folder_option);
    throw UsageError("unexpected argument " + quoted(argument) +
                     (meaning ? " (did you mean " + *meaning + "?)" : std::string()));
}

// ---------------------------------------------------------------------------- CommandLine

CommandLine::CommandLine(ProgramInfo info) : info_(std::move(info)) {}

const OptionSpec* CommandLine::find_long(std::string_view name) const {
    for (const auto& spec : info_.options) {
        if (spec.long_name == name) return &spec;
    }
    if (name == kHelpOption.long_name) return &kHelpOption;
    if (name == kVersionOption.long_name) return &kVersionOption;
    return nullptr;
}

const OptionSpec* CommandLine::find_short(char name) const {
    for (const auto& spec : info_.options) {
        if (spec.short_name == name) return &spec;
    }
    if (name == kHelpOption.short_name) return &kHelpOption;
    if (name == kVersionOption.short_name) return &kVersionOption;
    return nullptr;
}

ParseOutcome CommandLine::parse(const std::vector<std::string>& argv, Args& args) const {
    bool help = false;
    bool version = false;
    const auto record = [&](const OptionSpec& spec, std::string value) {
        if (&spec == &kHelpOption) help = true;
        if (&spec == &kVersionOption) version = true;
        args.options_.emplace(spec.long_name, std::move(value));
    };
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const std::string& word = argv[i];
        if (word == "--") {
            for (++i; i < argv.size(); ++i)
                args.positionals_.push_back(argv[i]);
            break;
        }
        if (word.starts_with("--")) {
            const auto equals = word.find('=');
            const std::string name =
                word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
            const OptionSpec* spec = find_long(name);
            if (spec == nullptr) throw UsageError("unknown option " + quoted("--" + name));
            if (spec->arg_name.empty()) {
                if (equals != std::string::npos) {
                    throw UsageError("option " + quoted("--" + name) + " takes no value");
                }
                record(*spec, "");
            } else if (equals != std::string::npos) {
                record(*spec, word.substr(equals + 1));
            } else if (i + 1 < argv.size()) {
                record(*spec, argv[++i]);
            } else {
                throw UsageError("option " + quoted("--" + name) + " needs a value (" +
                                 spec->arg_name + ")");
            }
            continue;
        }
        if (word.size() > 1 && word.front() == '-') {
            for (std::size_t j = 1; j < word.size(); ++j) {
                const OptionSpec* spec = find_short(word[j]);
                if (spec == nullptr) {
                    throw UsageError("unknown option " + quoted(std::string("-") + word[j]));
                }
                if (spec->arg_name.empty()) {
                    record(*spec, "");
                    continue;
                }
                if (j + 1 < word.size()) {
                    record(*spec, word.substr(j + 1));
                } else if (i + 1 < argv.size()) {
                    record(*spec, argv[++i]);
                } else {
                    throw UsageError("option " + quoted(std::string("-") + word[j]) +
                                     " needs a value (" + spec->arg_name + ")");
                }
                break;
            }
            continue;
        }
        args.positionals_.push_back(word);  // "-" alone is a positional too (stdin)
    }
    if (help) return ParseOutcome::kHelp;
    if (version) return ParseOutcome::kVersion;
    return ParseOutcome::kRun;
}

std::string CommandLine::usage_text() const {
    const std::string usage = "Usage: " + info_.name + " ";
    return wrap_words(info_.synopsis, kHelpWidth, usage.size(), usage, true);
}

std::string CommandLine::help_text() const {
    std::string text = usage_text();
    if (!info_.description.empty()) text += "\n" + wrap_text(info_.description, kHelpWidth);
    text += "\nOptions:\n";
    std::vector<const OptionSpec*> all;
    for (const auto& spec : info_.options)
        all.push_back(&spec);
    all.push_back(&kHelpOption);
    all.push_back(&kVersionOption);
    for (const OptionSpec* spec : all) {
        std::string left = "  ";
        left += spec->short_name != 0 ? std::string("-") + spec->short_name + ", " : "    ";
        left += "--" + spec->long_name;
        if (!spec->arg_name.empty()) left += " " + spec->arg_name;
        if (left.size() + 2 > kHelpColumn) {
            text += left + "\n";
            left.clear();
        }
        left.resize(kHelpColumn, ' ');
        text += wrap_words(spec->help, kHelpWidth, kHelpColumn, left, false);
    }
    return text;
}

std::string CommandLine::version_text() const {
    std::string text = info_.name + " (" + kSuiteName + ") " + kVersion + "\n";
    const std::string_view tls = kTlsLibrary;
    text += tls.empty()
                ? std::string("TLS: not built in\n")
                : "TLS: " + std::string(tls) + " (STARTTLS in mail_client and mail_server)\n";
    return text;
}

// ---------------------------------------------------------------------------- run_main

int run_main(int argc, char** argv, const CommandLine& command_line,
             const std::function<int(const Args&)>& body) {
    const std::string& name = command_line.info().name;
    const auto fail = [&](const std::string& message) {
        std::cout.flush();
        std::fflush(stdout);
        std::cerr << name << ": " << message << '\n';
    };
    try {
        ignore_sigpipe();
        Args args;
        const std::vector<std::string> words(argv, argv + argc);
        switch (command_line.parse(words, args)) {
            case ParseOutcome::kHelp:
                std::cout << command_line.help_text() << std::flush;
                return kExitOk;
            case ParseOutcome::kVersion:
                std::cout << command_line.version_text() << std::flush;
                return kExitOk;
            case ParseOutcome::kRun:
                break;
        }
        return body(args);
    } catch (const UsageError& e) {
        fail(e.what());
        std::cerr << command_line.usage_text() << "Try '" << name
                  << " --help' for more information.\n";
        return kExitUsage;
    } catch (const FatalError& e) {
        fail(e.what());
        return e.exit_code();
    } catch (const ResolveError& e) {
        fail(e.what());
        return kExitNoHost;
    } catch (const BindError& e) {
        fail(e.what() + bind_hint(e.code().value(), e.port(), name));
        return exit_code_for(e);
    } catch (const std::system_error& e) {
        fail(e.what());
        return exit_code_for(e);
    } catch (const std::exception& e) {
        fail(e.what());
        return kExitSoftware;
    }
}

}  // namespace net
