// What a forward proxy does to HTTP messages (RFC 9110 section 7, RFC 9112 section 3.2): where a
// request goes, the head it is sent upstream with, the head its response goes back with, and
// the error pages the proxy writes itself. Pure: parsed messages in, bytes and decisions out.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/http_fields.hpp"
#include "common/http_head.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"

namespace web_proxy {

// A host and port to connect to. The host has no brackets ("::1", "example.org").
struct Destination {
    std::string host;
    std::uint16_t port = 0;
    friend bool operator==(const Destination&, const Destination&) = default;
};

// An absolute-form target "http://host[:port]/path?query" split into its parts.
struct HttpUri {
    Destination destination;
    std::string authority;    // "host" or "host:port" as written, without userinfo: the Host
    std::string origin_form;  // "/path?query" ("/" when the path is empty); no fragment
    bool bare = false;        // nothing after the authority: OPTIONS then asks for "*"
};

// nullopt unless `target` is an http:// URI with a host (scheme case-insensitive).
std::optional<HttpUri> parse_http_uri(std::string_view target);
// CONNECT's authority-form "host:port" ("[v6]:port"); the port is required and not 0.
std::optional<Destination> parse_authority(std::string_view target);

// How this proxy names itself in Via ("laptop:8888"): what loop detection looks for.
struct Identity {
    std::string received_by;
};
// The Via element this proxy adds for a message received as `version`: "1.1 laptop:8888
// (web_proxy)".
std::string via_element(const net::http::Version& version, const Identity& self);
// True when a Via of `headers` already names `self`: the request came round in a loop.
bool passed_through(const net::http::Headers& headers, const Identity& self);

// The answer the proxy gives itself, without asking any server.
struct Refusal {
    int status = 400;
    std::string detail;  // for the error page and the log
};
// CONNECT: open a tunnel to the destination.
struct Tunnel {
    Destination destination;
};
// Anything else: send `head` (and then the request's body, as framed) to the destination.
struct Forward {
    Destination destination;
    std::string head;
};
using Plan = std::variant<Refusal, Tunnel, Forward>;

// Where the proxy may go: `allowed_hosts` empty means anywhere; otherwise a destination's host
// must equal one of them (case-insensitively), or end in ".suffix" for an entry "*.suffix".
// A refused destination is never even looked up.
struct Policy {
    std::vector<std::string> allowed_hosts;
};
bool allows(const Policy& policy, const Destination& destination);

// Decides what to do with a request a client sent to the proxy.
Plan plan_request(const net::http::Request& request, const Identity& self,
                  const Policy& policy = {});

// Removes the hop-by-hop fields of RFC 9110 7.6.1 from `headers`: Connection and every field it
// names, Proxy-Connection, Keep-Alive, TE, Upgrade, Proxy-Authorization, Proxy-Authenticate.
// The framing fields (Content-Length, Transfer-Encoding) and Host stay even when Connection
// names them: dropping those would change where the message ends.
void remove_hop_by_hop(net::http::Headers& headers);

// How the response goes back to the client.
struct ClientFraming {
    bool keep_alive = true;  // the client connection stays open after this response
    bool dechunk = false;    // chunked upstream, sent to an HTTP/1.0 client as until-close
};
// Decides ClientFraming for `response` to a request from a client speaking `client_version`
// that asked for keep-alive or not.
ClientFraming client_framing(const net::http::Response& response,
                             const net::http::Version& client_version, bool client_keep_alive);
// The response head sent to the client: HTTP/1.1 status line, the server's fields without the
// hop-by-hop ones (and Transfer-Encoding when dechunking), our Via, and Connection as decided.
std::string client_response_head(const net::http::Response& response, const Identity& self,
                                 const net::http::Version& client_version,
                                 const ClientFraming& framing);

// A response the proxy writes itself, with a body: its error pages, and the pages it serves to
// requests addressed to it (status_page.hpp).
struct OwnResponse {
    int status = 200;
    std::string_view content_type{};
    std::string_view body{};
    bool keep_alive = true;
    // For a HEAD request: the head alone, Content-Length still the body's (RFC 9110 9.3.2).
    bool head_only = false;
    // Fields beyond Date, Content-Type, Content-Length and Connection ("Allow", "Cache-Control").
    net::http::Headers extra_fields{};
};
// The complete bytes of `response`, dated `now`.
std::string own_response(const OwnResponse& response, std::time_t now);

// "web_proxy/0.1.0": the foot of the proxy's pages.
const std::string& proxy_signature();

// A complete error response written by the proxy: a short HTML page saying `detail`, dated now.
std::string error_response(int status, std::string_view detail, bool keep_alive);

}  // namespace web_proxy
