// Mailpit's list JSON and the --list table.
#include "message_list.hpp"

#include <array>
#include <cstdio>
#include <ctime>

#include "common/json.hpp"

namespace mail {
namespace {

constexpr std::size_t kReceivedColumns = 16;  // "2026-11-25 07:53"
constexpr std::size_t kFromColumns = 24;
constexpr std::size_t kSubjectColumns = 40;
constexpr std::size_t kSizeColumns = 5;  // "1023K"

std::tm utc(std::int64_t seconds) {
    const auto time = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&time, &tm);
    return tm;
}

// The length of the UTF-8 sequence that starts with `lead` (1 for a byte that starts none).
std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xF0 && lead < 0xF8) return 4;
    if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
    if (lead >= 0xC0) return 2;
    return 1;
}

// `text` in exactly `columns` columns (one per code point): control characters (C0, DEL, C1)
// as '?', cut with "…" when longer, padded with spaces when shorter.
std::string fit(std::string_view text, std::size_t columns) {
    std::string out;
    std::size_t used = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        auto length = std::min(sequence_length(lead), text.size() - i);
        const bool c1 =
            lead == 0xC2 && length == 2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
        if (used + 1 == columns && i + length < text.size()) {
            out += "\u2026";
            ++used;
            break;
        }
        if (used == columns) break;
        if (lead < 0x20 || lead == 0x7F || c1 || (lead >= 0x80 && lead < 0xC0)) {
            out += '?';
            length = c1 ? 2 : 1;
        } else {
            out.append(text.substr(i, length));
        }
        ++used;
        i += length;
    }
    out.append(columns - used, ' ');
    return out;
}

// 532, 12K, 1.2M: three figures at most.
std::string human_size(std::uint64_t bytes) {
    std::array<char, 16> text{};
    if (bytes < 1000) {
        std::snprintf(text.data(), text.size(), "%u", static_cast<unsigned>(bytes));
        return text.data();
    }
    double value = static_cast<double>(bytes) / 1024;
    const char* unit = "KMGT";
    while (value >= 999.5 && unit[1] != '\0') {
        value /= 1024;
        ++unit;
    }
    std::snprintf(text.data(), text.size(), value < 9.95 ? "%.1f%c" : "%.0f%c", value, *unit);
    return text.data();
}

std::string right(std::string text, std::size_t columns) {
    return text.size() >= columns ? text : std::string(columns - text.size(), ' ') + text;
}

}  // namespace

void append_address_json(std::string& out, const mime::Address& address) {
    out += "{\"Name\":";
    net::append_json_string(out, address.name);
    out += ",\"Address\":";
    net::append_json_string(out, address.address);
    out += '}';
}

std::string rfc3339_utc(std::int64_t seconds) {
    const auto tm = utc(seconds);
    std::array<char, 32> text{};
    const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(text.data(), length);
}

void append_summary_json(std::string& out, const Summary& summary) {
    out += "{\"ID\":";
    net::append_json_string(out, summary.id);
    out += ",\"MessageID\":";
    net::append_json_string(out, summary.message_id);
    out += ",\"Read\":true,\"From\":";
    append_address_json(out, summary.from);
    out += ",\"To\":[";
    for (std::size_t i = 0; i < summary.to.size(); ++i) {
        if (i > 0) out += ',';
        append_address_json(out, summary.to[i]);
    }
    out += "],\"Cc\":[],\"Bcc\":[],\"ReplyTo\":[],\"Subject\":";
    net::append_json_string(out, summary.subject);
    out += ",\"Created\":";
    net::append_json_string(out, rfc3339_utc(summary.received));
    out += ",\"Tags\":[],\"Size\":";
    out += std::to_string(summary.size);
    out += ",\"Attachments\":";
    out += summary.attachments ? '1' : '0';
    out += ",\"Snippet\":\"\"}";
}

std::string messages_json_start(std::size_t mailbox_total, std::size_t count, std::size_t matching,
                                std::size_t start) {
    return "{\"total\":" + std::to_string(mailbox_total) +
           ",\"unread\":0,\"count\":" + std::to_string(count) +
           ",\"messages_count\":" + std::to_string(matching) +
           ",\"messages_unread\":0,\"start\":" + std::to_string(start) +
           ",\"tags\":[],\"messages\":[";
}

std::string messages_json(const MailIndex::Page& page, std::size_t mailbox_total) {
    auto out = messages_json_start(mailbox_total, page.messages.size(), page.total, page.start);
    for (std::size_t i = 0; i < page.messages.size(); ++i) {
        if (i > 0) out += ',';
        append_summary_json(out, page.messages[i]);
    }
    out += kMessagesJsonEnd;
    return out;
}

std::string messages_json(const MailIndex::Page& page) {
    return messages_json(page, page.total);
}

std::string table_header() {
    return fit("RECEIVED (UTC)", kReceivedColumns) + "  " + fit("FROM", kFromColumns) + "  " +
           fit("SUBJECT", kSubjectColumns) + "  " + right("SIZE", kSizeColumns) + "   ID\n";
}

void append_table_row(std::string& out, const Summary& summary) {
    const auto tm = utc(summary.received);
    std::array<char, 32> received{};
    std::strftime(received.data(), received.size(), "%Y-%m-%d %H:%M", &tm);
    const auto& from = summary.from.name.empty() ? summary.from.address : summary.from.name;
    out += fit(received.data(), kReceivedColumns) + "  " + fit(from, kFromColumns) + "  " +
           fit(summary.subject, kSubjectColumns) + "  " +
           right(human_size(summary.size), kSizeColumns) + (summary.attachments ? " @ " : "   ") +
           summary.id + "\n";
}

std::string table_footer(std::size_t total) {
    return total == 0   ? std::string("no messages\n")
           : total == 1 ? std::string("1 message\n")
                        : std::to_string(total) + " messages\n";
}

std::string messages_table(const MailIndex::Page& page) {
    auto out = table_header();
    for (const auto& summary : page.messages)
        append_table_row(out, summary);
    out += table_footer(page.total);
    return out;
}

}  // namespace mail
