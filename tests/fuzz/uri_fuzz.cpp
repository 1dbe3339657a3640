// libFuzzer target for the URI and authority parsers: web_proxy's absolute-form targets
// (parse_http_uri), CONNECT's authority-form (parse_authority), the cache key made from a target,
// common's host:port splitting, and the request parser's Host check. Checks:
// - a destination always has a host without brackets and a port that is not 0;
// - parse, write back, parse: the same parts (the URI from its authority and origin-form, the
//   authority from host and port, host:port from its parts);
// - the cache key is a fixed point (the key of a key is itself) and names the same destination;
// - every authority the proxy accepts (and sends on as Host) is a Host the request parser
//   accepts: the proxy never forwards a request its own kind of server refuses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/address.hpp"
#include "common/http_request.hpp"
#include "tests/fuzz/check.hpp"
#include "web_proxy/cache_rules.hpp"
#include "web_proxy/proxy_rules.hpp"

namespace {

using fuzz::check;

// "host:port", the host in brackets when it is an IPv6 literal.
std::string authority_text(const web_proxy::Destination& destination) {
    const bool v6 = destination.host.find(':') != std::string::npos;
    return (v6 ? "[" + destination.host + "]" : destination.host) + ":" +
           std::to_string(destination.port);
}

void check_destination(const web_proxy::Destination& destination) {
    check(!destination.host.empty() && destination.port != 0);
    check(destination.host.find_first_of("[]") == std::string::npos);
}

bool host_accepted(std::string_view host) {
    const std::string head = "GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n";
    return net::http::parse_request_head(head).kind == net::http::HeadKind::kComplete;
}

void fuzz_http_uri(std::string_view target) {
    const auto uri = web_proxy::parse_http_uri(target);
    const auto key = web_proxy::cache::cache_key(target);
    check(uri.has_value() == key.has_value());
    if (!uri) return;
    check_destination(uri->destination);
    check(uri->origin_form.starts_with('/'));
    check(uri->origin_form.find('#') == std::string::npos);
    check(!uri->bare || uri->origin_form == "/");
    check(target.find(uri->authority) != std::string_view::npos);
    check(host_accepted(uri->authority));

    const std::string rebuilt = "http://" + uri->authority + (uri->bare ? "" : uri->origin_form);
    const auto again = web_proxy::parse_http_uri(rebuilt);
    check(again && again->destination == uri->destination && again->authority == uri->authority &&
          again->origin_form == uri->origin_form && again->bare == uri->bare);

    check(key->starts_with("http://"));
    const auto key_uri = web_proxy::parse_http_uri(*key);
    check(key_uri && key_uri->origin_form == uri->origin_form);
    check(key_uri->destination.port == uri->destination.port);
    check(web_proxy::cache::cache_key(*key) == key);
    check(web_proxy::cache::cache_key(rebuilt) == key);
}

void fuzz_authority(std::string_view target) {
    const auto destination = web_proxy::parse_authority(target);
    if (!destination) return;
    check_destination(*destination);
    check(host_accepted(target));
    const std::string text = authority_text(*destination);
    check(web_proxy::parse_authority(text) == destination);
    // The same authority in a URI names the same place.
    const auto uri = web_proxy::parse_http_uri("http://" + std::string(target) + "/");
    check(uri && uri->destination == *destination);
}

void fuzz_host_port(std::string_view text) {
    const auto parts = net::split_host_port(text);
    // A host with brackets inside cannot be written back in brackets; resolving it fails anyway.
    if (!parts || parts->host.find_first_of("[]") != std::string::npos) return;
    const std::string port = parts->port.empty() ? "" : ":" + parts->port;
    check(net::split_host_port("[" + parts->host + "]" + port) == parts);
    // Without brackets only when neither part has a colon to confuse the split.
    if ((parts->host + parts->port).find(':') == std::string::npos) {
        check(net::split_host_port(parts->host + port) == parts);
    }
    if (const auto number = net::parse_port(parts->port)) {
        check(net::parse_port(std::to_string(*number)) == number);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    fuzz_http_uri(bytes);
    fuzz_authority(bytes);
    fuzz_host_port(bytes);
    // The same bytes behind a scheme, so that the mutations need not find "http://" first.
    fuzz_http_uri("http://" + std::string(bytes));
    return 0;
}
