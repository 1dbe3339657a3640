// The proxy's own pages: PAC file, status (HTML and JSON), help.
#include "status_page.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "common/address.hpp"
#include "common/html.hpp"
#include "proxy_rules.hpp"

namespace web_proxy {
namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kJson = "application/json";

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;background:#fff}"
    "table{border-collapse:collapse}th,td{padding:.2em 1.5em .2em 0;text-align:left}"
    "td.n{text-align:right;font-family:ui-monospace,monospace}"
    "code{background:#f3f3f3;padding:0 .2em}";

// `text` as the inside of a double-quoted JavaScript string: quotes, backslashes, controls,
// '<' (no "</script>" surprises) and everything outside ASCII as escapes.
std::string js_string(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '\'') {
            std::array<char, 7> escape{};
            std::snprintf(escape.data(), escape.size(), "\\x%02x", byte);
            out += escape.data();
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// The counters with their names, in the order both pages list them.
std::array<std::pair<std::string_view, std::uint64_t>, 12> named_counters(const ProxyStats& s) {
    return {{{"uptime_seconds", s.uptime_seconds},
             {"clients", s.clients},
             {"requests", s.requests},
             {"tunnels", s.tunnels},
             {"cache_entries", s.cache_entries},
             {"cache_bytes", s.cache_bytes},
             {"cache_hits", s.cache_hits},
             {"cache_misses", s.cache_misses},
             {"bytes_in", s.bytes_in},
             {"bytes_out", s.bytes_out},
             {"upstream_opened", s.upstream_opened},
             {"upstream_reused", s.upstream_reused}}};
}

// part / (part + rest) with three decimals ("0.337"); "0.000" when both are 0.
std::string share(std::uint64_t part, std::uint64_t rest) {
    const std::uint64_t whole = part + rest;
    const std::uint64_t thousandths = whole == 0 ? 0 : (part * 1000 + whole / 2) / whole;
    std::string out = std::to_string(thousandths / 1000) + ".";
    const std::string fraction = std::to_string(thousandths % 1000);
    out += std::string(3 - fraction.size(), '0') + fraction;
    return out;
}

// The ratios both pages show after the counters: of cache lookups, the hits; of requests sent
// upstream, those on a pooled connection.
std::array<std::pair<std::string_view, std::string>, 2> ratios(const ProxyStats& s) {
    return {{{"cache_hit_ratio", share(s.cache_hits, s.cache_misses)},
             {"upstream_reuse_ratio", share(s.upstream_reused, s.upstream_opened)}}};
}

std::string page_start(std::string_view title) {
    const std::string escaped = net::html_escape(title);
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escaped +
           "</title><style>" + std::string(kStyle) + "</style></head>\n<body><h1>" + escaped +
           "</h1>\n";
}

std::string page_end() {
    return "<hr><address>" + net::html_escape(proxy_signature()) + "</address></body></html>\n";
}

// Whether the query part of `target` has the parameter "format=json".
bool asks_for_json(std::string_view target) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) return false;
    std::string_view query = target.substr(question + 1);
    for (;;) {
        const auto amp = query.find('&');
        if (query.substr(0, amp) == "format=json") return true;
        if (amp == std::string_view::npos) return false;
        query.remove_prefix(amp + 1);
    }
}

}  // namespace

std::string pac_file(std::string_view proxy_host_port) {
    return "// web_proxy: every request through the proxy, except those for this computer.\n"
           "function FindProxyForURL(url, host) {\n"
           "    host = host.toLowerCase();\n"
           "    if (host == \"localhost\" || dnsDomainIs(host, \".localhost\") ||\n"
           "        host == \"::1\" || host == \"[::1]\" || /^127(\\.[0-9]+){3}$/.test(host)) {\n"
           "        return \"DIRECT\";\n"
           "    }\n"
           "    return \"PROXY " +
           js_string(proxy_host_port) +
           "; DIRECT\";\n"
           "}\n";
}

std::string status_html(const ProxyStats& stats, std::string_view proxy_host_port) {
    std::string page = page_start("web_proxy at " + std::string(proxy_host_port));
    page += "<table>\n";
    for (const auto& [name, value] : named_counters(stats)) {
        page += "<tr><th>" + net::html_escape(name) + "</th><td class=\"n\">" +
                std::to_string(value) + "</td></tr>\n";
    }
    for (const auto& [name, value] : ratios(stats)) {
        page +=
            "<tr><th>" + net::html_escape(name) + "</th><td class=\"n\">" + value + "</td></tr>\n";
    }
    page +=
        "</table>\n<p><a href=\"/?format=json\">As JSON</a> &middot; "
        "<a href=\"/proxy.pac\">PAC file</a></p>\n";
    page += page_end();
    return page;
}

std::string status_json(const ProxyStats& stats) {
    std::string out = "{";
    for (const auto& [name, value] : named_counters(stats)) {
        if (out.size() > 1) out += ",";
        out += "\"";
        out += name;
        out += "\":" + std::to_string(value);
    }
    for (const auto& [name, value] : ratios(stats)) {
        out += ",\"";
        out += name;
        out += "\":" + value;
    }
    out += "}\n";
    return out;
}

std::string help_html(std::string_view proxy_host_port) {
    const std::string proxy = net::html_escape(proxy_host_port);
    const auto parts = net::split_host_port(proxy_host_port);
    const std::string host = net::html_escape(parts ? parts->host : std::string(proxy_host_port));
    const std::string port = net::html_escape(parts ? parts->port : std::string());
    std::string page = page_start("This is a proxy");
    page +=
        "<p>web_proxy forwards requests to other servers: ask it for an absolute URI "
        "(<code>GET http://example.org/ HTTP/1.1</code>) or a tunnel (<code>CONNECT "
        "example.org:443</code>), not for a page of its own.</p>\n<ul>\n"
        "<li>curl: <code>curl -x http://" +
        proxy +
        " http://example.org/</code>, or for every program in a shell: <code>export "
        "http_proxy=http://" +
        proxy + " https_proxy=http://" + proxy +
        "</code></li>\n"
        "<li>A browser: in its network or proxy settings, HTTP and HTTPS proxy <code>" +
        host + "</code> port <code>" + port + "</code>; or <code>chromium --proxy-server=http://" +
        proxy +
        "</code></li>\n"
        "<li>Automatic proxy configuration: the URL <code>http://" +
        proxy + "/proxy.pac</code></li>\n</ul>\n<p>The proxy's <a href=\"/\">status</a>.</p>\n";
    page += page_end();
    return page;
}

LocalPage route_local(std::string_view method, std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    if (path != "/" && path != "/proxy.pac") return LocalPage::kHelp;
    if (method != "GET" && method != "HEAD") return LocalPage::kWrongMethod;
    if (path == "/proxy.pac") return LocalPage::kPacFile;
    return asks_for_json(target) ? LocalPage::kStatusJson : LocalPage::kStatusHtml;
}

std::string local_response(std::string_view method, std::string_view target,
                           const LocalContext& context, bool keep_alive) {
    OwnResponse response{.keep_alive = keep_alive, .head_only = method == "HEAD"};
    std::string body;
    switch (route_local(method, target)) {
        case LocalPage::kPacFile:
            body = pac_file(context.proxy_host_port);
            response.content_type = kPacMediaType;
            break;
        case LocalPage::kStatusHtml:
            body = status_html(context.stats, context.proxy_host_port);
            response.content_type = kHtml;
            response.extra_fields.add("Cache-Control", "no-store");
            break;
        case LocalPage::kStatusJson:
            body = status_json(context.stats);
            response.content_type = kJson;
            response.extra_fields.add("Cache-Control", "no-store");
            break;
        case LocalPage::kWrongMethod:
            response.status = 405;
            body = net::html_error_page(405, "The proxy's own pages answer GET and HEAD only.",
                                        proxy_signature());
            response.content_type = kHtml;
            response.extra_fields.add("Allow", "GET, HEAD");
            break;
        case LocalPage::kHelp:
            response.status = 400;
            body = help_html(context.proxy_host_port);
            response.content_type = kHtml;
            break;
    }
    response.body = body;
    return own_response(response, context.now);
}

}  // namespace web_proxy
