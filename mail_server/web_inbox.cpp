// The web inbox's routing: which page or document a request gets.
#include "web_inbox.hpp"

#include <charconv>
#include <optional>

#include "common/base64.hpp"
#include "common/http_fields.hpp"
#include "common/percent_encoding.hpp"
#include "inbox_pages.hpp"
#include "mail_html.hpp"
#include "message_json.hpp"
#include "message_list.hpp"
#include "mime.hpp"

namespace mail {
namespace {

using net::http::ServerResponse;

// A PartID as Mailpit writes them ("1", "2.1"): numbers joined by single dots, this long at
// most -> 400.
constexpr std::size_t kMaxPartIdBytes = 64;
// The id Mailpit's API takes for the newest message.
constexpr std::string_view kLatest = "latest";

bool is_part_id(std::string_view text) {
    if (text.empty() || text.size() > kMaxPartIdBytes) return false;
    bool digit_before = false;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            digit_before = true;
        } else if (c == '.' && digit_before) {
            digit_before = false;
        } else {
            return false;
        }
    }
    return digit_before;
}

// The headers every answer carries: no sniffing a type other than the one given, no Referer
// to links followed from a message, nothing cached (the inbox changes as mail arrives).
void add_common_headers(ServerResponse& response, std::string_view policy) {
    response.add("X-Content-Type-Options", "nosniff");
    response.add("Referrer-Policy", "no-referrer");
    response.add("Cache-Control", "no-store");
    response.add("Content-Security-Policy", std::string(policy));
}

ServerResponse ok(std::string body, std::string_view type, std::string_view policy) {
    ServerResponse response;
    response.body = std::move(body);
    response.add("Content-Type", std::string(type));
    add_common_headers(response, policy);
    return response;
}

// A non-negative decimal number; nullopt for anything else (sign, spaces, overflow).
std::optional<std::size_t> parse_count(std::string_view text) {
    std::size_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

// The query parameter `name` as a count, `fallback` when absent; nullopt when malformed.
std::optional<std::size_t> count_parameter(std::string_view target, std::string_view name,
                                           std::size_t fallback) {
    const auto text = query_parameter(target, name);
    if (!text) return fallback;
    return parse_count(*text);
}

// A part's Content-Type as sent: type/subtype when both are tokens (and a charset that is one
// too), else application/octet-stream.
std::string download_type(const mime::Part& part) {
    const auto slash = part.content_type.find('/');
    if (slash == std::string::npos || !net::http::is_token(part.content_type.substr(0, slash)) ||
        !net::http::is_token(part.content_type.substr(slash + 1))) {
        return "application/octet-stream";
    }
    std::string type = part.content_type;
    if (!part.charset.empty() && net::http::is_token(part.charset)) {
        type += "; charset=" + part.charset;
    }
    return type;
}

}  // namespace

std::string message_event(const Summary& summary) {
    MailIndex::Page page;
    page.total = 1;
    page.messages.push_back(summary);
    return "event: message\ndata: " + messages_json(page) + "\n\n";
}

std::string attachment_disposition(std::string_view filename) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string fallback;
    std::string encoded;
    bool ascii = true;
    for (const char c : filename) {
        const auto byte = static_cast<unsigned char>(c);
        const bool printable = byte >= 0x20 && byte < 0x7F;
        if (!printable) ascii = false;
        // The quoted fallback: printable ASCII but the quote and backslash, '_' for the rest.
        fallback += (printable && c != '"' && c != '\\') ? c : '_';
        // RFC 8187 attr-char: ALPHA DIGIT and !#$&+-.^_`|~, the rest percent-encoded.
        const bool attr = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') ||
                          std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
        if (attr) {
            encoded += c;
        } else {
            encoded += '%';
            encoded += kHex[byte >> 4];
            encoded += kHex[byte & 0xF];
        }
    }
    if (fallback.empty()) return "attachment";
    std::string value = "attachment; filename=\"" + fallback + "\"";
    if (!ascii || fallback != filename) value += "; filename*=UTF-8''" + encoded;
    return value;
}

std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(question + 1);
    query = query.substr(0, query.find('#'));
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto equals = pair.find('=');
        // Form encoding (what a search box sends): '+' is a space.
        const auto key = net::percent_decode(pair.substr(0, equals), true);
        if (!key || *key != name) continue;
        return net::percent_decode(
            equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
    }
    return std::nullopt;
}

ServerResponse WebInbox::handle(const net::http::Request& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        ServerResponse response = error(405);
        response.add("Allow", "GET, HEAD");
        return response;
    }
    const std::string_view target = request.target;
    if (target.empty() || target.front() != '/') return error(400);
    const std::string_view path = target.substr(0, target.find_first_of("?#"));
    return route(path, target);
}

ServerResponse WebInbox::route(std::string_view path, std::string_view target) const {
    if (path == "/") return list_page(target);
    if (path == "/inbox.js") {
        return ok(std::string(inbox_script()), "text/javascript; charset=utf-8", kPagePolicy);
    }
    if (path == "/inbox.css") {
        return ok(std::string(inbox_style()), "text/css; charset=utf-8", kPagePolicy);
    }
    if (path == kEventsPath) {
        ServerResponse response;
        response.stream = true;
        response.add("Content-Type", "text/event-stream");
        add_common_headers(response, kDownloadPolicy);
        return response;
    }
    if (path == "/api/v1/messages") return api_list(target, false);
    if (path == "/api/v1/search") return api_list(target, true);

    constexpr std::string_view kMessage = "/message/";
    constexpr std::string_view kView = "/view/";
    constexpr std::string_view kApiMessage = "/api/v1/message/";
    if (path.starts_with(kMessage)) return message_page(path.substr(kMessage.size()));
    if (path.starts_with(kView) && path.ends_with("/html")) {
        return html_view(path.substr(kView.size(), path.size() - kView.size() - 5));
    }
    if (path.starts_with(kApiMessage)) return api_message(path.substr(kApiMessage.size()));
    return error(404);
}

ServerResponse WebInbox::error(int status) const {
    ServerResponse response = net::http::error_response(status, server_);
    add_common_headers(response, kPagePolicy);
    return response;
}

ServerResponse WebInbox::list_page(std::string_view target) const {
    const auto query = query_parameter(target, "q").value_or("");
    if (query.size() > kMaxQueryBytes) return error(414);
    const auto start = count_parameter(target, "start", 0);
    if (!start) return error(400);
    const auto page = query.empty() ? index_.list(*start, kInboxPageSize)
                                    : index_.search(query, *start, kInboxPageSize);
    return ok(mail::list_page(page, query, kInboxPageSize), "text/html; charset=utf-8",
              kPagePolicy);
}

ServerResponse WebInbox::message_page(std::string_view id) const {
    if (!is_message_id(id)) return error(400);
    const auto summary = index_.find(id);
    if (!summary) return error(404);
    const auto raw = index_.read(id);
    if (!raw) return error(404);
    return ok(mail::message_page(*summary, *raw, mime::parse_message(*raw)),
              "text/html; charset=utf-8", kPagePolicy);
}

ServerResponse WebInbox::html_view(std::string_view id) const {
    if (!is_message_id(id)) return error(400);
    const auto raw = index_.read(id);
    if (!raw) return error(404);
    const mime::Message message = mime::parse_message(*raw);
    if (!message.html) return error(404);
    // Images the mail carries (cid:) become data: URLs, the one kind the view's policy loads.
    const auto image = [&](std::string_view content_id) -> std::optional<std::string> {
        for (const auto& part : message.parts) {
            if (part.content_id != content_id || !part.content_type.starts_with("image/") ||
                !net::http::is_token(part.content_type.substr(6))) {
                continue;
            }
            return "data:" + part.content_type + ";base64," +
                   net::base64_encode(mime::decode_content(*raw, part));
        }
        return std::nullopt;
    };
    const auto html = mime::decode_text(*raw, message.parts[*message.html]);
    auto response =
        ok(inert_html(inline_cid_images(html, image)), "text/html; charset=utf-8", kMailHtmlPolicy);
    // Chromium resolves the hosts of links ahead of a click unless told not to.
    response.add("X-DNS-Prefetch-Control", "off");
    return response;
}

ServerResponse WebInbox::api_list(std::string_view target, bool search) const {
    const auto start = count_parameter(target, "start", 0);
    const auto limit = count_parameter(target, "limit", kInboxPageSize);
    if (!start || !limit) return error(400);
    const std::size_t capped = std::min(*limit, kMaxApiLimit);
    MailIndex::Page page;
    if (search) {
        const auto query = query_parameter(target, "query");
        if (!query) return error(400);
        if (query->size() > kMaxQueryBytes) return error(414);
        page = index_.search(*query, *start, capped);
    } else {
        page = index_.list(*start, capped);
    }
    // "total" is the whole mailbox, "messages_count" what the list or search holds.
    return ok(messages_json(page, index_.size()), "application/json", kDownloadPolicy);
}

// /api/v1/message/ID, ID/raw, ID/part/PART
std::optional<Summary> WebInbox::newest() const {
    auto page = index_.list(0, 1);
    if (page.messages.empty()) return std::nullopt;
    return std::move(page.messages.front());
}

ServerResponse WebInbox::api_message(std::string_view rest) const {
    const auto slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view tail =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    constexpr std::string_view kPart = "/part/";
    const bool raw_wanted = tail == "/raw";
    const bool part_wanted = tail.starts_with(kPart);
    if (!tail.empty() && !raw_wanted && !part_wanted) return error(404);
    if (!is_message_id(id)) return error(400);
    if (part_wanted && !is_part_id(tail.substr(kPart.size()))) return error(400);

    // Mailpit's "latest" names the newest message (no id of ours is spelt so).
    auto summary = id == kLatest ? newest() : index_.find(id);
    if (!summary) return error(404);
    auto raw = index_.read(summary->id);
    if (!raw) return error(404);
    if (raw_wanted) return ok(std::move(*raw), "text/plain; charset=utf-8", kDownloadPolicy);

    const mime::Message message = mime::parse_message(*raw);
    if (!part_wanted) {
        return ok(message_json(*summary, *raw, message), "application/json", kDownloadPolicy);
    }
    const std::string_view part_id = tail.substr(kPart.size());
    for (const auto& part : message.parts) {
        if (part.id != part_id) continue;
        ServerResponse response =
            ok(mime::decode_content(*raw, part), download_type(part), kDownloadPolicy);
        response.add(
            "Content-Disposition",
            attachment_disposition(part.filename.empty() ? "part-" + part.id : part.filename));
        return response;
    }
    return error(404);
}

}  // namespace mail
