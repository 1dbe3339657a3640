// Logger: "prog: message" lines on stderr, filtered by level (-q errors only, -v debug).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "fd.hpp"

namespace net {

class SharedOutput;

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// Cheap to copy; safe from any thread (each line goes out whole, so lines from different threads
// never interleave). Servers give it a sink on stderr, made in main (Logger::queued), which
// copies share: a line goes out at once when stderr takes it at once, and is queued otherwise,
// so it never waits on stderr (see SharedOutput). Without a sink (clients, tools), each line is
// one blocking write(2) to stderr.
class Logger {
  public:
    Logger(std::string program, LogLevel level, std::shared_ptr<SharedOutput> sink = nullptr)
        : program_(std::move(program)), level_(level), sink_(std::move(sink)) {}
    // A logger for a server: its lines go through a SharedOutput of its own on stderr.
    static Logger queued(std::string program, LogLevel level);
    // The level from -q/-v counts: -q errors only, none: info, -v: debug.
    static LogLevel level_from_flags(bool quiet, std::size_t verbose);

    [[nodiscard]] bool enabled(LogLevel level) const { return level <= level_; }
    [[nodiscard]] LogLevel level() const { return level_; }
    [[nodiscard]] const std::string& program() const { return program_; }

    void error(std::string_view message) const { write(LogLevel::kError, message); }
    void warning(std::string_view message) const { write(LogLevel::kWarning, message); }
    void info(std::string_view message) const { write(LogLevel::kInfo, message); }
    void debug(std::string_view message) const { write(LogLevel::kDebug, message); }
    void write(LogLevel level, std::string_view message) const;

  private:
    std::string program_;
    LogLevel level_;
    std::shared_ptr<SharedOutput> sink_;
};

// A log file named on the command line (--access-log FILE, --log FILE): opened for appending,
// created with mode 0644 when missing; "-" is a duplicate of stdout. Throws std::system_error
// ("cannot open PATH").
Fd open_log_file(const std::string& path);

// The same at start-up, where a log that cannot be opened ends the program: throws FatalError
// (exit 73, EX_CANTCREAT) "cannot open the WHAT PATH: reason", `what` naming the log ("access
// log", "log").
Fd open_log_file_at_start(const std::string& path, std::string_view what);

// SIGHUP's work for one log (logrotate renames the file, then sends SIGHUP): opens `path` again
// and moves `output` to the new file (SharedOutput::replace), then says "reopened PATH" on `log`
// (info). "-" (stdout) is left as it is. A file that cannot be opened is reported on `log`
// (error), and the output goes on in the old one.
void reopen_log_file(SharedOutput& output, const std::string& path, const Logger& log);

// Prints one line on stdout (or `stream`) and flushes it at once: the "listening on ADDR" line that
// tests and scripts wait for.
void announce(std::string_view line, std::FILE* stream = stdout);

}  // namespace net
