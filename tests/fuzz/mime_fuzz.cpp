// libFuzzer target for mail_server's MIME reader (mail_server/mime.hpp), which reads untrusted
// mail on event-loop threads. The input is a whole message. Checks:
// - the head ends inside the message, field names are non-empty and colon-free, and no value
//   holds a line feed (unfolding removed them);
// - the tree's leaves lie inside the message, in order, at most kMaxParts of them, with ids
//   "1", "2.1"...; the text and HTML bodies chosen are leaves of those types and no attachment;
// - every decoded text, word, address and parameter is well-formed UTF-8; content decoding never
//   grows base64 or quoted-printable, and leaves other encodings as they are;
// - text that is already well-formed UTF-8 without "=?" comes out of decode_words unchanged,
//   and out of to_utf8(..., "utf-8") too;
// - a Date value that parses comes back the same through format_mail_date;
// - the HTML the inbox serves (mail_html.hpp) has no tag left that names an element reaching the
//   network, renaming twice changes nothing more, and cid: URLs nobody knows stay as written.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "common/mail_date.hpp"
#include "mail_server/mail_html.hpp"
#include "mail_server/mime.hpp"
#include "tests/fuzz/check.hpp"

namespace {

using fuzz::check;
namespace mime = mail::mime;

constexpr std::size_t kMaxParts = 1000;  // mime.cpp's bound on a message's parts

bool is_part_id(std::string_view id) {
    if (id.empty() || id.front() == '.' || id.back() == '.') return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (id[i] == '.') {
            if (id[i + 1] == '.') return false;
        } else if (id[i] < '0' || id[i] > '9') {
            return false;
        }
    }
    return true;
}

void check_value(std::string_view value) {
    if (const auto when = net::parse_mail_date(value)) {
        check(net::parse_mail_date(net::format_mail_date(*when)) == when);
    }
    check(net::is_well_formed_utf8(mime::decode_words(value)));
    if (value.find("=?") == std::string_view::npos && net::is_well_formed_utf8(value)) {
        check(mime::decode_words(value) == value);
        check(mime::to_utf8(value, "utf-8") == value);
    }
    for (const mime::Address& address : mime::parse_addresses(value)) {
        check(net::is_well_formed_utf8(address.name));
        check(net::is_well_formed_utf8(address.address));
        check(net::is_well_formed_utf8(mime::format_address(address)));
    }
    const mime::HeaderValue parsed = mime::parse_header_value(value);
    for (const char c : parsed.value)
        check(c < 'A' || c > 'Z');
    for (const auto& [name, parameter] : parsed.parameters) {
        check(!name.empty());
        if (name != "boundary") check(net::is_well_formed_utf8(parameter));
    }
}

void check_head(std::string_view message, const mime::Head& head) {
    check(head.body_offset <= message.size());
    for (const mime::Field& field : head.fields) {
        check(!field.name.empty());
        check(field.name.find(':') == std::string::npos);
        check(field.value.find('\n') == std::string::npos);
    }
}

void check_tree(std::string_view message, const mime::Message& parsed) {
    check(!parsed.parts.empty());
    check(parsed.parts.size() <= kMaxParts);
    std::size_t previous_end = 0;
    for (const mime::Part& part : parsed.parts) {
        check(is_part_id(part.id));
        check(part.offset <= message.size() && part.length <= message.size() - part.offset);
        check(part.offset >= previous_end);
        previous_end = part.offset + part.length;
        check(!part.malformed || part.content_type == "text/plain");
        check(net::is_well_formed_utf8(part.filename));
        check(net::is_well_formed_utf8(part.content_id));

        const std::string content = mime::decode_content(message, part);
        if (part.malformed) {
            check(content == message.substr(part.offset, part.length));
        } else if (part.transfer_encoding == "base64") {
            check(content.size() <= part.length / 4 * 3 + 2);
        } else if (part.transfer_encoding == "quoted-printable") {
            check(content.size() <= part.length);
        } else {
            check(content == message.substr(part.offset, part.length));
        }
        check(net::is_well_formed_utf8(mime::decode_text(message, part)));
    }
    if (parsed.text) {
        check(*parsed.text < parsed.parts.size());
        const mime::Part& text = parsed.parts[*parsed.text];
        check(text.content_type == "text/plain" && !text.attachment);
    }
    if (parsed.html) {
        check(*parsed.html < parsed.parts.size());
        const mime::Part& html = parsed.parts[*parsed.html];
        check(html.content_type == "text/html" && !html.attachment);
    }
}

}  // namespace

// Whether `html` holds "<name" or "</name" ending at a tag name's end, for a name inert_html()
// renames.
bool has_network_tag(std::string_view html) {
    for (const std::string_view name :
         {"iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe",
          "link", "meta", "base", "video", "audio", "source", "track"}) {
        for (std::size_t at = html.find('<'); at != std::string_view::npos;
             at = html.find('<', at + 1)) {
            std::size_t begin = at + 1;
            if (begin < html.size() && html[begin] == '/') ++begin;
            if (html.size() - begin < name.size() ||
                !net::iequals(html.substr(begin, name.size()), name)) {
                continue;
            }
            const std::size_t end = begin + name.size();
            if (end == html.size() ||
                std::string_view(" \t\n\r\f/>").find(html[end]) != std::string_view::npos) {
                return true;
            }
        }
    }
    return false;
}

void check_html(std::string_view html) {
    const std::string inert = mail::inert_html(html);
    check(!has_network_tag(inert));
    check(mail::inert_html(inert) == inert);
    const auto nobody = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    check(mail::inline_cid_images(html, nobody) == html);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view message(reinterpret_cast<const char*>(data), size);
    const mime::Head head = mime::parse_head(message);
    check_head(message, head);
    for (const mime::Field& field : head.fields)
        check_value(field.value);
    check_value(message.substr(0, 1024));

    const mime::Message parsed = mime::parse_message(message);
    check(parsed.head.fields.size() == head.fields.size());
    check(parsed.head.body_offset == head.body_offset);
    check_tree(message, parsed);
    check_html(message);

    for (const char* charset :
         {"utf-8", "us-ascii", "iso-8859-1", "iso-8859-15", "windows-1252", "", "x-unknown"}) {
        const std::string text = mime::to_utf8(message, charset);
        check(net::is_well_formed_utf8(text));
        check(text.size() <= 3 * message.size());
    }
    return 0;
}
