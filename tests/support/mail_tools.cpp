// Finding the mail tools, and python's view of a Maildir or an mbox file.
#include "tests/support/mail_tools.hpp"

#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "common/ascii.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

// Prints every message of the mailbox as hex fields, one per line, so no byte of a header or a
// body can be mistaken for the framing:
//   count N / message KEY WHERE / header NAME VALUE ... / raw BYTES / end
constexpr std::string_view kDumpMailbox = R"py(
import mailbox, sys
kind, path = sys.argv[1], sys.argv[2]
if kind == 'maildir':
    box = mailbox.Maildir(path, factory=None, create=False)
else:
    box = mailbox.mbox(path, create=False)
def hx(text):
    if isinstance(text, bytes):
        return text.hex()
    return str(text).encode('utf-8', 'surrogateescape').hex()
keys = sorted(box.keys())
out = sys.stdout
out.write('count %d\n' % len(keys))
for key in keys:
    message = box.get_message(key)
    where = message.get_subdir() if kind == 'maildir' else message.get_from()
    out.write('message %s %s\n' % (hx(key), hx(where)))
    for name, value in message.items():
        out.write('header %s %s\n' % (hx(name), hx(value)))
    out.write('raw %s\n' % hx(box.get_bytes(key)))
    out.write('end\n')
box.close()
)py";

// "word rest" -> {"word", "rest"}.
std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return {line, {}};
    return {line.substr(0, space), line.substr(space + 1)};
}

std::string unfold(std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\r') continue;
        if (value[i] == '\n') {
            while (i + 1 < value.size() && (value[i + 1] == ' ' || value[i + 1] == '\t'))
                ++i;
            out += ' ';
            continue;
        }
        out += value[i];
    }
    return out;
}

}  // namespace

std::string system_python3() {
    constexpr const char* kSystem = "/usr/bin/python3";
    return ::access(kSystem, X_OK) == 0 ? kSystem : "python3";
}

std::string sbin_tool(std::string_view name) {
    if (!find_tool(name).empty()) return std::string(name);
    return "/usr/sbin/" + std::string(name);
}

bool swaks_has_tls(const std::string& swaks) {
    // `swaks --support` lists on stdout what works ("=== TLS supported") and on stderr what
    // does not, with the Perl module it lacks.
    const Finished support = run(swaks, {"--support"}, {}, seconds(30));
    return support.out.find("=== TLS supported") != std::string::npos;
}

std::optional<std::string> StoredMessage::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (iequals(field, name)) return unfold(value);
    }
    return std::nullopt;
}

std::size_t StoredMessage::count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(),
                      [&](const auto& field) { return iequals(field.first, name); }));
}

std::vector<StoredMessage> read_mailbox(const std::string& python, std::string_view kind,
                                        const std::filesystem::path& path) {
    const Finished dump =
        run(python, {"-c", std::string(kDumpMailbox), std::string(kind), path.string()}, {},
            seconds(60));
    if (!dump.status.ok()) {
        throw std::runtime_error("python's mailbox could not read " + path.string() + " (" +
                                 dump.status.describe() + "): " + dump.err);
    }
    std::vector<StoredMessage> messages;
    std::optional<std::size_t> count;
    std::size_t start = 0;
    const std::string& out = dump.out;
    while (start < out.size()) {
        const auto eol = out.find('\n', start);
        const std::string_view line(out.data() + start,
                                    (eol == std::string::npos ? out.size() : eol) - start);
        start = eol == std::string::npos ? out.size() : eol + 1;
        const auto [word, rest] = split_word(line);
        if (word == "count") {
            count = std::stoul(std::string(rest));
        } else if (word == "message") {
            const auto [key, where] = split_word(rest);
            StoredMessage message;
            message.key = from_hex(key);
            message.where = from_hex(where);
            messages.push_back(std::move(message));
        } else if (word == "header" && !messages.empty()) {
            const auto [name, value] = split_word(rest);
            messages.back().headers.emplace_back(from_hex(name), from_hex(value));
        } else if (word == "raw" && !messages.empty()) {
            StoredMessage& message = messages.back();
            message.raw = from_hex(rest);
            const auto blank = message.raw.find("\n\n");
            message.body = blank == std::string::npos ? "" : message.raw.substr(blank + 2);
        } else if (word != "end") {
            throw std::runtime_error("unexpected line from the mailbox dump: " + std::string(line));
        }
    }
    if (!count || *count != messages.size()) {
        throw std::runtime_error("the mailbox dump of " + path.string() + " is incomplete: " + out);
    }
    return messages;
}

std::string unix_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        out += text[i];
    }
    return out;
}

std::string crlf_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

std::string after_trace_headers(const std::string& stored) {
    std::size_t at = stored.find('\n');  // the end of Return-Path
    if (!stored.starts_with("Return-Path: ") || at == std::string::npos) return "(no Return-Path)";
    if (stored.compare(at + 1, 10, "Received: ") != 0) return "(no Received)";
    at = stored.find('\n', at + 1);
    while (at != std::string::npos && at + 1 < stored.size() && stored[at + 1] == '\t')
        at = stored.find('\n', at + 1);
    return at == std::string::npos ? "(no end of Received)" : stored.substr(at + 1);
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& directory) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string from_hex(std::string_view hex) {
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        throw std::runtime_error(std::string("not a hex digit: ") + c);
    };
    if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length");
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        bytes += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    }
    return bytes;
}

}  // namespace net::test
