// ProxyCache: the cache as the request path uses it, with a real CacheStore and messages from the
// real parsers: lookups (bypass, method, miss and collapsed fills, only-if-cached, fresh, stale
// with and without validators, origin preconditions), verdicts on response heads (storable or
// not, too large, 304 merges, stale on error, invalidation), keeping responses, and the exact
// bytes of answers from storage. Times are passed in: no clock is read.
#include "web_proxy/proxy_cache.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/http_date.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"
#include "web_proxy/cache_store.hpp"
#include "web_proxy/proxy_rules.hpp"

namespace web_proxy {
namespace {

using Action = CacheLookup::Action;
using net::http::Request;
using net::http::Response;

constexpr std::time_t kT = 1'700'000'000;  // 2023-11-14 22:13:20 GMT: when responses arrive
constexpr std::size_t kMaxObject = 1024;
constexpr std::string_view kUri = "http://example.test/a";

std::string date(std::time_t when) {
    return net::http::format_http_date(when);
}

Request parse_request(const std::string& head) {
    const auto result = net::http::parse_request_head(head);
    EXPECT_EQ(result.kind, net::http::HeadKind::kComplete) << head;
    return result.head;
}

// A request head for `target` with extra field lines (each ending in CRLF).
Request request_of(std::string_view method, std::string_view target, std::string_view fields = "",
                   std::string_view version = "HTTP/1.1") {
    return parse_request(std::string(method) + " " + std::string(target) + " " +
                         std::string(version) + "\r\nHost: example.test\r\n" + std::string(fields) +
                         "\r\n");
}

Request get(std::string_view fields = "") {
    return request_of("GET", kUri, fields);
}

// A response head with a status line and field lines (each ending in CRLF), answering `method`.
Response response_of(std::string_view status_line, std::string_view fields,
                     std::string_view method = "GET") {
    const std::string head = std::string(status_line) + "\r\n" + std::string(fields) + "\r\n";
    const auto result = net::http::parse_response_head(head, method);
    EXPECT_EQ(result.kind, net::http::HeadKind::kComplete) << head;
    return result.head;
}

// A 200 with a Date of kT and the given fields, its body announced by Content-Length.
Response ok_of(std::string_view fields, std::string_view body) {
    return response_of("HTTP/1.1 200 OK", "Date: " + date(kT) + "\r\n" + std::string(fields) +
                                              "Content-Length: " + std::to_string(body.size()) +
                                              "\r\n");
}

// Records what a fill callback is called with.
struct FillRecorder {
    int calls = 0;
    std::shared_ptr<const cache::Entry> entry;

    cache::FillCallback callback() {
        return [this](std::shared_ptr<const cache::Entry> filled) {
            ++calls;
            entry = std::move(filled);
        };
    }
};

class ProxyCacheTest : public ::testing::Test {
  protected:
    // Keeps `response` with `body` for `request`, fetched at kT, as finish_exchange does without a
    // fill or a revalidation; returns what the store now holds for the request.
    std::shared_ptr<const cache::Entry> keep(const Request& request, const Response& response,
                                             std::string body) {
        cache::FillToken none;
        cache_.keep(request, response, std::move(body), kT, kT, none, nullptr);
        return store_.lookup(std::string(kUri), request.headers);
    }
    std::shared_ptr<const cache::Entry> keep(std::string_view fields, std::string body) {
        return keep(get(), ok_of(fields, body), std::move(body));
    }

    CacheLookup lookup(const Request& request, std::time_t now, bool collapse = true) {
        return cache_.lookup(request, now, ignored_.callback(), collapse);
    }

    cache::CacheStore store_;
    ProxyCache cache_{&store_, kMaxObject};
    FillRecorder ignored_;
    const Identity self_{"proxy.test:8888"};
};

// ---------------------------------------------------------------------------- lookup

TEST_F(ProxyCacheTest, WithoutAStoreEveryRequestIsForwardedAsBypass) {
    const ProxyCache off(nullptr, kMaxObject);
    EXPECT_FALSE(off.enabled());
    const auto lookup = off.lookup(get(), kT, ignored_.callback());
    EXPECT_EQ(lookup.action, Action::kForward);
    EXPECT_FALSE(lookup.store);
    EXPECT_FALSE(lookup.fill.pending());
    EXPECT_EQ(lookup.entry, nullptr);
    EXPECT_EQ(cache::format_cache_status(lookup.status), "web_proxy; fwd=bypass; detail=off");
    // Nor does a response head change anything.
    const auto verdict = off.on_response(get(), ok_of("Cache-Control: max-age=60\r\n", "hello"),
                                         nullptr, true, kT, kT);
    EXPECT_FALSE(verdict.store);
}

TEST_F(ProxyCacheTest, PostIsForwardedForItsMethod) {
    keep("Cache-Control: max-age=60\r\n", "hello");
    const auto lookup =
        cache_.lookup(request_of("POST", kUri, "Content-Length: 0\r\n"), kT, ignored_.callback());
    EXPECT_EQ(lookup.action, Action::kForward);
    EXPECT_EQ(lookup.status.fwd, cache::Forward::kMethod);
    EXPECT_FALSE(lookup.store);
    EXPECT_FALSE(lookup.fill.pending());
    EXPECT_EQ(lookup.entry, nullptr);
    EXPECT_EQ(cache::format_cache_status(lookup.status), "web_proxy; fwd=method");
}

TEST_F(ProxyCacheTest, MissFillsForTheRequestsThatWaitForIt) {
    FillRecorder filler;
    FillRecorder waiter;
    auto first = cache_.lookup(get(), kT, filler.callback());
    EXPECT_EQ(first.action, Action::kForward);
    EXPECT_TRUE(first.store);
    EXPECT_TRUE(first.fill.pending());
    EXPECT_EQ(first.status.fwd, cache::Forward::kUriMiss);

    const auto second = cache_.lookup(get(), kT, waiter.callback());
    EXPECT_EQ(second.action, Action::kWait);
    EXPECT_TRUE(second.status.collapsed);
    EXPECT_FALSE(second.fill.pending());
    EXPECT_EQ(waiter.calls, 0);

    // The filler's response is kept: that completes the fill, and the waiter gets the entry.
    const auto response = ok_of("Cache-Control: max-age=60\r\n", "hello");
    const auto verdict = cache_.on_response(get(), response, nullptr, first.store, kT, kT);
    ASSERT_TRUE(verdict.store);
    cache_.keep(get(), response, "hello", kT, kT, first.fill, nullptr);
    EXPECT_FALSE(first.fill.pending());
    EXPECT_EQ(waiter.calls, 1);
    ASSERT_NE(waiter.entry, nullptr);
    EXPECT_EQ(waiter.entry->body, "hello");
    EXPECT_EQ(waiter.entry->key, kUri);
    EXPECT_TRUE(cache_.serves(get(), *waiter.entry, kT + 1));
    EXPECT_EQ(filler.calls, 0);  // the filler is not called back for its own fill

    // And the store holds it for the next request.
    const auto third = lookup(get(), kT + 1);
    EXPECT_EQ(third.action, Action::kServe);
    EXPECT_EQ(third.entry, waiter.entry);
}

TEST_F(ProxyCacheTest, AbandonedFillHandsTheWaitersNothing) {
    FillRecorder waiter;
    auto first = lookup(get(), kT);
    ASSERT_TRUE(first.fill.pending());
    ASSERT_EQ(cache_.lookup(get(), kT, waiter.callback()).action, Action::kWait);
    first.fill.abandon();  // as when the response turns out not storable
    EXPECT_EQ(waiter.calls, 1);
    EXPECT_EQ(waiter.entry, nullptr);
    // The fill is over: the next request fills again.
    EXPECT_TRUE(lookup(get(), kT).fill.pending());
}

TEST_F(ProxyCacheTest, DestroyedFillTokenHandsTheWaitersNothing) {
    FillRecorder waiter;
    waiter.entry = std::make_shared<const cache::Entry>();  // must be reset to nullptr
    {
        const auto first = lookup(get(), kT);
        ASSERT_TRUE(first.fill.pending());
        ASSERT_EQ(cache_.lookup(get(), kT, waiter.callback()).action, Action::kWait);
        EXPECT_EQ(waiter.calls, 0);
    }  // as when the session ends before the response does
    EXPECT_EQ(waiter.calls, 1);
    EXPECT_EQ(waiter.entry, nullptr);
}

TEST_F(ProxyCacheTest, WithoutCollapseARequestNeverWaits) {
    FillRecorder retried;
    const auto first = lookup(get(), kT);
    ASSERT_TRUE(first.fill.pending());
    const auto second = cache_.lookup(get(), kT, retried.callback(), false);
    EXPECT_EQ(second.action, Action::kForward);
    EXPECT_TRUE(second.store);  // its own answer is still kept
    EXPECT_FALSE(second.fill.pending());
    EXPECT_FALSE(second.status.collapsed);
    EXPECT_EQ(retried.calls, 0);
    // A miss without collapse starts no fill either.
    const auto other =
        cache_.lookup(request_of("GET", "http://example.test/b"), kT, retried.callback(), false);
    EXPECT_EQ(other.action, Action::kForward);
    EXPECT_FALSE(other.fill.pending());
}

TEST_F(ProxyCacheTest, Rfc9111_5_2_1_7_OnlyIfCachedMissIsAGatewayTimeout) {
    const auto lookup = this->lookup(get("Cache-Control: only-if-cached\r\n"), kT);
    EXPECT_EQ(lookup.action, Action::kGatewayTimeout);
    EXPECT_FALSE(lookup.fill.pending());
    // It started no fill: the next request fills, it does not wait.
    const auto next = this->lookup(get(), kT);
    EXPECT_EQ(next.action, Action::kForward);
    EXPECT_TRUE(next.fill.pending());
}

TEST_F(ProxyCacheTest, Rfc9111_4_HeadIsServedFromAStoredGet) {
    const auto stored = keep("Cache-Control: max-age=60\r\n", "hello");
    ASSERT_NE(stored, nullptr);
    const auto lookup = this->lookup(request_of("HEAD", kUri), kT + 10);
    EXPECT_EQ(lookup.action, Action::kServe);
    EXPECT_EQ(lookup.entry, stored);
    // A HEAD miss is forwarded, not stored, and fills for nobody.
    const auto miss = this->lookup(request_of("HEAD", "http://example.test/b"), kT);
    EXPECT_EQ(miss.action, Action::kForward);
    EXPECT_FALSE(miss.store);
    EXPECT_FALSE(miss.fill.pending());
}

TEST_F(ProxyCacheTest, Rfc9111_4_2_FreshEntryIsServed) {
    const auto stored = keep("Cache-Control: max-age=60\r\n", "hello");
    ASSERT_NE(stored, nullptr);
    const auto lookup = this->lookup(get(), kT + 10);
    EXPECT_EQ(lookup.action, Action::kServe);
    EXPECT_EQ(lookup.entry, stored);
    EXPECT_FALSE(lookup.fill.pending());
    EXPECT_EQ(cache::format_cache_status(lookup.status), "web_proxy; hit; ttl=50");
}

TEST_F(ProxyCacheTest, Rfc9111_4_3_1_StaleEntryWithAnETagIsRevalidated) {
    const auto stored = keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello");
    ASSERT_NE(stored, nullptr);
    // The client's own conditional is replaced by the cache's (it is answered from the result).
    const auto lookup = this->lookup(get("If-None-Match: \"other\"\r\n"), kT + 100);
    EXPECT_EQ(lookup.action, Action::kRevalidate);
    EXPECT_EQ(lookup.entry, stored);
    EXPECT_TRUE(lookup.store);
    EXPECT_FALSE(lookup.fill.pending());
    EXPECT_EQ(lookup.upstream.method, "GET");
    EXPECT_EQ(lookup.upstream.target, kUri);
    EXPECT_EQ(lookup.upstream.headers.count("If-None-Match"), 1u);
    EXPECT_EQ(lookup.upstream.headers.get("If-None-Match"), "\"v1\"");
    EXPECT_EQ(lookup.upstream.headers.get("Host"), "example.test");
    EXPECT_EQ(cache::format_cache_status(lookup.status), "web_proxy; fwd=stale; ttl=-40");
}

TEST_F(ProxyCacheTest, Rfc9111_4_2_4_StaleEntryWithoutValidatorsIsForwardedButKept) {
    const auto stored = keep("Cache-Control: max-age=60\r\n", "hello");
    ASSERT_NE(stored, nullptr);
    const auto lookup = this->lookup(get(), kT + 100);
    EXPECT_EQ(lookup.action, Action::kForward);
    EXPECT_EQ(lookup.entry, stored);  // it may still answer if the server cannot
    EXPECT_TRUE(lookup.store);
    EXPECT_EQ(lookup.status.fwd, cache::Forward::kStale);
    EXPECT_EQ(lookup.upstream.headers.count("If-None-Match"), 0u);
}

TEST_F(ProxyCacheTest, Rfc9111_4_3_2_IfMatchGoesToTheServerUnchanged) {
    keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello");
    for (const auto& fields :
         {std::string("If-Match: \"v1\"\r\n"), "If-Unmodified-Since: " + date(kT) + "\r\n"}) {
        const auto lookup = this->lookup(get(fields), kT + 10);
        EXPECT_EQ(lookup.action, Action::kForward) << fields;
        EXPECT_EQ(lookup.status.fwd, cache::Forward::kRequest) << fields;
        EXPECT_EQ(lookup.entry, nullptr) << fields;
        EXPECT_FALSE(lookup.store) << fields;
        EXPECT_FALSE(lookup.fill.pending()) << fields;
    }
}

// ---------------------------------------------------------------------------- on_response

TEST_F(ProxyCacheTest, Rfc9111_3_StorableOkIsStored) {
    const auto verdict = cache_.on_response(get(), ok_of("Cache-Control: max-age=60\r\n", "hello"),
                                            nullptr, true, kT, kT);
    EXPECT_TRUE(verdict.store);
    EXPECT_TRUE(verdict.status.stored);
    EXPECT_EQ(verdict.status.fwd_status, 200);
    EXPECT_EQ(verdict.freshened, nullptr);
    // Not when the lookup said its answer is not to be kept (no-store in the request, HEAD).
    EXPECT_FALSE(cache_
                     .on_response(get(), ok_of("Cache-Control: max-age=60\r\n", "hello"), nullptr,
                                  false, kT, kT)
                     .store);
}

TEST_F(ProxyCacheTest, Rfc9111_3_NoStorePrivateAndAuthorizationAreNotStored) {
    const auto refused = [&](const Request& request, std::string_view fields) {
        const auto verdict =
            cache_.on_response(request, ok_of(fields, "hello"), nullptr, true, kT, kT);
        EXPECT_EQ(verdict.status.stored, verdict.store) << fields;  // Cache-Status says so
        return !verdict.store;
    };
    EXPECT_TRUE(refused(get(), "Cache-Control: no-store\r\n"));
    EXPECT_TRUE(refused(get(), "Cache-Control: private, max-age=60\r\n"));
    EXPECT_TRUE(
        refused(get("Authorization: Basic dXNlcjpwYXNz\r\n"), "Cache-Control: max-age=60\r\n"));
    // RFC 9111 3.5: public lets a response to an authorized request be stored.
    EXPECT_FALSE(refused(get("Authorization: Basic dXNlcjpwYXNz\r\n"),
                         "Cache-Control: public, max-age=60\r\n"));
}

TEST_F(ProxyCacheTest, ContentLengthOverMaxObjectIsNotStored) {
    const auto response_with_length = [](std::size_t length) {
        return response_of("HTTP/1.1 200 OK", "Cache-Control: max-age=60\r\nContent-Length: " +
                                                  std::to_string(length) + "\r\n");
    };
    const auto too_large =
        cache_.on_response(get(), response_with_length(kMaxObject + 1), nullptr, true, kT, kT);
    EXPECT_FALSE(too_large.store);
    EXPECT_FALSE(too_large.status.stored);
    EXPECT_EQ(too_large.status.detail, "too-large");
    const auto at_limit =
        cache_.on_response(get(), response_with_length(kMaxObject), nullptr, true, kT, kT);
    EXPECT_TRUE(at_limit.store);
    EXPECT_EQ(at_limit.status.detail, "");
}

TEST_F(ProxyCacheTest, Rfc9111_4_3_4_MatchingNotModifiedFreshensTheRevalidatedEntry) {
    ASSERT_NE(keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello"), nullptr);
    const auto lookup = this->lookup(get(), kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    const auto not_modified =
        response_of("HTTP/1.1 304 Not Modified", "ETag: \"v1\"\r\nDate: " + date(kT + 100) +
                                                     "\r\nCache-Control: max-age=60\r\n");
    const auto verdict =
        cache_.on_response(get(), not_modified, lookup.entry, lookup.store, kT + 100, kT + 100);
    ASSERT_NE(verdict.freshened, nullptr);
    EXPECT_FALSE(verdict.store);
    EXPECT_EQ(verdict.freshened->body, "hello");
    EXPECT_EQ(verdict.freshened->response.status, 200);
    EXPECT_EQ(verdict.freshened->response.request_time, kT + 100);
    EXPECT_EQ(verdict.freshened->response.response_time, kT + 100);
    EXPECT_EQ(verdict.freshened->response.headers.get("Date"), date(kT + 100));
    EXPECT_EQ(verdict.freshened->response.headers.count("Date"), 1u);
    // The store holds the freshened entry in the old one's place, and it is fresh again.
    EXPECT_EQ(store_.lookup(std::string(kUri), {}), verdict.freshened);
    EXPECT_EQ(store_.stats().entries, 1u);
    const auto later = this->lookup(get(), kT + 110);
    EXPECT_EQ(later.action, Action::kServe);
    EXPECT_EQ(later.entry, verdict.freshened);
    EXPECT_EQ(later.status.ttl, 50);
}

TEST_F(ProxyCacheTest, Rfc9111_5_2_1_5_NotModifiedToANoStoreRequestLeavesTheStoreAlone) {
    const auto stored = keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello");
    const auto request = get("Cache-Control: no-store\r\n");
    const auto lookup = this->lookup(request, kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    EXPECT_FALSE(lookup.store);
    const auto not_modified =
        response_of("HTTP/1.1 304 Not Modified", "ETag: \"v1\"\r\nDate: " + date(kT + 100) +
                                                     "\r\nCache-Control: max-age=60\r\n");
    const auto verdict =
        cache_.on_response(request, not_modified, lookup.entry, lookup.store, kT + 100, kT + 100);
    // The client is answered from the freshened response; no part of it is stored.
    ASSERT_NE(verdict.freshened, nullptr);
    EXPECT_EQ(verdict.freshened->response.headers.get("Date"), date(kT + 100));
    EXPECT_FALSE(verdict.store);
    EXPECT_EQ(store_.lookup(std::string(kUri), {}), stored);
}

TEST_F(ProxyCacheTest, Rfc9111_5_2_2_5_NoStoreNotModifiedIsNotStored) {
    ASSERT_NE(keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello"), nullptr);
    const auto lookup = this->lookup(get(), kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    const auto not_modified =
        response_of("HTTP/1.1 304 Not Modified", "ETag: \"v1\"\r\nDate: " + date(kT + 100) +
                                                     "\r\nCache-Control: no-store, max-age=60\r\n");
    const auto verdict =
        cache_.on_response(get(), not_modified, lookup.entry, lookup.store, kT + 100, kT + 100);
    ASSERT_NE(verdict.freshened, nullptr);  // this client is still answered
    EXPECT_FALSE(verdict.store);
    // Nothing of the 304 is stored, and the response it updates may no longer be kept either:
    // the next request is a miss, not a hit on a response the server says not to store.
    EXPECT_EQ(store_.lookup(std::string(kUri), {}), nullptr);
    EXPECT_EQ(this->lookup(get(), kT + 110).action, Action::kForward);
}

TEST_F(ProxyCacheTest, Rfc9111_4_3_4_NotModifiedForAnotherETagFreshensNothing) {
    const auto stored = keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello");
    const auto lookup = this->lookup(get(), kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    const auto not_modified = response_of("HTTP/1.1 304 Not Modified", "ETag: \"v2\"\r\n");
    const auto verdict =
        cache_.on_response(get(), not_modified, lookup.entry, lookup.store, kT + 100, kT + 100);
    EXPECT_EQ(verdict.freshened, nullptr);
    EXPECT_FALSE(verdict.store);  // a 304 is never stored itself
    EXPECT_EQ(store_.lookup(std::string(kUri), {}), stored);
}

TEST_F(ProxyCacheTest, Rfc5861_4_ServerErrorDuringRevalidationServesTheStaleEntry) {
    const auto stored =
        keep("Cache-Control: max-age=60, stale-if-error=600\r\nETag: \"v1\"\r\n", "hello");
    const auto lookup = this->lookup(get(), kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    const auto unavailable =
        response_of("HTTP/1.1 503 Service Unavailable", "Content-Length: 0\r\n");
    const auto verdict =
        cache_.on_response(get(), unavailable, lookup.entry, lookup.store, kT + 100, kT + 100);
    EXPECT_EQ(verdict.freshened, stored);
    EXPECT_FALSE(verdict.store);
    EXPECT_EQ(verdict.status.detail, "stale-on-error");
    EXPECT_EQ(verdict.status.fwd_status, 503);
    // Past the stale-if-error window the error goes to the client.
    const auto late =
        cache_.on_response(get(), unavailable, lookup.entry, lookup.store, kT + 1000, kT + 1000);
    EXPECT_EQ(late.freshened, nullptr);
}

TEST_F(ProxyCacheTest, Rfc9111_4_2_4_MustRevalidateNeverServesStaleOnError) {
    ASSERT_NE(keep("Cache-Control: max-age=60, must-revalidate, stale-if-error=600\r\n"
                   "ETag: \"v1\"\r\n",
                   "hello"),
              nullptr);
    const auto lookup = this->lookup(get(), kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    const auto unavailable =
        response_of("HTTP/1.1 503 Service Unavailable", "Content-Length: 0\r\n");
    const auto verdict =
        cache_.on_response(get(), unavailable, lookup.entry, lookup.store, kT + 100, kT + 100);
    EXPECT_EQ(verdict.freshened, nullptr);
    EXPECT_FALSE(verdict.store);
}

TEST_F(ProxyCacheTest, Rfc9111_4_4_PostCreatedInvalidatesTheTargetAndItsLocation) {
    const auto keep_at = [&](std::string_view target) {
        const auto request = request_of("GET", target);
        cache::FillToken none;
        cache_.keep(request, ok_of("Cache-Control: max-age=60\r\n", "x"), "x", kT, kT, none,
                    nullptr);
        ASSERT_NE(store_.lookup(std::string(target), {}), nullptr) << target;
    };
    keep_at("http://example.test/items");
    keep_at("http://example.test/items/7");
    keep_at("http://example.test/other");
    const auto post = request_of("POST", "http://example.test/items", "Content-Length: 2\r\n");
    const auto lookup = cache_.lookup(post, kT, ignored_.callback());
    ASSERT_EQ(lookup.action, Action::kForward);
    const auto created =
        response_of("HTTP/1.1 201 Created", "Location: /items/7\r\nContent-Length: 0\r\n", "POST");
    const auto verdict = cache_.on_response(post, created, nullptr, lookup.store, kT, kT);
    EXPECT_FALSE(verdict.store);
    EXPECT_EQ(store_.lookup("http://example.test/items", {}), nullptr);
    EXPECT_EQ(store_.lookup("http://example.test/items/7", {}), nullptr);
    EXPECT_NE(store_.lookup("http://example.test/other", {}), nullptr);
    EXPECT_EQ(store_.stats().invalidations, 2u);
}

// ---------------------------------------------------------------------------- keep

TEST_F(ProxyCacheTest, Rfc9111_3_1_KeepStoresTheEntryWithoutHopByHopFields) {
    const auto request = get("Accept-Encoding: gzip\r\n");
    const auto response = response_of(
        "HTTP/1.1 200 OK",
        "Date: " + date(kT) +
            "\r\nCache-Control: max-age=60\r\nConnection: X-Hop, keep-alive\r\nX-Hop: 1\r\n"
            "Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n"
            "Vary: Accept-Encoding\r\n");
    cache::FillToken none;
    cache_.keep(request, response, "hello", kT - 1, kT, none, nullptr);
    const auto entry = store_.lookup(std::string(kUri), request.headers);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->key, kUri);
    EXPECT_EQ(entry->body, "hello");
    EXPECT_EQ(entry->response.status, 200);
    EXPECT_EQ(entry->response.reason, "OK");
    EXPECT_EQ(entry->response.request_time, kT - 1);
    EXPECT_EQ(entry->response.response_time, kT);
    for (const auto* hop : {"Connection", "X-Hop", "Keep-Alive", "Transfer-Encoding"})
        EXPECT_EQ(entry->response.headers.count(hop), 0u) << hop;
    EXPECT_EQ(entry->response.headers.get("Content-Type"), "text/plain");
    EXPECT_EQ(entry->response.headers.get("Cache-Control"), "max-age=60");
    // Its secondary key is the request's Accept-Encoding.
    ASSERT_EQ(entry->selecting.size(), 1u);
    EXPECT_EQ(entry->selecting[0].name, "accept-encoding");
    EXPECT_EQ(entry->selecting[0].value, "gzip");
    EXPECT_EQ(store_.lookup(std::string(kUri), get("Accept-Encoding: br\r\n").headers), nullptr);
}

TEST_F(ProxyCacheTest, KeepAfterRevalidationReplacesTheRevalidatedEntry) {
    const auto old = keep("Cache-Control: max-age=60\r\nETag: \"v1\"\r\n", "hello");
    auto lookup = this->lookup(get(), kT + 100);
    ASSERT_EQ(lookup.action, Action::kRevalidate);
    // The server answers the conditional request with a new full response.
    const auto response =
        response_of("HTTP/1.1 200 OK", "Date: " + date(kT + 100) +
                                           "\r\nCache-Control: max-age=60\r\n"
                                           "ETag: \"v2\"\r\nContent-Length: 5\r\n");
    const auto verdict =
        cache_.on_response(get(), response, lookup.entry, lookup.store, kT + 100, kT + 100);
    ASSERT_TRUE(verdict.store);
    EXPECT_EQ(verdict.freshened, nullptr);
    cache_.keep(get(), response, "world", kT + 100, kT + 100, lookup.fill, lookup.entry);
    const auto now_stored = store_.lookup(std::string(kUri), {});
    ASSERT_NE(now_stored, nullptr);
    EXPECT_NE(now_stored, old);
    EXPECT_EQ(now_stored->body, "world");
    EXPECT_EQ(now_stored->response.headers.get("ETag"), "\"v2\"");
    EXPECT_EQ(store_.stats().entries, 1u);
}

// ---------------------------------------------------------------------------- answer

// The stored response of the answer tests: fields in this order, a 10-byte body.
std::string stored_fields() {
    return "Cache-Control: max-age=60\r\nETag: \"v1\"\r\nContent-Type: text/plain\r\n";
}
constexpr std::string_view kBody = "0123456789";

std::string head_fields(std::string_view length) {
    return "Date: " + date(kT) +
           "\r\nCache-Control: max-age=60\r\nETag: \"v1\"\r\nContent-Type: text/plain\r\n"
           "Age: 10\r\nContent-Length: " +
           std::string(length) + "\r\n";
}

constexpr std::string_view kVia = "Via: 1.1 proxy.test:8888 (web_proxy)\r\n";
constexpr std::string_view kHitStatus = "Cache-Status: web_proxy; hit; ttl=50\r\n";

TEST_F(ProxyCacheTest, AnswerToASimpleHitIsTheStoredResponseWithAgeViaAndCacheStatus) {
    const auto entry = keep(stored_fields(), std::string(kBody));
    ASSERT_NE(entry, nullptr);
    const auto lookup = this->lookup(get(), kT + 10);
    ASSERT_EQ(lookup.action, Action::kServe);
    int code = 0;
    const auto bytes =
        cache_.answer(get(), *entry, kT + 10, false, lookup.status, self_, true, &code);
    EXPECT_EQ(bytes, "HTTP/1.1 200 OK\r\n" + head_fields("10") + std::string(kVia) +
                         std::string(kHitStatus) + "\r\n" + std::string(kBody));
    EXPECT_EQ(code, 200);
}

TEST_F(ProxyCacheTest, AnswerToHeadHasNoBody) {
    const auto entry = keep(stored_fields(), std::string(kBody));
    ASSERT_NE(entry, nullptr);
    const auto status = this->lookup(get(), kT + 10).status;
    const auto bytes =
        cache_.answer(request_of("HEAD", kUri), *entry, kT + 10, false, status, self_, true);
    EXPECT_EQ(bytes, "HTTP/1.1 200 OK\r\n" + head_fields("10") + std::string(kVia) +
                         std::string(kHitStatus) + "\r\n");
}

TEST_F(ProxyCacheTest, AnswerSaysCloseWhenTheConnectionWillNotBeKept) {
    const auto entry = keep(stored_fields(), std::string(kBody));
    ASSERT_NE(entry, nullptr);
    const auto status = this->lookup(get(), kT + 10).status;
    const auto bytes = cache_.answer(get(), *entry, kT + 10, false, status, self_, false);
    EXPECT_EQ(bytes, "HTTP/1.1 200 OK\r\n" + head_fields("10") + std::string(kVia) +
                         std::string(kHitStatus) + "Connection: close\r\n\r\n" +
                         std::string(kBody));
}

TEST_F(ProxyCacheTest, Rfc9112_C_2_2_AnswerToHttp10SaysKeepAliveWhenKept) {
    const auto entry = keep(stored_fields(), std::string(kBody));
    ASSERT_NE(entry, nullptr);
    const auto request = request_of("GET", kUri, "Connection: keep-alive\r\n", "HTTP/1.0");
    const auto status = this->lookup(request, kT + 10).status;
    const auto kept = cache_.answer(request, *entry, kT + 10, false, status, self_, true);
    EXPECT_EQ(kept, "HTTP/1.1 200 OK\r\n" + head_fields("10") + std::string(kVia) +
                        std::string(kHitStatus) + "Connection: keep-alive\r\n\r\n" +
                        std::string(kBody));
    const auto closed = cache_.answer(request, *entry, kT + 10, false, status, self_, false);
    EXPECT_NE(closed.find("Connection: close\r\n\r\n"), std::string::npos);
    EXPECT_EQ(closed.find("keep-alive"), std::string::npos);
}

TEST_F(ProxyCacheTest, Rfc9110_14_AnswerToARangeIsPartialContent) {
    const auto entry = keep(stored_fields(), std::string(kBody));
    ASSERT_NE(entry, nullptr);
    const auto request = get("Range: bytes=2-5\r\n");
    const auto lookup = this->lookup(request, kT + 10);
    ASSERT_EQ(lookup.action, Action::kServe);
    int code = 0;
    const auto bytes =
        cache_.answer(request, *entry, kT + 10, false, lookup.status, self_, true, &code);
    EXPECT_EQ(code, 206);
    EXPECT_EQ(bytes, "HTTP/1.1 206 Partial Content\r\nDate: " + date(kT) +
                         "\r\nCache-Control: max-age=60\r\nETag: \"v1\"\r\n"
                         "Content-Type: text/plain\r\nAge: 10\r\nContent-Range: bytes 2-5/10\r\n"
                         "Content-Length: 4\r\n" +
                         std::string(kVia) + std::string(kHitStatus) + "\r\n2345");
}

TEST_F(ProxyCacheTest, Rfc9110_13_2_2_AnswerToAMatchingIfNoneMatchIsNotModified) {
    const auto entry = keep(stored_fields(), std::string(kBody));
    ASSERT_NE(entry, nullptr);
    const auto request = get("If-None-Match: \"v0\", \"v1\"\r\n");
    const auto lookup = this->lookup(request, kT + 10);
    ASSERT_EQ(lookup.action, Action::kServe);
    int code = 0;
    const auto bytes =
        cache_.answer(request, *entry, kT + 10, false, lookup.status, self_, true, &code);
    EXPECT_EQ(code, 304);
    // RFC 9110 15.4.5: the fields a 200 would carry among Cache-Control, Date, ETag...; no body.
    EXPECT_EQ(bytes, "HTTP/1.1 304 Not Modified\r\nDate: " + date(kT) +
                         "\r\nCache-Control: max-age=60\r\nETag: \"v1\"\r\nAge: 10\r\n" +
                         std::string(kVia) + std::string(kHitStatus) + "\r\n");
}

}  // namespace
}  // namespace web_proxy
