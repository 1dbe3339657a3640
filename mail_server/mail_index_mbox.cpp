// The index of an mbox file: the messages found in it at load, then each message the Mbox
// appends. A message starts at a "From " line at the start of the file or after an empty line
// (mboxrd quotes every body line that would look like one); its id is that line's offset, and its
// bytes are what follows up to the empty line before the next, with the quoting undone.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/fd.hpp"
#include "mail_index_table.hpp"

namespace mail {
namespace {

constexpr std::size_t kReadBytes = 256 * 1024;
// A line longer than this is taken in pieces (only a line's start decides what it is).
constexpr std::size_t kMaxWholeLine = 1024 * 1024;

std::system_error os_error(const std::string& what) {
    return {errno, std::generic_category(), what};
}

// Whether `line` is a body line mboxrd quoted: ">From ", ">>From "...
bool is_quoted_from(std::string_view line) {
    const auto first = line.find_first_not_of('>');
    return first != 0 && first != std::string_view::npos && line.substr(first).starts_with("From ");
}

// The date of a "From sender Wed Nov 25 07:53:12 2026" line (asctime's form, taken as UTC, as
// mail_server writes it), or nullopt.
std::optional<std::int64_t> from_line_time(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        const auto end = std::min(line.find_first_of(" \t\r\n", i), line.size());
        if (end > i) words.push_back(line.substr(i, end - i));
        i = end + 1;
    }
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto number = [](std::string_view text, int& out) {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
        return error == std::errc() && end == text.data() + text.size();
    };
    for (std::size_t m = 1; m + 3 < words.size(); ++m) {
        int month = 0;
        while (month < 12 && kMonths[static_cast<std::size_t>(month)] != words[m])
            ++month;
        if (month == 12) continue;
        std::tm tm{};
        const auto clock = words[m + 2];
        if (!number(words[m + 1], tm.tm_mday) || clock.size() != 8 || clock[2] != ':' ||
            clock[5] != ':' || !number(clock.substr(0, 2), tm.tm_hour) ||
            !number(clock.substr(3, 2), tm.tm_min) || !number(clock.substr(6, 2), tm.tm_sec) ||
            !number(words.back(), tm.tm_year))
            return std::nullopt;
        tm.tm_year -= 1900;
        tm.tm_mon = month;
        return static_cast<std::int64_t>(::timegm(&tm));
    }
    return std::nullopt;
}

// One message found in the file.
struct Found {
    std::uint64_t offset = 0;     // its "From " line
    std::uint64_t from_line = 0;  // that line's length
    std::uint64_t length = 0;     // the bytes after it, up to the message's end
    std::uint64_t quoted = 0;     // lines that carry one '>' more than the message has
    std::optional<std::int64_t> received;
    std::string head;  // its first kWatchedHeadBytes
};

// Finds the messages in the file's bytes, given in order as lines or pieces of long lines.
class Scanner {
  public:
    explicit Scanner(std::function<void(const Found&)> found) : found_(std::move(found)) {}

    // `text` starts at `offset` in the file; `starts_line` when it is a line's start.
    void segment(std::string_view text, std::uint64_t offset, bool starts_line) {
        if (starts_line && text.starts_with("From ") && (offset == 0 || previous_blank_)) {
            finish(offset - (offset == 0 ? 0 : 1));
            open_ = true;
            current_.offset = offset;
            current_.from_line = text.size();
            current_.quoted = 0;
            current_.received = from_line_time(text);
            current_.head.clear();
            body_start_ = offset + text.size();
            previous_blank_ = false;
            return;
        }
        previous_blank_ = starts_line && text == "\n";
        if (!open_) return;  // before the first message
        if (starts_line && is_quoted_from(text)) ++current_.quoted;
        if (current_.head.size() < kWatchedHeadBytes)
            current_.head.append(text.substr(0, kWatchedHeadBytes - current_.head.size()));
    }

    // The file ends at `size`.
    void end(std::uint64_t size) { finish(previous_blank_ ? size - 1 : size); }

  private:
    void finish(std::uint64_t message_end) {
        if (!open_) return;
        current_.length = message_end > body_start_ ? message_end - body_start_ : 0;
        found_(current_);
        open_ = false;
    }

    std::function<void(const Found&)> found_;
    Found current_;  // the message being read, when open_
    bool open_ = false;
    std::uint64_t body_start_ = 0;
    bool previous_blank_ = false;
};

// `quoted` with mboxrd's quoting undone: a line ">From ", ">>From "... loses one '>'.
std::string unquote(std::string_view quoted) {
    std::string out;
    out.reserve(quoted.size());
    std::size_t start = 0;
    while (start < quoted.size()) {
        const auto end = quoted.find('\n', start);
        const auto line =
            quoted.substr(start, end == std::string_view::npos ? end : end - start + 1);
        out.append(is_quoted_from(line) ? line.substr(1) : line);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

class MboxIndex final : public index::Table {
  public:
    explicit MboxIndex(std::filesystem::path path) : path_(std::move(path)) {}

    void load() override {
        const net::Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw os_error("cannot read " + path_.string());
        struct stat status {};
        if (::fstat(fd.get(), &status) != 0) throw os_error("cannot read " + path_.string());
        if (S_ISDIR(status.st_mode))
            throw std::system_error(EISDIR, std::generic_category(),
                                    "cannot read " + path_.string());
        const std::int64_t modified = status.st_mtim.tv_sec;
        Scanner scanner([this, modified](const Found& found) { loaded(found, modified); });
        std::string buffer;
        std::uint64_t base = 0;  // the file offset of buffer[0]
        bool line_start = true;
        while (true) {
            const auto had = buffer.size();
            buffer.resize(had + kReadBytes);
            const ssize_t n = ::read(fd.get(), buffer.data() + had, kReadBytes);
            if (n < 0 && errno == EINTR) {
                buffer.resize(had);
                continue;
            }
            if (n < 0) throw os_error("cannot read " + path_.string());
            buffer.resize(had + static_cast<std::size_t>(n));
            const bool eof = n == 0;
            std::size_t pos = 0;
            while (pos < buffer.size()) {
                const auto newline = buffer.find('\n', pos);
                std::size_t end = 0;
                if (newline != std::string::npos) {
                    end = newline + 1;
                } else if (eof || buffer.size() - pos > kMaxWholeLine) {
                    end = buffer.size();
                } else {
                    break;  // the rest of the line comes with the next read
                }
                scanner.segment(std::string_view(buffer).substr(pos, end - pos), base + pos,
                                line_start);
                line_start = newline != std::string::npos;
                pos = end;
            }
            buffer.erase(0, pos);
            base += pos;
            if (eof) break;
        }
        scanner.end(base);
        sort();
    }

    [[nodiscard]] std::optional<std::string> read(std::string_view id) const override {
        const auto where = location(id);
        if (!where) return std::nullopt;
        const net::Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return std::nullopt;
        std::string bytes(where->from_line + where->length, '\0');
        std::size_t got = 0;
        while (got < bytes.size()) {
            const ssize_t n = ::pread(fd.get(), bytes.data() + got, bytes.size() - got,
                                      static_cast<off_t>(where->offset + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;  // the file was cut short since
            got += static_cast<std::size_t>(n);
        }
        // A mail reader that expunged has rewritten the file: the message is not there now.
        if (!bytes.starts_with("From ") || bytes[where->from_line - 1] != '\n') return std::nullopt;
        return unquote(std::string_view(bytes).substr(where->from_line));
    }

  private:
    void loaded(const Found& found, std::int64_t modified) {
        auto summary = index::summarize(found.head);
        summary.id = std::to_string(found.offset);
        summary.received = found.received.value_or(modified);
        summary.size = found.length - found.quoted;
        add(summary, location_of(found.offset, found.from_line, found.length), {0, found.offset},
            false);
    }

    // On the storage thread that appended the message, before its 250.
    void committed(const StoredMessage& message) override {
        auto summary = index::summarize(message.head);
        summary.id = std::to_string(message.offset);
        summary.received = message.received;
        summary.size = message.size;
        if (add(summary, location_of(message.offset, message.from_line, message.length),
                {0, message.offset}, true))
            tell(summary);
    }

    static index::Location location_of(std::uint64_t offset, std::uint64_t from_line,
                                       std::uint64_t length) {
        index::Location where;
        where.offset = offset;
        where.from_line = from_line;
        where.length = length;
        return where;
    }

    std::filesystem::path path_;
};

}  // namespace

std::unique_ptr<MailIndex> MailIndex::for_mbox(std::filesystem::path path) {
    return std::make_unique<MboxIndex>(std::move(path));
}

}  // namespace mail
