// The index's shared table: summaries from heads, packed entries, order, lookup, search, paging
// and listeners.
#include <algorithm>

#include "mail_index_table.hpp"

namespace mail {

bool is_message_id(std::string_view text) {
    if (text.empty() || text.size() > 128 || text.front() == '.') return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

namespace index {
namespace {

// Messages a search looks at per turn of the table's lock.
constexpr std::size_t kSearchChunk = 4096;

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` cut to at most `limit` bytes, never inside a UTF-8 sequence.
std::string capped(std::string text, std::size_t limit = kMaxFieldBytes) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    text.resize(end);
    return text;
}

mime::Address capped(mime::Address address) {
    return {capped(std::move(address.name)), capped(std::move(address.address))};
}

// The Message-ID without its angle brackets and surrounding spaces.
std::string bare_message_id(std::string_view value) {
    const auto first = value.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    value.remove_prefix(first);
    value.remove_suffix(value.size() - value.find_last_not_of(" \t") - 1);
    if (value.size() >= 2 && value.front() == '<' && value.back() == '>')
        value = value.substr(1, value.size() - 2);
    return std::string(value);
}

// Case-insensitive (ASCII) search for `word`, which is already lower-case.
bool contains(std::string_view text, std::string_view word) {
    if (word.empty()) return true;
    if (text.size() < word.size()) return false;
    const char first = word.front();
    const char upper = first >= 'a' && first <= 'z' ? static_cast<char>(first - 'a' + 'A') : first;
    const auto last = text.size() - word.size();
    for (std::size_t i = 0; i <= last; ++i) {
        if (text[i] != first && text[i] != upper) continue;
        std::size_t j = 1;
        while (j < word.size() && lower(text[i + j]) == word[j])
            ++j;
        if (j == word.size()) return true;
    }
    return false;
}

void put_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void put_string(std::string& out, std::string_view text) {
    put_varint(out, text.size());
    out.append(text);
}

// Reads the packed strings back in order. The packing is the table's own, so it is trusted.
class Unpacker {
  public:
    explicit Unpacker(std::string_view packed) : rest_(packed) {}
    std::uint64_t varint() {
        std::uint64_t value = 0;
        int shift = 0;
        while (!rest_.empty()) {
            const auto byte = static_cast<unsigned char>(rest_.front());
            rest_.remove_prefix(1);
            value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) break;
            shift += 7;
        }
        return value;
    }
    std::string_view string() {
        const auto length = std::min<std::uint64_t>(varint(), rest_.size());
        const auto text = rest_.substr(0, length);
        rest_.remove_prefix(length);
        return text;
    }

  private:
    std::string_view rest_;
};

}  // namespace

Summary summarize(std::string_view head) {
    const auto parsed = mime::parse_head(head.substr(0, kWatchedHeadBytes));
    const auto& fields = parsed.fields;
    Summary summary;
    if (const auto* from = mime::find_field(fields, "From")) {
        auto addresses = mime::parse_addresses(*from);
        if (!addresses.empty()) summary.from = capped(std::move(addresses.front()));
    }
    if (const auto* to = mime::find_field(fields, "To")) {
        for (auto& address : mime::parse_addresses(*to)) {
            if (summary.to.size() == kMaxRecipients) break;
            summary.to.push_back(capped(std::move(address)));
        }
    }
    if (const auto* subject = mime::find_field(fields, "Subject"))
        summary.subject = capped(mime::decode_words(*subject));
    if (const auto* id = mime::find_field(fields, "Message-ID"))
        summary.message_id = capped(bare_message_id(*id));
    const auto* type = mime::find_field(fields, "Content-Type");
    const auto* disposition = mime::find_field(fields, "Content-Disposition");
    summary.attachments =
        (type != nullptr && mime::parse_header_value(*type).value == "multipart/mixed") ||
        (disposition != nullptr && mime::parse_header_value(*disposition).value == "attachment");
    return summary;
}

std::vector<std::string> query_words(std::string_view query) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < query.size()) {
        const char c = query[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        std::string word;
        if (c == '"') {
            const auto close = query.find('"', i + 1);
            const auto end = close == std::string_view::npos ? query.size() : close;
            for (std::size_t j = i + 1; j < end; ++j)
                word += lower(query[j]);
            i = end + 1;
        } else {
            while (i < query.size() && query[i] != ' ' && query[i] != '\t')
                word += lower(query[i++]);
        }
        if (!word.empty()) words.push_back(std::move(word));
    }
    return words;
}

Table::Entry Table::pack(const Summary& summary, const Location& location, SortKey key) {
    Entry entry;
    entry.received = summary.received;
    entry.size = summary.size;
    entry.key = key;
    entry.offset = location.offset;
    entry.length = location.length;
    entry.from_line = static_cast<std::uint32_t>(location.from_line);
    entry.folder = location.folder;
    entry.attachments = summary.attachments;
    auto& out = entry.packed;
    put_string(out, summary.id);
    put_string(out, location.file == summary.id ? std::string_view() : location.file);
    put_string(out, summary.from.name);
    put_string(out, summary.from.address);
    put_string(out, summary.subject);
    put_string(out, summary.message_id);
    put_varint(out, summary.to.size());
    for (const auto& address : summary.to) {
        put_string(out, address.name);
        put_string(out, address.address);
    }
    out.shrink_to_fit();
    return entry;
}

Summary Table::unpack(const Entry& entry) {
    Summary summary;
    summary.received = entry.received;
    summary.size = entry.size;
    summary.attachments = entry.attachments;
    Unpacker in(entry.packed);
    summary.id = in.string();
    in.string();  // the file
    summary.from.name = in.string();
    summary.from.address = in.string();
    summary.subject = in.string();
    summary.message_id = in.string();
    const auto count = in.varint();
    for (std::uint64_t i = 0; i < count; ++i) {
        mime::Address address;
        address.name = in.string();
        address.address = in.string();
        summary.to.push_back(std::move(address));
    }
    return summary;
}

std::string_view Table::id_of(const Entry& entry) {
    return Unpacker(entry.packed).string();
}

bool Table::before(std::uint32_t a, std::uint32_t b) const {
    const auto& x = entries_[a];
    const auto& y = entries_[b];
    if (x.key.major != y.key.major) return x.key.major < y.key.major;
    if (x.key.minor != y.key.minor) return x.key.minor < y.key.minor;
    return id_of(x) < id_of(y);
}

bool Table::matches(const Entry& entry, const std::vector<std::string>& words) {
    // Each word is looked for in the searched fields in turn, reading them from the packed
    // strings again for each word: no allocation per message.
    return std::all_of(words.begin(), words.end(), [&entry](const std::string& word) {
        Unpacker in(entry.packed);
        in.string();  // the id
        in.string();  // the file
        if (contains(in.string(), word) || contains(in.string(), word) ||
            contains(in.string(), word))  // from name, from address, subject
            return true;
        in.string();  // the message id is not searched
        const auto count = in.varint();
        for (std::uint64_t i = 0; i < 2 * count; ++i) {
            if (contains(in.string(), word)) return true;
        }
        return false;
    });
}

bool Table::add(const Summary& summary, const Location& location, SortKey key, bool sorted) {
    const std::unique_lock lock(mutex_);
    if (by_id_.contains(summary.id)) return false;
    entries_.push_back(pack(summary, location, key));
    const auto index = static_cast<std::uint32_t>(entries_.size() - 1);
    by_id_.emplace(id_of(entries_.back()), index);
    if (sorted) {
        // A new message is almost always the newest: the search from the end is short.
        auto place = order_.end();
        while (place != order_.begin() && before(index, *(place - 1)))
            --place;
        order_.insert(place, index);
    } else {
        order_.push_back(index);
    }
    return true;
}

void Table::sort() {
    const std::unique_lock lock(mutex_);
    std::sort(order_.begin(), order_.end(),
              [this](std::uint32_t a, std::uint32_t b) { return before(a, b); });
}

void Table::tell(const Summary& summary) {
    const std::lock_guard lock(listeners_mutex_);
    for (const auto& [token, listener] : listeners_)
        listener(summary);
}

std::optional<Location> Table::location(std::string_view id) const {
    const std::shared_lock lock(mutex_);
    const auto found = by_id_.find(id);
    if (found == by_id_.end()) return std::nullopt;
    const auto& entry = entries_[found->second];
    Location location;
    location.folder = entry.folder;
    location.offset = entry.offset;
    location.from_line = entry.from_line;
    location.length = entry.length;
    Unpacker in(entry.packed);
    const auto own_id = in.string();
    const auto file = in.string();
    location.file = std::string(file.empty() ? own_id : file);
    return location;
}

MailIndex::Page Table::list(std::size_t start, std::size_t limit) const {
    const std::shared_lock lock(mutex_);
    Page page;
    page.total = order_.size();
    page.start = start;
    for (std::size_t i = start; i < order_.size() && i - start < limit; ++i)
        page.messages.push_back(unpack(entries_[order_[order_.size() - 1 - i]]));
    return page;
}

MailIndex::Page Table::search(std::string_view query, std::size_t start, std::size_t limit) const {
    const auto words = query_words(query);
    Page page;
    page.start = start;
    // The messages there when the search starts, newest first, a chunk per turn of the lock:
    // a message being committed waits for one chunk at most, not for the whole scan. (One
    // that arrives meanwhile lands after them, except in the rare case of an older name.)
    std::size_t position = size();
    while (position > 0) {
        const std::shared_lock lock(mutex_);
        const auto end = position > kSearchChunk ? position - kSearchChunk : 0;
        for (; position > end; --position) {
            const auto& entry = entries_[order_[position - 1]];
            if (!matches(entry, words)) continue;
            if (page.total >= start && page.total - start < limit)
                page.messages.push_back(unpack(entry));
            ++page.total;
        }
    }
    return page;
}

std::optional<Summary> Table::find(std::string_view id) const {
    const std::shared_lock lock(mutex_);
    const auto found = by_id_.find(id);
    if (found == by_id_.end()) return std::nullopt;
    return unpack(entries_[found->second]);
}

std::size_t Table::size() const {
    const std::shared_lock lock(mutex_);
    return order_.size();
}

void Table::watch(MessageStore& store) {
    store.watch_commits([this](const StoredMessage& message) { committed(message); });
}

std::uint64_t Table::subscribe(Listener listener) {
    const std::lock_guard lock(listeners_mutex_);
    const auto token = next_token_++;
    listeners_.emplace_back(token, std::move(listener));
    return token;
}

void Table::unsubscribe(std::uint64_t token) {
    const std::lock_guard lock(listeners_mutex_);
    std::erase_if(listeners_, [token](const auto& entry) { return entry.first == token; });
}

}  // namespace index
}  // namespace mail
