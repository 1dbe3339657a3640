// The cache in the request path: lookups, response verdicts, storing, answers from storage.
#include "proxy_cache.hpp"

#include <utility>

namespace web_proxy {
namespace {

using Fwd = cache::Forward;
using net::http::Request;
using net::http::Response;

bool usable(cache::Reuse reuse) {
    return reuse == cache::Reuse::kFresh || reuse == cache::Reuse::kStale ||
           reuse == cache::Reuse::kStaleWhileRevalidate;
}

}  // namespace

CacheLookup ProxyCache::lookup(const Request& request, std::time_t now,
                               const cache::FillCallback& on_filled, bool collapse) const {
    CacheLookup out;
    if (store_ == nullptr) {
        out.status.fwd = Fwd::kBypass;
        out.status.detail = "off";
        return out;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        out.status.fwd = Fwd::kMethod;
        return out;
    }
    const auto key = cache::cache_key(request.target);
    // Preconditions a cache must not evaluate (RFC 9111 4.3.2) go to the server unchanged.
    if (!key || cache::has_origin_preconditions(request.headers)) {
        out.status.fwd = Fwd::kRequest;
        return out;
    }
    const auto directives = cache::parse_request_directives(request.headers);
    const bool may_store = request.method == "GET" && !directives.no_store;
    if (auto entry = store_->lookup(*key, request.headers)) {
        const auto decision = cache::decide_reuse(entry->response, directives, now);
        out.status.ttl = decision.lifetime - decision.age;
        if (usable(decision.reuse)) {
            out.action = CacheLookup::Action::kServe;
            out.entry = std::move(entry);
            return out;
        }
        if (directives.only_if_cached) {
            out.action = CacheLookup::Action::kGatewayTimeout;
            out.status.fwd = Fwd::kStale;
            return out;
        }
        out.status.fwd = Fwd::kStale;
        out.store = may_store;
        if (cache::has_validator(entry->response.headers)) {
            out.action = CacheLookup::Action::kRevalidate;
            out.upstream = cache::validation_request(request, entry->response);
        }
        // Kept either way: if the server cannot be reached, it may still answer (4.2.4).
        out.entry = std::move(entry);
        return out;
    }
    out.status.fwd = Fwd::kUriMiss;
    if (directives.only_if_cached) {
        out.action = CacheLookup::Action::kGatewayTimeout;
        return out;
    }
    out.store = may_store;
    if (!may_store || !collapse) return out;
    auto start = store_->begin_fill(*key, on_filled);
    if (start.role == cache::FillRole::kWaiter) {
        out.action = CacheLookup::Action::kWait;
        out.status.collapsed = true;
    } else if (start.role == cache::FillRole::kFiller) {
        out.fill = std::move(start.token);
    }
    return out;
}

bool ProxyCache::serves(const Request& request, const cache::Entry& entry, std::time_t now) const {
    if (!cache::variant_matches(entry.selecting, entry.response.headers, request.headers)) {
        return false;
    }
    const auto directives = cache::parse_request_directives(request.headers);
    return usable(cache::decide_reuse(entry.response, directives, now).reuse);
}

CacheVerdict ProxyCache::on_response(const Request& request, const Response& response,
                                     const std::shared_ptr<const cache::Entry>& revalidating,
                                     bool wanted_store, std::time_t request_time,
                                     std::time_t response_time) const {
    CacheVerdict verdict;
    verdict.status.fwd_status = response.status;
    if (store_ == nullptr) return verdict;
    // RFC 9111 4.4: a non-error answer to an unsafe request invalidates what it names.
    for (const auto& key : cache::invalidated_keys(request, response))
        store_->invalidate(key);
    if (revalidating) {
        if (response.status == 304 &&
            cache::not_modified_matches(revalidating->response.headers, response.headers)) {
            auto fresh = std::make_shared<cache::Entry>(*revalidating);
            fresh->response = cache::freshened(revalidating->response, response.headers,
                                               request_time, response_time);
            // RFC 9111 5.2.1.5, 5.2.2.5: no-store in the request or in the 304 forbids storing
            // any part of the 304, so the freshened response answers this client only. A 304
            // saying no-store also takes the response it updates out of the store: the server
            // no longer lets it be kept.
            if (cache::parse_response_directives(response.headers).no_store) {
                store_->erase(revalidating);
            } else if (!cache::parse_request_directives(request.headers).no_store) {
                store_->replace(revalidating, fresh);
            }
            verdict.freshened = std::move(fresh);
            return verdict;
        }
        // RFC 9111 4.2.4, RFC 5861 4: a server error may be answered with the stale response.
        if (response.status >= 500 &&
            cache::may_serve_stale_on_error(revalidating->response, request.headers, response_time,
                                            false)) {
            verdict.freshened = revalidating;
            verdict.status.detail = "stale-on-error";
            return verdict;
        }
    }
    if (!wanted_store) return verdict;
    // A body longer than max_object is relayed, not stored: one announced as longer is not
    // even captured (chunked and until-close bodies are captured up to the limit).
    const bool fits =
        response.body != net::http::BodyKind::kLength || response.content_length <= max_object_;
    verdict.store = fits && cache::storable(request, response) == cache::StoreVerdict::kStorable;
    verdict.status.stored = verdict.store;
    if (!fits) verdict.status.detail = "too-large";
    return verdict;
}

void ProxyCache::keep(const Request& request, const Response& response, std::string body,
                      std::time_t request_time, std::time_t response_time, cache::FillToken& fill,
                      const std::shared_ptr<const cache::Entry>& revalidating) const {
    const auto key = cache::cache_key(request.target);
    if (store_ == nullptr || !key) return;
    auto entry = std::make_shared<cache::Entry>();
    entry->key = *key;
    entry->selecting = cache::selecting_headers(response.headers, request.headers);
    entry->response = {.status = response.status,
                       .reason = response.reason,
                       .headers = cache::storable_headers(response.headers),
                       .request_time = request_time,
                       .response_time = response_time};
    entry->body = std::move(body);
    if (fill.pending()) {
        fill.complete(std::move(entry));
    } else if (revalidating) {
        store_->replace(revalidating, std::move(entry));
    } else {
        store_->insert(std::move(entry));
    }
}

std::string ProxyCache::answer(const Request& request, const cache::Entry& entry, std::time_t now,
                               bool validated, const cache::CacheStatus& status,
                               const Identity& self, bool keep_alive, int* status_code) const {
    const auto age = cache::current_age(entry.response, now);
    const auto served =
        cache::serve_stored(request, entry.response, entry.body.size(), age, validated);
    if (status_code != nullptr) *status_code = served.status;
    std::string out = "HTTP/1.1 " + std::to_string(served.status) + " " + served.reason + "\r\n";
    for (const auto& field : served.headers.all()) {
        out += field.name;
        out += ": ";
        out += field.value;
        out += "\r\n";
    }
    out += "Via: " + via_element({1, 1}, self) + "\r\n";
    out += "Cache-Status: " + cache::format_cache_status(status) + "\r\n";
    if (!keep_alive) {
        out += "Connection: close\r\n";
    } else if (request.version.minor == 0) {
        out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
    if (request.method != "HEAD") {
        out.append(entry.body, static_cast<std::size_t>(served.body_offset),
                   static_cast<std::size_t>(served.body_length));
    }
    return out;
}

}  // namespace web_proxy
