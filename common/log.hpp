// Logger: "prog: message" lines on stderr, filtered by level (-q errors only, -v debug).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

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

// Prints one line on stdout (or `stream`) and flushes it at once: the "listening on ADDR" line that
// tests and scripts wait for.
void announce(std::string_view line, std::FILE* stream = stdout);

}  // namespace net
