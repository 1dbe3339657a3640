// The list of stored messages as programs and people read it: Mailpit's messages document (the
// web inbox's /api/v1/messages and /api/v1/search, and --list --json) and a table for a terminal
// (--list). Pure functions of a page of the index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail_index.hpp"

namespace mail {

// {"Name":..,"Address":..}: a mailbox as Mailpit writes it.
void append_address_json(std::string& out, const mime::Address& address);

// RFC 3339 in UTC, to the second: "2026-11-25T07:53:12Z".
std::string rfc3339_utc(std::int64_t seconds);

// One message in Mailpit's MessageSummary form: {"ID", "MessageID", "Read": true, "From":
// {"Name", "Address"}, "To": [...], "Cc": [], "Bcc": [], "ReplyTo": [], "Subject", "Created",
// "Tags": [], "Size", "Attachments": 0 or 1, "Snippet": ""}. Every message counts as read.
void append_summary_json(std::string& out, const Summary& summary);

// Mailpit's MessagesSummary document: {"total", "unread": 0, "count", "messages_count",
// "messages_unread": 0, "start", "tags": [], "messages": [...]}. "total" is `mailbox_total`
// (every message stored), "messages_count" the page's total (those the list or search holds),
// "count" how many this page shows.
std::string messages_json(const MailIndex::Page& page, std::size_t mailbox_total);
// The same for a page of the whole list (mailbox_total is page.total).
std::string messages_json(const MailIndex::Page& page);

// The parts of messages_json(), for a caller that writes a long list a page at a time: the
// document up to its messages array ("...,\"messages\":["), the summaries with ',' between
// them (append_summary_json), then kMessagesJsonEnd.
std::string messages_json_start(std::size_t mailbox_total, std::size_t count, std::size_t matching,
                                std::size_t start);
constexpr std::string_view kMessagesJsonEnd = "]}";

// The page as a table, one message a line, newest first, after a line of column names, and a
// last line counting them: received (UTC), From, Subject, size ("@" marks attachments), id.
// Text is cut to its column, control characters shown as '?' so no byte of a message can
// command the terminal.
std::string messages_table(const MailIndex::Page& page);
// Its parts, for a caller that writes a long list a page at a time.
std::string table_header();
void append_table_row(std::string& out, const Summary& summary);
std::string table_footer(std::size_t total);

}  // namespace mail
