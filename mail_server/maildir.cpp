// The Maildir delivery steps: write in tmp/, fsync, rename into new/, fsync new/.
#include "maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

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

// Everything a commit needs, moved to a storage thread.
struct Delivery {
    std::shared_ptr<const net::Fd> tmp_dir;
    std::shared_ptr<const net::Fd> new_dir;
    std::shared_ptr<DirectorySync> new_sync;
    std::string name;
    net::Fd file;         // open when part of the message was already written
    std::string pending;  // the rest, still in memory
    std::string error;    // a write that failed while the message arrived

    // Runs on a storage thread: the steps that make the message durable, in order.
    StoreResult deliver() {
        StoreResult result;
        try {
            if (!error.empty()) throw std::runtime_error(error);
            if (!file) file = create_in_tmp();
            net::write_all(file.get(), pending);
            if (::fsync(file.get()) != 0) throw os_error("fsync tmp/" + name);
            file.reset();
            if (::renameat(tmp_dir->get(), name.c_str(), new_dir->get(), name.c_str()) != 0) {
                throw os_error("rename tmp/" + name + " to new/");
            }
            if (const int error = new_sync->sync_after_rename(); error != 0) {
                ::unlinkat(new_dir->get(), name.c_str(), 0);  // not durable: not accepted
                throw std::system_error(error, std::generic_category(), "fsync new/");
            }
            result.stored = true;
            result.location = "new/" + name;
        } catch (const std::exception& e) {
            file.reset();
            ::unlinkat(tmp_dir->get(), name.c_str(), 0);
            result.error = e.what();
        }
        return result;
    }

    net::Fd create_in_tmp() const {
        net::Fd fd(
            ::openat(tmp_dir->get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) throw os_error("cannot create tmp/" + name);
        return fd;
    }
};

}  // namespace

int DirectorySync::sync_after_rename() {
    std::unique_lock lock(mutex_);
    const std::uint64_t mine = ++renamed_;
    while (durable_ < mine) {
        if (failed_up_to_ >= mine) return failure_;
        if (syncing_) {
            synced_.wait(lock);
            continue;
        }
        // Nobody is syncing: this thread does it, for every rename announced so far.
        syncing_ = true;
        const std::uint64_t covered = renamed_;
        lock.unlock();
        const int result = ::fsync(directory_->get()) == 0 ? 0 : errno;
        lock.lock();
        syncing_ = false;
        if (result == 0) {
            durable_ = covered;
        } else {
            failed_up_to_ = covered;
            failure_ = result;
        }
        synced_.notify_all();
    }
    return 0;
}

class Maildir::Draft final : public MessageDraft {
  public:
    Draft(Maildir& maildir, std::string name) : maildir_(maildir) {
        delivery_.tmp_dir = maildir.tmp_;
        delivery_.new_dir = maildir.new_;
        delivery_.new_sync = maildir.new_sync_;
        delivery_.name = std::move(name);
    }
    ~Draft() override {
        if (!committed_ && delivery_.file) {
            delivery_.file.reset();
            ::unlinkat(delivery_.tmp_dir->get(), delivery_.name.c_str(), 0);
        }
    }

    void append(std::string_view lines) override {
        if (!delivery_.error.empty()) return;
        append_unix_lines(delivery_.pending, lines);
        if (delivery_.pending.size() >= kSpillBytes) spill();
    }

    std::optional<StoreResult> commit(std::function<void(StoreResult)> done) override {
        committed_ = true;
        maildir_.pool_.submit([delivery = std::make_shared<Delivery>(std::move(delivery_)),
                               done = std::move(done)] { done(delivery->deliver()); });
        return std::nullopt;
    }

  private:
    // A big message goes to its file as it arrives (page cache only; the fsync comes later).
    void spill() {
        try {
            if (!delivery_.file) delivery_.file = delivery_.create_in_tmp();
            net::write_all(delivery_.file.get(), delivery_.pending);
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

Maildir::Maildir(std::filesystem::path root, WorkerPool& pool, std::string hostname)
    : root_(std::move(root)), pool_(pool), hostname_(escape_hostname(hostname)) {
    make_directory(root_);
    for (const char* sub : {"tmp", "new", "cur"})
        make_directory(root_ / sub);
    tmp_ = std::make_shared<const net::Fd>(open_directory(root_ / "tmp"));
    new_ = std::make_shared<const net::Fd>(open_directory(root_ / "new"));
    new_sync_ = std::make_shared<DirectorySync>(new_);
}

std::unique_ptr<MessageDraft> Maildir::begin(const Envelope&) {
    return std::make_unique<Draft>(*this, unique_name());
}

std::string Maildir::description() const {
    return root_.string() + " (Maildir)";
}

std::string Maildir::unique_name() {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    return std::to_string(now.tv_sec) + ".M" + std::to_string(now.tv_usec) + "P" +
           std::to_string(::getpid()) + "Q" + std::to_string(++deliveries_) + "." + hostname_;
}

}  // namespace mail
