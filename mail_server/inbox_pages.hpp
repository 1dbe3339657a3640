// The web inbox's HTML: the list of messages and one message's page, plus the script and style
// sheet they load (served as files of their own, so the pages' CSP can forbid inline script
// and style). Every text taken from a message is HTML-escaped. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail_index.hpp"
#include "mime.hpp"

namespace mail {

// "2.1 KiB": a size as a list shows it.
std::string format_size(std::uint64_t bytes);
// "2026-12-03 22:32:24": a received time as a list shows it (UTC).
std::string format_time(std::int64_t when);
// `text` as an application/x-www-form-urlencoded value ("a b&c" -> "a+b%26c").
std::string form_encode(std::string_view text);

// The list: `page` (newest first, `page_size` a page), a search box holding `query`, links to
// the pages before and after. With no query, /inbox.js adds new messages as they arrive.
std::string list_page(const MailIndex::Page& page, std::string_view query, std::size_t page_size);

// One message: its header fields, the envelope (Return-Path and Received), the text part
// escaped, the HTML part in a sandboxed frame (/view/ID/html), the attachments' links, and a
// link to the raw source.
std::string message_page(const Summary& summary, std::string_view raw,
                         const mime::Message& message);

// /inbox.js: live updates of the list through /api/events.
std::string_view inbox_script();
// /inbox.css
std::string_view inbox_style();

}  // namespace mail
