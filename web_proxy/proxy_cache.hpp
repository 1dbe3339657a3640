// ProxyCache: the cache as the request path sees it, in the order cache_rules.hpp gives: what to
// do with a request before anything goes upstream (serve a stored response, revalidate it,
// wait for another request's fill, or forward), what to do with the response head that comes
// back (store it? invalidate? a 304 to merge?), and the bytes of an answer from storage. No
// sockets: requests, responses, times and the shared store in, decisions and bytes out.
#pragma once

#include <cstddef>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "cache_rules.hpp"
#include "cache_store.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"
#include "proxy_rules.hpp"

namespace web_proxy {

// What the cache makes of a request, before anything goes upstream.
struct CacheLookup {
    enum class Action {
        kForward,         // ask the server; `store` says whether its answer may be kept
        kServe,           // answer from `entry`
        kRevalidate,      // send `upstream` (conditional) and merge a 304 into `entry`
        kWait,            // another request is fetching this URI: wait for its fill
        kGatewayTimeout,  // only-if-cached and nothing usable stored: 504
    };
    Action action = Action::kForward;
    // kServe, kRevalidate; with kForward, a stale entry without validators (it may still
    // answer when the server cannot be reached)
    std::shared_ptr<const cache::Entry> entry;
    net::http::Request upstream;  // kRevalidate: the conditional request
    bool store = false;           // kForward, kRevalidate: keep the answer
    cache::FillToken fill;        // kForward: this request fills for others
    cache::CacheStatus status;    // for Cache-Status and the access log
};

// What a response head from the server means for the cache.
struct CacheVerdict {
    bool store = false;  // keep the body as it passes (if it fits)
    // A 304 answering a revalidation: `freshened` is the stored response, updated, to serve
    // instead (and stored in its place unless no-store in the request or the 304 forbids it).
    // A server error that lets the stale response stand: that response itself.
    std::shared_ptr<const cache::Entry> freshened;
    cache::CacheStatus status;
};

class ProxyCache {
  public:
    // `store` null: no cache (every request is forwarded, Cache-Status says so).
    ProxyCache(cache::CacheStore* store, std::size_t max_object_bytes)
        : store_(store), max_object_(max_object_bytes) {}

    [[nodiscard]] bool enabled() const { return store_ != nullptr; }
    [[nodiscard]] std::size_t max_object() const { return max_object_; }
    [[nodiscard]] cache::CacheStore* store() const { return store_; }

    // Decides for `request` (absolute-form). With kWait, `on_filled` will be called (on any
    // thread) when the fill ends; `collapse` false never waits (a request retried after a fill
    // that did not serve it).
    CacheLookup lookup(const net::http::Request& request, std::time_t now,
                       const cache::FillCallback& on_filled, bool collapse = true) const;

    // After a fill: whether `entry` answers `request` now (its Vary, its freshness).
    [[nodiscard]] bool serves(const net::http::Request& request, const cache::Entry& entry,
                              std::time_t now) const;

    // The server's response head to `request` (sent at request_time, its head at
    // response_time). `revalidating`: the stored entry a conditional request was sent for.
    CacheVerdict on_response(const net::http::Request& request, const net::http::Response& response,
                             const std::shared_ptr<const cache::Entry>& revalidating,
                             bool wanted_store, std::time_t request_time,
                             std::time_t response_time) const;

    // Keeps a complete response: the entry built from the request, the response and its body.
    // Completes `fill` (if pending) with what was stored; replaces `revalidating` if given.
    void keep(const net::http::Request& request, const net::http::Response& response,
              std::string body, std::time_t request_time, std::time_t response_time,
              cache::FillToken& fill,
              const std::shared_ptr<const cache::Entry>& revalidating) const;

    // The complete answer (head and body) from `entry` to `request`: the client's own
    // conditionals and Range applied, Age computed, Via and Cache-Status added.
    std::string answer(const net::http::Request& request, const cache::Entry& entry,
                       std::time_t now, bool validated, const cache::CacheStatus& status,
                       const Identity& self, bool keep_alive, int* status_code = nullptr) const;

  private:
    cache::CacheStore* store_;
    std::size_t max_object_;
};

}  // namespace web_proxy
