// The web inbox's pages.
#include "inbox_pages.hpp"

#include <array>
#include <cstdio>
#include <ctime>

#include "common/ascii.hpp"
#include "common/html.hpp"
#include "message_json.hpp"

namespace mail {
namespace {

using net::html_escape;

// The top of every page; `title` is escaped here.
std::string page_start(std::string_view title, std::string_view body_attributes) {
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + html_escape(title) + "</title>\n";
    out += "<link rel=\"stylesheet\" href=\"/inbox.css\">\n";
    out += "<script src=\"/inbox.js\" defer></script></head>\n";
    out += "<body" + std::string(body_attributes) + ">\n";
    out += "<header><a class=\"home\" href=\"/\">Inbox</a>\n";
    return out;
}

std::string address_text(const mime::Address& address) {
    return address.name.empty() ? address.address : address.name;
}

std::string addresses_text(const std::vector<mime::Address>& addresses) {
    std::string out;
    for (const auto& address : addresses) {
        if (!out.empty()) out += ", ";
        out += mime::format_address(address);
    }
    return out;
}

void append_row(std::string& out, const Summary& summary) {
    out += "<tr data-id=\"" + html_escape(summary.id) + "\">";
    out += "<td class=\"time\">" + html_escape(format_time(summary.received)) + "</td>";
    out += "<td class=\"from\" title=\"" + html_escape(summary.from.address) + "\">" +
           html_escape(address_text(summary.from)) + "</td>";
    out += "<td class=\"to\">" + html_escape(addresses_text(summary.to)) + "</td>";
    out += "<td class=\"subject\"><a href=\"/message/" + html_escape(summary.id) + "\">" +
           html_escape(summary.subject.empty() ? "(no subject)" : summary.subject) + "</a></td>";
    out += "<td class=\"size\">" + html_escape(format_size(summary.size)) + "</td>";
    out += "<td class=\"attachment\">";
    out += summary.attachments ? "<span title=\"attachments\">&#128206;</span>" : "";
    out += "</td></tr>\n";
}

std::string page_link(std::string_view query, std::size_t start, std::string_view label) {
    std::string href = "/?start=" + std::to_string(start);
    if (!query.empty()) href += "&q=" + form_encode(query);
    return "<a href=\"" + html_escape(href) + "\">" + std::string(label) + "</a>";
}

void append_field_row(std::string& out, std::string_view name, std::string_view value) {
    out += "<tr><th>" + html_escape(name) + "</th><td>" + html_escape(value) + "</td></tr>\n";
}

}  // namespace

std::string format_size(std::uint64_t bytes) {
    std::array<char, 32> text{};
    if (bytes < 1024) {
        std::snprintf(text.data(), text.size(), "%llu B", static_cast<unsigned long long>(bytes));
    } else if (bytes < 1024 * 1024) {
        std::snprintf(text.data(), text.size(), "%.1f KiB", static_cast<double>(bytes) / 1024);
    } else {
        std::snprintf(text.data(), text.size(), "%.1f MiB",
                      static_cast<double>(bytes) / (1024.0 * 1024.0));
    }
    return text.data();
}

std::string format_time(std::int64_t when) {
    const auto seconds = static_cast<std::time_t>(when);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S", &utc);
    return text.data();
}

std::string form_encode(std::string_view text) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            out += c;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        }
    }
    return out;
}

std::string list_page(const MailIndex::Page& page, std::string_view query, std::size_t page_size) {
    // Live updates only where a new message belongs: the first page of the whole list.
    const bool live = query.empty() && page.start == 0;
    std::string out = page_start("Inbox", live ? " data-live=\"1\"" : "");
    out += "<form method=\"get\" action=\"/\" role=\"search\">";
    out += "<input type=\"search\" name=\"q\" value=\"" + html_escape(query) +
           "\" placeholder=\"Search From, To, Subject\" aria-label=\"Search\">";
    out += "<button type=\"submit\">Search</button></form></header>\n<main>\n";
    out += "<p class=\"count\"><span id=\"total\">" + std::to_string(page.total) + "</span> " +
           (query.empty() ? "messages" : "messages match") + "</p>\n";
    out +=
        "<table id=\"messages\"><thead><tr><th>Received (UTC)</th><th>From</th><th>To</th>"
        "<th>Subject</th><th>Size</th><th></th></tr></thead>\n<tbody>\n";
    for (const auto& summary : page.messages)
        append_row(out, summary);
    out += "</tbody></table>\n<nav>";
    if (page.start > 0) {
        out +=
            page_link(query, page.start > page_size ? page.start - page_size : 0, "&larr; Newer");
    }
    if (page.start + page.messages.size() < page.total) {
        out += " " + page_link(query, page.start + page.messages.size(), "Older &rarr;");
    }
    out += "</nav>\n</main></body></html>\n";
    return out;
}

std::string message_page(const Summary& summary, std::string_view raw,
                         const mime::Message& message) {
    const std::string id = html_escape(summary.id);
    std::string out = page_start(summary.subject.empty() ? "(no subject)" : summary.subject, "");
    out += "<a href=\"/api/v1/message/" + id + "/raw\">Raw source</a></header>\n<main>\n";
    out += "<h1>" + html_escape(summary.subject.empty() ? "(no subject)" : summary.subject) +
           "</h1>\n";

    out += "<h2>Envelope</h2>\n<table class=\"fields envelope\">\n";
    for (const auto& field : message.head.fields) {
        if (net::iequals(field.name, "Return-Path") || net::iequals(field.name, "Received")) {
            append_field_row(out, field.name, field.value);
        }
    }
    append_field_row(out, "Stored", format_time(summary.received) + " UTC");
    append_field_row(out, "Size", format_size(summary.size));
    out += "</table>\n";

    out += "<h2>Header</h2>\n<table class=\"fields header\">\n";
    for (const auto& field : message.head.fields) {
        append_field_row(out, field.name, mime::decode_words(field.value));
    }
    out += "</table>\n";

    if (message.html) {
        // Sandboxed with no permissions: no script, no forms, no plugins, an opaque origin.
        // /view/ID/html adds a CSP that lets nothing be fetched.
        out += "<h2>HTML</h2>\n<iframe class=\"html\" sandbox src=\"/view/" + id +
               "/html\" title=\"The message's HTML part\"></iframe>\n";
    }
    if (message.text) {
        out += "<h2>Text</h2>\n<pre class=\"text\">" +
               html_escape(mime::decode_text(raw, message.parts[*message.text])) + "</pre>\n";
    }

    const PartListing listing = list_parts(message);
    if (!listing.attachments.empty() || !listing.inline_parts.empty()) {
        out += "<h2>Attachments</h2>\n<ul class=\"attachments\">\n";
        for (const auto* list : {&listing.attachments, &listing.inline_parts}) {
            for (const mime::Part* part : *list) {
                const std::string name =
                    part->filename.empty() ? "part " + part->id : part->filename;
                out += "<li><a href=\"/api/v1/message/" + id + "/part/" + html_escape(part->id) +
                       "\">" + html_escape(name) + "</a> <span class=\"type\">" +
                       html_escape(part->content_type) + ", " +
                       html_escape(format_size(mime::decode_content(raw, *part).size())) +
                       "</span></li>\n";
            }
        }
        out += "</ul>\n";
    }
    out += "</main></body></html>\n";
    return out;
}

std::string_view inbox_script() {
    return R"JS(// The inbox list's live updates: each message the server stores arrives as an event and
// becomes the list's first row. Text goes in through textContent only, never as HTML.
"use strict";
(function () {
  if (document.body.dataset.live !== "1" || !window.EventSource) return;
  const rows = document.querySelector("#messages tbody");
  const total = document.getElementById("total");
  const pad = (n) => String(n).padStart(2, "0");
  const when = (iso) => {
    const d = new Date(iso);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  };
  const size = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB"
    : (n / 1048576).toFixed(1) + " MiB";
  const cell = (row, cls, text) => {
    const td = document.createElement("td");
    td.className = cls;
    td.textContent = text;
    row.appendChild(td);
    return td;
  };
  const events = new EventSource("/api/events");
  events.addEventListener("message", (event) => {
    const doc = JSON.parse(event.data);
    for (const m of doc.messages) {
      if (rows.querySelector('tr[data-id="' + CSS.escape(m.ID) + '"]')) continue;
      const row = document.createElement("tr");
      row.dataset.id = m.ID;
      cell(row, "time", when(m.Created));
      const from = cell(row, "from", m.From.Name || m.From.Address);
      from.title = m.From.Address;
      cell(row, "to", m.To.map((a) => a.Name ? a.Name + " <" + a.Address + ">" : a.Address)
        .join(", "));
      const subject = cell(row, "subject", "");
      const link = document.createElement("a");
      link.href = "/message/" + encodeURIComponent(m.ID);
      link.textContent = m.Subject || "(no subject)";
      subject.appendChild(link);
      cell(row, "size", size(m.Size));
      cell(row, "attachment", m.Attachments ? "\u{1F4CE}" : "");
      rows.insertBefore(row, rows.firstChild);
      total.textContent = String(Number(total.textContent) + 1);
    }
  });
})();
)JS";
}

std::string_view inbox_style() {
    return R"CSS(body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
header { display: flex; gap: 1em; align-items: center; padding: .5em 1em; background: #f3f3f3;
  border-bottom: 1px solid #ddd; }
header .home { font-weight: bold; font-size: 1.2em; text-decoration: none; color: inherit; }
main { padding: 0 1em 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #eee; vertical-align: top; }
#messages td.size, #messages td.time { white-space: nowrap; }
table.fields th { width: 12em; color: #555; font-weight: normal; }
table.fields td { word-break: break-word; white-space: pre-wrap; }
pre.text { white-space: pre-wrap; background: #fafafa; padding: 1em; border: 1px solid #eee; }
iframe.html { width: 100%; height: 30em; border: 1px solid #ddd; }
nav { margin-top: 1em; }
.type { color: #777; }
)CSS";
}

}  // namespace mail
