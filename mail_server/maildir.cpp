// The Maildir delivery steps, for a batch of messages at a time: write in tmp/, make them
// durable, rename into new/, fsync new/, answer.
#include "maildir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <vector>

#include "common/socket.hpp"

namespace mail {
namespace {

std::system_error os_error(const std::string& what) {
    return {errno, std::generic_category(), what};
}

net::Fd open_directory(const std::filesystem::path& path) {
    net::Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw os_error("cannot open " + path.string());
    return fd;
}

void make_directory(const std::filesystem::path& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        throw os_error("cannot create " + path.string());
    }
}

// Maildir forbids '/' and ':' in the host part of a name: they are written as octal escapes.
std::string escape_hostname(std::string_view hostname) {
    std::string out;
    for (const char c : hostname) {
        if (c == '/') {
            out += "\\057";
        } else if (c == ':') {
            out += "\\072";
        } else {
            out += c;
        }
    }
    return out.empty() ? "localhost" : out;
}

// One message on its way: made in a Draft on a loop thread, committed on a storage thread.
struct Delivery {
    std::string name;
    net::Fd file;            // open when part of the message was already written
    std::string pending;     // the rest, still in memory
    std::string error;       // why it is not stored; set at the first failure
    bool in_new = false;     // renamed into new/
    std::uint64_t size = 0;  // bytes written to the file so far
    // For the commit watchers: the message's first bytes (its first spilled part, or the whole
    // message when it was never spilled). Empty when nobody watches.
    std::string head;
    std::function<void(StoreResult)> done;

    bool failed() const { return !error.empty(); }
};

void fail(Delivery& delivery, const std::string& what, int error) {
    if (!delivery.failed())
        delivery.error = std::system_error(error, std::generic_category(), what).what();
}

net::Fd create_in_tmp(int tmp_dir, const std::string& name) {
    net::Fd fd(::openat(tmp_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) throw os_error("cannot create tmp/" + name);
    return fd;
}

}  // namespace

class GroupCommit {
  public:
    GroupCommit(net::WorkerPool& pool, std::shared_ptr<const net::Fd> tmp, net::Fd new_dir,
                std::shared_ptr<const CommitWatchers> watchers)
        : pool_(pool),
          tmp_(std::move(tmp)),
          new_(std::move(new_dir)),
          watchers_(std::move(watchers)) {}

    [[nodiscard]] bool watched() const { return !watchers_->empty(); }

    // Queues the delivery; a storage thread takes it with the next batch.
    static void submit(const std::shared_ptr<GroupCommit>& self, Delivery delivery) {
        {
            const std::lock_guard lock(self->mutex_);
            self->queue_.push_back(std::move(delivery));
            if (self->committing_) return;  // the running batch loop will take it
            self->committing_ = true;
        }
        self->pool_.submit([self] { self->commit_batches(); });
    }

  private:
    // One storage thread at a time runs this, until nothing is left.
    void commit_batches() {
        while (true) {
            std::vector<Delivery> batch;
            {
                const std::lock_guard lock(mutex_);
                if (queue_.empty()) {
                    committing_ = false;
                    return;
                }
                batch.swap(queue_);
            }
            commit(batch);
        }
    }

    // The Maildir delivery steps, each for the whole batch.
    void commit(std::vector<Delivery>& batch) {
        write_into_tmp(batch);
        make_tmp_durable(batch);
        rename_into_new(batch);
        make_new_durable(batch);
        answer(batch);
    }

    void write_into_tmp(std::vector<Delivery>& batch) const {
        for (auto& delivery : batch) {
            if (delivery.failed()) continue;
            try {
                const bool spilled = static_cast<bool>(delivery.file);
                if (!spilled) delivery.file = create_in_tmp(tmp_->get(), delivery.name);
                net::write_all(delivery.file.get(), delivery.pending);
                delivery.size += delivery.pending.size();
                // A message written at once is its own head: kept (not copied) for the watchers.
                if (!spilled && watched()) delivery.head = std::move(delivery.pending);
                delivery.pending = {};
            } catch (const std::exception& e) {
                delivery.error = e.what();
            }
        }
    }

    // One message: fsync its file. Several: one syncfs writes them all (and whatever else is
    // waiting on this file system) with a single cache flush, instead of one flush each.
    void make_tmp_durable(std::vector<Delivery>& batch) const {
        Delivery* only = nullptr;
        std::size_t writing = 0;
        for (auto& delivery : batch) {
            if (delivery.failed()) continue;
            only = &delivery;
            ++writing;
        }
        if (writing == 1) {
            if (::fsync(only->file.get()) != 0) {
                const int error = errno;
                fail(*only, "fsync tmp/" + only->name, error);
            }
        } else if (writing > 1 && ::syncfs(tmp_->get()) != 0) {
            const int error = errno;
            for (auto& delivery : batch)
                fail(delivery, "syncfs", error);
        }
    }

    void rename_into_new(std::vector<Delivery>& batch) const {
        for (auto& delivery : batch) {
            delivery.file.reset();
            if (delivery.failed()) continue;
            const char* name = delivery.name.c_str();
            if (::renameat(tmp_->get(), name, new_.get(), name) != 0) {
                const int error = errno;
                fail(delivery, "rename tmp/" + delivery.name + " to new/", error);
            } else {
                delivery.in_new = true;
            }
        }
    }

    void make_new_durable(std::vector<Delivery>& batch) const {
        const bool renamed = std::any_of(batch.begin(), batch.end(),
                                         [](const Delivery& delivery) { return delivery.in_new; });
        if (!renamed || ::fsync(new_.get()) == 0) return;
        const int error = errno;
        for (auto& delivery : batch) {
            if (!delivery.in_new) continue;
            ::unlinkat(new_.get(), delivery.name.c_str(), 0);  // not durable: not accepted
            delivery.in_new = false;
            fail(delivery, "fsync new/", error);
        }
    }

    void answer(std::vector<Delivery>& batch) const {
        for (auto& delivery : batch) {
            StoreResult result;
            if (delivery.in_new) {
                if (watched()) tell_watchers(delivery);
                result.stored = true;
                result.location = "new/" + delivery.name;
            } else {
                ::unlinkat(tmp_->get(), delivery.name.c_str(), 0);  // keeps nothing partial
                result.error = delivery.error;
            }
            delivery.done(std::move(result));
        }
    }

    void tell_watchers(const Delivery& delivery) const {
        StoredMessage message;
        message.name = delivery.name;
        message.length = delivery.size;
        message.received = std::time(nullptr);
        message.size = delivery.size;
        message.head = delivery.head;
        watchers_->tell(message);
    }

    net::WorkerPool& pool_;
    std::shared_ptr<const net::Fd> tmp_;
    net::Fd new_;
    std::shared_ptr<const CommitWatchers> watchers_;
    std::mutex mutex_;
    std::vector<Delivery> queue_;
    bool committing_ = false;  // a storage thread is running commit_batches()
};

class Maildir::Draft final : public MessageDraft {
  public:
    Draft(Maildir& maildir, std::string name) : maildir_(maildir) {
        delivery_.name = std::move(name);
    }
    ~Draft() override {
        if (!committed_ && delivery_.file) {
            delivery_.file.reset();
            ::unlinkat(maildir_.tmp_->get(), delivery_.name.c_str(), 0);
        }
    }

    void append(std::string_view lines) override {
        if (delivery_.failed()) return;
        append_unix_lines(delivery_.pending, lines);
        if (delivery_.pending.size() >= kSpillBytes) spill();
    }

    std::optional<StoreResult> commit(std::function<void(StoreResult)> done) override {
        committed_ = true;
        delivery_.done = std::move(done);
        GroupCommit::submit(maildir_.commits_, std::move(delivery_));
        return std::nullopt;
    }

  private:
    // A big message goes to its file as it arrives (page cache only; the fsync comes later).
    void spill() {
        try {
            if (!delivery_.file) {
                delivery_.file = create_in_tmp(maildir_.tmp_->get(), delivery_.name);
                if (maildir_.commits_->watched())
                    delivery_.head = delivery_.pending.substr(0, kWatchedHeadBytes);
            }
            net::write_all(delivery_.file.get(), delivery_.pending);
            delivery_.size += delivery_.pending.size();
            delivery_.pending.clear();
        } catch (const std::exception& e) {
            delivery_.error = e.what();
            delivery_.pending.clear();
        }
    }

    Maildir& maildir_;
    Delivery delivery_;
    bool committed_ = false;
};

Maildir::Maildir(std::filesystem::path root, net::WorkerPool& pool, std::string hostname)
    : root_(std::move(root)),
      pool_(pool),
      hostname_(escape_hostname(hostname)),
      pid_(std::to_string(::getpid())) {
    make_directory(root_);
    for (const char* sub : {"tmp", "new", "cur"})
        make_directory(root_ / sub);
    tmp_ = std::make_shared<const net::Fd>(open_directory(root_ / "tmp"));
    commits_ =
        std::make_shared<GroupCommit>(pool, tmp_, open_directory(root_ / "new"), commit_watchers());
}

std::unique_ptr<MessageDraft> Maildir::begin(const Envelope&) {
    return std::make_unique<Draft>(*this, unique_name());
}

std::string Maildir::description() const {
    return root_.string() + " (Maildir)";
}

void Maildir::remove_leftovers(std::function<void(Leftovers)> done) {
    pool_.submit([tmp = tmp_, done = std::move(done)] {
        done(remove_stale_tmp_files(tmp->get(), std::time(nullptr)));
    });
}

bool is_stale_tmp_file(std::time_t modified, std::time_t now) {
    const auto age = std::chrono::seconds(kStaleTmpAge).count();
    return modified <= now && now - modified >= age;
}

Leftovers remove_stale_tmp_files(int tmp_dir, std::time_t now) {
    Leftovers result;
    const auto note = [&result](const std::string& what) {
        if (result.error.empty())
            result.error = std::system_error(errno, std::generic_category(), what).what();
    };
    // A descriptor of its own for the listing: closedir() closes it.
    const int listing = ::openat(tmp_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) {
        note("cannot open tmp/");
        return result;
    }
    const std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing), ::closedir);
    if (!dir) {
        note("cannot list tmp/");
        ::close(listing);
        return result;
    }
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        struct stat status {};
        if (::fstatat(tmp_dir, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (!S_ISREG(status.st_mode) || !is_stale_tmp_file(status.st_mtim.tv_sec, now)) continue;
        if (::unlinkat(tmp_dir, entry->d_name, 0) == 0) {
            ++result.removed;
        } else if (errno != ENOENT) {
            note("cannot remove tmp/" + std::string(name));
        }
    }
    return result;
}

std::string Maildir::unique_name() {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    return std::to_string(now.tv_sec) + ".M" + std::to_string(now.tv_usec) + "P" + pid_ + "Q" +
           std::to_string(++deliveries_) + "." + hostname_;
}

}  // namespace mail
