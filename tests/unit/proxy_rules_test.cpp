// web_proxy's message rules against RFC 9110 (4.2 http URIs, 7.6 intermediaries, 15 status
// codes) and RFC 9112 (3.2 request targets, 6.3 framing): targets parsed, the head a request
// goes upstream with, the head its response comes back with, and the proxy's own error pages.
#include "web_proxy/proxy_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include "common/http_date.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"

namespace web_proxy {
namespace {

using net::http::BodyKind;
using net::http::Headers;
using net::http::Request;
using net::http::Response;
using net::http::Version;

const Identity kSelf{"proxy.test:8888"};
constexpr std::string_view kOurVia11 = "Via: 1.1 proxy.test:8888 (web_proxy)\r\n";
constexpr std::string_view kOurVia10 = "Via: 1.0 proxy.test:8888 (web_proxy)\r\n";

Request request_of(std::string_view head) {
    const auto result = net::http::parse_request_head(head);
    EXPECT_EQ(result.kind, net::http::HeadKind::kComplete) << result.error.reason;
    return result.head;
}

Response response_of(std::string_view head, std::string_view method = "GET") {
    const auto result = net::http::parse_response_head(head, method);
    EXPECT_EQ(result.kind, net::http::HeadKind::kComplete) << result.error.reason;
    return result.head;
}

Plan plan(std::string_view head) {
    return plan_request(request_of(head), kSelf);
}

// The status of a Refusal, or 0 for any other plan.
int refusal_status(const Plan& p) {
    const auto* refusal = std::get_if<Refusal>(&p);
    return refusal == nullptr ? 0 : refusal->status;
}

// ---------------------------------------------------------------------------- parse_http_uri

TEST(ProxyRulesUriTest, SchemeIsCaseInsensitive) {
    for (const std::string_view target :
         {"http://example.org/a", "HTTP://example.org/a", "hTtP://example.org/a"}) {
        const auto uri = parse_http_uri(target);
        ASSERT_TRUE(uri) << target;
        EXPECT_EQ(uri->destination, (Destination{"example.org", 80})) << target;
        EXPECT_EQ(uri->origin_form, "/a") << target;
    }
}

TEST(ProxyRulesUriTest, PortDefaultsTo80) {
    const auto uri = parse_http_uri("http://example.org/index.html");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->destination, (Destination{"example.org", 80}));
    EXPECT_EQ(uri->authority, "example.org");
    EXPECT_EQ(uri->origin_form, "/index.html");
}

TEST(ProxyRulesUriTest, ExplicitPort) {
    const auto uri = parse_http_uri("http://Example.ORG:8080/x");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->destination, (Destination{"Example.ORG", 8080}));
    EXPECT_EQ(uri->authority, "Example.ORG:8080");
    EXPECT_EQ(uri->origin_form, "/x");

    const auto highest = parse_http_uri("http://example.org:65535/");
    ASSERT_TRUE(highest);
    EXPECT_EQ(highest->destination.port, 65535);
}

TEST(ProxyRulesUriTest, EmptyPortMeansTheDefault) {
    // RFC 3986 3.2.3: "host:" is the same as "host"; the Host field drops the colon.
    const auto uri = parse_http_uri("http://example.org:/x");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->destination, (Destination{"example.org", 80}));
    EXPECT_EQ(uri->authority, "example.org");
}

TEST(ProxyRulesUriTest, UserinfoIsDropped) {
    // RFC 9110 4.2.4: userinfo is deprecated in http URIs and never goes upstream.
    const auto uri = parse_http_uri("http://user:secret@example.org:81/p");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->destination, (Destination{"example.org", 81}));
    EXPECT_EQ(uri->authority, "example.org:81");
    EXPECT_EQ(uri->origin_form, "/p");

    // An '@' after the authority is part of the path, not userinfo.
    const auto in_path = parse_http_uri("http://example.org/a@b");
    ASSERT_TRUE(in_path);
    EXPECT_EQ(in_path->authority, "example.org");
    EXPECT_EQ(in_path->origin_form, "/a@b");
}

TEST(ProxyRulesUriTest, Ipv6Literal) {
    const auto uri = parse_http_uri("http://[::1]:8080/x");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->destination, (Destination{"::1", 8080}));
    EXPECT_EQ(uri->authority, "[::1]:8080");
    EXPECT_EQ(uri->origin_form, "/x");

    const auto default_port = parse_http_uri("http://[2001:db8::a]/");
    ASSERT_TRUE(default_port);
    EXPECT_EQ(default_port->destination, (Destination{"2001:db8::a", 80}));
    EXPECT_EQ(default_port->authority, "[2001:db8::a]");
}

TEST(ProxyRulesUriTest, Ipv4Literal) {
    const auto uri = parse_http_uri("http://127.0.0.1:3128/");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->destination, (Destination{"127.0.0.1", 3128}));
}

TEST(ProxyRulesUriTest, QueryIsKept) {
    const auto uri = parse_http_uri("http://example.org/search?q=a%20b&x");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->origin_form, "/search?q=a%20b&x");

    // RFC 9112 3.2.1: an empty path becomes "/", the query stays.
    const auto no_path = parse_http_uri("http://example.org?q=1");
    ASSERT_TRUE(no_path);
    EXPECT_EQ(no_path->authority, "example.org");
    EXPECT_EQ(no_path->origin_form, "/?q=1");
}

TEST(ProxyRulesUriTest, FragmentIsDropped) {
    // RFC 9110 7.1: the fragment is for the client; it never goes in a request target.
    EXPECT_EQ(parse_http_uri("http://example.org/p#frag")->origin_form, "/p");
    EXPECT_EQ(parse_http_uri("http://example.org/p?q=1#frag")->origin_form, "/p?q=1");
    EXPECT_EQ(parse_http_uri("http://example.org#frag")->origin_form, "/");
    EXPECT_EQ(parse_http_uri("http://example.org#frag")->authority, "example.org");
}

TEST(ProxyRulesUriTest, EmptyPathIsSlash) {
    const auto uri = parse_http_uri("http://example.org");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->authority, "example.org");
    EXPECT_EQ(uri->origin_form, "/");
    EXPECT_EQ(parse_http_uri("http://example.org:8080")->origin_form, "/");
}

TEST(ProxyRulesUriTest, InvalidHostsAreRefused) {
    // RFC 9110 4.2.1: an http URI with an empty host is invalid.
    for (const std::string_view target : {
             "http://",
             "http:///path",
             "http://:80/",
             "http://user@/",
             "http://exa$mple.org/",
             "http://exa\"mple.org/",
             "http://::1/",               // an IPv6 literal needs brackets
             "http://[::1/",              // unclosed bracket
             "http://[]/",                // empty literal
             "http://[::1]x/",            // junk after the bracket
             "http://[fe80::1%25eth0]/",  // zone identifiers are not for URIs sent on the wire
             "http://[::g]/",
             "http://host::/",
         }) {
        EXPECT_FALSE(parse_http_uri(target)) << target;
    }
}

TEST(ProxyRulesUriTest, InvalidPortsAreRefused) {
    for (const std::string_view target : {
             "http://example.org:0/",
             "http://example.org:65536/",
             "http://example.org:99999999999/",
             "http://example.org:-1/",
             "http://example.org:+80/",
             "http://example.org:8a/",
             "http://example.org: 80/",
             "http://[::1]:0/",
             "http://[::1]:70000/",
         }) {
        EXPECT_FALSE(parse_http_uri(target)) << target;
    }
}

TEST(ProxyRulesUriTest, OnlyHttpIsParsed) {
    for (const std::string_view target : {
             "https://example.org/",
             "HTTPS://example.org/",
             "ftp://example.org/",
             "ws://example.org/",
             "httpx://example.org/",
             "http:/example.org/",
             "http:example.org",
             "//example.org/",
             "/path",
             "*",
             "example.org:443",
             "",
         }) {
        EXPECT_FALSE(parse_http_uri(target)) << target;
    }
}

// ---------------------------------------------------------------------------- parse_authority

TEST(ProxyRulesAuthorityTest, HostAndPort) {
    EXPECT_EQ(parse_authority("example.org:443"), (Destination{"example.org", 443}));
    EXPECT_EQ(parse_authority("127.0.0.1:8443"), (Destination{"127.0.0.1", 8443}));
    EXPECT_EQ(parse_authority("example.org:65535"), (Destination{"example.org", 65535}));
}

TEST(ProxyRulesAuthorityTest, Ipv6NeedsBrackets) {
    EXPECT_EQ(parse_authority("[::1]:443"), (Destination{"::1", 443}));
    EXPECT_EQ(parse_authority("[2001:db8::1]:8443"), (Destination{"2001:db8::1", 8443}));
    EXPECT_FALSE(parse_authority("::1:443"));
    EXPECT_FALSE(parse_authority("2001:db8::1:443"));
    EXPECT_FALSE(parse_authority("[::1:443"));
    EXPECT_FALSE(parse_authority("[]:443"));
}

TEST(ProxyRulesAuthorityTest, PortIsRequired) {
    // RFC 9112 3.2.3: authority-form = uri-host ":" port, and the port is not optional.
    EXPECT_FALSE(parse_authority("example.org"));
    EXPECT_FALSE(parse_authority("example.org:"));
    EXPECT_FALSE(parse_authority("[::1]:"));
    EXPECT_FALSE(parse_authority(""));
    EXPECT_FALSE(parse_authority(":443"));
}

TEST(ProxyRulesAuthorityTest, BracketedIpv6WithoutPortIsRefused) {
    // The port is required after the brackets too; a colon inside them is not a port, so
    // "[::1]" is no tunnel to port 0.
    EXPECT_FALSE(parse_authority("[::1]"));
    EXPECT_FALSE(parse_authority("[2001:db8::1]"));
}

TEST(ProxyRulesAuthorityTest, PortZeroAndBadPortsAreRefused) {
    for (const std::string_view target :
         {"example.org:0", "[::1]:0", "example.org:65536", "example.org:x", "example.org:443/",
          "example.org:-443"}) {
        EXPECT_FALSE(parse_authority(target)) << target;
    }
}

TEST(ProxyRulesAuthorityTest, NotAnAuthority) {
    for (const std::string_view target :
         {"http://example.org:80", "/path:80", "user@example.org:443", "exa mple:443", "*"}) {
        EXPECT_FALSE(parse_authority(target)) << target;
    }
}

// ---------------------------------------------------------------------------- Via

TEST(ProxyRulesViaTest, ElementNamesTheReceivedVersion) {
    // RFC 9110 7.6.3: received-protocol RWS received-by [ RWS comment ].
    EXPECT_EQ(via_element(Version{1, 1}, kSelf), "1.1 proxy.test:8888 (web_proxy)");
    EXPECT_EQ(via_element(Version{1, 0}, kSelf), "1.0 proxy.test:8888 (web_proxy)");
}

TEST(ProxyRulesViaTest, PassedThroughFindsOurName) {
    Headers none;
    EXPECT_FALSE(passed_through(none, kSelf));

    Headers others;
    others.add("Via", "1.0 fred, 1.1 p.example.net (Apache/1.1)");
    others.add("Via", "1.1 proxy.test:8889");
    others.add("X-Via", "1.1 proxy.test:8888");
    EXPECT_FALSE(passed_through(others, kSelf));

    Headers ours = others;
    ours.add("via", "1.1 other.example, 1.1 PROXY.test:8888 (web_proxy)");
    EXPECT_TRUE(passed_through(ours, kSelf));

    Headers with_protocol_name;
    with_protocol_name.add("Via", "HTTP/1.1 proxy.test:8888");
    EXPECT_TRUE(passed_through(with_protocol_name, kSelf));
}

// ---------------------------------------------------------------------------- remove_hop_by_hop

TEST(ProxyRulesHopByHopTest, RemovesTheFixedListAndWhatConnectionNames) {
    Headers headers;
    headers.add("Host", "example.org");
    headers.add("Connection", "keep-alive, X-Secret");
    headers.add("x-secret", "1");
    headers.add("Keep-Alive", "timeout=5");
    headers.add("Proxy-Connection", "keep-alive");
    headers.add("TE", "trailers");
    headers.add("Upgrade", "h2c");
    headers.add("Proxy-Authorization", "Basic eDp5");
    headers.add("Proxy-Authenticate", "Basic");
    headers.add("Accept", "*/*");
    headers.add("connection", "X-Other");
    headers.add("X-Other", "2");
    headers.add("User-Agent", "test");
    remove_hop_by_hop(headers);

    ASSERT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers.all()[0].name, "Host");
    EXPECT_EQ(headers.all()[1].name, "Accept");
    EXPECT_EQ(headers.all()[2].name, "User-Agent");
}

TEST(ProxyRulesHopByHopTest, FramingFieldsAndHostStayEvenWhenNamed) {
    Headers headers;
    headers.add("Connection", "Content-Length, Transfer-Encoding, Host, close");
    headers.add("Host", "example.org");
    headers.add("Content-Length", "3");
    headers.add("Transfer-Encoding", "chunked");
    remove_hop_by_hop(headers);

    EXPECT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers.get("Host"), "example.org");
    EXPECT_EQ(headers.get("Content-Length"), "3");
    EXPECT_EQ(headers.get("Transfer-Encoding"), "chunked");
    EXPECT_EQ(headers.count("Connection"), 0u);
}

// ---------------------------------------------------------------------------- plan_request

TEST(ProxyRulesPlanTest, OriginFormIsRefused) {
    // A client that treats the proxy as an origin server.
    const auto origin = plan("GET /index.html HTTP/1.1\r\nHost: example.org\r\n\r\n");
    EXPECT_EQ(refusal_status(origin), 400);
    EXPECT_FALSE(std::get<Refusal>(origin).detail.empty());
    EXPECT_EQ(refusal_status(plan("OPTIONS * HTTP/1.1\r\nHost: example.org\r\n\r\n")), 400);
    EXPECT_EQ(refusal_status(plan("GET example.org/x HTTP/1.1\r\nHost: example.org\r\n\r\n")), 400);
}

TEST(ProxyRulesPlanTest, BadConnectTargetIs400) {
    for (const std::string_view head : {
             "CONNECT example.org HTTP/1.1\r\nHost: example.org\r\n\r\n",
             "CONNECT example.org:0 HTTP/1.1\r\nHost: example.org:0\r\n\r\n",
             "CONNECT /x HTTP/1.1\r\nHost: example.org\r\n\r\n",
             "CONNECT http://example.org:443/ HTTP/1.1\r\nHost: example.org\r\n\r\n",
             "CONNECT ::1:443 HTTP/1.1\r\nHost: x\r\n\r\n",
         }) {
        EXPECT_EQ(refusal_status(plan(head)), 400) << head;
    }
}

TEST(ProxyRulesPlanTest, HttpsAbsoluteFormIs501) {
    const auto https = plan("GET https://example.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n");
    EXPECT_EQ(refusal_status(https), 501);
    EXPECT_EQ(refusal_status(plan("GET ftp://example.org/f HTTP/1.1\r\nHost: example.org\r\n\r\n")),
              501);
}

TEST(ProxyRulesPlanTest, InvalidHttpUriIs400) {
    // A malformed http:// URI is the client's error, 400 (RFC 9110 4.2.1: an empty host MUST be
    // rejected); 501 is for schemes the proxy does not forward.
    for (const std::string_view head : {
             "GET http:///x HTTP/1.1\r\nHost: example.org\r\n\r\n",
             "GET http://example.org:0/ HTTP/1.1\r\nHost: example.org\r\n\r\n",
             "GET http://example.org:99999/ HTTP/1.1\r\nHost: example.org\r\n\r\n",
             "GET http://exa$mple.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n",
         }) {
        EXPECT_EQ(refusal_status(plan(head)), 400) << head;
    }
}

TEST(ProxyRulesPlanTest, LoopIs508) {
    // RFC 9110 7.6.3: Via lets a proxy see a request that has come back to it.
    EXPECT_EQ(refusal_status(plan("GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n"
                                  "Via: 1.1 proxy.test:8888 (web_proxy)\r\n\r\n")),
              508);
    EXPECT_EQ(refusal_status(plan("GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n"
                                  "Via: 1.0 a.example, 1.1 proxy.test:8888\r\n\r\n")),
              508);
    EXPECT_EQ(refusal_status(plan("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n"
                                  "Via: 1.1 proxy.test:8888 (web_proxy)\r\n\r\n")),
              508);
    // Another proxy's Via is not a loop.
    EXPECT_EQ(refusal_status(plan("GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n"
                                  "Via: 1.1 proxy.test:9999\r\n\r\n")),
              0);
}

TEST(ProxyRulesPlanTest, ConnectIsATunnel) {
    const auto p = plan("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Tunnel>(p));
    EXPECT_EQ(std::get<Tunnel>(p).destination, (Destination{"example.org", 443}));

    const auto v6 = plan("CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Tunnel>(v6));
    EXPECT_EQ(std::get<Tunnel>(v6).destination, (Destination{"::1", 8443}));
}

TEST(ProxyRulesPlanTest, ConnectToBracketedHostWithoutPortIs400) {
    // See BracketedIpv6WithoutPortIsRefused.
    EXPECT_EQ(refusal_status(plan("CONNECT [::1] HTTP/1.1\r\nHost: [::1]\r\n\r\n")), 400);
}

TEST(ProxyRulesPlanTest, ForwardHeadIsExact) {
    const auto p = plan(
        "GET http://user:pw@example.org:8080/a/b?c=d#frag HTTP/1.1\r\n"
        "Host: wrong.example\r\n"
        "User-Agent: test/1\r\n"
        "Connection: keep-alive, X-Secret\r\n"
        "X-Secret: 1\r\n"
        "Keep-Alive: timeout=5\r\n"
        "Proxy-Connection: keep-alive\r\n"
        "Proxy-Authorization: Basic eDp5\r\n"
        "TE: trailers\r\n"
        "Upgrade: h2c\r\n"
        "Accept: */*\r\n"
        "Via: 1.0 other.example\r\n"
        "\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(p)) << refusal_status(p);
    const auto& forward = std::get<Forward>(p);
    EXPECT_EQ(forward.destination, (Destination{"example.org", 8080}));
    EXPECT_EQ(forward.head, std::string("GET /a/b?c=d HTTP/1.1\r\n"
                                        "Host: example.org:8080\r\n"
                                        "User-Agent: test/1\r\n"
                                        "Accept: */*\r\n"
                                        "Via: 1.0 other.example\r\n") +
                                std::string(kOurVia11) + "\r\n");
}

TEST(ProxyRulesPlanTest, Http10ClientGoesUpstreamAsHttp11) {
    // RFC 9110 6.2: a proxy sends its own highest version; Via records the client's.
    const auto p = plan("GET http://example.org HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(p));
    EXPECT_EQ(std::get<Forward>(p).head, std::string("GET / HTTP/1.1\r\n"
                                                     "Host: example.org\r\n") +
                                             std::string(kOurVia10) + "\r\n");
}

TEST(ProxyRulesPlanTest, HostIsTheUriAuthority) {
    // RFC 9112 3.2.2: the Host of a forwarded request is the target URI's authority.
    const auto p = plan("GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(p));
    const auto& forward = std::get<Forward>(p);
    EXPECT_EQ(forward.destination, (Destination{"::1", 8080}));
    EXPECT_TRUE(forward.head.starts_with("GET /x HTTP/1.1\r\nHost: [::1]:8080\r\n"))
        << forward.head;
}

TEST(ProxyRulesPlanTest, FramingFieldsNamedInConnectionStay) {
    const auto length = plan(
        "POST http://example.org/upload HTTP/1.1\r\nHost: example.org\r\n"
        "Connection: Content-Length, Host\r\nContent-Length: 3\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(length));
    EXPECT_EQ(std::get<Forward>(length).head, std::string("POST /upload HTTP/1.1\r\n"
                                                          "Host: example.org\r\n"
                                                          "Content-Length: 3\r\n") +
                                                  std::string(kOurVia11) + "\r\n");

    const auto chunked = plan(
        "PUT http://example.org/f HTTP/1.1\r\nHost: example.org\r\n"
        "Transfer-Encoding: chunked\r\nConnection: transfer-encoding\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(chunked));
    EXPECT_EQ(std::get<Forward>(chunked).head, std::string("PUT /f HTTP/1.1\r\n"
                                                           "Host: example.org\r\n"
                                                           "Transfer-Encoding: chunked\r\n") +
                                                   std::string(kOurVia11) + "\r\n");
}

TEST(ProxyRulesPlanTest, OptionsWithEmptyPathBecomesAsterisk) {
    // RFC 9112 3.2.4: for an OPTIONS request whose absolute-form URI has an empty path and no
    // query, the last proxy MUST send the asterisk-form "*" upstream.
    const auto p =
        plan("OPTIONS http://example.org:8001 HTTP/1.1\r\nHost: example.org:8001\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(p));
    EXPECT_TRUE(std::get<Forward>(p).head.starts_with("OPTIONS * HTTP/1.1\r\n"))
        << std::get<Forward>(p).head;
    // With a path it stays a request about that path.
    const auto with_path =
        plan("OPTIONS http://example.org:8001/ HTTP/1.1\r\nHost: example.org:8001\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<Forward>(with_path));
    EXPECT_TRUE(std::get<Forward>(with_path).head.starts_with("OPTIONS / HTTP/1.1\r\n"));
}

// ---------------------------------------------------------------------------- client_framing

TEST(ProxyRulesFramingTest, LengthBodyKeepsTheClientConnection) {
    const auto response = response_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    const auto framing = client_framing(response, Version{1, 1}, true);
    EXPECT_TRUE(framing.keep_alive);
    EXPECT_FALSE(framing.dechunk);
    // A 1.0 client that asked for keep-alive keeps it too.
    EXPECT_TRUE(client_framing(response, Version{1, 0}, true).keep_alive);
}

TEST(ProxyRulesFramingTest, ChunkedToHttp10ClientIsDechunkedAndCloses) {
    // RFC 9112 7.1: chunked is for HTTP/1.1 recipients; a 1.0 client's body ends at the close.
    const auto response = response_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const auto framing = client_framing(response, Version{1, 0}, true);
    EXPECT_TRUE(framing.dechunk);
    EXPECT_FALSE(framing.keep_alive);

    const auto for_11 = client_framing(response, Version{1, 1}, true);
    EXPECT_FALSE(for_11.dechunk);
    EXPECT_TRUE(for_11.keep_alive);
}

TEST(ProxyRulesFramingTest, UntilCloseBodyCloses) {
    const auto response = response_of("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    ASSERT_EQ(response.body, BodyKind::kUntilClose);
    EXPECT_FALSE(client_framing(response, Version{1, 1}, true).keep_alive);
    EXPECT_FALSE(client_framing(response, Version{1, 0}, true).keep_alive);
    EXPECT_FALSE(client_framing(response, Version{1, 1}, true).dechunk);
}

TEST(ProxyRulesFramingTest, ClientAskedToClose) {
    const auto response = response_of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_FALSE(client_framing(response, Version{1, 1}, false).keep_alive);
    EXPECT_FALSE(client_framing(response, Version{1, 0}, false).keep_alive);
}

TEST(ProxyRulesFramingTest, BodilessResponsesKeepAlive) {
    const auto head = response_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD");
    ASSERT_EQ(head.body, BodyKind::kNone);
    EXPECT_TRUE(client_framing(head, Version{1, 0}, true).keep_alive);
    EXPECT_FALSE(client_framing(head, Version{1, 0}, true).dechunk);
    const auto not_modified = response_of("HTTP/1.1 304 Not Modified\r\n\r\n");
    EXPECT_TRUE(client_framing(not_modified, Version{1, 1}, true).keep_alive);
}

// ---------------------------------------------------------------------------- client_response_head

TEST(ProxyRulesResponseHeadTest, ExactBytesForHttp11Client) {
    const auto response = response_of(
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/plain\r\n"
        "Connection: keep-alive, X-Hop\r\n"
        "X-Hop: a\r\n"
        "Keep-Alive: timeout=5\r\n"
        "Upgrade: h2c\r\n"
        "Proxy-Authenticate: Basic\r\n"
        "Content-Length: 5\r\n"
        "Via: 1.1 origin.example\r\n"
        "\r\n");
    const auto framing = client_framing(response, Version{1, 1}, true);
    EXPECT_EQ(client_response_head(response, kSelf, Version{1, 1}, framing),
              std::string("HTTP/1.1 200 OK\r\n"
                          "Content-Type: text/plain\r\n"
                          "Content-Length: 5\r\n"
                          "Via: 1.1 origin.example\r\n") +
                  std::string(kOurVia11) + "\r\n");
}

TEST(ProxyRulesResponseHeadTest, Http10ServerAndKeepAliveHttp10Client) {
    // The status line is always ours (HTTP/1.1); Via records the server's version; a 1.0
    // client needs to hear keep-alive to keep the connection.
    const auto response = response_of(
        "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    const auto framing = client_framing(response, Version{1, 0}, true);
    ASSERT_TRUE(framing.keep_alive);
    EXPECT_EQ(client_response_head(response, kSelf, Version{1, 0}, framing),
              std::string("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n") +
                  std::string(kOurVia10) + "Connection: keep-alive\r\n\r\n");
}

TEST(ProxyRulesResponseHeadTest, DechunkedForHttp10Client) {
    const auto response = response_of(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n");
    const auto framing = client_framing(response, Version{1, 0}, true);
    EXPECT_EQ(client_response_head(response, kSelf, Version{1, 0}, framing),
              std::string("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n") +
                  std::string(kOurVia11) + "Connection: close\r\n\r\n");
}

TEST(ProxyRulesResponseHeadTest, CloseAndEmptyReason) {
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]: the second SP stays.
    const auto response = response_of("HTTP/1.1 299 \r\nX: y\r\n\r\n");
    const auto framing = client_framing(response, Version{1, 1}, true);
    ASSERT_FALSE(framing.keep_alive);  // until close
    EXPECT_EQ(client_response_head(response, kSelf, Version{1, 1}, framing),
              std::string("HTTP/1.1 299 \r\nX: y\r\n") + std::string(kOurVia11) +
                  "Connection: close\r\n\r\n");
}

TEST(ProxyRulesResponseHeadTest, ContentLengthBesideChunkedIsRemoved) {
    // RFC 9112 6.3 (item 3): Transfer-Encoding overrides a Content-Length beside it, and "a
    // sender MUST remove the received Content-Length field prior to forwarding such a message
    // downstream". Left for an HTTP/1.0 client, it would frame a dechunked body of another length.
    const auto response =
        response_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    ASSERT_EQ(response.body, BodyKind::kChunked);
    for (const Version client : {Version{1, 1}, Version{1, 0}}) {
        const auto framing = client_framing(response, client, true);
        const auto head = client_response_head(response, kSelf, client, framing);
        EXPECT_EQ(head.find("Content-Length"), std::string::npos)
            << "HTTP/1." << client.minor << " client:\n"
            << head;
    }
}

TEST(ProxyRulesResponseHeadTest, InterimResponse) {
    const auto response = response_of("HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_EQ(client_response_head(response, kSelf, Version{1, 1}, {}),
              std::string("HTTP/1.1 100 Continue\r\n") + std::string(kOurVia11) + "\r\n");
}

// ---------------------------------------------------------------------------- error_response

// Splits an error response into its parsed head and its body.
struct ParsedError {
    Response response;
    std::string body;
};
ParsedError parse_error(const std::string& bytes) {
    const auto result = net::http::parse_response_head(bytes, "GET");
    EXPECT_EQ(result.kind, net::http::HeadKind::kComplete) << result.error.reason;
    return {result.head, bytes.substr(result.consumed)};
}

TEST(ProxyRulesErrorResponseTest, StatusLineAndLength) {
    const auto bytes = error_response(502, "The server did not answer.", false);
    EXPECT_TRUE(bytes.starts_with("HTTP/1.1 502 Bad Gateway\r\n")) << bytes;
    const auto parsed = parse_error(bytes);
    EXPECT_EQ(parsed.response.status, 502);
    ASSERT_EQ(parsed.response.body, BodyKind::kLength);
    EXPECT_EQ(parsed.response.content_length, parsed.body.size());
    EXPECT_NE(parsed.body.find("The server did not answer."), std::string::npos);
    EXPECT_EQ(parsed.response.headers.get("Content-Type"), "text/html; charset=utf-8");
}

TEST(ProxyRulesErrorResponseTest, ConnectionFollowsKeepAlive) {
    EXPECT_EQ(parse_error(error_response(400, "x", false)).response.headers.get("Connection"),
              "close");
    EXPECT_EQ(parse_error(error_response(400, "x", true)).response.headers.get("Connection"),
              "keep-alive");
    EXPECT_FALSE(parse_error(error_response(400, "x", false)).response.keep_alive);
    EXPECT_TRUE(parse_error(error_response(400, "x", true)).response.keep_alive);
}

TEST(ProxyRulesErrorResponseTest, DateIsPresent) {
    // RFC 9110 6.6.1: an origin of a response with a clock sends Date.
    const auto parsed = parse_error(error_response(508, "loop", false));
    const auto date = parsed.response.headers.get("Date");
    ASSERT_TRUE(date);
    EXPECT_TRUE(net::http::parse_http_date(*date)) << *date;
}

TEST(ProxyRulesErrorResponseTest, ReasonPhrasesAndEscaping) {
    EXPECT_TRUE(error_response(508, "x", false).starts_with("HTTP/1.1 508 Loop Detected\r\n"));
    EXPECT_TRUE(error_response(501, "x", false).starts_with("HTTP/1.1 501 Not Implemented\r\n"));
    EXPECT_TRUE(error_response(400, "x", false).starts_with("HTTP/1.1 400 Bad Request\r\n"));
    const auto parsed = parse_error(error_response(400, "<script>&", false));
    EXPECT_EQ(parsed.body.find("<script>"), std::string::npos);
    EXPECT_NE(parsed.body.find("&lt;script&gt;&amp;"), std::string::npos);
    EXPECT_EQ(parsed.response.content_length, parsed.body.size());
}

// ---------------------------------------------------------------------------- own_response

TEST(ProxyRulesOwnResponseTest, HeadFieldsAndBody) {
    net::http::Headers extra;
    extra.add("Allow", "GET, HEAD");
    const auto bytes = own_response({.status = 405,
                                     .content_type = "text/plain",
                                     .body = "no",
                                     .keep_alive = true,
                                     .extra_fields = extra},
                                    784111777);
    EXPECT_EQ(bytes,
              "HTTP/1.1 405 Method Not Allowed\r\n"
              "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: 2\r\n"
              "Allow: GET, HEAD\r\n"
              "Connection: keep-alive\r\n"
              "\r\n"
              "no");
}

TEST(ProxyRulesOwnResponseTest, HeadOnlyKeepsTheLengthAndDropsTheBody) {
    // RFC 9110 9.3.2: a HEAD response carries the fields a GET would, without the content.
    const auto bytes = own_response({.status = 200,
                                     .content_type = "application/json",
                                     .body = "{}\n",
                                     .keep_alive = false,
                                     .head_only = true},
                                    0);
    const auto parsed = net::http::parse_response_head(bytes, "HEAD");
    ASSERT_EQ(parsed.kind, net::http::HeadKind::kComplete);
    EXPECT_EQ(parsed.consumed, bytes.size());
    EXPECT_EQ(parsed.head.headers.get("Content-Length"), "3");
    EXPECT_EQ(parsed.head.headers.get("Connection"), "close");
}

}  // namespace
}  // namespace web_proxy
