// What the proxy serves to requests addressed to itself (origin-form, "GET / HTTP/1.1"), not to
// another server: a PAC file for browsers, a status page (HTML or JSON), and otherwise a help page
// saying how to set the proxy up. Pure: numbers and names in, bodies and responses out.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace web_proxy {

// Counters the status page shows, gathered by the caller at the moment it serves the page.
struct ProxyStats {
    std::uint64_t uptime_seconds = 0;
    std::uint64_t clients = 0;   // client connections open now
    std::uint64_t requests = 0;  // forwarded, since start
    std::uint64_t tunnels = 0;   // CONNECT tunnels opened, since start
    std::uint64_t cache_entries = 0;
    std::uint64_t cache_bytes = 0;
    std::uint64_t cache_hits = 0;
    std::uint64_t cache_misses = 0;
    std::uint64_t bytes_in = 0;         // from clients and servers
    std::uint64_t bytes_out = 0;        // to clients and servers
    std::uint64_t upstream_opened = 0;  // server connections opened
    std::uint64_t upstream_reused = 0;  // requests sent on a pooled server connection
};

// The PAC file's media type (Netscape's, which every browser expects).
inline constexpr std::string_view kPacMediaType = "application/x-ns-proxy-autoconfig";

// A proxy auto-config script: FindProxyForURL answers "PROXY <proxy_host_port>; DIRECT" (the
// proxy, and straight to the server if the proxy cannot be reached) for every host except this
// computer's (localhost, *.localhost, 127.x.y.z, ::1), which goes DIRECT: the proxy would refuse
// those for other clients anyway. `proxy_host_port` is how clients reach the proxy
// ("192.168.1.2:8888", "[::1]:8888"): best the Host the client fetched the file with. It is
// escaped into a JavaScript string, so any text is safe.
std::string pac_file(std::string_view proxy_host_port);

// The status page: the counters in a small HTML table (escaped), with links to the JSON form
// and the PAC file.
std::string status_html(const ProxyStats& stats, std::string_view proxy_host_port);
// The counters as one JSON object, keys as in ProxyStats ("uptime_seconds": 12, ...).
std::string status_json(const ProxyStats& stats);
// The page sent with 400 to any other request for the proxy itself: this is a proxy, and how to
// use one (curl -x, a browser's proxy settings, the PAC URL).
std::string help_html(std::string_view proxy_host_port);

// Which page a request addressed to the proxy itself gets.
enum class LocalPage {
    kPacFile,      // GET or HEAD /proxy.pac
    kStatusHtml,   // GET or HEAD /
    kStatusJson,   // GET or HEAD /?format=json (among other query parameters)
    kWrongMethod,  // another method for one of those paths: 405, Allow: GET, HEAD
    kHelp,         // any other path, any method: 400 and the help page
};
// `target` is the origin-form request target ("/proxy.pac", "/?format=json"); the query is
// read for "format=json", anything else in it is ignored.
LocalPage route_local(std::string_view method, std::string_view target);

// What a page needs from its surroundings.
struct LocalContext {
    std::string_view proxy_host_port;  // as for pac_file
    ProxyStats stats;                  // read only for the status pages
    std::time_t now = 0;               // for Date
};
// The complete response to a request addressed to the proxy itself (route_local, then the page
// built with own_response: a HEAD gets the head alone). The status pages are sent with
// Cache-Control: no-store (the numbers change), the PAC file and the help page as they are.
std::string local_response(std::string_view method, std::string_view target,
                           const LocalContext& context, bool keep_alive);

}  // namespace web_proxy
