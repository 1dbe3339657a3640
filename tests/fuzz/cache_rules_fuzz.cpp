// libFuzzer target for web_proxy's cache rules (RFC 9111). The input is a request head and the
// response head that answers it (or a response head alone, answering a plain GET). Checks:
// - Cache-Control: parse, write the directives back, parse: the same directives;
// - storing: a response marked no-store (unless must-understand with a status the cache
//   understands), private or Vary: *, or a request marked no-store, is never storable; the
//   stored fields hold no hop-by-hop field and none a qualified private names;
// - freshness: ages and lifetimes in range, an age that grows with the clock by no more than
//   the clock, a response fresh later was fresh before, no fresh reuse under no-cache;
// - serving: bytes inside the stored body, one Age, none for 304 and HEAD; a Cache-Status that
//   is a clean field value whatever the detail;
// - invalidation: only for unsafe methods, keys that are their own cache keys, on one origin.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "common/fnv1a.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"
#include "tests/fuzz/check.hpp"
#include "web_proxy/cache_rules.hpp"

namespace {

namespace cache = web_proxy::cache;
using fuzz::check;
using net::http::Headers;
using net::http::Request;
using net::http::Response;

constexpr std::time_t kNow = 1'800'000'000;

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

void check_cache_control_round_trip(const Headers& headers) {
    const auto directives = cache::parse_cache_control(headers);
    std::string line;
    for (const auto& directive : directives) {
        if (!line.empty()) line += ", ";
        line += directive.name;
        if (directive.argument) line += "=" + quoted(*directive.argument);
    }
    Headers written;
    written.add("Cache-Control", line);
    const auto again = cache::parse_cache_control(written);
    check(again.size() == directives.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        check(again[i].name == directives[i].name && again[i].argument == directives[i].argument);
    }
    for (const auto& directive : directives) {
        check(!directive.name.empty());
        if (directive.argument) {
            const auto seconds = cache::parse_delta_seconds(*directive.argument);
            check(!seconds || (*seconds >= 0 && *seconds <= cache::kMaxDeltaSeconds));
        }
    }
}

template <typename Message>
Message with_field(Message message, std::string name, std::string value) {
    message.headers.add(std::move(name), std::move(value));
    return message;
}

void check_storing(const Request& request, const Response& response) {
    const auto verdict = cache::storable(request, response);
    if (verdict == cache::StoreVerdict::kStorable) {
        const auto directives = cache::parse_response_directives(response.headers);
        check(!directives.no_store || directives.must_understand);
        check(!directives.is_private);
        check(!cache::parse_request_directives(request.headers).no_store);
        check(!cache::vary_star(response.headers));
        check(response.status >= 200 && response.status != 206 && response.status != 304);
        check(request.method == "GET" || request.method == "POST");
    }
    // Marking either message can only forbid storing.
    const auto no_store = with_field(response, "Cache-Control", "no-store");
    const auto marked = cache::storable(request, no_store);
    if (marked == cache::StoreVerdict::kStorable) {
        check(cache::parse_response_directives(no_store.headers).must_understand &&
              cache::understood_status(response.status));
    }
    check(cache::storable(with_field(request, "Cache-Control", "no-store"), response) !=
          cache::StoreVerdict::kStorable);
    check(cache::storable(request, with_field(response, "Cache-Control", "private")) !=
          cache::StoreVerdict::kStorable);
    check(cache::storable(request, with_field(response, "Vary", "*")) !=
          cache::StoreVerdict::kStorable);
    auto head = request;
    head.method = "PUT";
    check(cache::storable(head, response) != cache::StoreVerdict::kStorable);

    const auto stored = cache::storable_headers(response.headers);
    for (const char* name :
         {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Transfer-Encoding", "Upgrade",
          "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Authentication-Info"}) {
        check(stored.count(name) == 0);
    }
    for (const auto name : response.headers.list("Connection")) {
        if (!net::iequals(name, "Content-Length") && !net::iequals(name, "Host")) {
            check(stored.count(name) == 0);
        }
    }
    for (const auto& name : cache::parse_response_directives(response.headers).private_fields)
        check(stored.count(name) == 0);
}

void check_freshness(const Request& request, const cache::StoredResponse& stored,
                     std::uint64_t seed) {
    const auto lifetime = cache::freshness_lifetime(stored);
    check(lifetime >= 0 && lifetime <= cache::kMaxDeltaSeconds);
    const std::time_t later = static_cast<std::time_t>(seed % 100'000'000);
    const auto age = cache::current_age(stored, kNow);
    const auto older = cache::current_age(stored, kNow + later);
    check(age >= 0 && older <= cache::kMaxDeltaSeconds);
    check(age <= older && older - age <= later);

    const auto directives = cache::parse_request_directives(request.headers);
    const auto now = cache::decide_reuse(stored, directives, kNow);
    const auto then = cache::decide_reuse(stored, directives, kNow + later);
    check(now.age == age && now.lifetime == lifetime);
    if (then.reuse == cache::Reuse::kFresh) check(now.reuse == cache::Reuse::kFresh);
    if (now.reuse == cache::Reuse::kFresh) {
        check(now.age < now.lifetime);
        check(!directives.no_cache && !cache::parse_response_directives(stored.headers).no_cache);
        check(!directives.max_age || now.age <= *directives.max_age);
    }
    if (now.reuse == cache::Reuse::kStale || now.reuse == cache::Reuse::kStaleWhileRevalidate) {
        check(now.age >= now.lifetime);
        const auto response = cache::parse_response_directives(stored.headers);
        check(!response.must_revalidate && !response.proxy_revalidate && !response.s_maxage &&
              !response.no_cache);
    }
    const auto no_cache = with_field(request, "Cache-Control", "no-cache");
    check(cache::decide_reuse(stored, cache::parse_request_directives(no_cache.headers), kNow)
              .reuse == cache::Reuse::kRevalidate);
    check(!cache::may_serve_stale_on_error(stored, no_cache.headers, kNow + later, true));
}

void check_serving(const Request& request, const cache::StoredResponse& stored,
                   std::uint64_t body_size, cache::Seconds age) {
    for (const bool validated : {false, true}) {
        const auto served = cache::serve_stored(request, stored, body_size, age, validated);
        check(served.body_offset <= body_size &&
              served.body_length <= body_size - served.body_offset);
        check(served.headers.count("Age") == 1);
        if (served.status == 304 || request.method == "HEAD") check(served.body_length == 0);
        if (served.status == 304) check(served.headers.count("Content-Length") == 0);
        if (served.body_length > 0) {
            check(served.headers.get("Content-Length") == std::to_string(served.body_length));
        }
    }
}

void check_invalidation(const Request& request, const Response& response) {
    const auto keys = cache::invalidated_keys(request, response);
    if (cache::is_safe_method(request.method) || response.status >= 400) check(keys.empty());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        check(cache::cache_key(keys[i]) == keys[i]);
        check(std::count(keys.begin(), keys.end(), keys[i]) == 1);
        const auto origin = [](std::string_view key) { return key.substr(0, key.find('/', 7)); };
        check(origin(keys[i]) == origin(keys[0]));
    }
    if (!keys.empty()) check(keys[0] == cache::cache_key(request.target));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::uint64_t seed = net::fnv1a(bytes);

    Request request;
    request.method = "GET";
    request.target = "http://fuzz.test/x";
    if (const auto head = net::http::parse_request_head(bytes);
        head.kind == net::http::HeadKind::kComplete) {
        request = head.head;
        bytes.remove_prefix(head.consumed);
    }
    check_cache_control_round_trip(request.headers);
    const auto parsed = net::http::parse_response_head(bytes, request.method);
    if (parsed.kind != net::http::HeadKind::kComplete) return 0;
    const Response& response = parsed.head;
    check_cache_control_round_trip(response.headers);
    check_storing(request, response);

    // Stored when it arrived at kNow, for a request sent up to a day before.
    const cache::StoredResponse stored{
        response.status, response.reason, cache::storable_headers(response.headers),
        kNow - static_cast<std::time_t>((seed >> 32) % 86'400), kNow};
    check_freshness(request, stored, seed);
    const std::uint64_t body_size = bytes.size() - parsed.consumed;
    check_serving(request, stored, body_size, cache::current_age(stored, kNow));

    const auto updated = cache::updated_headers(stored.headers, response.headers);
    check(updated.get("Content-Length") == stored.headers.get("Content-Length"));
    check(updated.count("Connection") == 0 && updated.count("Transfer-Encoding") == 0);
    check_invalidation(request, response);

    cache::CacheStatus status;
    status.detail = std::string(bytes.substr(0, 64));
    const auto line = cache::format_cache_status(status);
    check(net::http::is_valid_field_value(line));
    return 0;
}
