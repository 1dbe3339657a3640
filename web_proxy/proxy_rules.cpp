// Forward-proxy message rules: targets, hop-by-hop fields, Via, framing, error pages.
#include "proxy_rules.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <vector>

#include "common/address.hpp"
#include "common/ascii.hpp"
#include "common/html.hpp"
#include "common/http_date.hpp"
#include "common/http_reuse.hpp"
#include "common/http_status.hpp"
#include "version.hpp"

namespace web_proxy {
namespace {

using net::iequals;
using net::http::Headers;
using net::http::Request;
using net::http::Response;
using net::http::Version;

// A host as the URI or CONNECT gave it, split from its port: a reg-name or an IPv4 or
// [IPv6] literal. nullopt for an empty or malformed one.
std::optional<Destination> split_destination(std::string_view authority,
                                             std::uint16_t default_port) {
    if (authority.empty()) return std::nullopt;
    // An IPv6 literal must be bracketed in a URI: a bare "::1" is not an authority.
    if (authority.front() != '[' && authority.find(':') != authority.rfind(':')) {
        return std::nullopt;
    }
    const auto parts = net::split_host_port(authority);
    if (!parts || parts->host.empty()) return std::nullopt;
    std::uint16_t port = default_port;
    if (!parts->port.empty()) {
        const auto parsed = net::parse_port(parts->port);
        if (!parsed || *parsed == 0) return std::nullopt;
        port = *parsed;
    }
    // reg-name characters (RFC 3986 3.2.2), or a literal already vetted by the brackets.
    if (authority.front() != '[') {
        for (const char c : parts->host) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
            if (!ok) return std::nullopt;
        }
    } else if (parts->host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
        return std::nullopt;
    }
    return Destination{parts->host, port};
}

constexpr std::array kHopByHop = {"Connection", "Proxy-Connection",    "Keep-Alive",        "TE",
                                  "Upgrade",    "Proxy-Authorization", "Proxy-Authenticate"};

// Fields whose removal would change the message's framing or destination.
bool never_removed(std::string_view name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Host");
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out += ": ";
    out.append(value);
    out += "\r\n";
}

void append_fields(std::string& out, const Headers& headers) {
    for (const auto& field : headers.all())
        append_field(out, field.name, field.value);
}

std::string version_text(const Version& version) {
    return std::to_string(version.major) + "." + std::to_string(version.minor);
}

Refusal refuse_destination(const Destination& destination) {
    return Refusal{403, "This proxy does not go to " + destination.host + " (see --allow)."};
}

}  // namespace

std::optional<HttpUri> parse_http_uri(std::string_view target) {
    constexpr std::string_view kScheme = "http://";
    if (target.size() < kScheme.size() || !iequals(target.substr(0, kScheme.size()), kScheme)) {
        return std::nullopt;
    }
    std::string_view rest = target.substr(kScheme.size());
    const auto authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    rest.remove_prefix(authority_end == std::string_view::npos ? rest.size() : authority_end);
    // userinfo is deprecated in http URIs (RFC 9110 4.2.4): dropped, never forwarded.
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    // "host:" (an empty port) means the default port; the Host field then drops the colon.
    if (!authority.empty() && authority.back() == ':') authority.remove_suffix(1);
    auto destination = split_destination(authority, 80);
    if (!destination) return std::nullopt;
    rest = rest.substr(0, rest.find('#'));
    std::string origin_form = rest.empty() || rest.front() != '/' ? "/" : "";
    origin_form.append(rest);
    return HttpUri{std::move(*destination), std::string(authority), std::move(origin_form),
                   rest.empty()};
}

std::optional<Destination> parse_authority(std::string_view target) {
    // The port is required: after "]" for an IPv6 literal, else after the only colon.
    const auto host_end = target.starts_with("[") ? target.find(']') : target.find(':');
    if (host_end == std::string_view::npos) return std::nullopt;
    const auto colon = target.starts_with("[") ? host_end + 1 : host_end;
    if (colon >= target.size() || target[colon] != ':' || colon + 1 == target.size()) {
        return std::nullopt;
    }
    return split_destination(target, 0);
}

std::string via_element(const Version& version, const Identity& self) {
    return version_text(version) + " " + self.received_by + " (web_proxy)";
}

bool passed_through(const Headers& headers, const Identity& self) {
    for (const std::string_view element : headers.list("Via")) {
        // received-protocol RWS received-by [ RWS comment ]
        const auto space = element.find(' ');
        if (space == std::string_view::npos) continue;
        std::string_view by = element.substr(space + 1);
        by = by.substr(0, by.find(' '));
        if (iequals(by, self.received_by)) return true;
    }
    return false;
}

void remove_hop_by_hop(Headers& headers) {
    // Copied out first: removing fields would leave views into them dangling.
    std::vector<std::string> named;
    for (const std::string_view name : headers.list("Connection"))
        named.emplace_back(name);
    for (const auto& name : named) {
        if (!never_removed(name)) headers.remove(name);
    }
    for (const char* name : kHopByHop)
        headers.remove(name);
}

bool allows(const Policy& policy, const Destination& destination) {
    if (policy.allowed_hosts.empty()) return true;
    const std::string_view host = destination.host;
    return std::any_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                       [&](std::string_view entry) {
                           if (entry.starts_with("*.")) {
                               const auto suffix = entry.substr(1);  // ".example.org"
                               return host.size() > suffix.size() &&
                                      iequals(host.substr(host.size() - suffix.size()), suffix);
                           }
                           return iequals(host, entry);
                       });
}

Plan plan_request(const Request& request, const Identity& self, const Policy& policy) {
    if (passed_through(request.headers, self)) {
        return Refusal{508, "The request came back to this proxy: it would loop forever."};
    }
    if (request.method == "CONNECT") {
        const auto destination = parse_authority(request.target);
        if (!destination) {
            return Refusal{400, "CONNECT needs a host and a port, such as example.org:443."};
        }
        if (!allows(policy, *destination)) return refuse_destination(*destination);
        return Tunnel{*destination};
    }
    const auto uri = parse_http_uri(request.target);
    if (!uri) {
        if (request.target.starts_with("/") || request.target == "*") {
            return Refusal{400, "This is a proxy: ask it for an absolute URI (http://host/path)."};
        }
        const auto scheme_end = request.target.find("://");
        if (scheme_end != std::string::npos &&
            !iequals(std::string_view(request.target).substr(0, scheme_end), "http")) {
            return Refusal{501, "This proxy forwards http:// URIs; for https:// use CONNECT."};
        }
        return Refusal{400, "The request target is not a valid http:// URI."};
    }

    if (!allows(policy, uri->destination)) return refuse_destination(uri->destination);
    Headers headers = request.headers;
    remove_hop_by_hop(headers);
    headers.remove("Host");
    // RFC 9112 3.2.4: OPTIONS for a bare authority is asked of the server as a whole.
    const std::string target =
        request.method == "OPTIONS" && uri->bare ? std::string("*") : uri->origin_form;
    std::string head = request.method + " " + target + " HTTP/1.1\r\n";
    // RFC 9112 3.2.2: the Host a proxy sends is the target URI's authority.
    append_field(head, "Host", uri->authority);
    append_fields(head, headers);
    append_field(head, "Via", via_element(request.version, self));
    head += "\r\n";
    return Forward{uri->destination, std::move(head)};
}

ClientFraming client_framing(const Response& response, const Version& client_version,
                             bool client_keep_alive) {
    ClientFraming framing;
    framing.dechunk = client_version.minor == 0 && response.body == net::http::BodyKind::kChunked;
    // The response as the client gets it: a dechunked body ends with the connection too. The
    // server's own wish to close is about the server connection, not the client's.
    framing.keep_alive = net::http::may_reuse(
        {.request = {.asks_to_close = !client_keep_alive},
         .response = {.body_until_close =
                          framing.dechunk || response.body == net::http::BodyKind::kUntilClose}});
    return framing;
}

std::string client_response_head(const Response& response, const Identity& self,
                                 const Version& client_version, const ClientFraming& framing) {
    Headers headers = response.headers;
    remove_hop_by_hop(headers);
    // RFC 9112 6.3: a Content-Length beside Transfer-Encoding is wrong and goes. Transfer-Encoding
    // itself goes when the body is dechunked, to an HTTP/1.0 client (which must never see it,
    // 6.1), and from an HTTP/1.0 server (whose body then ends with the connection, 6.1): under our
    // HTTP/1.1 status line it would say chunked where the bytes are not.
    if (headers.count("Transfer-Encoding") > 0) headers.remove("Content-Length");
    if (framing.dechunk || client_version.minor == 0 || response.version.minor == 0) {
        headers.remove("Transfer-Encoding");
    }
    std::string head =
        "HTTP/1.1 " + std::to_string(response.status) + " " + response.reason + "\r\n";
    append_fields(head, headers);
    append_field(head, "Via", via_element(response.version, self));
    if (!framing.keep_alive) {
        append_field(head, "Connection", "close");
    } else if (client_version.minor == 0) {
        append_field(head, "Connection", "keep-alive");
    }
    head += "\r\n";
    return head;
}

std::string own_response(const OwnResponse& response, std::time_t now) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      std::string(net::http::reason_phrase(response.status)) + "\r\n";
    append_field(out, "Date", net::http::format_http_date(now));
    append_field(out, "Content-Type", response.content_type);
    append_field(out, "Content-Length", std::to_string(response.body.size()));
    append_fields(out, response.extra_fields);
    append_field(out, "Connection", response.keep_alive ? "keep-alive" : "close");
    out += "\r\n";
    if (!response.head_only) out.append(response.body);
    return out;
}

const std::string& proxy_signature() {
    static const std::string signature = std::string("web_proxy/") + net::kVersion;
    return signature;
}

std::string error_response(int status, std::string_view detail, bool keep_alive) {
    const std::string body = net::html_error_page(status, detail, proxy_signature());
    return own_response({.status = status,
                         .content_type = "text/html; charset=utf-8",
                         .body = body,
                         .keep_alive = keep_alive},
                        std::time(nullptr));
}

}  // namespace web_proxy
