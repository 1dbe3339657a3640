// The mbox append: lock, remember the size, write, fsync, unlock; on failure cut back.
#include "mbox.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "common/socket.hpp"

namespace mail {
namespace {

std::system_error os_error(const std::string& what) {
    return {errno, std::generic_category(), what};
}

// Takes a whole-file write lock (fcntl, so other mail programs respect it too). It lasts until
// the descriptor is closed: fcntl locks belong to the process and the file.
void lock_whole_file(int fd) {
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    while (::fcntl(fd, F_SETLKW, &lock) != 0) {
        if (errno != EINTR) throw os_error("cannot lock the mbox");
    }
}

// A file with no name for a big message's first part: gone when closed, whatever happens.
net::Fd open_spill_file(const std::filesystem::path& near) {
    const auto directory = near.has_parent_path() ? near.parent_path() : std::filesystem::path(".");
    net::Fd fd(::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!fd) fd = net::Fd(::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!fd) throw os_error("cannot create a temporary file");
    return fd;
}

// Copies the spilled part of a message to the mbox.
void copy_spilled(const net::Fd& from, int to) {
    std::array<char, 64 * 1024> chunk{};
    off_t offset = 0;
    while (true) {
        const ssize_t n = ::pread(from.get(), chunk.data(), chunk.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw os_error("cannot read the temporary file");
        if (n == 0) return;
        net::write_all(to, std::string_view(chunk.data(), static_cast<std::size_t>(n)));
        offset += n;
    }
}

}  // namespace

std::string format_from_line(std::string_view reverse_path, std::time_t when) {
    std::tm tm{};
    ::gmtime_r(&when, &tm);
    std::array<char, 32> date{};
    const auto length = std::strftime(date.data(), date.size(), "%a %b %e %H:%M:%S %Y", &tm);
    std::string line = "From ";
    line += reverse_path.empty() ? "MAILER-DAEMON" : reverse_path;
    line += ' ';
    line.append(date.data(), length);
    line += '\n';
    return line;
}

std::size_t append_mboxrd_quoted(std::string& out, std::string_view lines) {
    std::size_t quoted = 0;
    std::size_t start = 0;
    while (start < lines.size()) {
        const auto end = lines.find('\n', start);
        const auto line =
            lines.substr(start, end == std::string_view::npos ? end : end - start + 1);
        const auto first = line.find_first_not_of('>');
        if (first != std::string_view::npos && line.substr(first).starts_with("From ")) {
            out += '>';
            ++quoted;
        }
        out += line;
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return quoted;
}

class Mbox::Draft final : public MessageDraft {
  public:
    Draft(Mbox& mbox, const Envelope& envelope)
        : mbox_(mbox),
          received_(std::time(nullptr)),
          from_line_(format_from_line(envelope.reverse_path, received_)) {}

    void append(std::string_view lines) override {
        if (!error_.empty()) return;
        unix_.clear();
        append_unix_lines(unix_, lines);
        quoted_ += append_mboxrd_quoted(pending_, unix_);
        if (pending_.size() >= kSpillBytes) spill();
    }

    std::optional<StoreResult> commit(std::function<void(StoreResult)> done) override {
        struct Job {
            Mbox* mbox;
            std::string from_line;
            net::Fd spilled;
            std::string pending;
            std::string error;
            std::uint64_t spilled_size;
            std::uint64_t quoted;
            std::int64_t received;
            std::string head;
            std::shared_ptr<const CommitWatchers> watchers;
        };
        auto job = std::make_shared<Job>(Job{&mbox_, std::move(from_line_), std::move(spilled_),
                                             std::move(pending_), error_, spilled_size_, quoted_,
                                             received_, std::move(head_), mbox_.commit_watchers()});
        mbox_.pool_.submit([job, done = std::move(done)] {
            if (!job->error.empty()) {
                done(StoreResult{.stored = false, .location = "", .error = job->error});
                return;
            }
            std::uint64_t offset = 0;
            auto result =
                job->mbox->append_message(job->from_line, job->spilled, job->pending, offset);
            if (result.stored && !job->mbox->to_stdout() && !job->watchers->empty()) {
                // What append_message wrote after the From line: the quoted lines, and a "\n"
                // ending the last one when it had none (a spilled part ends with a whole line).
                const bool ends_line = job->pending.empty() || job->pending.back() == '\n';
                const std::uint64_t written =
                    job->spilled_size + job->pending.size() + (ends_line ? 0 : 1);
                StoredMessage message;
                message.offset = offset;
                message.length = written;
                message.from_line = job->from_line.size();
                message.received = job->received;
                message.size = written - job->quoted;
                message.head = job->spilled ? std::string_view(job->head) : job->pending;
                job->watchers->tell(message);
            }
            done(std::move(result));
        });
        return std::nullopt;
    }

  private:
    void spill() {
        try {
            if (!spilled_) {
                spilled_ = open_spill_file(mbox_.path_);
                if (!mbox_.commit_watchers()->empty())
                    head_ = pending_.substr(0, kWatchedHeadBytes);
            }
            net::write_all(spilled_.get(), pending_);
            spilled_size_ += pending_.size();
            pending_.clear();
        } catch (const std::exception& e) {
            error_ = e.what();
            pending_.clear();
        }
    }

    Mbox& mbox_;
    std::time_t received_;
    std::string from_line_;
    std::string unix_;     // scratch for one append
    std::string pending_;  // converted and quoted, not yet spilled
    net::Fd spilled_;
    std::uint64_t spilled_size_ = 0;
    std::uint64_t quoted_ = 0;  // lines that gained a '>'
    std::string head_;          // the first spilled bytes, for the commit watchers
    std::string error_;
};

Mbox::Mbox(std::filesystem::path path, net::WorkerPool& pool)
    : path_(std::move(path)), pool_(pool) {
    if (path_ == "-") {
        stdout_ = net::Fd(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0));
        if (!stdout_) throw os_error("cannot use standard output");
        return;
    }
    // Fails now, at start-up, if the file cannot be written; each delivery opens it again.
    const net::Fd file(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!file) throw os_error("cannot open " + path_.string());
}

// Opens the file at path_ and locks it. A mail reader that expunges rewrites the mbox and
// renames the new file over the old one; a descriptor kept from before would append to the
// unlinked old file, and those messages would be lost. So the file is opened for every
// delivery, and after the lock is granted, checked to still be the one at path_ (else again).
net::Fd Mbox::open_locked() const {
    while (true) {
        net::Fd file(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
        if (!file) throw os_error("cannot open " + path_.string());
        lock_whole_file(file.get());
        struct stat opened {};
        struct stat current {};
        if (::fstat(file.get(), &opened) != 0) throw os_error("cannot stat " + path_.string());
        if (::stat(path_.c_str(), &current) == 0 && current.st_ino == opened.st_ino &&
            current.st_dev == opened.st_dev) {
            return file;
        }
    }
}

std::unique_ptr<MessageDraft> Mbox::begin(const Envelope& envelope) {
    return std::make_unique<Draft>(*this, envelope);
}

std::string Mbox::description() const {
    return stdout_ ? std::string("standard output (mbox)") : path_.string() + " (mbox)";
}

StoreResult Mbox::write_to_stdout(const std::string& from_line, const net::Fd& spilled,
                                  const std::string& pending) {
    StoreResult result;
    try {
        net::write_all(stdout_.get(), from_line);
        if (spilled) copy_spilled(spilled, stdout_.get());
        net::write_all(stdout_.get(), pending);
        net::write_all(stdout_.get(), pending.empty() || pending.back() == '\n' ? "\n" : "\n\n");
        result.stored = true;
        result.location = "standard output";
    } catch (const std::exception& e) {
        result.error = std::string("cannot write to standard output: ") + e.what();
    }
    return result;
}

StoreResult Mbox::append_message(const std::string& from_line, const net::Fd& spilled,
                                 const std::string& pending, std::uint64_t& offset) {
    const std::lock_guard guard(mutex_);
    if (stdout_) return write_to_stdout(from_line, spilled, pending);
    StoreResult result;
    net::Fd file;  // locked while open, so a failed append is cut back before anyone reads it
    off_t size_before = -1;
    try {
        file = open_locked();
        struct stat st {};
        if (::fstat(file.get(), &st) != 0) throw os_error("cannot stat " + path_.string());
        size_before = st.st_size;
        net::write_all(file.get(), from_line);
        if (spilled) copy_spilled(spilled, file.get());
        net::write_all(file.get(), pending);
        // Every message ends with an empty line, so the next "From " starts a line of its own.
        net::write_all(file.get(), pending.empty() || pending.back() == '\n' ? "\n" : "\n\n");
        if (::fsync(file.get()) != 0) throw os_error("fsync " + path_.string());
        result.stored = true;
        result.location = path_.filename().string();
        offset = static_cast<std::uint64_t>(size_before);
    } catch (const std::exception& e) {
        if (size_before >= 0 && ::ftruncate(file.get(), size_before) == 0) ::fsync(file.get());
        result.error = e.what();
    }
    return result;
}

}  // namespace mail
