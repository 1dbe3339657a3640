// Logger: whole lines, in one write(2) or one SharedOutput::write, so threads never interleave
// within a line.
#include "log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

#include "batched_output.hpp"
#include "cli.hpp"
#include "socket.hpp"

namespace net {

LogLevel Logger::level_from_flags(bool quiet, std::size_t verbose) {
    if (quiet) return LogLevel::kError;
    return verbose > 0 ? LogLevel::kDebug : LogLevel::kInfo;
}

Logger Logger::queued(std::string program, LogLevel level) {
    auto sink = std::make_shared<SharedOutput>(STDERR_FILENO, program,
                                               SharedOutput::Options{.write_through = true});
    return {std::move(program), level, std::move(sink)};
}

void Logger::write(LogLevel level, std::string_view message) const {
    if (!enabled(level)) return;
    std::string line;
    line.reserve(program_.size() + message.size() + 16);
    line.append(program_).append(": ");
    if (level == LogLevel::kWarning) line.append("warning: ");
    line.append(message).push_back('\n');
    if (sink_) {
        sink_->write(line);
        return;
    }
    try {
        write_all(STDERR_FILENO, line);
    } catch (...) {
        // Nowhere left to report a failure to write to stderr.
    }
}

Fd open_log_file(const std::string& path) {
    Fd fd(path == "-" ? ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0)
                      : ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
    return fd;
}

Fd open_log_file_at_start(const std::string& path, std::string_view what) {
    try {
        return open_log_file(path);
    } catch (const std::system_error& e) {
        throw FatalError(kExitCantCreate, "cannot open the " + std::string(what) + " " + path +
                                              ": " + e.code().message());
    }
}

void reopen_log_file(SharedOutput& output, const std::string& path, const Logger& log) {
    if (path == "-") return;
    try {
        output.replace(open_log_file(path));
        log.info("reopened " + path);
    } catch (const std::system_error& e) {
        log.error(std::string(e.what()) + "; still writing to the file it had open");
    }
}

void announce(std::string_view line, std::FILE* stream) {
    std::fwrite(line.data(), 1, line.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

}  // namespace net
