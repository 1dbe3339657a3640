// The rules of a shared HTTP cache (RFC 9111, with RFC 9110's conditional and range requests,
// RFC 5861's stale-while-revalidate and stale-if-error, RFC 9211's Cache-Status): what may be
// stored, how long it stays fresh, when a stored response may answer a request, how it is
// revalidated and updated, and what an unsafe request invalidates. Pure: parsed messages and
// times in, decisions and heads out; the caller reads the clock and owns the storage.
//
// The order a request path applies them in (RFC 9111 2-4):
//  1. Unsafe method: forward; on the answer, drop invalidated_keys() from the store (before
//     storing a POST response that storable() accepts).
//  2. GET or HEAD with has_origin_preconditions(): forward unchanged. Otherwise look up
//     cache_key(target) and the variant (variant_matches). None: with only-if-cached answer
//     504, else forward, and store what storable() accepts (storable_headers, times recorded).
//  3. A stored response: decide_reuse(). kFresh or kStale: serve_stored(). kStaleWhileRevalidate:
//     serve_stored(), and send validation_request() in the background. kRevalidate (504 under
//     only-if-cached): send validation_request(); a 304 that not_modified_matches() gives
//     freshened() to store and serve (validated); a 5xx or no answer at all with
//     may_serve_stale_on_error() serves the stale one; anything else is handled as a miss.
//  4. A 200 to HEAD: head_response_matches() ? freshen the stored GET response : drop it.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_fields.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"

namespace web_proxy::cache {

// Ages and lifetimes in seconds (RFC 9111 1.2.2 delta-seconds), signed so that differences of
// times are safe.
using Seconds = std::int64_t;

// RFC 9111 1.2.2: a delta-seconds too large to represent, or an overflowing computation, is taken
// as 2^31.
inline constexpr Seconds kMaxDeltaSeconds = 2147483648;
// RFC 9111 4.2.2: heuristic freshness is a tenth of the time since Last-Modified, capped here at
// one day (the RFC's example cap; a longer one would call for a Warning in the old RFC 7234).
inline constexpr Seconds kMaxHeuristicLifetime = 24 * 60 * 60;

// ---------------------------------------------------------------------------------------------
// Cache-Control (RFC 9111 5.2)

// One cache directive: `token [ "=" ( token / quoted-string ) ]`.
struct Directive {
    std::string name;                     // lower-cased (directive names are case-insensitive)
    std::optional<std::string> argument;  // unquoted; nullopt without "="
};

// Every well-formed directive of every Cache-Control field line, in order. A malformed element
// ("max-age =5", "a=\"unterminated") is skipped up to the next comma outside quotes; commas inside
// a quoted-string do not split.
std::vector<Directive> parse_cache_control(const net::http::Headers& headers);

// delta-seconds (RFC 9111 1.2.2) as a directive argument: 1*DIGIT (leading zeros allowed; the
// quoted form is accepted, 5.2), saturating at kMaxDeltaSeconds; nullopt for anything else
// ("-1", "1.5", "'5'", " 5").
std::optional<Seconds> parse_delta_seconds(std::string_view text);

// The request directives (5.2.1) a cache acts on. The first occurrence of a directive counts
// (4.2.1); an invalid argument makes the directive absent, except that a bare max-stale means
// "any staleness".
struct RequestDirectives {
    std::optional<Seconds> max_age;          // 5.2.1.1: no response older than this
    bool max_stale = false;                  // 5.2.1.2: stale responses accepted...
    std::optional<Seconds> max_stale_limit;  // ...up to this much staleness (none: any)
    std::optional<Seconds> min_fresh;        // 5.2.1.3: fresh for at least this much longer
    bool no_cache = false;        // 5.2.1.4 (or Pragma: no-cache without Cache-Control, 5.4)
    bool no_store = false;        // 5.2.1.5: store nothing of this exchange
    bool only_if_cached = false;  // 5.2.1.7: a stored response or 504
};
RequestDirectives parse_request_directives(const net::http::Headers& request_headers);

// The response directives (5.2.2, RFC 5861) a shared cache acts on. Flags are set by any
// occurrence (the most restrictive reading, 4.2.1); arguments come from the first occurrence.
// An invalid max-age or s-maxage argument counts as 0: 4.2.1 encourages treating responses with
// invalid freshness information as stale.
struct ResponseDirectives {
    std::optional<Seconds> max_age;   // 5.2.2.1
    std::optional<Seconds> s_maxage;  // 5.2.2.10: shared caches only; implies proxy-revalidate
    bool must_revalidate = false;     // 5.2.2.2
    bool must_understand = false;     // 5.2.2.3
    bool no_cache = false;            // 5.2.2.4, unqualified: store, but revalidate every use
    std::vector<std::string> no_cache_fields;  // 5.2.2.4, qualified: these need revalidation
    bool no_store = false;                     // 5.2.2.5
    bool is_private = false;                   // 5.2.2.7, unqualified: a shared cache never stores
    std::vector<std::string> private_fields;   // 5.2.2.7, qualified: not stored by shared caches
    bool proxy_revalidate = false;             // 5.2.2.8
    bool is_public = false;                    // 5.2.2.9
    std::optional<Seconds> stale_while_revalidate;  // RFC 5861 3
    std::optional<Seconds> stale_if_error;          // RFC 5861 4
};
ResponseDirectives parse_response_directives(const net::http::Headers& response_headers);

// ---------------------------------------------------------------------------------------------
// Header values the freshness model reads

// An HTTP-date (RFC 9110 5.6.7) as a cache reads it: the three formats, with the letter case of
// day, month and "GMT" forgiven (the timestamp is unambiguous); nullopt when invalid.
std::optional<std::time_t> parse_cache_date(std::string_view text);

// The Age field (5.1): the first element of the first field line, 1*DIGIT saturating at
// kMaxDeltaSeconds; nullopt when absent or invalid (then it is ignored).
std::optional<Seconds> parse_age(const net::http::Headers& response_headers);

// ---------------------------------------------------------------------------------------------
// Storing responses (RFC 9111 3)

// RFC 9110 15.1: statuses a cache may assign heuristic freshness to.
bool heuristically_cacheable(int status);
// The final statuses whose caching semantics this cache implements (for must-understand,
// 5.2.2.3): 206 and 304 are not among them, so neither is ever stored.
bool understood_status(int status);
// RFC 9110 9.2.1: GET, HEAD, OPTIONS, TRACE; any other method (known or not) is unsafe.
bool is_safe_method(std::string_view method);

// Why a response may not be stored; kStorable when it may.
enum class StoreVerdict {
    kStorable,
    kMethod,         // not GET (nor a POST whose Content-Location names its own target)
    kStatus,         // not final, or 206/304, or not understood under must-understand
    kNoStore,        // no-store in the request or the response (5.2.1.5, 5.2.2.5)
    kPrivate,        // private, unqualified (5.2.2.7)
    kAuthorization,  // request had Authorization, response lacks public/s-maxage/
                     // must-revalidate (3.5)
    kNoFreshness,    // no explicit freshness, not public, status not heuristically cacheable
    kVaryStar,       // Vary: * never matches a later request (4.1): storing it is useless
};
std::string_view to_string(StoreVerdict verdict);

// RFC 9111 3 for a shared cache. `request.target` is the absolute-form target the proxy got.
// A response to POST is storable (for later GETs) only with explicit freshness and a
// Content-Location naming the request's own target (RFC 9110 9.3.3). The body is the caller's
// business (an unknown or over-large length is for it to refuse).
StoreVerdict storable(const net::http::Request& request, const net::http::Response& response);

// The response fields as stored (3.1): without Connection and the fields it names, the other
// hop-by-hop fields (Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade,
// Proxy-Authenticate, Proxy-Authentication-Info, Proxy-Authorization), and the fields named by a
// qualified private (5.2.2.7).
net::http::Headers storable_headers(const net::http::Headers& response_headers);

// ---------------------------------------------------------------------------------------------
// Keys (RFC 9111 2, 4.1)

// The primary cache key: the effective request URI of an absolute-form http:// target, with the
// scheme and host lower-cased and a default port dropped; nullopt for any other target.
std::optional<std::string> cache_key(std::string_view target);

// One request field a response's Vary names, with the request's normalised value: every field
// line of that name joined, list elements trimmed of whitespace and joined by ","
// (Accept-Language and Accept-Encoding also lower-cased and sorted). nullopt: the request had
// no such field, which only matches another request without it.
struct SelectingHeader {
    std::string name;  // lower-cased
    std::optional<std::string> value;
    friend bool operator==(const SelectingHeader&, const SelectingHeader&) = default;
};
using SelectingHeaders = std::vector<SelectingHeader>;

// True when a Vary field line of the response has "*" as an element.
bool vary_star(const net::http::Headers& response_headers);
// The secondary key (4.1): the request fields the response's Vary names, normalised.
SelectingHeaders selecting_headers(const net::http::Headers& response_headers,
                                   const net::http::Headers& request_headers);
// True when a new request selects a stored variant: every selecting field normalises to the stored
// value. For Accept-Language, a stored response with one Content-Language also matches a request
// whose most preferred language (highest qvalue) is that one.
bool variant_matches(const SelectingHeaders& stored, const net::http::Headers& stored_response,
                     const net::http::Headers& request_headers);

// ---------------------------------------------------------------------------------------------
// Freshness and age (RFC 9111 4.2)

// What the freshness model needs of a stored response. request_time and response_time are the
// local clock when the request that got it was sent and when the response head arrived (4.2.3).
struct StoredResponse {
    int status = 200;
    std::string reason;
    net::http::Headers headers;  // as stored (storable_headers), updated by revalidation
    std::time_t request_time = 0;
    std::time_t response_time = 0;
};

// 4.2.1 for a shared cache: s-maxage, else max-age, else Expires - Date (an invalid or repeated
// Expires means already expired; no valid Date means response_time), else the heuristic of 4.2.2
// (only for heuristically cacheable statuses or public: 10% of Date - Last-Modified, at most
// kMaxHeuristicLifetime), else 0.
Seconds freshness_lifetime(const StoredResponse& stored);
// 4.2.3 exactly: apparent_age, response_delay, corrected_age_value, corrected_initial_age and
// resident_time, in seconds at `now`, at most kMaxDeltaSeconds.
Seconds current_age(const StoredResponse& stored, std::time_t now);

// How a stored response may be used for a request (4.2, 4.2.4, 4.3, 5.2, RFC 5861).
enum class Reuse {
    kFresh,                 // serve it as it is
    kStale,                 // serve it stale: the client's max-stale allows it (4.2.4)
    kStaleWhileRevalidate,  // serve it stale and revalidate in the background (RFC 5861 3)
    kRevalidate,            // ask the origin first: conditionally if it has a validator
};
struct ReuseDecision {
    Reuse reuse = Reuse::kRevalidate;
    Seconds age = 0;       // current_age
    Seconds lifetime = 0;  // freshness_lifetime
};
ReuseDecision decide_reuse(const StoredResponse& stored, const RequestDirectives& request,
                           std::time_t now);

// Whether a stale stored response may answer when the origin failed (4.2.4, RFC 5861 4): never
// under no-cache, must-revalidate, proxy-revalidate or s-maxage; otherwise when stale-if-error
// (the response's or the request's) or the request's max-stale covers its staleness, or, when
// the origin could not be reached at all, always (a disconnected cache may serve stale).
bool may_serve_stale_on_error(const StoredResponse& stored,
                              const net::http::Headers& request_headers, std::time_t now,
                              bool origin_unreachable);

// ---------------------------------------------------------------------------------------------
// Validation (RFC 9111 4.3)

// True when the stored response has a validator a conditional request can carry.
bool has_validator(const net::http::Headers& stored_headers);
// True when a request carries preconditions a cache must not evaluate (If-Match,
// If-Unmodified-Since: 4.3.2 says they are not applicable to a cache): forward it unchanged.
bool has_origin_preconditions(const net::http::Headers& request_headers);

// The request sent upstream to revalidate `stored` on behalf of `client` (4.3.1): the client's
// request (its Vary-selected fields included) with the client's own If-None-Match,
// If-Modified-Since, Range and If-Range replaced by If-None-Match from the stored ETag (quoted if
// the origin sent it bare) and If-Modified-Since from the stored Last-Modified. The answer (304,
// or a full response to store) refreshes the stored full response; the client's own
// conditionals and range are then answered from it (serve_stored).
net::http::Request validation_request(const net::http::Request& client,
                                      const StoredResponse& stored);

// Whether a 304 answers for `stored` (4.3.4): a strong ETag in it must equal the stored one, a
// weak one must match it weakly, a Last-Modified in it must equal the stored one. A 304 without
// validators is taken to answer the conditional request built from `stored`: this cache
// revalidates one stored response at a time.
bool not_modified_matches(const net::http::Headers& stored_headers,
                          const net::http::Headers& not_modified_headers);

// 3.2: the stored fields updated from a newer response (a 304, or a 200 to HEAD): each field in
// `update` replaces the stored fields of its name, except the fields never stored (3.1) and
// Content-Length (the stored body's own length stays).
net::http::Headers updated_headers(const net::http::Headers& stored_headers,
                                   const net::http::Headers& update);
// 4.3.4: the stored response freshened by a 304 received for a request sent at request_time
// and answered at response_time.
StoredResponse freshened(const StoredResponse& stored,
                         const net::http::Headers& not_modified_headers, std::time_t request_time,
                         std::time_t response_time);

// 4.3.5: whether a 200 response to HEAD describes the stored GET response (then freshen it
// with its fields like a 304; otherwise treat the stored response as stale): ETag and
// Last-Modified equal where the HEAD response has them, and Content-Length equal when it has one.
bool head_response_matches(const net::http::Headers& stored_headers, std::uint64_t stored_body_size,
                           const net::http::Headers& head_headers);

// ---------------------------------------------------------------------------------------------
// Invalidation (RFC 9111 4.4)

// The cache keys an unsafe request's non-error (2xx, 3xx) response invalidates: the target's,
// and those of Location and Content-Location (resolved against the target) when they have the
// target's origin. Empty for safe methods and error statuses.
std::vector<std::string> invalidated_keys(const net::http::Request& request,
                                          const net::http::Response& response);

// ---------------------------------------------------------------------------------------------
// Answering from the cache (RFC 9111 4, 5.1; RFC 9110 13, 14, 15.4.5)

// What to send: a status line and fields (no framing beyond Content-Length, no Via: the
// caller's client_response_head adds those), and which bytes of the stored body follow.
struct ServedResponse {
    int status = 200;
    std::string reason;
    net::http::Headers headers;
    std::uint64_t body_offset = 0;
    std::uint64_t body_length = 0;  // 0 for 304, 416, HEAD and bodiless statuses
};

// The answer to `request` (GET or HEAD) from a stored response with a body of `body_size` bytes
// whose current age is `age`. The client's If-None-Match / If-Modified-Since are evaluated
// against the stored ETag / Last-Modified (else Date) as RFC 9110 13.2.2 orders them (4.3.2),
// giving a 304 with the fields RFC 9110 15.4.5 lists; a Range under If-Range on a stored 200
// gives 206 with Content-Range, or 416. Otherwise the stored status and fields. Always an Age
// field (5.1); Content-Length for the bytes sent. `validated`: the stored response was just
// revalidated, so the fields of a qualified no-cache (5.2.2.4) may be sent too.
ServedResponse serve_stored(const net::http::Request& request, const StoredResponse& stored,
                            std::uint64_t body_size, Seconds age, bool validated);

// ---------------------------------------------------------------------------------------------
// Cache-Status (RFC 9211)

// Why a request went forward (RFC 9211 2.2), or kNone for a hit.
enum class Forward { kNone, kBypass, kMethod, kUriMiss, kVaryMiss, kMiss, kRequest, kStale };

struct CacheStatus {
    Forward fwd = Forward::kNone;   // kNone: "hit"
    std::optional<int> fwd_status;  // the status the next hop answered with
    std::optional<Seconds> ttl;     // freshness left (negative when stale)
    bool stored = false;            // the forwarded response was stored
    bool collapsed = false;         // the request waited for another one's fill
    std::string detail;             // free text, sent as a token or a string
};
// "web_proxy; hit; ttl=120", "web_proxy; fwd=stale; fwd-status=304",
// "web_proxy; fwd=miss; stored", "web_proxy; fwd=uri-miss; detail=no-store".
std::string format_cache_status(const CacheStatus& status,
                                std::string_view cache_name = "web_proxy");

}  // namespace web_proxy::cache
