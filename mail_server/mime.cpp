// The MIME reader's structure: the header block, the tree of parts (RFC 2046 5.1) walked
// without recursion, and each part's content with its transfer encoding undone (RFC 2045 6).
// Mail is untrusted and read on event-loop threads: the walk is bounded in depth and parts, and
// each level of nesting reads its bytes once, so the work is at most kMaxDepth passes.
#include <algorithm>
#include <cstdint>

#include "common/ascii.hpp"
#include "mime.hpp"
#include "mime_detail.hpp"

namespace mail::mime {
namespace {

// Multiparts nested deeper than this are shown raw (real mail nests 3 or 4 deep).
constexpr int kMaxDepth = 16;
// Parts (leaves and multiparts) read from one message; later ones are left out of the tree.
constexpr std::size_t kMaxParts = 1000;
// RFC 2046 5.1.1 allows 70; longer boundaries are refused (the multipart is shown raw).
constexpr std::size_t kMaxBoundary = 200;

// The line starting at `pos` in `text`, without its line end, and where the next one starts.
struct Line {
    std::string_view text;
    std::size_t next = 0;
};
Line line_at(std::string_view text, std::size_t pos) {
    const std::size_t newline = text.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return {line, newline == std::string_view::npos ? text.size() : newline + 1};
}

// RFC 5322 3.6.8: a field name is printable ASCII but ':'. Obsolete syntax (4.5) allows
// whitespace before the colon. Returns where the value starts, or 0 when `line` is no field.
std::size_t field_value_start(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] > ' ' && line[i] < 0x7F && line[i] != ':')
        ++i;
    if (i == 0) return 0;
    std::size_t colon = i;
    while (colon < line.size() && (line[colon] == ' ' || line[colon] == '\t'))
        ++colon;
    if (colon >= line.size() || line[colon] != ':') return 0;
    return colon + 1;
}

// A part of the tree still to be read: its bytes (head and body) in the message.
struct Node {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string id;  // "" for the message itself, else "1", "2.1"...
    int depth = 0;
    bool digest_child = false;  // in multipart/digest the default type is message/rfc822
};

// The parts of a multipart body [begin, end): the ranges between its delimiter lines
// ("--boundary", RFC 2046 5.1.1), the line break before each delimiter belonging to it.
// Lenient like most readers: whitespace may follow a delimiter, and a missing close delimiter
// ends the last part at the end of the body. Empty when no delimiter is found. At most
// `max_parts` are read (the rest of the body is not looked at).
std::vector<std::pair<std::size_t, std::size_t>> split_multipart(std::string_view message,
                                                                 std::size_t begin, std::size_t end,
                                                                 std::string_view boundary,
                                                                 std::size_t max_parts) {
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    const std::string_view scope = message.substr(0, end);
    bool in_part = false;
    std::size_t part_start = begin;
    std::size_t pos = begin;
    while (pos < end) {
        const Line line = line_at(scope, pos);
        std::string_view rest = line.text;
        if (rest.size() >= 2 + boundary.size() && rest.starts_with("--") &&
            rest.substr(2, boundary.size()) == boundary) {
            rest.remove_prefix(2 + boundary.size());
            const bool closing = rest.starts_with("--");
            if (closing) rest.remove_prefix(2);
            if (detail::trimmed(rest).empty()) {
                if (in_part) {
                    std::size_t part_end = pos;
                    if (part_end > part_start && message[part_end - 1] == '\n') --part_end;
                    if (part_end > part_start && message[part_end - 1] == '\r') --part_end;
                    parts.emplace_back(part_start, part_end);
                }
                if (closing || parts.size() == max_parts) return parts;
                in_part = true;
                part_start = line.next;
            }
        }
        pos = line.next;
    }
    if (in_part) parts.emplace_back(part_start, end);
    return parts;
}

std::string_view field_or_empty(const Head& head, std::string_view name) {
    const std::string* value = find_field(head.fields, name);
    return value ? std::string_view(*value) : std::string_view();
}

// The leaf `node` with head `head`, as a Part.
Part leaf(const Node& node, const Head& head, const HeaderValue& type) {
    Part part;
    part.id = node.id.empty() ? "1" : node.id;
    part.offset = node.begin + head.body_offset;
    part.length = node.end - part.offset;
    part.content_type = type.value;
    part.charset = detail::lower_cased(detail::trimmed(type.parameter("charset")));
    const std::string_view disposition_field = field_or_empty(head, "Content-Disposition");
    const HeaderValue disposition = parse_header_value(disposition_field);
    // RFC 2183 2.8: an unknown disposition type is treated as attachment.
    if (disposition.value == "inline" || disposition.value == "attachment")
        part.disposition = disposition.value;
    else if (!disposition.value.empty())
        part.disposition = "attachment";
    part.filename = disposition.parameter("filename");
    if (part.filename.empty()) part.filename = type.parameter("name");
    std::string_view id = detail::trimmed(field_or_empty(head, "Content-ID"));
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    part.content_id = detail::raw_to_utf8(id);
    part.transfer_encoding =
        parse_header_value(field_or_empty(head, "Content-Transfer-Encoding")).value;
    return part;
}

// A part shown as it is: its body's bytes, as text/plain of no declared charset.
Part raw_leaf(const Node& node, const Head& head) {
    Part part;
    part.id = node.id.empty() ? "1" : node.id;
    part.offset = node.begin + head.body_offset;
    part.length = node.end - part.offset;
    part.malformed = true;
    return part;
}

// A part a reader shows as the message's text or HTML: inline, or without a file name.
bool is_body_candidate(const Part& part) {
    return part.disposition != "attachment" &&
           (part.filename.empty() || part.disposition == "inline");
}

// RFC 2045 6.7 with its rule (3): whitespace at a line's end is dropped, '=' at a line's end
// is a soft line break; "=XX" is a byte (either case), any other '=' is kept as it is.
std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t newline = text.find('\n', pos);
        const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
        std::string_view line = text.substr(pos, end - pos);
        std::string_view line_end = text.substr(end, newline == std::string_view::npos ? 0 : 1);
        if (!line.empty() && line.back() == '\r' && !line_end.empty()) {
            line.remove_suffix(1);
            line_end = text.substr(end - 1, 2);
        }
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        const bool soft = !line.empty() && line.back() == '=';
        if (soft) line.remove_suffix(1);
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '=' && i + 2 < line.size() && net::hex_digit_value(line[i + 1]) >= 0 &&
                net::hex_digit_value(line[i + 2]) >= 0) {
                out += static_cast<char>(net::hex_digit_value(line[i + 1]) * 16 +
                                         net::hex_digit_value(line[i + 2]));
                i += 2;
            } else {
                out += line[i];
            }
        }
        if (!soft) out += line_end;
        pos = newline == std::string_view::npos ? text.size() : newline + 1;
    }
    return out;
}

// The header block of `text` from `pos` (see parse_head).
Head read_head(std::string_view message, std::size_t pos) {
    Head head;
    while (pos < message.size()) {
        const Line line = line_at(message, pos);
        if (line.text.empty()) {
            pos = line.next;
            break;
        }
        if (line.text.front() == ' ' || line.text.front() == '\t') {
            if (head.fields.empty()) break;  // a continuation of nothing: the body starts here
            head.fields.back().value += line.text;  // unfolding drops only the line break
        } else {
            const std::size_t value_start = field_value_start(line.text);
            if (value_start == 0) break;  // not a field: the body starts here
            head.fields.push_back(Field{std::string(line.text.substr(0, value_start - 1)),
                                        std::string(line.text.substr(value_start))});
            std::string& name = head.fields.back().name;
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
                name.pop_back();
        }
        pos = line.next;
    }
    head.body_offset = pos;
    for (Field& field : head.fields)
        field.value = std::string(detail::trimmed(field.value));
    return head;
}

}  // namespace

namespace detail {

std::string decode_base64(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t group = 0;
    int count = 0;
    for (const char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z')
            value = c - 'A';
        else if (c >= 'a' && c <= 'z')
            value = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            value = c - '0' + 52;
        else if (c == '+')
            value = 62;
        else if (c == '/')
            value = 63;
        else if (is_space(c))
            continue;
        if (value < 0) break;
        group = (group << 6) | static_cast<std::uint32_t>(value);
        if (++count == 4) {
            out += static_cast<char>((group >> 16) & 0xFF);
            out += static_cast<char>((group >> 8) & 0xFF);
            out += static_cast<char>(group & 0xFF);
            group = 0;
            count = 0;
        }
    }
    if (count == 2) {
        out += static_cast<char>((group >> 4) & 0xFF);
    } else if (count == 3) {
        out += static_cast<char>((group >> 10) & 0xFF);
        out += static_cast<char>((group >> 2) & 0xFF);
    }
    return out;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string lower_cased(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = net::to_lower_ascii(c);
    return out;
}

}  // namespace detail

Head parse_head(std::string_view message) {
    // An mbox separator ("From sender date") before the fields is not part of the message.
    return read_head(message, message.starts_with("From ") ? line_at(message, 0).next : 0);
}

const std::string* find_field(const std::vector<Field>& fields, std::string_view name) {
    for (const Field& field : fields)
        if (net::iequals(field.name, name)) return &field.value;
    return nullptr;
}

Message parse_message(std::string_view message) {
    Message result;
    result.head = parse_head(message);

    // Depth first, children in order: a stack of nodes still to read, the next one on top.
    std::vector<Node> pending{Node{0, message.size(), "", 0, false}};
    std::size_t nodes = 1;
    while (!pending.empty()) {
        const Node node = std::move(pending.back());
        pending.pop_back();
        const Head head = node.id.empty()
                              ? result.head
                              : read_head(message.substr(node.begin, node.end - node.begin), 0);
        const std::string* type_field = find_field(head.fields, "Content-Type");
        HeaderValue type = type_field ? parse_header_value(*type_field) : HeaderValue{};
        // RFC 2045 5.2 and 2046 5.1.5: the defaults; an invalid type is read as the default.
        const std::size_t slash = type.value.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == type.value.size()) {
            type.value = node.digest_child ? "message/rfc822" : "text/plain";
        }
        if (!type.value.starts_with("multipart/")) {
            result.parts.push_back(leaf(node, head, type));
            continue;
        }
        const std::string boundary = type.parameter("boundary");
        const std::size_t body = node.begin + head.body_offset;
        std::vector<std::pair<std::size_t, std::size_t>> children;
        if (!boundary.empty() && boundary.size() <= kMaxBoundary && node.depth < kMaxDepth &&
            nodes < kMaxParts)
            children = split_multipart(message, body, node.end, boundary, kMaxParts - nodes);
        if (children.empty()) {
            result.parts.push_back(raw_leaf(node, head));
            continue;
        }
        nodes += children.size();
        const bool digest = type.value == "multipart/digest";
        for (std::size_t k = children.size(); k-- > 0;) {
            const std::string number = std::to_string(k + 1);
            pending.push_back(Node{children[k].first, children[k].second,
                                   node.id.empty() ? number : node.id + "." + number,
                                   node.depth + 1, digest});
        }
    }

    for (std::size_t i = 0; i < result.parts.size(); ++i) {
        const Part& part = result.parts[i];
        if (!is_body_candidate(part)) continue;
        if (!result.text && (part.content_type == "text/plain" || part.malformed))
            result.text = i;
        else if (!result.html && part.content_type == "text/html")
            result.html = i;
    }
    for (std::size_t i = 0; i < result.parts.size(); ++i) {
        Part& part = result.parts[i];
        const bool shown_as_body = result.text == i || result.html == i;
        part.attachment =
            part.disposition == "attachment" || (!part.filename.empty() && !shown_as_body);
    }
    return result;
}

std::string decode_content(std::string_view message, const Part& part) {
    const std::size_t offset = std::min(part.offset, message.size());
    const std::string_view content = message.substr(offset, part.length);
    if (part.malformed) return std::string(content);
    if (part.transfer_encoding == "base64") return detail::decode_base64(content);
    if (part.transfer_encoding == "quoted-printable") return decode_quoted_printable(content);
    return std::string(content);
}

std::string decode_text(std::string_view message, const Part& part) {
    return to_utf8(decode_content(message, part), part.malformed ? "" : part.charset);
}

}  // namespace mail::mime
