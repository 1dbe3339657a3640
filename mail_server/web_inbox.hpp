// WebInbox: the web inbox's requests and answers, without sockets. A parsed request in, a
// response out: the list and message pages, their script and style, the message's HTML in a
// sandbox, the Mailpit-style JSON API, and the head of the event stream (whose events the
// socket side writes). Read-only: nothing a request says changes the store. Ids from a request
// are checked with is_message_id() and then looked up in the index; no path is ever built from
// request text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_request.hpp"
#include "common/http_server_response.hpp"
#include "mail_index.hpp"

namespace mail {

// Messages on a list page, and the default `limit` of the API (as Mailpit's).
constexpr std::size_t kInboxPageSize = 50;
// The largest `limit` the API serves in one answer; a larger one is served as this.
constexpr std::size_t kMaxApiLimit = 1000;
// The longest search query taken (bytes, decoded) -> 414 beyond.
constexpr std::size_t kMaxQueryBytes = 1024;

// The pages' policy: their own script and style only, no inline script, frames from here only.
inline constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";
// A message's own HTML: inline styles and cid:/data: images only, nothing fetched, no script;
// `sandbox` makes it an opaque origin even when opened outside its frame.
inline constexpr std::string_view kMailHtmlPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src cid: data:; sandbox";
// Downloads and raw text: nothing runs or loads even if a browser renders one.
inline constexpr std::string_view kDownloadPolicy = "default-src 'none'; sandbox";

// The path of the event stream: text/event-stream, one "message" event per new message.
inline constexpr std::string_view kEventsPath = "/api/events";

// One Server-Sent Event carrying `summary` as Mailpit's list document with that one message:
// "event: message\ndata: {...}\n\n".
std::string message_event(const Summary& summary);

// Content-Disposition for a download named `filename` (RFC 6266): an ASCII fallback in
// filename="..." and, when the name is not plain ASCII, filename*=UTF-8''percent-encoded.
std::string attachment_disposition(std::string_view filename);

// The value of the parameter `name` in the query of `target` ("/?q=a+b&start=50"), decoded;
// nullopt when absent or malformed.
std::optional<std::string> query_parameter(std::string_view target, std::string_view name);

class WebInbox {
  public:
    // `server` signs error pages ("mail_server/0.1.0"). The index must outlive this.
    WebInbox(const MailIndex& index, std::string server)
        : index_(index), server_(std::move(server)) {}

    // The answer to `request`: GET and HEAD only (405 otherwise). The event stream's answer
    // has `stream` set; its events are the caller's to write.
    [[nodiscard]] net::http::ServerResponse handle(const net::http::Request& request) const;

  private:
    [[nodiscard]] net::http::ServerResponse route(std::string_view path,
                                                  std::string_view target) const;
    [[nodiscard]] net::http::ServerResponse error(int status) const;
    [[nodiscard]] net::http::ServerResponse list_page(std::string_view target) const;
    [[nodiscard]] net::http::ServerResponse message_page(std::string_view id) const;
    [[nodiscard]] net::http::ServerResponse html_view(std::string_view id) const;
    [[nodiscard]] net::http::ServerResponse api_list(std::string_view target, bool search) const;
    [[nodiscard]] net::http::ServerResponse api_message(std::string_view rest) const;
    [[nodiscard]] std::optional<Summary> newest() const;

    const MailIndex& index_;
    std::string server_;
};

}  // namespace mail
