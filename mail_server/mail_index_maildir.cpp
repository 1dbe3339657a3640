// The index of a Maildir: every file in new/ and cur/ at load, then each message the Maildir
// commits. A message's id is its unique name (the file name before ":2,FLAGS"), so it stays the
// same when a mail reader moves it from new/ to cur/ or changes its flags.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/fd.hpp"
#include "mail_index_table.hpp"

namespace mail {
namespace {

constexpr std::array<const char*, 2> kFolders = {"new", "cur"};
// The first read of a message at load: enough for most heads; a longer head is read further,
// up to kWatchedHeadBytes.
constexpr std::size_t kFirstReadBytes = 8 * 1024;

// The unique part of a Maildir file name: before the ':' that starts its info ("2,S").
std::string_view unique_part(std::string_view name) {
    return name.substr(0, name.find(':'));
}

// The id of the file `name`: its unique part when that fits is_message_id(), else a hash of it
// (another writer's names may hold characters a URL would need escaped).
std::string id_of_name(std::string_view name) {
    const auto unique = unique_part(name);
    if (is_message_id(unique)) return std::string(unique);
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
    for (const char c : unique) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    std::array<char, 17> hex{};
    const auto end = std::to_chars(hex.data(), hex.data() + hex.size(), hash, 16).ptr;
    return "x" + std::string(hex.data(), end);
}

// Maildir names start with the delivery time ("1764057192.M123456P4242Q1.host"), and most
// writers put the microseconds after ".M": the order of arrival, without a stat.
std::optional<std::int64_t> seconds_in_name(std::string_view name) {
    std::int64_t seconds = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), seconds);
    if (error != std::errc() || end == name.data() || end == name.data() + name.size() ||
        *end != '.')
        return std::nullopt;
    return seconds;
}

std::uint64_t micros_in_name(std::string_view name) {
    const auto dot_m = name.find(".M");
    if (dot_m == std::string_view::npos) return 0;
    std::uint64_t micros = 0;
    const auto* first = name.data() + dot_m + 2;
    std::from_chars(first, name.data() + name.size(), micros);
    return micros;
}

std::system_error os_error(const std::string& what) {
    return {errno, std::generic_category(), what};
}

// Reads from `fd` into `out` until it holds `limit` bytes or the file ends.
void read_up_to(int fd, std::string& out, std::size_t limit) {
    while (out.size() < limit) {
        const auto had = out.size();
        out.resize(limit);
        const ssize_t n = ::read(fd, out.data() + had, limit - had);
        if (n < 0 && errno == EINTR) {
            out.resize(had);
            continue;
        }
        out.resize(had + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n <= 0) return;
    }
}

bool head_complete(std::string_view start) {
    return start.find("\n\n") != std::string_view::npos ||
           start.find("\r\n\r\n") != std::string_view::npos;
}

class MaildirIndex final : public index::Table {
  public:
    explicit MaildirIndex(std::filesystem::path root) : root_(std::move(root)) {}

    void load() override {
        std::string buffer;
        for (std::uint8_t folder = 0; folder < kFolders.size(); ++folder) {
            const auto path = root_ / kFolders[folder];
            const net::Fd dir_fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!dir_fd) throw os_error("cannot read " + path.string());
            load_folder(dir_fd.get(), folder, path, buffer);
        }
        sort();
    }

    [[nodiscard]] std::optional<std::string> read(std::string_view id) const override {
        const auto where = location(id);
        if (!where) return std::nullopt;
        if (auto bytes = read_file(root_ / kFolders[where->folder] / where->file)) return bytes;
        // A mail reader may have moved it from new/ to cur/ (adding ":2,FLAGS") since.
        return find_moved(unique_part(where->file));
    }

  private:
    void load_folder(int dir_fd, std::uint8_t folder, const std::filesystem::path& path,
                     std::string& buffer) {
        // A descriptor of its own for the listing: closedir() closes it.
        const int listing = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (listing < 0) throw os_error("cannot read " + path.string());
        const std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing), ::closedir);
        if (!dir) {
            ::close(listing);
            throw os_error("cannot read " + path.string());
        }
        // The names in one buffer and their keys in one array: two big blocks, handed back to
        // the system whole once loaded, not thousands of small ones left among the summaries.
        struct Name {
            std::int64_t seconds;
            std::uint64_t micros;
            std::size_t offset;
            std::size_t length;
        };
        std::string buffer_of_names;
        std::vector<Name> names;
        while (const dirent* entry = ::readdir(dir.get())) {
            const std::string_view name = entry->d_name;
            if (name.empty() || name.front() == '.') continue;  // ".", "..", hidden files
            names.push_back({seconds_in_name(name).value_or(0), micros_in_name(name),
                             buffer_of_names.size(), name.size()});
            buffer_of_names += name;
        }
        // In the order of the list (arrival, by name), so that each message's summary lands in
        // memory next to its neighbours in the list: a search walks them in that order.
        std::sort(names.begin(), names.end(), [](const Name& a, const Name& b) {
            return a.seconds != b.seconds ? a.seconds < b.seconds : a.micros < b.micros;
        });
        for (const auto& name : names) {
            load_message(dir_fd, folder,
                         std::string_view(buffer_of_names).substr(name.offset, name.length),
                         buffer);
        }
    }

    // Reads one message's head; a file that cannot be read is left out.
    void load_message(int dir_fd, std::uint8_t folder, std::string_view name, std::string& buffer) {
        const net::Fd fd(::openat(dir_fd, std::string(name).c_str(),
                                  O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        if (!fd) return;
        struct stat status {};
        if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) return;
        buffer.clear();
        read_up_to(fd.get(), buffer, kFirstReadBytes);
        if (buffer.size() == kFirstReadBytes && !head_complete(buffer))
            read_up_to(fd.get(), buffer, kWatchedHeadBytes);
        auto summary = index::summarize(buffer);
        summary.id = id_of_name(name);
        summary.received = seconds_in_name(name).value_or(status.st_mtim.tv_sec);
        summary.size = static_cast<std::uint64_t>(status.st_size);
        index::Location where;
        where.folder = folder;
        where.file = std::string(name);
        add(summary, where, {summary.received, micros_in_name(name)}, false);
    }

    // On the storage thread that committed the message, before its 250.
    void committed(const StoredMessage& message) override {
        auto summary = index::summarize(message.head);
        summary.id = id_of_name(message.name);
        summary.received = seconds_in_name(message.name).value_or(message.received);
        summary.size = message.size;
        index::Location where;
        where.file = std::string(message.name);
        if (add(summary, where, {summary.received, micros_in_name(message.name)}, true))
            tell(summary);
    }

    static std::optional<std::string> read_file(const std::filesystem::path& path) {
        const net::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        if (!fd) return std::nullopt;
        struct stat status {};
        if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
        std::string bytes;
        // A file growing meanwhile is read to its end as it was at fstat (plus what fits).
        read_up_to(fd.get(), bytes, static_cast<std::size_t>(status.st_size));
        return bytes;
    }

    [[nodiscard]] std::optional<std::string> find_moved(std::string_view unique) const {
        if (auto bytes = read_file(root_ / "new" / std::string(unique))) return bytes;
        const auto cur = root_ / "cur";
        // Where a reader most often puts it (seen, or no flags), before a scan of cur/.
        for (const char* info : {":2,S", ":2,"}) {
            if (auto bytes = read_file(cur / (std::string(unique) + info))) return bytes;
        }
        const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(cur.c_str()), ::closedir);
        if (!dir) return std::nullopt;
        while (const dirent* entry = ::readdir(dir.get())) {
            const std::string_view name = entry->d_name;
            if (name.front() != '.' && unique_part(name) == unique) return read_file(cur / name);
        }
        return std::nullopt;
    }

    std::filesystem::path root_;
};

}  // namespace

std::unique_ptr<MailIndex> MailIndex::for_maildir(std::filesystem::path root) {
    return std::make_unique<MaildirIndex>(std::move(root));
}

}  // namespace mail
