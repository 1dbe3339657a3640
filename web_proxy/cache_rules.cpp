// The rules of a shared HTTP cache: RFC 9111 step by step, each function named after its section.
#include "cache_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "common/ascii.hpp"
#include "common/byte_range.hpp"
#include "common/http_conditional.hpp"
#include "common/http_date.hpp"
#include "proxy_rules.hpp"

namespace web_proxy::cache {
namespace {

using net::iequals;
using net::http::Headers;
using net::http::Request;
using net::http::Response;

std::string lower_cased(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = net::to_lower_ascii(c);
    return out;
}

constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_tchar(char c) {
    return net::http::is_token(std::string_view(&c, 1));
}

std::size_t token_length(std::string_view text) {
    std::size_t n = 0;
    while (n < text.size() && is_tchar(text[n]))
        ++n;
    return n;
}

void skip_ows(std::string_view& text) {
    while (!text.empty() && net::http::is_ows(text.front()))
        text.remove_prefix(1);
}

// ---- Cache-Control syntax (RFC 9110 5.6.1 lists, 5.6.2 tokens, 5.6.4 quoted-string)

// Reads the quoted-string at the front of `text` (it starts with DQUOTE) into `out`, undoing
// quoted-pairs; false when it is not terminated.
bool read_quoted_string(std::string_view& text, std::string& out) {
    text.remove_prefix(1);
    while (!text.empty()) {
        const char c = text.front();
        text.remove_prefix(1);
        if (c == '"') return true;
        if (c == '\\') {
            if (text.empty()) return false;
            out.push_back(text.front());
            text.remove_prefix(1);
        } else {
            out.push_back(c);
        }
    }
    return false;
}

// Skips past the next comma that is not inside a quoted-string (or to the end).
void skip_list_element(std::string_view& text) {
    bool quoted = false;
    while (!text.empty()) {
        const char c = text.front();
        text.remove_prefix(1);
        if (quoted) {
            if (c == '\\' && !text.empty()) {
                text.remove_prefix(1);
            } else if (c == '"') {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            return;
        }
    }
}

// Reads `token [ "=" ( token / quoted-string ) ]` followed by OWS and a comma or the end;
// nullopt (with `text` past the element) when the element is anything else.
std::optional<Directive> read_directive(std::string_view& text) {
    const auto name_length = token_length(text);
    if (name_length == 0) return std::nullopt;
    Directive directive{lower_cased(text.substr(0, name_length)), std::nullopt};
    text.remove_prefix(name_length);
    if (!text.empty() && text.front() == '=') {
        text.remove_prefix(1);
        std::string argument;
        if (!text.empty() && text.front() == '"') {
            if (!read_quoted_string(text, argument)) return std::nullopt;
        } else {
            const auto length = token_length(text);
            if (length == 0) return std::nullopt;
            argument = text.substr(0, length);
            text.remove_prefix(length);
        }
        directive.argument = std::move(argument);
    }
    skip_ows(text);
    if (!text.empty() && text.front() != ',') return std::nullopt;
    return directive;
}

void parse_cache_control_line(std::string_view text, std::vector<Directive>& out) {
    while (true) {
        while (!text.empty() && (net::http::is_ows(text.front()) || text.front() == ','))
            text.remove_prefix(1);
        if (text.empty()) return;
        if (auto directive = read_directive(text)) {
            out.push_back(std::move(*directive));
        }
        skip_list_element(text);
    }
}

bool seen_before(const std::vector<std::string>& seen, std::string_view name) {
    return std::find(seen.begin(), seen.end(), name) != seen.end();
}

// The field names of a qualified no-cache or private ("a, b"), lower-cased.
void add_field_names(std::string_view argument, std::vector<std::string>& out) {
    while (!argument.empty()) {
        const auto comma = argument.find(',');
        const auto name = net::http::trim_ows(argument.substr(0, comma));
        if (!name.empty()) out.push_back(lower_cased(name));
        if (comma == std::string_view::npos) break;
        argument.remove_prefix(comma + 1);
    }
}

// ---- dates and times

// Title-cases every run of letters ("THU" -> "Thu", "aug" -> "Aug"), except "GMT" in any case.
std::string canonical_date_case(std::string_view text) {
    std::string out(text);
    std::size_t i = 0;
    while (i < out.size()) {
        const auto is_alpha = [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        };
        if (!is_alpha(out[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < out.size() && is_alpha(out[end]))
            ++end;
        const bool gmt = iequals(std::string_view(out).substr(i, end - i), "GMT");
        for (std::size_t k = i; k < end; ++k) {
            out[k] = gmt || k == i ? net::to_upper_ascii(out[k]) : net::to_lower_ascii(out[k]);
        }
        i = end;
    }
    return out;
}

// The value of a field that must occur once as an HTTP-date; nullopt when absent, repeated or
// invalid.
std::optional<std::time_t> single_date(const Headers& headers, std::string_view name) {
    if (headers.count(name) != 1) return std::nullopt;
    return parse_cache_date(*headers.get(name));
}

// The Date of a stored response, or the time it was received (RFC 9110 6.6.1).
std::time_t date_value(const StoredResponse& stored) {
    return single_date(stored.headers, "Date").value_or(stored.response_time);
}

Seconds clamp_seconds(Seconds value) {
    return std::clamp<Seconds>(value, 0, kMaxDeltaSeconds);
}

// 4.2.2: heuristic freshness from Last-Modified, for statuses that allow it or under public.
Seconds heuristic_lifetime(const StoredResponse& stored, const ResponseDirectives& directives) {
    if (!heuristically_cacheable(stored.status) && !directives.is_public) return 0;
    const auto last_modified = single_date(stored.headers, "Last-Modified");
    if (!last_modified) return 0;
    const Seconds since = date_value(stored) - *last_modified;
    if (since <= 0) return 0;
    return std::min(since / 10, kMaxHeuristicLifetime);
}

// 4.2.1: Expires - Date; an invalid or repeated Expires means already expired (5.3).
Seconds expires_lifetime(const StoredResponse& stored) {
    const auto expires = single_date(stored.headers, "Expires");
    if (!expires) return 0;
    return clamp_seconds(*expires - date_value(stored));
}

// s-maxage, proxy-revalidate and must-revalidate forbid serving stale (4.2.4, 5.2.2.2, 5.2.2.8,
// 5.2.2.10); so does no-cache, which forbids even fresh reuse without validation.
bool stale_forbidden(const ResponseDirectives& directives) {
    return directives.must_revalidate || directives.proxy_revalidate ||
           directives.s_maxage.has_value() || directives.no_cache;
}

bool max_stale_allows(const RequestDirectives& request, Seconds staleness) {
    return request.max_stale && (!request.max_stale_limit || staleness <= *request.max_stale_limit);
}

// ---- validators

std::optional<std::string_view> single_value(const Headers& headers, std::string_view name) {
    if (headers.count(name) != 1) return std::nullopt;
    return headers.get(name);
}

bool is_weak_etag(std::string_view tag) {
    return tag.starts_with("W/");
}

std::string_view opaque_tag(std::string_view tag) {
    return is_weak_etag(tag) ? tag.substr(2) : tag;
}

// An ETag as a conditional request carries it: quoted, even when the origin sent it bare.
std::string quoted_etag(std::string_view tag) {
    if (tag.starts_with('"') || is_weak_etag(tag)) return std::string(tag);
    return "\"" + std::string(tag) + "\"";
}

// What RFC 9110 13.1.2 and 13.1.3 compare a client's conditionals against (RFC 9111 4.3.2: the
// stored Last-Modified, else its Date, else the time it was received).
net::http::Validators stored_validators(const StoredResponse& stored) {
    net::http::Validators validators;
    if (const auto etag = single_value(stored.headers, "ETag")) validators.etag = *etag;
    validators.last_modified =
        single_date(stored.headers, "Last-Modified").value_or(date_value(stored));
    return validators;
}

// ---- URIs

// "http://host[:port]" of a cache key.
std::string_view origin_of(std::string_view key) {
    constexpr std::size_t kSchemeLength = 7;  // "http://"
    return key.substr(0, key.find('/', kSchemeLength));
}

// A URI reference (Location, Content-Location) resolved against an absolute http:// target
// (RFC 3986 5.2, without dot-segment removal); nullopt when the target is not one.
std::optional<std::string> resolve_reference(std::string_view target, std::string_view reference) {
    const auto base = parse_http_uri(target);
    if (!base) return std::nullopt;
    const std::string origin = "http://" + base->authority;
    const auto scheme_end = reference.find(':');
    if (scheme_end != std::string_view::npos && scheme_end < reference.find_first_of("/?#")) {
        return std::string(reference);
    }
    if (reference.starts_with("//")) return "http:" + std::string(reference);
    if (reference.starts_with('/')) return origin + std::string(reference);
    const std::string_view path =
        std::string_view(base->origin_form).substr(0, base->origin_form.find('?'));
    if (reference.empty() || reference.starts_with('#')) return origin + base->origin_form;
    if (reference.starts_with('?')) return origin + std::string(path) + std::string(reference);
    return origin + std::string(path.substr(0, path.rfind('/') + 1)) + std::string(reference);
}

// ---- Vary

bool sorted_list_field(std::string_view name) {
    return name == "accept-language" || name == "accept-encoding";
}

std::vector<std::string> vary_names(const Headers& response_headers) {
    std::vector<std::string> names;
    for (const std::string_view element : response_headers.list("Vary")) {
        if (!net::http::is_token(element)) continue;
        auto name = lower_cased(element);
        if (!seen_before(names, name)) names.push_back(std::move(name));
    }
    return names;
}

// A request field's value as the secondary key holds it (see SelectingHeader).
std::optional<std::string> normalised_value(std::string_view name, const Headers& request_headers) {
    if (request_headers.count(name) == 0) return std::nullopt;
    std::vector<std::string> elements;
    for (const std::string_view element : request_headers.list(name)) {
        elements.emplace_back(sorted_list_field(name) ? lower_cased(element)
                                                      : std::string(element));
    }
    if (sorted_list_field(name)) std::sort(elements.begin(), elements.end());
    std::string joined;
    for (const auto& element : elements) {
        if (!joined.empty()) joined += ',';
        joined += element;
    }
    return joined;
}

// A qvalue (RFC 9110 12.4.2) in thousandths; 1000 when there is no "q" parameter.
int qvalue_of(std::string_view element) {
    const auto semicolon = element.find(';');
    if (semicolon == std::string_view::npos) return 1000;
    auto parameter = net::http::trim_ows(element.substr(semicolon + 1));
    if (parameter.size() < 3 || !iequals(parameter.substr(0, 2), "q=")) return 1000;
    parameter.remove_prefix(2);
    int value = 0;
    int digits = 0;
    for (const char c : parameter) {
        if (c == '.') continue;
        if (!is_digit(c) || digits == 4) return 0;
        value = value * 10 + (c - '0');
        ++digits;
    }
    while (digits++ < 4)
        value *= 10;
    return std::min(value, 1000);
}

// The language a request prefers most (the first with the highest qvalue above 0).
std::optional<std::string_view> preferred_language(const Headers& request_headers) {
    std::optional<std::string_view> best;
    int best_q = 0;
    for (const std::string_view element : request_headers.list("Accept-Language")) {
        const int q = qvalue_of(element);
        if (q > best_q) {
            best_q = q;
            best = net::http::trim_ows(element.substr(0, element.find(';')));
        }
    }
    return best;
}

bool language_selects(const Headers& stored_response, const Headers& request_headers) {
    const auto languages = stored_response.list("Content-Language");
    const auto preferred = preferred_language(request_headers);
    return languages.size() == 1 && preferred && iequals(*preferred, languages.front());
}

// ---- serving

constexpr std::array kNotModifiedFields = {"Cache-Control", "Content-Location", "Date",
                                           "ETag",          "Expires",          "Vary"};

// RFC 9110 15.4.5: a 304 carries the fields a 200 would have among these.
Headers not_modified_fields(const Headers& fields) {
    Headers out;
    for (const auto& field : fields.all()) {
        const bool listed =
            std::any_of(kNotModifiedFields.begin(), kNotModifiedFields.end(),
                        [&](const char* name) { return iequals(field.name, name); });
        if (listed) out.add(field.name, field.value);
    }
    return out;
}

bool bodiless_status(int status) {
    return status == 204 || status == 304 || status < 200;
}

void set_field(Headers& headers, std::string_view name, std::string value) {
    headers.remove(name);
    headers.add(std::string(name), std::move(value));
}

// RFC 9110 13.2.1: conditionals are evaluated only where the response would be 2xx.
bool answers_not_modified(const Request& request, const StoredResponse& stored) {
    if (stored.status < 200 || stored.status > 299) return false;
    const auto if_none_match = request.headers.get("If-None-Match");
    const auto if_modified_since = request.headers.get("If-Modified-Since");
    if (!if_none_match && !if_modified_since) return false;
    return net::http::not_modified(if_none_match, if_modified_since, stored_validators(stored));
}

std::string_view forward_name(Forward forward) {
    switch (forward) {
        case Forward::kBypass:
            return "bypass";
        case Forward::kMethod:
            return "method";
        case Forward::kUriMiss:
            return "uri-miss";
        case Forward::kVaryMiss:
            return "vary-miss";
        case Forward::kMiss:
            return "miss";
        case Forward::kRequest:
            return "request";
        case Forward::kStale:
            return "stale";
        case Forward::kNone:
            break;
    }
    return "";
}

// RFC 8941 3.3.4 sf-token: ( ALPHA / "*" ) *( tchar / ":" / "/" ).
bool is_sf_token(std::string_view text) {
    if (text.empty()) return false;
    const char first = text.front();
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '*')) {
        return false;
    }
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return is_tchar(c) || c == ':' || c == '/'; });
}

// RFC 8941 3.3.3 sf-string: printable ASCII, with '"' and '\' escaped; other bytes become '?'.
std::string sf_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    out.push_back('"');
    return out;
}

}  // namespace

// ---- 5.2 Cache-Control

std::vector<Directive> parse_cache_control(const Headers& headers) {
    std::vector<Directive> directives;
    for (const auto& field : headers.all()) {
        if (iequals(field.name, "Cache-Control")) parse_cache_control_line(field.value, directives);
    }
    return directives;
}

std::optional<Seconds> parse_delta_seconds(std::string_view text) {
    if (text.empty()) return std::nullopt;
    Seconds value = 0;
    for (const char c : text) {
        if (!is_digit(c)) return std::nullopt;
        value = std::min(value * 10 + (c - '0'), kMaxDeltaSeconds);
    }
    return value;
}

// Calls `read(directive, first, argument)` for each Cache-Control directive of `headers`, in
// order: `first` when no directive of its name came before (4.2.1: a duplicate's argument does
// not count), `argument` its argument as delta-seconds (nullopt when absent or invalid).
template <typename Read>
void read_directives(const Headers& headers, Read&& read) {
    std::vector<std::string> seen;
    for (const auto& directive : parse_cache_control(headers)) {
        const bool first = !seen_before(seen, directive.name);
        seen.push_back(directive.name);
        read(directive, first,
             directive.argument ? parse_delta_seconds(*directive.argument) : std::nullopt);
    }
}

RequestDirectives parse_request_directives(const Headers& request_headers) {
    RequestDirectives out;
    read_directives(request_headers, [&out](const Directive& directive, bool first,
                                            std::optional<Seconds> argument) {
        const auto& name = directive.name;
        if (name == "max-age" && first) {
            out.max_age = argument;
        } else if (name == "max-stale" && first) {
            out.max_stale = !directive.argument || argument;
            out.max_stale_limit = argument;
        } else if (name == "min-fresh" && first) {
            out.min_fresh = argument;
        } else if (name == "no-cache") {
            out.no_cache = true;
        } else if (name == "no-store") {
            out.no_store = true;
        } else if (name == "only-if-cached") {
            out.only_if_cached = true;
        }
    });
    // 5.4: Pragma: no-cache counts only when the request has no Cache-Control.
    if (request_headers.count("Cache-Control") == 0 &&
        request_headers.has_token("Pragma", "no-cache")) {
        out.no_cache = true;
    }
    return out;
}

ResponseDirectives parse_response_directives(const Headers& response_headers) {
    ResponseDirectives out;
    read_directives(response_headers, [&out](const Directive& directive, bool first,
                                             std::optional<Seconds> argument) {
        const auto& name = directive.name;
        if (name == "max-age" && first) {
            out.max_age = argument.value_or(0);
        } else if (name == "s-maxage" && first) {
            out.s_maxage = argument.value_or(0);
        } else if (name == "stale-while-revalidate" && first) {
            out.stale_while_revalidate = argument;
        } else if (name == "stale-if-error" && first) {
            out.stale_if_error = argument;
        } else if (name == "must-revalidate") {
            out.must_revalidate = true;
        } else if (name == "must-understand") {
            out.must_understand = true;
        } else if (name == "no-store") {
            out.no_store = true;
        } else if (name == "proxy-revalidate") {
            out.proxy_revalidate = true;
        } else if (name == "public") {
            out.is_public = true;
        } else if (name == "no-cache") {
            if (directive.argument) {
                add_field_names(*directive.argument, out.no_cache_fields);
            } else {
                out.no_cache = true;
            }
        } else if (name == "private") {
            if (directive.argument) {
                add_field_names(*directive.argument, out.private_fields);
            } else {
                out.is_private = true;
            }
        }
    });
    return out;
}

// ---- header values

std::optional<std::time_t> parse_cache_date(std::string_view text) {
    return net::http::parse_http_date(canonical_date_case(text));
}

std::optional<Seconds> parse_age(const Headers& response_headers) {
    const auto first_line = response_headers.get("Age");
    if (!first_line) return std::nullopt;
    std::string_view value = *first_line;
    value = net::http::trim_ows(value.substr(0, value.find(',')));
    return parse_delta_seconds(value);
}

// ---- 3 Storing responses

bool heuristically_cacheable(int status) {
    constexpr std::array kStatuses = {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501};
    return std::find(kStatuses.begin(), kStatuses.end(), status) != kStatuses.end();
}

bool understood_status(int status) {
    constexpr std::array kStatuses = {200, 203, 204, 300, 301, 302, 303, 307, 308, 400,
                                      403, 404, 405, 410, 414, 500, 501, 502, 503, 504};
    return std::find(kStatuses.begin(), kStatuses.end(), status) != kStatuses.end();
}

bool is_safe_method(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

std::string_view to_string(StoreVerdict verdict) {
    switch (verdict) {
        case StoreVerdict::kStorable:
            return "storable";
        case StoreVerdict::kMethod:
            return "method";
        case StoreVerdict::kStatus:
            return "status";
        case StoreVerdict::kNoStore:
            return "no-store";
        case StoreVerdict::kPrivate:
            return "private";
        case StoreVerdict::kAuthorization:
            return "authorization";
        case StoreVerdict::kNoFreshness:
            return "no-freshness";
        case StoreVerdict::kVaryStar:
            return "vary-star";
    }
    return "unknown";
}

namespace {

bool explicit_freshness(const Headers& headers, const ResponseDirectives& directives) {
    return directives.max_age || directives.s_maxage || headers.count("Expires") > 0;
}

// RFC 9110 9.3.3: a POST response is reusable for GET when it says it is the target's
// representation (Content-Location names the target) and has explicit freshness.
bool post_names_itself(const Request& request, const Response& response,
                       const ResponseDirectives& directives) {
    const auto content_location = single_value(response.headers, "Content-Location");
    if (!content_location || !explicit_freshness(response.headers, directives)) return false;
    const auto resolved = resolve_reference(request.target, *content_location);
    if (!resolved) return false;
    const auto target_key = cache_key(request.target);
    return target_key && cache_key(*resolved) == target_key;
}

bool method_storable(const Request& request, const Response& response,
                     const ResponseDirectives& directives) {
    if (request.method == "GET") return true;
    return request.method == "POST" && post_names_itself(request, response, directives);
}

// 3 and 5.2.2.3: final, neither 206 nor 304 (this cache keeps whole responses only), and
// understood when must-understand asks.
bool status_storable(int status, const ResponseDirectives& directives) {
    if (status < 200 || status > 599 || status == 206 || status == 304) return false;
    return !directives.must_understand || understood_status(status);
}

}  // namespace

StoreVerdict storable(const Request& request, const Response& response) {
    const auto directives = parse_response_directives(response.headers);
    if (!method_storable(request, response, directives)) return StoreVerdict::kMethod;
    if (!status_storable(response.status, directives)) return StoreVerdict::kStatus;
    // 5.2.2.3: must-understand, with an understood status, overrides no-store.
    if (directives.no_store && !directives.must_understand) return StoreVerdict::kNoStore;
    if (parse_request_directives(request.headers).no_store) return StoreVerdict::kNoStore;
    if (directives.is_private) return StoreVerdict::kPrivate;
    if (request.headers.count("Authorization") > 0 && !directives.is_public &&
        !directives.s_maxage && !directives.must_revalidate) {
        return StoreVerdict::kAuthorization;
    }
    if (vary_star(response.headers)) return StoreVerdict::kVaryStar;
    if (!directives.is_public && !explicit_freshness(response.headers, directives) &&
        !heuristically_cacheable(response.status)) {
        return StoreVerdict::kNoFreshness;
    }
    return StoreVerdict::kStorable;
}

Headers storable_headers(const Headers& response_headers) {
    Headers stored = response_headers;
    remove_hop_by_hop(stored);
    stored.remove("Transfer-Encoding");
    stored.remove("Proxy-Authentication-Info");
    for (const auto& name : parse_response_directives(response_headers).private_fields)
        stored.remove(name);
    return stored;
}

// ---- 2, 4.1 Keys

std::optional<std::string> cache_key(std::string_view target) {
    const auto uri = parse_http_uri(target);
    if (!uri) return std::nullopt;
    const auto& host = uri->destination.host;
    std::string key = "http://";
    key += host.find(':') == std::string::npos ? lower_cased(host) : "[" + lower_cased(host) + "]";
    if (uri->destination.port != 80) key += ":" + std::to_string(uri->destination.port);
    key += uri->origin_form;
    return key;
}

bool vary_star(const Headers& response_headers) {
    const auto elements = response_headers.list("Vary");
    return std::any_of(elements.begin(), elements.end(),
                       [](std::string_view element) { return element == "*"; });
}

SelectingHeaders selecting_headers(const Headers& response_headers,
                                   const Headers& request_headers) {
    SelectingHeaders selecting;
    for (auto& name : vary_names(response_headers)) {
        auto value = normalised_value(name, request_headers);
        selecting.push_back({std::move(name), std::move(value)});
    }
    return selecting;
}

bool variant_matches(const SelectingHeaders& stored, const Headers& stored_response,
                     const Headers& request_headers) {
    return std::all_of(stored.begin(), stored.end(), [&](const SelectingHeader& header) {
        if (normalised_value(header.name, request_headers) == header.value) return true;
        return header.name == "accept-language" &&
               language_selects(stored_response, request_headers);
    });
}

// ---- 4.2 Freshness

Seconds freshness_lifetime(const StoredResponse& stored) {
    const auto directives = parse_response_directives(stored.headers);
    if (directives.s_maxage) return *directives.s_maxage;
    if (directives.max_age) return *directives.max_age;
    if (stored.headers.count("Expires") > 0) return expires_lifetime(stored);
    return heuristic_lifetime(stored, directives);
}

Seconds current_age(const StoredResponse& stored, std::time_t now) {
    const Seconds age_value = parse_age(stored.headers).value_or(0);
    const Seconds apparent_age = std::max<Seconds>(0, stored.response_time - date_value(stored));
    const Seconds response_delay = std::max<Seconds>(0, stored.response_time - stored.request_time);
    const Seconds corrected_age_value = age_value + response_delay;
    const Seconds corrected_initial_age = std::max(apparent_age, corrected_age_value);
    const Seconds resident_time = std::max<Seconds>(0, now - stored.response_time);
    return clamp_seconds(corrected_initial_age + resident_time);
}

ReuseDecision decide_reuse(const StoredResponse& stored, const RequestDirectives& request,
                           std::time_t now) {
    ReuseDecision decision;
    decision.age = current_age(stored, now);
    decision.lifetime = freshness_lifetime(stored);
    const auto directives = parse_response_directives(stored.headers);
    // 5.2.1.4, 5.2.2.4: no reuse without validation.
    if (request.no_cache || directives.no_cache) return decision;
    // 5.2.1.1, 5.2.1.3: the client wants it younger, or fresh for longer.
    if (request.max_age && decision.age > *request.max_age) return decision;
    if (request.min_fresh && decision.lifetime - decision.age < *request.min_fresh) return decision;
    if (decision.age < decision.lifetime) {
        decision.reuse = Reuse::kFresh;
        return decision;
    }
    if (stale_forbidden(directives)) return decision;
    const Seconds staleness = decision.age - decision.lifetime;
    if (max_stale_allows(request, staleness)) {
        decision.reuse = Reuse::kStale;
    } else if (directives.stale_while_revalidate &&
               staleness <= *directives.stale_while_revalidate) {
        decision.reuse = Reuse::kStaleWhileRevalidate;
    }
    return decision;
}

bool may_serve_stale_on_error(const StoredResponse& stored, const Headers& request_headers,
                              std::time_t now, bool origin_unreachable) {
    const auto directives = parse_response_directives(stored.headers);
    const auto request = parse_request_directives(request_headers);
    if (stale_forbidden(directives) || request.no_cache) return false;
    const Seconds staleness = current_age(stored, now) - freshness_lifetime(stored);
    if (directives.stale_if_error && staleness <= *directives.stale_if_error) return true;
    // RFC 5861 4 lets the request carry stale-if-error too.
    const auto request_limit = parse_response_directives(request_headers).stale_if_error;
    if (request_limit && staleness <= *request_limit) return true;
    return max_stale_allows(request, staleness) || origin_unreachable;
}

// ---- 4.3 Validation

bool has_validator(const Headers& stored_headers) {
    return single_value(stored_headers, "ETag").has_value() ||
           single_date(stored_headers, "Last-Modified").has_value();
}

bool has_origin_preconditions(const Headers& request_headers) {
    return request_headers.count("If-Match") > 0 ||
           request_headers.count("If-Unmodified-Since") > 0;
}

Request validation_request(const Request& client, const StoredResponse& stored) {
    Request request = client;
    for (const char* name : {"If-None-Match", "If-Modified-Since", "Range", "If-Range"})
        request.headers.remove(name);
    if (const auto etag = single_value(stored.headers, "ETag")) {
        request.headers.add("If-None-Match", quoted_etag(*etag));
    }
    if (const auto last_modified = single_value(stored.headers, "Last-Modified")) {
        if (parse_cache_date(*last_modified)) {
            request.headers.add("If-Modified-Since", std::string(*last_modified));
        }
    }
    return request;
}

bool not_modified_matches(const Headers& stored_headers, const Headers& not_modified_headers) {
    const auto stored_etag = single_value(stored_headers, "ETag");
    if (const auto etag = single_value(not_modified_headers, "ETag")) {
        if (!stored_etag) return false;
        if (is_weak_etag(*etag)) return opaque_tag(*etag) == opaque_tag(*stored_etag);
        return !is_weak_etag(*stored_etag) && *etag == *stored_etag;
    }
    if (not_modified_headers.count("Last-Modified") > 0) {
        const auto last_modified = single_date(not_modified_headers, "Last-Modified");
        return last_modified && last_modified == single_date(stored_headers, "Last-Modified");
    }
    return true;
}

Headers updated_headers(const Headers& stored_headers, const Headers& update) {
    Headers replacing = storable_headers(update);
    replacing.remove("Content-Length");
    Headers out;
    for (const auto& field : stored_headers.all()) {
        if (replacing.count(field.name) == 0) out.add(field.name, field.value);
    }
    for (const auto& field : replacing.all())
        out.add(field.name, field.value);
    return out;
}

StoredResponse freshened(const StoredResponse& stored, const Headers& not_modified_headers,
                         std::time_t request_time, std::time_t response_time) {
    StoredResponse out = stored;
    out.headers = updated_headers(stored.headers, not_modified_headers);
    // The stored Age and Date described the old response; the 304 is the new one (a missing
    // Date is the time it arrived, RFC 9110 6.6.1).
    if (not_modified_headers.count("Age") == 0) out.headers.remove("Age");
    if (not_modified_headers.count("Date") == 0) {
        set_field(out.headers, "Date", net::http::format_http_date(response_time));
    }
    out.request_time = request_time;
    out.response_time = response_time;
    return out;
}

bool head_response_matches(const Headers& stored_headers, std::uint64_t stored_body_size,
                           const Headers& head_headers) {
    for (const char* name : {"ETag", "Last-Modified"}) {
        const auto received = head_headers.get(name);
        if (received && stored_headers.get(name) != received) return false;
    }
    const auto length = head_headers.get("Content-Length");
    return !length || *length == std::to_string(stored_body_size);
}

// ---- 4.4 Invalidation

std::vector<std::string> invalidated_keys(const Request& request, const Response& response) {
    std::vector<std::string> keys;
    if (is_safe_method(request.method) || response.status < 200 || response.status >= 400) {
        return keys;
    }
    const auto target_key = cache_key(request.target);
    if (!target_key) return keys;
    keys.push_back(*target_key);
    for (const char* name : {"Location", "Content-Location"}) {
        const auto reference = single_value(response.headers, name);
        if (!reference) continue;
        const auto resolved = resolve_reference(request.target, *reference);
        const auto key = resolved ? cache_key(*resolved) : std::nullopt;
        if (key && origin_of(*key) == origin_of(*target_key) && !seen_before(keys, *key)) {
            keys.push_back(*key);
        }
    }
    return keys;
}

// ---- 4, 5.1 Answering from the cache

ServedResponse serve_stored(const Request& request, const StoredResponse& stored,
                            std::uint64_t body_size, Seconds age, bool validated) {
    ServedResponse out{stored.status, stored.reason, stored.headers, 0, 0};
    if (!validated) {
        for (const auto& name : parse_response_directives(stored.headers).no_cache_fields)
            out.headers.remove(name);
    }
    set_field(out.headers, "Age", std::to_string(clamp_seconds(age)));
    if (answers_not_modified(request, stored)) {
        out.status = 304;
        out.reason = "Not Modified";
        out.headers = not_modified_fields(out.headers);
        set_field(out.headers, "Age", std::to_string(clamp_seconds(age)));
        return out;
    }
    const bool head = request.method == "HEAD";
    std::uint64_t length = body_size;
    const auto range = request.headers.get("Range");
    if (stored.status == 200 && range &&
        net::http::if_range_allows(request.headers.get("If-Range"), stored_validators(stored))) {
        const auto decision = net::http::decide_range(*range, body_size);
        if (decision.outcome == net::http::RangeOutcome::kUnsatisfiable) {
            out.status = 416;
            out.reason = "Range Not Satisfiable";
            set_field(out.headers, "Content-Range", "bytes */" + std::to_string(body_size));
            set_field(out.headers, "Content-Length", "0");
            return out;
        }
        if (decision.outcome == net::http::RangeOutcome::kPartial) {
            out.status = 206;
            out.reason = "Partial Content";
            set_field(out.headers, "Content-Range",
                      net::http::content_range(decision.range, body_size));
            out.body_offset = decision.range.first;
            length = decision.range.length();
        }
    }
    if (bodiless_status(out.status)) {
        out.headers.remove("Content-Length");
        return out;
    }
    set_field(out.headers, "Content-Length", std::to_string(length));
    out.body_length = head ? 0 : length;
    return out;
}

// ---- RFC 9211 Cache-Status

std::string format_cache_status(const CacheStatus& status, std::string_view cache_name) {
    std::string out(cache_name);
    if (status.fwd == Forward::kNone) {
        out += "; hit";
    } else {
        out += "; fwd=";
        out += forward_name(status.fwd);
    }
    if (status.fwd_status) out += "; fwd-status=" + std::to_string(*status.fwd_status);
    if (status.ttl) out += "; ttl=" + std::to_string(*status.ttl);
    if (status.stored) out += "; stored";
    if (status.collapsed) out += "; collapsed";
    if (!status.detail.empty()) {
        out += "; detail=";
        out += is_sf_token(status.detail) ? status.detail : sf_string(status.detail);
    }
    return out;
}

}  // namespace web_proxy::cache
