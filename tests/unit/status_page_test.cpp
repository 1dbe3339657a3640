// web_proxy's own pages: the PAC file, the status page (HTML and JSON), the help page, and which
// request gets which, as complete responses read back with the response parser.
#include "web_proxy/status_page.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/http_date.hpp"
#include "common/http_response.hpp"

namespace web_proxy {
namespace {

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

ProxyStats sample_stats() {
    ProxyStats stats;
    stats.uptime_seconds = 3601;
    stats.clients = 2;
    stats.requests = 1234;
    stats.tunnels = 56;
    stats.cache_entries = 7;
    stats.cache_bytes = 89012;
    stats.cache_hits = 345;
    stats.cache_misses = 678;
    stats.bytes_in = 9'000'000'000;
    stats.bytes_out = 10'000'000'000;
    stats.upstream_opened = 11;
    stats.upstream_reused = 12;
    return stats;
}

// ---------------------------------------------------------------------------- PAC file

TEST(PacFileTest, ProxyForEverythingButThisComputer) {
    const auto pac = pac_file("192.168.1.2:8888");
    EXPECT_TRUE(contains(pac, "function FindProxyForURL(url, host) {")) << pac;
    EXPECT_TRUE(contains(pac, "return \"PROXY 192.168.1.2:8888; DIRECT\";")) << pac;
    EXPECT_TRUE(contains(pac, "return \"DIRECT\";")) << pac;
    for (const std::string_view local :
         {"\"localhost\"", "\".localhost\"", "\"::1\"", "\"[::1]\"", "/^127(\\.[0-9]+){3}$/"}) {
        EXPECT_TRUE(contains(pac, local)) << local;
    }
}

TEST(PacFileTest, Ipv6ProxyAddressStaysBracketed) {
    EXPECT_TRUE(contains(pac_file("[::1]:8888"), "\"PROXY [::1]:8888; DIRECT\""));
}

TEST(PacFileTest, AddressIsEscapedIntoTheScript) {
    // The address may come from a client's Host field: it must not end the string literal.
    const auto pac = pac_file("x\"; evil(); \"\\</script>\n\xc3\xa9");
    EXPECT_FALSE(contains(pac, "evil(); \"")) << pac;
    EXPECT_TRUE(
        contains(pac, "\"PROXY x\\x22; evil(); \\x22\\x5c\\x3c/script>\\x0a\\xc3\\xa9; DIRECT\""))
        << pac;
}

// ---------------------------------------------------------------------------- status pages

TEST(StatusPageTest, JsonHasEveryCounter) {
    EXPECT_EQ(status_json(sample_stats()),
              "{\"uptime_seconds\":3601,\"clients\":2,\"requests\":1234,\"tunnels\":56,"
              "\"cache_entries\":7,\"cache_bytes\":89012,\"cache_hits\":345,\"cache_misses\":678,"
              "\"bytes_in\":9000000000,\"bytes_out\":10000000000,\"upstream_opened\":11,"
              "\"upstream_reused\":12,\"cache_hit_ratio\":0.337,"
              "\"upstream_reuse_ratio\":0.522}\n");
    EXPECT_EQ(status_json({}),
              "{\"uptime_seconds\":0,\"clients\":0,\"requests\":0,\"tunnels\":0,"
              "\"cache_entries\":0,\"cache_bytes\":0,\"cache_hits\":0,\"cache_misses\":0,"
              "\"bytes_in\":0,\"bytes_out\":0,\"upstream_opened\":0,\"upstream_reused\":0,"
              "\"cache_hit_ratio\":0.000,\"upstream_reuse_ratio\":0.000}\n");
}

TEST(StatusPageTest, HtmlListsTheCountersAndLinks) {
    const auto page = status_html(sample_stats(), "127.0.0.1:8888");
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>")) << page;
    EXPECT_TRUE(contains(page, "web_proxy at 127.0.0.1:8888"));
    EXPECT_TRUE(contains(page, "<th>requests</th><td class=\"n\">1234</td>")) << page;
    EXPECT_TRUE(contains(page, "<th>bytes_out</th><td class=\"n\">10000000000</td>")) << page;
    EXPECT_TRUE(contains(page, "href=\"/?format=json\""));
    EXPECT_TRUE(contains(page, "href=\"/proxy.pac\""));
    EXPECT_TRUE(contains(page, "web_proxy/"));  // the signature
}

TEST(StatusPageTest, HtmlEscapesTheAddress) {
    const auto page = status_html({}, "<b>&:1");
    EXPECT_FALSE(contains(page, "<b>"));
    EXPECT_TRUE(contains(page, "&lt;b&gt;&amp;:1"));
}

TEST(HelpPageTest, SaysHowToSetTheProxyUp) {
    const auto page = help_html("192.168.1.2:8888");
    EXPECT_TRUE(contains(page, "This is a proxy"));
    EXPECT_TRUE(contains(page, "curl -x http://192.168.1.2:8888 http://example.org/")) << page;
    EXPECT_TRUE(contains(page, "http_proxy=http://192.168.1.2:8888"));
    EXPECT_TRUE(contains(page, "<code>192.168.1.2</code> port <code>8888</code>")) << page;
    EXPECT_TRUE(contains(page, "http://192.168.1.2:8888/proxy.pac"));

    const auto v6 = help_html("[::1]:8888");
    EXPECT_TRUE(contains(v6, "<code>::1</code> port <code>8888</code>")) << v6;
    EXPECT_TRUE(contains(v6, "curl -x http://[::1]:8888 "));

    const auto hostile = help_html("<i>:1");
    EXPECT_FALSE(contains(hostile, "<i>"));
}

// ---------------------------------------------------------------------------- routing

TEST(RouteLocalTest, PathsAndMethods) {
    struct Case {
        std::string_view method;
        std::string_view target;
        LocalPage page;
    };
    for (const auto& [method, target, page] : {
             Case{"GET", "/proxy.pac", LocalPage::kPacFile},
             Case{"HEAD", "/proxy.pac", LocalPage::kPacFile},
             Case{"GET", "/proxy.pac?v=2", LocalPage::kPacFile},
             Case{"GET", "/", LocalPage::kStatusHtml},
             Case{"HEAD", "/", LocalPage::kStatusHtml},
             Case{"GET", "/?format=json", LocalPage::kStatusJson},
             Case{"GET", "/?x=1&format=json", LocalPage::kStatusJson},
             Case{"GET", "/?format=json&x=1", LocalPage::kStatusJson},
             Case{"GET", "/?format=html", LocalPage::kStatusHtml},
             Case{"GET", "/?format=jsonp", LocalPage::kStatusHtml},
             Case{"GET", "/?xformat=json", LocalPage::kStatusHtml},
             Case{"POST", "/", LocalPage::kWrongMethod},
             Case{"DELETE", "/proxy.pac", LocalPage::kWrongMethod},
             Case{"get", "/", LocalPage::kWrongMethod},  // methods are case-sensitive
             Case{"GET", "/index.html", LocalPage::kHelp},
             Case{"GET", "/favicon.ico", LocalPage::kHelp},
             Case{"GET", "/proxy.pac/", LocalPage::kHelp},
             Case{"GET", "//", LocalPage::kHelp},
             Case{"POST", "/submit", LocalPage::kHelp},
             Case{"OPTIONS", "*", LocalPage::kHelp},
         }) {
        EXPECT_EQ(route_local(method, target), page) << method << " " << target;
    }
}

// A complete response split into its parsed head and its body.
struct Parsed {
    net::http::Response head;
    std::string body;
};
Parsed parse(const std::string& bytes, std::string_view method = "GET") {
    const auto result = net::http::parse_response_head(bytes, method);
    EXPECT_EQ(result.kind, net::http::HeadKind::kComplete) << result.error.reason;
    return {result.head, bytes.substr(result.consumed)};
}

constexpr std::time_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

LocalContext context() {
    return {.proxy_host_port = "127.0.0.1:8888", .stats = sample_stats(), .now = kNow};
}

TEST(LocalResponseTest, PacFile) {
    const auto parsed = parse(local_response("GET", "/proxy.pac", context(), true));
    EXPECT_EQ(parsed.head.status, 200);
    EXPECT_EQ(parsed.head.headers.get("Content-Type"), "application/x-ns-proxy-autoconfig");
    EXPECT_EQ(parsed.head.headers.get("Date"), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(parsed.head.headers.get("Connection"), "keep-alive");
    EXPECT_EQ(parsed.body, pac_file("127.0.0.1:8888"));
    EXPECT_EQ(parsed.head.content_length, parsed.body.size());
}

TEST(LocalResponseTest, StatusPagesAreNotStored) {
    const auto html = parse(local_response("GET", "/", context(), true));
    EXPECT_EQ(html.head.status, 200);
    EXPECT_EQ(html.head.headers.get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(html.head.headers.get("Cache-Control"), "no-store");
    EXPECT_EQ(html.body, status_html(sample_stats(), "127.0.0.1:8888"));

    const auto json = parse(local_response("GET", "/?format=json", context(), false));
    EXPECT_EQ(json.head.status, 200);
    EXPECT_EQ(json.head.headers.get("Content-Type"), "application/json");
    EXPECT_EQ(json.head.headers.get("Cache-Control"), "no-store");
    EXPECT_EQ(json.head.headers.get("Connection"), "close");
    EXPECT_EQ(json.body, status_json(sample_stats()));
}

TEST(LocalResponseTest, HeadGetsTheHeadAlone) {
    const auto get = local_response("GET", "/?format=json", context(), true);
    const auto head = local_response("HEAD", "/?format=json", context(), true);
    const auto parsed = parse(head, "HEAD");
    EXPECT_TRUE(parsed.body.empty());
    EXPECT_EQ(parsed.head.headers.get("Content-Length"),
              std::to_string(status_json(sample_stats()).size()));
    EXPECT_TRUE(get.starts_with(head)) << "HEAD: the same head as GET";
}

TEST(LocalResponseTest, OtherMethodsGet405WithAllow) {
    const auto parsed = parse(local_response("POST", "/proxy.pac", context(), true));
    EXPECT_EQ(parsed.head.status, 405);
    EXPECT_EQ(parsed.head.headers.get("Allow"), "GET, HEAD");
    EXPECT_EQ(parsed.head.content_length, parsed.body.size());
}

TEST(LocalResponseTest, OtherPathsGetTheHelpPageWith400) {
    const auto parsed = parse(local_response("GET", "/index.html", context(), true));
    EXPECT_EQ(parsed.head.status, 400);
    EXPECT_EQ(parsed.head.headers.get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(parsed.body, help_html("127.0.0.1:8888"));
    EXPECT_EQ(parsed.head.content_length, parsed.body.size());
    EXPECT_FALSE(parsed.head.headers.get("Cache-Control"));
}

}  // namespace
}  // namespace web_proxy
