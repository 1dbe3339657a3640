// The JSON API's message document.
#include "message_json.hpp"

#include "common/json.hpp"
#include "common/mail_date.hpp"
#include "message_list.hpp"

namespace mail {
namespace {

void append_key(std::string& out, std::string_view key) {
    net::append_json_string(out, key);
    out += ':';
}

void append_addresses(std::string& out, const std::vector<mime::Address>& addresses) {
    out += '[';
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        if (i > 0) out += ',';
        append_address_json(out, addresses[i]);
    }
    out += ']';
}

// The addresses of the header `name`, or none.
std::vector<mime::Address> addresses_of(const mime::Message& message, std::string_view name) {
    const std::string* value = mime::find_field(message.head.fields, name);
    if (value == nullptr) return {};
    return mime::parse_addresses(*value);
}

// The address in a Return-Path field ("<a@b>" -> "a@b"; "<>" -> "").
std::string return_path(const mime::Message& message) {
    const std::string* value = mime::find_field(message.head.fields, "Return-Path");
    if (value == nullptr) return {};
    std::string_view text = *value;
    const auto open = text.find('<');
    const auto close = text.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        return std::string(text.substr(open + 1, close - open - 1));
    }
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return std::string(text);
}

void append_parts(std::string& out, std::string_view raw,
                  const std::vector<const mime::Part*>& parts) {
    out += '[';
    bool first = true;
    for (const mime::Part* part : parts) {
        if (!first) out += ',';
        first = false;
        out += '{';
        append_key(out, "PartID");
        net::append_json_string(out, part->id);
        out += ',';
        append_key(out, "FileName");
        net::append_json_string(out, part->filename);
        out += ',';
        append_key(out, "ContentType");
        net::append_json_string(out, part->content_type);
        out += ',';
        append_key(out, "ContentID");
        net::append_json_string(out, part->content_id);
        out += ',';
        append_key(out, "Size");
        out += std::to_string(mime::decode_content(raw, *part).size());
        out += '}';
    }
    out += ']';
}

}  // namespace

PartListing list_parts(const mime::Message& message) {
    PartListing listing;
    for (std::size_t i = 0; i < message.parts.size(); ++i) {
        if (i == message.text || i == message.html) continue;
        const mime::Part& part = message.parts[i];
        if (!part.attachment && !part.content_id.empty()) {
            listing.inline_parts.push_back(&part);
        } else {
            listing.attachments.push_back(&part);
        }
    }
    return listing;
}

std::string message_json(const Summary& summary, std::string_view raw,
                         const mime::Message& message) {
    std::string out;
    out.reserve(1024 + raw.size() / 2);
    out += '{';
    append_key(out, "ID");
    net::append_json_string(out, summary.id);
    out += ',';
    append_key(out, "MessageID");
    net::append_json_string(out, summary.message_id);
    out += ',';
    append_key(out, "From");
    append_address_json(out, summary.from);
    out += ',';
    append_key(out, "To");
    append_addresses(out, summary.to);
    out += ',';
    append_key(out, "Cc");
    append_addresses(out, addresses_of(message, "Cc"));
    out += ',';
    append_key(out, "Bcc");
    append_addresses(out, addresses_of(message, "Bcc"));
    out += ',';
    append_key(out, "ReplyTo");
    append_addresses(out, addresses_of(message, "Reply-To"));
    out += ',';
    append_key(out, "ReturnPath");
    net::append_json_string(out, return_path(message));
    out += ',';
    append_key(out, "Subject");
    net::append_json_string(out, summary.subject);
    out += ',';
    const std::string* unsubscribe = mime::find_field(message.head.fields, "List-Unsubscribe");
    const std::string* unsubscribe_post =
        mime::find_field(message.head.fields, "List-Unsubscribe-Post");
    append_key(out, "ListUnsubscribe");
    out += "{\"Header\":";
    net::append_json_string(out, unsubscribe != nullptr ? *unsubscribe : std::string());
    out += ",\"Links\":[],\"Errors\":\"\",\"HeaderPost\":";
    net::append_json_string(out, unsubscribe_post != nullptr ? *unsubscribe_post : std::string());
    out += "},";
    // The Date field the sender wrote, as Mailpit gives it; when it is missing or unreadable,
    // when the message was stored.
    const std::string* date = mime::find_field(message.head.fields, "Date");
    const auto sent = date != nullptr ? net::parse_mail_date(*date) : std::nullopt;
    append_key(out, "Date");
    net::append_json_string(out, rfc3339_utc(sent.value_or(summary.received)));
    out += ',';
    append_key(out, "Tags");
    out += "[],";
    append_key(out, "Text");
    net::append_json_string(
        out, message.text ? mime::decode_text(raw, message.parts[*message.text]) : std::string());
    out += ',';
    append_key(out, "HTML");
    net::append_json_string(
        out, message.html ? mime::decode_text(raw, message.parts[*message.html]) : std::string());
    out += ',';
    append_key(out, "Size");
    out += std::to_string(summary.size);
    out += ',';
    const PartListing listing = list_parts(message);
    append_key(out, "Inline");
    append_parts(out, raw, listing.inline_parts);
    out += ',';
    append_key(out, "Attachments");
    append_parts(out, raw, listing.attachments);
    out += '}';
    return out;
}

}  // namespace mail
