// Reply lines to replies, EHLO keywords to Extensions, a message to DATA's bytes.
#include "mail_client/smtp_wire.hpp"

#include <charconv>
#include <utility>

#include "common/ascii.hpp"

namespace mail_client {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "250-text" -> code 250, more lines follow, "text". Throws on anything else.
struct ReplyLine {
    int code;
    bool last;
    std::string_view text;
};

ReplyLine parse_reply_line(std::string_view line) {
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
        line[0] < '2' || line[0] > '5' || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        throw ProtocolError("not an SMTP reply line: \"" + std::string(line.substr(0, 80)) + "\"");
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    const bool last = line.size() == 3 || line[3] == ' ';
    return {code, last, line.size() > 4 ? line.substr(4) : std::string_view{}};
}

}  // namespace

std::string Reply::summary() const {
    std::string text = std::to_string(code);
    if (!lines.empty() && !lines.back().empty()) {
        text += ' ';
        text += lines.back();
    }
    return text;
}

std::vector<Reply> ReplyReader::feed(std::string_view bytes) {
    std::vector<Reply> replies;
    pending_.append(bytes);
    std::size_t start = 0;
    while (true) {
        const auto lf = pending_.find('\n', start);
        if (lf == std::string::npos) break;
        std::string_view line(pending_.data() + start, lf - start);
        start = lf + 1;
        if (line.ends_with('\r')) line.remove_suffix(1);  // a bare LF is tolerated
        if (line.size() > kMaxLine) throw ProtocolError("reply line over 4096 octets");
        const auto parsed = parse_reply_line(line);
        if (!current_.lines.empty() && parsed.code != current_.code) {
            throw ProtocolError("reply code changed from " + std::to_string(current_.code) +
                                " to " + std::to_string(parsed.code) + " within one reply");
        }
        current_.code = parsed.code;
        current_.lines.emplace_back(parsed.text);
        if (current_.lines.size() > kMaxLines) throw ProtocolError("reply of over 100 lines");
        if (parsed.last) replies.push_back(std::exchange(current_, {}));
    }
    pending_.erase(0, start);
    if (pending_.size() > kMaxLine) throw ProtocolError("reply line over 4096 octets");
    return replies;
}

Extensions parse_extensions(const Reply& ehlo) {
    Extensions offered;
    for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
        std::string_view line = ehlo.lines[i];
        const auto space = line.find(' ');
        const auto keyword = line.substr(0, space);
        const auto params =
            space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
        if (net::iequals(keyword, "STARTTLS")) {
            offered.starttls = true;
        } else if (net::iequals(keyword, "8BITMIME")) {
            offered.eight_bit_mime = true;
        } else if (net::iequals(keyword, "PIPELINING")) {
            offered.pipelining = true;
        } else if (net::iequals(keyword, "SMTPUTF8")) {
            offered.smtputf8 = true;
        } else if (net::iequals(keyword, "SIZE")) {
            offered.size_offered = true;
            std::uint64_t size = 0;
            const auto [end, error] =
                std::from_chars(params.data(), params.data() + params.size(), size);
            if (error == std::errc{} && end == params.data() + params.size()) {
                offered.max_size = size;
            }
        } else if (net::iequals(keyword, "AUTH")) {
            std::size_t at = 0;
            while (at < params.size()) {
                auto next = params.find(' ', at);
                if (next == std::string_view::npos) next = params.size();
                const auto mechanism = params.substr(at, next - at);
                if (net::iequals(mechanism, "PLAIN")) offered.auth_plain = true;
                if (net::iequals(mechanism, "LOGIN")) offered.auth_login = true;
                at = next + 1;
            }
        }
    }
    return offered;
}

std::string data_for_wire(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 64 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        const char c = message[i];
        if (line_start && c == '.') out += '.';
        line_start = false;
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
            out += "\r\n";
            line_start = true;
        } else {
            out += c;
        }
    }
    if (!line_start) out += "\r\n";
    out += ".\r\n";
    return out;
}

}  // namespace mail_client
