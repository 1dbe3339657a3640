// web_proxy's cache rules against RFC 9111 clause by clause, with the tricky cases of the
// cache-tests.fyi suite (cc-parse, age-parse, expires-parse, vary-parse, update304, stale...).
#include "web_proxy/cache_rules.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <string>
#include <utility>

#include "common/http_date.hpp"

namespace web_proxy::cache {
namespace {

using net::http::Headers;
using net::http::Request;
using net::http::Response;

constexpr std::time_t kNow = 1'800'000'000;  // 2027-01-15
constexpr std::string_view kTarget = "http://example.org/page";

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Headers headers_of(Fields fields) {
    Headers headers;
    for (const auto& [name, value] : fields)
        headers.add(std::string(name), std::string(value));
    return headers;
}

std::string date(std::time_t offset) {
    return net::http::format_http_date(kNow + offset);
}

Request request_of(Fields fields, std::string method = "GET",
                   std::string target = std::string(kTarget)) {
    Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.headers = headers_of(fields);
    return request;
}

Response response_of(int status, Fields fields) {
    Response response;
    response.status = status;
    response.headers = headers_of(fields);
    return response;
}

// A response stored when it arrived at kNow, for a request sent at kNow.
StoredResponse stored_of(Fields fields, int status = 200) {
    return StoredResponse{status, "OK", headers_of(fields), kNow, kNow};
}

StoredResponse stored_with_date(std::string_view cache_control, std::time_t date_offset = 0) {
    StoredResponse stored = stored_of({{"Cache-Control", cache_control}});
    stored.headers.add("Date", date(date_offset));
    return stored;
}

Reuse reuse_at(const StoredResponse& stored, std::time_t now, Fields request = {}) {
    return decide_reuse(stored, parse_request_directives(headers_of(request)), now).reuse;
}

StoreVerdict verdict(int status, Fields response, Fields request = {}) {
    return storable(request_of(request), response_of(status, response));
}

// ---- 5.2 Cache-Control syntax

TEST(CacheControlTest, Rfc9111_5_2_NamesAreCaseInsensitiveAndArgumentsUnquoted) {
    const auto directives = parse_cache_control(
        headers_of({{"Cache-Control", "MaX-aGe=3600, Foo=\"a, b\", no-cache=\"x\\\"y\""}}));
    ASSERT_EQ(directives.size(), 3u);
    EXPECT_EQ(directives[0].name, "max-age");
    EXPECT_EQ(directives[0].argument, "3600");
    EXPECT_EQ(directives[1].name, "foo");
    EXPECT_EQ(directives[1].argument, "a, b");  // the comma inside quotes does not split
    EXPECT_EQ(directives[2].argument, "x\"y");
}

TEST(CacheControlTest, Rfc9111_5_2_MalformedElementsAreSkipped) {
    const auto directives = parse_cache_control(headers_of(
        {{"Cache-Control", "max-age =3600, max-age= 60, public, a=\"open, , no-store"}}));
    ASSERT_EQ(directives.size(), 1u);
    EXPECT_EQ(directives[0].name, "public");
}

TEST(CacheControlTest, Rfc9111_5_2_EveryFieldLineCounts) {
    const auto directives = parse_cache_control(
        headers_of({{"Cache-Control", "public"}, {"X", "y"}, {"cache-control", ",, no-store ,"}}));
    ASSERT_EQ(directives.size(), 2u);
    EXPECT_EQ(directives[1].name, "no-store");
}

TEST(CacheControlTest, Rfc9111_1_2_2_DeltaSeconds) {
    EXPECT_EQ(parse_delta_seconds("0"), 0);
    EXPECT_EQ(parse_delta_seconds("003600"), 3600);  // cc-parse freshness-max-age-leading-zero
    EXPECT_EQ(parse_delta_seconds("2147483647"), 2147483647);
    EXPECT_EQ(parse_delta_seconds("2147483649"), kMaxDeltaSeconds);  // saturates
    EXPECT_EQ(parse_delta_seconds("99999999999999999999999"), kMaxDeltaSeconds);
    for (const auto bad : {"", "-1", "1.0", "'5'", " 5", "5a", "a5"})
        EXPECT_EQ(parse_delta_seconds(bad), std::nullopt) << bad;
}

TEST(CacheControlTest, Rfc9111_4_2_1_FirstMaxAgeCountsAndInvalidMeansStale) {
    EXPECT_EQ(parse_response_directives(headers_of({{"Cache-Control", "max-age=1800, max-age=1"}}))
                  .max_age,
              1800);
    EXPECT_EQ(parse_response_directives(
                  headers_of({{"Cache-Control", "max-age=1"}, {"Cache-Control", "max-age=1800"}}))
                  .max_age,
              1);
    // cc-parse: a quoted max-age counts; a single-quoted or negative one is invalid -> stale.
    EXPECT_EQ(
        parse_response_directives(headers_of({{"Cache-Control", "max-age=\"3600\""}})).max_age,
        3600);
    EXPECT_EQ(parse_response_directives(headers_of({{"Cache-Control", "max-age='3600'"}})).max_age,
              0);
    EXPECT_EQ(parse_response_directives(headers_of({{"Cache-Control", "max-age=-3600"}})).max_age,
              0);
}

TEST(CacheControlTest, Rfc9111_5_2_MaxAgeInsideAQuotedStringIsNotADirective) {
    const auto a = parse_response_directives(
        headers_of({{"Cache-Control", "extension=\"max-age=3600\", max-age=1"}}));
    const auto b = parse_response_directives(
        headers_of({{"Cache-Control", "max-age=1, extension=\"max-age=3600\""}}));
    EXPECT_EQ(a.max_age, 1);
    EXPECT_EQ(b.max_age, 1);
}

TEST(CacheControlTest, Rfc9111_5_2_2_QualifiedNoCacheAndPrivateListFields) {
    const auto directives = parse_response_directives(
        headers_of({{"Cache-Control", "no-cache=\"Set-Cookie, X-A\", private=\"x-b\""}}));
    EXPECT_FALSE(directives.no_cache);
    EXPECT_FALSE(directives.is_private);
    EXPECT_EQ(directives.no_cache_fields, (std::vector<std::string>{"set-cookie", "x-a"}));
    EXPECT_EQ(directives.private_fields, (std::vector<std::string>{"x-b"}));
}

TEST(CacheControlTest, Rfc9111_5_2_1_RequestDirectives) {
    const auto directives = parse_request_directives(
        headers_of({{"Cache-Control", "nothing-to-see-here"},
                    {"Cache-Control",
                     "max-age=5, min-fresh=10, max-stale, no-cache, no-store, only-if-cached"}}));
    EXPECT_EQ(directives.max_age, 5);
    EXPECT_EQ(directives.min_fresh, 10);
    EXPECT_TRUE(directives.max_stale);
    EXPECT_EQ(directives.max_stale_limit, std::nullopt);
    EXPECT_TRUE(directives.no_cache);
    EXPECT_TRUE(directives.no_store);
    EXPECT_TRUE(directives.only_if_cached);
    EXPECT_EQ(
        parse_request_directives(headers_of({{"Cache-Control", "max-stale=30"}})).max_stale_limit,
        30);
}

TEST(CacheControlTest, Rfc9111_5_4_PragmaNoCacheOnlyWithoutCacheControl) {
    EXPECT_TRUE(parse_request_directives(headers_of({{"Pragma", "no-cache"}})).no_cache);
    EXPECT_FALSE(parse_request_directives(
                     headers_of({{"Pragma", "no-cache"}, {"Cache-Control", "max-stale"}}))
                     .no_cache);
    EXPECT_FALSE(parse_request_directives(headers_of({{"Pragma", "foo"}})).no_cache);
}

// ---- 5.1 Age, 5.3 Expires

TEST(AgeTest, Rfc9111_5_1_FirstValueOfFirstLineOrIgnored) {
    EXPECT_EQ(parse_age(headers_of({{"Age", "7200, 0"}})), 7200);             // age-parse-suffix
    EXPECT_EQ(parse_age(headers_of({{"Age", "0, 7200"}})), 0);                // age-parse-prefix
    EXPECT_EQ(parse_age(headers_of({{"Age", "7200"}, {"Age", "0"}})), 7200);  // two lines
    EXPECT_EQ(parse_age(headers_of({{"Age", "2147483648"}})), kMaxDeltaSeconds);  // age-parse-large
    for (const auto bad : {"abc", "-7200", "7200.0", ""})
        EXPECT_EQ(parse_age(headers_of({{"Age", bad}})), std::nullopt) << bad;
    EXPECT_EQ(parse_age(Headers{}), std::nullopt);
}

TEST(DateTest, Rfc9110_5_6_7_CacheDatesForgiveLetterCaseOnly) {
    const auto expected = net::http::parse_http_date("Thu, 18 Aug 2050 02:01:18 GMT");
    ASSERT_TRUE(expected);
    EXPECT_EQ(parse_cache_date("THU, 18 Aug 2050 02:01:18 GMT"), expected);
    EXPECT_EQ(parse_cache_date("Thu, 18 AUG 2050 02:01:18 GMT"), expected);
    EXPECT_EQ(parse_cache_date("Thu, 18 Aug 2050 02:01:18 gMT"), expected);
    EXPECT_EQ(parse_cache_date("Thursday, 18-Aug-50 02:01:18 GMT"), expected);  // RFC 850
    EXPECT_TRUE(parse_cache_date("Thu Aug  8 02:01:18 2050"));                  // asctime
    EXPECT_TRUE(parse_cache_date("Sun, 21 Nov 2286 04:46:39 GMT"));             // far future
    // expires-parse: each of these is invalid, so the response is already expired.
    for (const auto bad : {"0", "Thu, 18 Aug 2050 02:01:18 UTC", "Thu, 18 Aug 2050 02:01:18 AEST",
                           "Thu, 18 Aug 50 02:01:18 GMT", "Thu 18 Aug 2050 02:01:18 GMT",
                           "Thu, 18  Aug  2050 02:01:18 GMT", "Thu, 18-Aug-2050 02:01:18 GMT",
                           "Thu, 18 Aug 2050 02.01.18 GMT", "Thu, 18 Aug 2050 2:01:18 GMT"}) {
        EXPECT_EQ(parse_cache_date(bad), std::nullopt) << bad;
    }
}

// ---- 3 Storing responses

TEST(StorableTest, Rfc9111_3_ExplicitFreshnessOrHeuristicStatusOrPublic) {
    EXPECT_EQ(verdict(200, {}), StoreVerdict::kStorable);  // heuristically cacheable
    EXPECT_EQ(verdict(201, {{"Last-Modified", date(-86400)}}), StoreVerdict::kNoFreshness);
    EXPECT_EQ(verdict(599, {{"Last-Modified", date(-86400)}}), StoreVerdict::kNoFreshness);
    EXPECT_EQ(verdict(599, {{"Cache-Control", "public"}}), StoreVerdict::kStorable);
    EXPECT_EQ(verdict(500, {{"Cache-Control", "max-age=100"}}), StoreVerdict::kStorable);
    EXPECT_EQ(verdict(302, {{"Expires", date(100)}}), StoreVerdict::kStorable);
    EXPECT_EQ(verdict(201, {{"Cache-Control", "s-maxage=5"}}), StoreVerdict::kStorable);
}

TEST(StorableTest, Rfc9111_3_FinalWholeResponsesOnly) {
    EXPECT_EQ(verdict(103, {{"Cache-Control", "max-age=100"}}), StoreVerdict::kStatus);
    EXPECT_EQ(verdict(206, {{"Cache-Control", "max-age=100"}}), StoreVerdict::kStatus);
    EXPECT_EQ(verdict(304, {{"Cache-Control", "max-age=100"}}), StoreVerdict::kStatus);
}

TEST(StorableTest, Rfc9111_3_OnlyGetAndSelfNamingPost) {
    const Response fresh = response_of(200, {{"Cache-Control", "max-age=100"}});
    EXPECT_EQ(storable(request_of({}, "HEAD"), fresh), StoreVerdict::kMethod);
    EXPECT_EQ(storable(request_of({}, "PUT"), fresh), StoreVerdict::kMethod);
    EXPECT_EQ(storable(request_of({}, "POST"), fresh), StoreVerdict::kMethod);
    // method-POST: Content-Location names the target (relative or absolute), explicit freshness.
    for (const auto location : {"/page", "http://EXAMPLE.org:80/page", "page"}) {
        const Response named =
            response_of(200, {{"Cache-Control", "max-age=100"}, {"Content-Location", location}});
        EXPECT_EQ(storable(request_of({}, "POST"), named), StoreVerdict::kStorable) << location;
    }
    const Response elsewhere =
        response_of(200, {{"Cache-Control", "max-age=100"}, {"Content-Location", "/other"}});
    EXPECT_EQ(storable(request_of({}, "POST"), elsewhere), StoreVerdict::kMethod);
}

TEST(StorableTest, Rfc9111_5_2_2_5_NoStoreInEitherMessage) {
    EXPECT_EQ(verdict(200, {{"Cache-Control", "max-age=10000, No-StOrE"}}), StoreVerdict::kNoStore);
    EXPECT_EQ(verdict(200, {{"Cache-Control", "max-age=100"}}, {{"Cache-Control", "no-store"}}),
              StoreVerdict::kNoStore);
}

TEST(StorableTest, Rfc9111_5_2_2_3_MustUnderstandOverridesNoStoreForKnownStatuses) {
    const Fields fields = {{"Cache-Control", "max-age=3600, no-store, must-understand"}};
    EXPECT_EQ(verdict(200, fields), StoreVerdict::kStorable);
    EXPECT_EQ(verdict(599, fields), StoreVerdict::kStatus);
}

TEST(StorableTest, Rfc9111_5_2_2_7_SharedCacheNeverStoresPrivate) {
    EXPECT_EQ(verdict(200, {{"Cache-Control", "private, max-age=3600"}}), StoreVerdict::kPrivate);
    EXPECT_EQ(verdict(200, {{"Cache-Control", "private=\"x\", max-age=3600"}}),
              StoreVerdict::kStorable);
}

TEST(StorableTest, Rfc9111_3_5_AuthorizationNeedsExplicitPermission) {
    const Fields auth = {{"Authorization", "FOO"}};
    EXPECT_EQ(verdict(200, {{"Cache-Control", "max-age=100000"}}, auth),
              StoreVerdict::kAuthorization);
    EXPECT_EQ(verdict(200, {{"Cache-Control", "max-age=3600, public"}}, auth),
              StoreVerdict::kStorable);
    EXPECT_EQ(verdict(200, {{"Cache-Control", "max-age=3600, must-revalidate"}}, auth),
              StoreVerdict::kStorable);
    EXPECT_EQ(verdict(200, {{"Cache-Control", "s-maxage=3600"}}, auth), StoreVerdict::kStorable);
}

TEST(StorableTest, Rfc9111_4_1_VaryStarIsNotStored) {
    for (const Fields fields :
         {Fields{{"Vary", "*"}}, Fields{{"Vary", "*, *"}}, Fields{{"Vary", ", *"}},
          Fields{{"Vary", ""}, {"Vary", "*"}}, Fields{{"Vary", "Foo, *"}}}) {
        Headers headers = headers_of(fields);
        headers.add("Cache-Control", "max-age=5000");
        Response response;
        response.status = 200;
        response.headers = headers;
        EXPECT_EQ(storable(request_of({}), response), StoreVerdict::kVaryStar);
    }
}

TEST(StorableTest, Rfc9111_3_1_HopByHopAndPrivateFieldsAreNotStored) {
    const Headers stored = storable_headers(headers_of({{"Connection", "a, b"},
                                                        {"a", "1"},
                                                        {"b", "2"},
                                                        {"c", "3"},
                                                        {"Keep-Alive", "x"},
                                                        {"Proxy-Authenticate", "x"},
                                                        {"Proxy-Authentication-Info", "x"},
                                                        {"Proxy-Authorization", "x"},
                                                        {"Proxy-Connection", "x"},
                                                        {"TE", "x"},
                                                        {"Transfer-Encoding", "chunked"},
                                                        {"Upgrade", "x"},
                                                        {"Cache-Control", "private=\"d\""},
                                                        {"d", "4"},
                                                        {"Set-Cookie", "a=b"},
                                                        {"Content-Length", "10"}}));
    EXPECT_EQ(stored.size(), 4u);
    EXPECT_EQ(stored.get("c"), "3");
    EXPECT_EQ(stored.get("Set-Cookie"), "a=b");
    EXPECT_EQ(stored.get("Content-Length"), "10");
    EXPECT_TRUE(stored.get("Cache-Control"));
}

// ---- 2, 4.1 Keys

TEST(CacheKeyTest, Rfc9111_2_EffectiveRequestUri) {
    EXPECT_EQ(cache_key("http://Example.ORG/a?b=c"), "http://example.org/a?b=c");
    EXPECT_EQ(cache_key("HTTP://example.org:80/a"), "http://example.org/a");
    EXPECT_EQ(cache_key("http://example.org:8080"), "http://example.org:8080/");
    EXPECT_EQ(cache_key("http://[::1]:81/x#frag"), "http://[::1]:81/x");
    EXPECT_NE(cache_key("http://h/?test=a"), cache_key("http://h/?test=b"));  // query-args
    EXPECT_EQ(cache_key("/origin-form"), std::nullopt);
    EXPECT_EQ(cache_key("example.org:443"), std::nullopt);
}

TEST(VaryTest, Rfc9111_4_1_SelectingHeadersAreNormalised) {
    const Headers response = headers_of({{"Vary", "Foo, bar"}, {"Vary", "FOO"}});
    const auto selecting =
        selecting_headers(response, headers_of({{"foo", "1, 2"}, {"Other", "x"}}));
    ASSERT_EQ(selecting.size(), 2u);
    EXPECT_EQ(selecting[0], (SelectingHeader{"foo", "1,2"}));
    EXPECT_EQ(selecting[1], (SelectingHeader{"bar", std::nullopt}));
    // vary-normalise-combine, -space: the same list however it is spread and spaced.
    EXPECT_TRUE(variant_matches(selecting, response, headers_of({{"Foo", "1"}, {"Foo", "2"}})));
    EXPECT_TRUE(variant_matches(selecting, response, headers_of({{"Foo", " 1, 2 "}})));
    EXPECT_FALSE(variant_matches(selecting, response, headers_of({{"Foo", "2, 1"}})));
    // vary-omit: a field absent then must be absent now (and the other way round).
    EXPECT_FALSE(variant_matches(selecting, response, headers_of({{"Foo", "1,2"}, {"Bar", ""}})));
    EXPECT_FALSE(variant_matches(selecting, response, Headers{}));
}

TEST(VaryTest, Rfc9111_4_1_AcceptLanguageIgnoresOrderCaseAndSpace) {
    const Headers response = headers_of({{"Vary", "Accept-Language"}});
    const auto selecting = selecting_headers(response, headers_of({{"Accept-Language", "en, de"}}));
    for (const auto value : {"de, en", "eN, De", " en ,   de"}) {
        EXPECT_TRUE(variant_matches(selecting, response, headers_of({{"Accept-Language", value}})))
            << value;
    }
    EXPECT_FALSE(variant_matches(selecting, response, headers_of({{"Accept-Language", "fr"}})));
}

TEST(VaryTest, Rfc9111_4_1_AcceptLanguageSelectsByContentLanguage) {
    const Headers response = headers_of({{"Vary", "Accept-Language"}, {"Content-Language", "de"}});
    const auto selecting = selecting_headers(response, headers_of({{"Accept-Language", "en, de"}}));
    EXPECT_TRUE(variant_matches(selecting, response,
                                headers_of({{"Accept-Language", "fr;q=0.5, de;q=1.0"}})));
    EXPECT_FALSE(variant_matches(selecting, response,
                                 headers_of({{"Accept-Language", "fr;q=1, de;q=0.5"}})));
}

TEST(VaryTest, Rfc9111_4_1_NoVaryMatchesAnything) {
    const Headers response = headers_of({{"Cache-Control", "max-age=5"}});
    EXPECT_TRUE(variant_matches(selecting_headers(response, Headers{}), response,
                                headers_of({{"Foo", "1"}})));
    EXPECT_TRUE(vary_star(headers_of({{"Vary", "a"}, {"Vary", "*"}})));
    EXPECT_FALSE(vary_star(headers_of({{"Vary", "a"}})));
}

// ---- 4.2 Freshness

TEST(FreshnessTest, Rfc9111_4_2_1_SharedCachePrefersSMaxage) {
    EXPECT_EQ(freshness_lifetime(stored_of({{"Cache-Control", "max-age=3600, s-maxage=1"}})), 1);
    EXPECT_EQ(freshness_lifetime(
                  stored_of({{"Cache-Control", "max-age=1"}, {"Cache-Control", "s-maxage=3600"}})),
              3600);
    EXPECT_EQ(freshness_lifetime(stored_of(
                  {{"Expires", date(-10)}, {"Cache-Control", "max-age=0, s-maxage=3600"}})),
              3600);
}

TEST(FreshnessTest, Rfc9111_4_2_1_MaxAgeBeatsExpires) {
    StoredResponse stored = stored_with_date("max-age=3600");
    stored.headers.add("Expires", date(-7200));
    EXPECT_EQ(freshness_lifetime(stored), 3600);
    StoredResponse zero = stored_with_date("max-age=0");
    zero.headers.add("Expires", date(3600));
    EXPECT_EQ(freshness_lifetime(zero), 0);
}

TEST(FreshnessTest, Rfc9111_4_2_1_ExpiresMinusDate) {
    EXPECT_EQ(freshness_lifetime(stored_of({{"Expires", date(2592000)}, {"Date", date(0)}})),
              2592000);
    EXPECT_EQ(freshness_lifetime(stored_of({{"Expires", date(300)}, {"Date", date(400)}})), 0);
    // No valid Date: the time the response arrived stands in (RFC 9110 6.6.1).
    EXPECT_EQ(freshness_lifetime(stored_of({{"Expires", date(10)}, {"Date", "foo"}})), 10);
}

TEST(FreshnessTest, Rfc9111_5_3_InvalidOrRepeatedExpiresIsInThePast) {
    EXPECT_EQ(freshness_lifetime(stored_of({{"Expires", "0"}, {"Date", date(0)}})), 0);
    EXPECT_EQ(freshness_lifetime(
                  stored_of({{"Expires", date(100)}, {"Expires", date(100)}, {"Date", date(0)}})),
              0);
    // Even with a Last-Modified that would give heuristic freshness.
    EXPECT_EQ(freshness_lifetime(stored_of(
                  {{"Expires", "0"}, {"Last-Modified", date(-100000)}, {"Date", date(0)}})),
              0);
}

TEST(FreshnessTest, Rfc9111_4_2_2_HeuristicIsATenthCappedAtADay) {
    EXPECT_EQ(freshness_lifetime(stored_of({{"Last-Modified", date(-86400)}, {"Date", date(0)}})),
              8640);
    EXPECT_EQ(
        freshness_lifetime(stored_of({{"Last-Modified", date(-100 * 86400)}, {"Date", date(0)}})),
        kMaxHeuristicLifetime);
    EXPECT_EQ(freshness_lifetime(stored_of({{"Last-Modified", date(10)}, {"Date", date(0)}})), 0);
    EXPECT_EQ(freshness_lifetime(stored_of({{"Date", date(0)}})), 0);
}

TEST(FreshnessTest, Rfc9111_4_2_2_HeuristicOnlyForCacheableStatusesOrPublic) {
    for (const int status : {200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501}) {
        EXPECT_GT(freshness_lifetime(
                      stored_of({{"Last-Modified", date(-86400)}, {"Date", date(0)}}, status)),
                  0)
            << status;
    }
    for (const int status : {201, 202, 403, 502, 503, 504, 599}) {
        EXPECT_EQ(freshness_lifetime(
                      stored_of({{"Last-Modified", date(-86400)}, {"Date", date(0)}}, status)),
                  0)
            << status;
    }
    EXPECT_GT(freshness_lifetime(stored_of(
                  {{"Last-Modified", date(-86400)}, {"Date", date(0)}, {"Cache-Control", "public"}},
                  599)),
              0);
}

TEST(AgeTest, Rfc9111_4_2_3_CurrentAge) {
    // apparent_age from Date, corrected by response_delay, plus resident_time.
    StoredResponse stored = stored_of({{"Date", date(-7200)}});
    EXPECT_EQ(current_age(stored, kNow), 7200);
    EXPECT_EQ(current_age(stored, kNow + 5), 7205);
    StoredResponse aged = stored_of({{"Date", date(0)}, {"Age", "30"}});
    aged.request_time = kNow - 2;
    EXPECT_EQ(current_age(aged, kNow + 3), 35);  // 30 + 2 delay + 3 resident
    // A Date ahead of our clock gives no negative apparent age.
    EXPECT_EQ(current_age(stored_of({{"Date", date(10)}, {"Age", "15"}}), kNow), 15);
    EXPECT_EQ(current_age(stored_of({{"Age", "2147483648"}}), kNow + 100), kMaxDeltaSeconds);
}

TEST(AgeTest, CacheTestsAgeParse) {
    const auto stale = [](Fields ages) {
        StoredResponse stored = stored_with_date("max-age=3600");
        for (const auto& [name, value] : ages)
            stored.headers.add(std::string(name), std::string(value));
        return reuse_at(stored, kNow + 3) != Reuse::kFresh;
    };
    EXPECT_FALSE(stale({{"Age", "abc"}}));
    EXPECT_FALSE(stale({{"Age", "-7200"}}));
    EXPECT_FALSE(stale({{"Age", "7200.0"}}));
    EXPECT_TRUE(stale({{"Age", "2147483647"}}));
    EXPECT_TRUE(stale({{"Age", "2147483649"}}));
    EXPECT_TRUE(stale({{"Age", "7200, 0"}}));
    EXPECT_FALSE(stale({{"Age", "0, 7200"}}));
    EXPECT_TRUE(stale({{"Age", "7200"}, {"Age", "0"}}));
    EXPECT_FALSE(stale({{"Age", "0"}, {"Age", "7200"}}));
    EXPECT_FALSE(stale({{"Age", "0, 0"}}));
}

TEST(ReuseTest, Rfc9111_4_2_FreshUntilAgeReachesLifetime) {
    const StoredResponse stored = stored_with_date("max-age=2");
    EXPECT_EQ(reuse_at(stored, kNow + 1), Reuse::kFresh);
    EXPECT_EQ(reuse_at(stored, kNow + 2), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored_with_date("max-age=0"), kNow), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored_with_date("max-age=3600", -7200), kNow), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored_with_date("max-age=99999999999"), kNow + 3), Reuse::kFresh);
}

TEST(ReuseTest, Rfc9111_5_2_2_4_ResponseNoCacheAlwaysRevalidates) {
    EXPECT_EQ(reuse_at(stored_with_date("max-age=10000, No-CaChE"), kNow), Reuse::kRevalidate);
    // A qualified no-cache does not stop reuse: only its fields are held back (serve_stored).
    EXPECT_EQ(reuse_at(stored_with_date("max-age=10000, no-cache=\"a\""), kNow), Reuse::kFresh);
}

TEST(ReuseTest, Rfc9111_5_2_1_RequestDirectives) {
    const StoredResponse stored = stored_with_date("max-age=100000");
    EXPECT_EQ(reuse_at(stored, kNow + 3, {{"Cache-Control", "max-age=0"}}), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored, kNow, {{"Cache-Control", "max-age=0"}}), Reuse::kFresh);
    EXPECT_EQ(reuse_at(stored, kNow + 3, {{"Cache-Control", "no-cache"}}), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored, kNow + 3, {{"Pragma", "no-cache"}}), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored, kNow + 3, {{"Cache-Control", "x"}, {"Pragma", "no-cache"}}),
              Reuse::kFresh);
    EXPECT_EQ(
        reuse_at(stored_with_date("max-age=1500"), kNow, {{"Cache-Control", "min-fresh=2000"}}),
        Reuse::kRevalidate);
    const StoredResponse old = stored_with_date("max-age=2");
    EXPECT_EQ(reuse_at(old, kNow + 3, {{"Cache-Control", "max-stale=1000"}}), Reuse::kStale);
    EXPECT_EQ(reuse_at(old, kNow + 3, {{"Cache-Control", "max-stale"}}), Reuse::kStale);
    EXPECT_EQ(reuse_at(old, kNow + 3000, {{"Cache-Control", "max-stale=1000"}}),
              Reuse::kRevalidate);
}

TEST(ReuseTest, Rfc9111_4_2_4_NoStaleUnderRevalidationDirectives) {
    for (const auto cc : {"max-age=2, must-revalidate", "max-age=2, proxy-revalidate",
                          "max-age=2, s-maxage=2", "max-age=2, no-cache"}) {
        EXPECT_EQ(reuse_at(stored_with_date(cc), kNow + 3, {{"Cache-Control", "max-stale"}}),
                  Reuse::kRevalidate)
            << cc;
    }
}

TEST(ReuseTest, Rfc5861_3_StaleWhileRevalidateWindow) {
    const StoredResponse stored = stored_with_date("max-age=1, stale-while-revalidate=4");
    EXPECT_EQ(reuse_at(stored, kNow + 3), Reuse::kStaleWhileRevalidate);
    EXPECT_EQ(reuse_at(stored, kNow + 5), Reuse::kStaleWhileRevalidate);
    EXPECT_EQ(reuse_at(stored, kNow + 6), Reuse::kRevalidate);
    EXPECT_EQ(reuse_at(stored_with_date("max-age=1, stale-while-revalidate=4, must-revalidate"),
                       kNow + 3),
              Reuse::kRevalidate);
}

TEST(ReuseTest, Rfc5861_4_StaleIfErrorAndDisconnection) {
    const Headers none;
    const StoredResponse sie = stored_with_date("max-age=2, stale-if-error=60");
    EXPECT_TRUE(may_serve_stale_on_error(sie, none, kNow + 3, false));
    EXPECT_FALSE(may_serve_stale_on_error(sie, none, kNow + 100, false));
    const StoredResponse plain = stored_with_date("max-age=2");
    EXPECT_FALSE(may_serve_stale_on_error(plain, none, kNow + 3, false));
    EXPECT_TRUE(may_serve_stale_on_error(plain, none, kNow + 3, true));
    EXPECT_TRUE(may_serve_stale_on_error(
        plain, headers_of({{"Cache-Control", "stale-if-error=10"}}), kNow + 3, false));
    for (const auto cc : {"max-age=2, must-revalidate", "max-age=2, proxy-revalidate",
                          "max-age=2, s-maxage=2", "max-age=2, no-cache"}) {
        EXPECT_FALSE(may_serve_stale_on_error(stored_with_date(cc), none, kNow + 3, true)) << cc;
    }
}

// ---- 4.3 Validation

TEST(ValidationTest, Rfc9111_4_3_1_ConditionalFromStoredValidators) {
    const StoredResponse stored =
        stored_of({{"ETag", "\"abc\""}, {"Last-Modified", "Wed, 01 Jan 2020 00:00:00 GMT"}});
    const Request client = request_of({{"Abc", "123"},
                                       {"If-None-Match", "\"zzz\""},
                                       {"If-Modified-Since", date(-5)},
                                       {"Range", "bytes=0-1"},
                                       {"If-Range", "\"zzz\""}});
    const Request request = validation_request(client, stored);
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, kTarget);
    EXPECT_EQ(request.headers.get("Abc"), "123");  // conditional-etag-vary-headers
    EXPECT_EQ(request.headers.count("If-None-Match"), 1u);
    EXPECT_EQ(request.headers.get("If-None-Match"), "\"abc\"");
    EXPECT_EQ(request.headers.get("If-Modified-Since"), "Wed, 01 Jan 2020 00:00:00 GMT");
    EXPECT_FALSE(request.headers.get("Range"));
    EXPECT_FALSE(request.headers.get("If-Range"));
}

TEST(ValidationTest, Rfc9111_4_3_1_WeakAndBareEtags) {
    EXPECT_EQ(validation_request(request_of({}), stored_of({{"ETag", "W/\"abcdef\""}}))
                  .headers.get("If-None-Match"),
              "W/\"abcdef\"");
    EXPECT_EQ(validation_request(request_of({}), stored_of({{"ETag", "abcdef"}}))
                  .headers.get("If-None-Match"),
              "\"abcdef\"");
    EXPECT_FALSE(validation_request(request_of({}), stored_of({})).headers.get("If-None-Match"));
    EXPECT_FALSE(has_validator(headers_of({{"Last-Modified", "garbage"}})));
    EXPECT_TRUE(has_validator(headers_of({{"ETag", "\"x\""}})));
}

TEST(ValidationTest, Rfc9111_4_3_2_OriginPreconditionsAreNotForTheCache) {
    EXPECT_TRUE(has_origin_preconditions(headers_of({{"If-Match", "\"a\""}})));
    EXPECT_TRUE(has_origin_preconditions(headers_of({{"If-Unmodified-Since", date(0)}})));
    EXPECT_FALSE(has_origin_preconditions(headers_of({{"If-None-Match", "\"a\""}})));
}

TEST(ValidationTest, Rfc9111_4_3_4_WhichStoredResponseA304Freshens) {
    const Headers strong = headers_of({{"ETag", "\"abc\""}, {"Last-Modified", date(-100)}});
    EXPECT_TRUE(not_modified_matches(strong, headers_of({{"ETag", "\"abc\""}})));
    EXPECT_FALSE(not_modified_matches(strong, headers_of({{"ETag", "\"def\""}})));
    EXPECT_TRUE(not_modified_matches(strong, headers_of({{"ETag", "W/\"abc\""}})));
    EXPECT_FALSE(not_modified_matches(headers_of({{"ETag", "W/\"abc\""}}),
                                      headers_of({{"ETag", "\"abc\""}})));
    EXPECT_TRUE(not_modified_matches(strong, headers_of({{"Last-Modified", date(-100)}})));
    EXPECT_FALSE(not_modified_matches(strong, headers_of({{"Last-Modified", date(-50)}})));
    EXPECT_TRUE(not_modified_matches(strong, headers_of({{"Date", date(0)}})));
}

TEST(ValidationTest, Rfc9111_3_2_UpdateReplacesFieldsButNotContentLength) {
    const Headers stored = headers_of({{"Content-Length", "36"},
                                       {"Test-Header", "old"},
                                       {"Cache-Control", "max-age=1"},
                                       {"Set-Cookie", "a=1"},
                                       {"Set-Cookie", "b=2"},
                                       {"Kept", "yes"}});
    const Headers update = headers_of({{"Content-Length", "10"},
                                       {"Test-Header", "new"},
                                       {"Cache-Control", "max-age=3600"},
                                       {"Set-Cookie", "c=3"},
                                       {"Connection", "close, X-Hop"},
                                       {"X-Hop", "1"},
                                       {"Keep-Alive", "timeout=5"}});
    const Headers merged = updated_headers(stored, update);
    EXPECT_EQ(merged.get("Content-Length"), "36");
    EXPECT_EQ(merged.get("Test-Header"), "new");
    EXPECT_EQ(merged.get("Cache-Control"), "max-age=3600");
    EXPECT_EQ(merged.count("Set-Cookie"), 1u);
    EXPECT_EQ(merged.get("Set-Cookie"), "c=3");
    EXPECT_EQ(merged.get("Kept"), "yes");
    EXPECT_FALSE(merged.get("X-Hop"));
    EXPECT_FALSE(merged.get("Connection"));
    EXPECT_FALSE(merged.get("Keep-Alive"));
}

TEST(ValidationTest, Rfc9111_4_3_4_FreshenedResponseStartsAgain) {
    StoredResponse stored = stored_of({{"Date", date(0)},
                                       {"Age", "30"},
                                       {"Cache-Control", "max-age=2"},
                                       {"ETag", "\"a\""},
                                       {"Test-Header", "1"}});
    const auto fresh = freshened(stored, headers_of({{"ETag", "\"a\""}, {"Test-Header", "2"}}),
                                 kNow + 10, kNow + 11);
    EXPECT_EQ(fresh.request_time, kNow + 10);
    EXPECT_EQ(fresh.response_time, kNow + 11);
    EXPECT_EQ(fresh.headers.get("Test-Header"), "2");
    EXPECT_EQ(fresh.headers.get("Date"), date(11));  // the 304 had none: its arrival
    EXPECT_FALSE(fresh.headers.get("Age"));
    EXPECT_EQ(reuse_at(fresh, kNow + 11), Reuse::kFresh);  // age 1: the 304's own delay
    EXPECT_EQ(fresh.status, 200);
}

TEST(ValidationTest, Rfc9111_4_3_5_HeadResponseMustDescribeTheStoredOne) {
    const Headers stored = headers_of({{"ETag", "\"a\""}, {"Content-Length", "5"}});
    EXPECT_TRUE(head_response_matches(stored, 5, headers_of({{"Template-A", "2"}})));
    EXPECT_TRUE(
        head_response_matches(stored, 5, headers_of({{"ETag", "\"a\""}, {"Content-Length", "5"}})));
    EXPECT_FALSE(head_response_matches(stored, 5, headers_of({{"ETag", "\"b\""}})));
    EXPECT_FALSE(head_response_matches(stored, 5, headers_of({{"Content-Length", "6"}})));
    EXPECT_FALSE(head_response_matches(stored, 5, headers_of({{"Last-Modified", date(0)}})));
}

// ---- 4.4 Invalidation

TEST(InvalidationTest, Rfc9111_4_4_UnsafeNonErrorInvalidatesTargetAndSameOriginLocations) {
    const Request post = request_of({}, "POST", "http://example.org/dir/page");
    const Response created = response_of(
        201, {{"Location", "location_target"}, {"Content-Location", "/content_location_target"}});
    EXPECT_EQ(invalidated_keys(post, created),
              (std::vector<std::string>{"http://example.org/dir/page",
                                        "http://example.org/dir/location_target",
                                        "http://example.org/content_location_target"}));
    const Response elsewhere = response_of(
        200, {{"Location", "http://other.org/x"}, {"Content-Location", "http://example.org:81/y"}});
    EXPECT_EQ(invalidated_keys(post, elsewhere),
              (std::vector<std::string>{"http://example.org/dir/page"}));
}

TEST(InvalidationTest, Rfc9111_4_4_OnlyUnsafeMethodsAndNonErrorStatuses) {
    const Response ok = response_of(200, {});
    for (const auto method : {"POST", "PUT", "DELETE", "M-SEARCH", "PATCH"})
        EXPECT_EQ(invalidated_keys(request_of({}, method), ok).size(), 1u) << method;
    for (const auto method : {"GET", "HEAD", "OPTIONS", "TRACE"})
        EXPECT_TRUE(invalidated_keys(request_of({}, method), ok).empty()) << method;
    EXPECT_EQ(invalidated_keys(request_of({}, "POST"), response_of(302, {})).size(), 1u);
    EXPECT_TRUE(invalidated_keys(request_of({}, "POST"), response_of(500, {})).empty());
    EXPECT_TRUE(invalidated_keys(request_of({}, "POST"), response_of(404, {})).empty());
}

// ---- 4, 5.1 Serving

TEST(ServeTest, Rfc9111_5_1_AgeIsAddedAndStoredFieldsKept) {
    const StoredResponse stored = stored_of(
        {{"Date", date(0)}, {"Age", "30"}, {"Cache-Control", "max-age=100000"}, {"A", "1"}});
    const auto served = serve_stored(request_of({}), stored, 11, 33, false);
    EXPECT_EQ(served.status, 200);
    EXPECT_EQ(served.headers.count("Age"), 1u);
    EXPECT_EQ(served.headers.get("Age"), "33");
    EXPECT_EQ(served.headers.get("Date"), date(0));  // other-date-update: never rewritten
    EXPECT_EQ(served.headers.get("A"), "1");
    EXPECT_EQ(served.headers.get("Content-Length"), "11");
    EXPECT_EQ(served.body_offset, 0u);
    EXPECT_EQ(served.body_length, 11u);
}

TEST(ServeTest, Rfc9110_9_3_2_HeadFromAStoredGet) {
    const auto served =
        serve_stored(request_of({}, "HEAD"), stored_of({{"Content-Length", "11"}}), 11, 0, false);
    EXPECT_EQ(served.status, 200);
    EXPECT_EQ(served.headers.get("Content-Length"), "11");
    EXPECT_EQ(served.body_length, 0u);
}

TEST(ServeTest, Rfc9111_4_3_2_ClientIfNoneMatchGets304WithEtag) {
    const StoredResponse stored = stored_of({{"Date", date(0)},
                                             {"Cache-Control", "max-age=100000"},
                                             {"ETag", "\"abcdef\""},
                                             {"Last-Modified", date(-5000)},
                                             {"Content-Type", "text/plain"}});
    for (const auto inm : {"\"abcdef\"", "\"1234\", \"abcdef\", \"5678\"", "W/\"abcdef\"", "*"}) {
        const auto served =
            serve_stored(request_of({{"If-None-Match", inm}}), stored, 10, 3, false);
        EXPECT_EQ(served.status, 304) << inm;
        EXPECT_EQ(served.headers.get("ETag"), "\"abcdef\"");
        EXPECT_EQ(served.headers.get("Age"), "3");
        EXPECT_FALSE(served.headers.get("Content-Type"));
        EXPECT_EQ(served.body_length, 0u);
    }
    // RFC 9110 13.2.2: If-None-Match decides alone (conditional-etag-precedence).
    EXPECT_EQ(serve_stored(request_of({{"If-None-Match", "\"abcdef\""},
                                       {"If-Modified-Since", date(-10000)}}),
                           stored, 10, 0, false)
                  .status,
              304);
    EXPECT_EQ(serve_stored(request_of({{"If-None-Match", "\"zzz\""}}), stored, 10, 0, false).status,
              200);
}

TEST(ServeTest, Rfc9111_4_3_2_ClientIfModifiedSince) {
    const StoredResponse stored = stored_of({{"Date", date(0)}, {"Last-Modified", date(-3000)}});
    EXPECT_EQ(
        serve_stored(request_of({{"If-Modified-Since", date(-3000)}}), stored, 1, 0, false).status,
        304);
    EXPECT_EQ(
        serve_stored(request_of({{"If-Modified-Since", date(-2000)}}), stored, 1, 0, false).status,
        304);
    EXPECT_EQ(
        serve_stored(request_of({{"If-Modified-Since", date(-4000)}}), stored, 1, 0, false).status,
        200);
    // Without Last-Modified the stored Date stands in.
    const StoredResponse undated = stored_of({{"Date", date(-5000)}});
    EXPECT_EQ(
        serve_stored(request_of({{"If-Modified-Since", date(-3000)}}), undated, 1, 0, false).status,
        304);
    // Not for error responses (RFC 9110 13.2.1).
    EXPECT_EQ(serve_stored(request_of({{"If-Modified-Since", date(0)}}),
                           stored_of({{"Last-Modified", date(-3000)}}, 404), 1, 0, false)
                  .status,
              404);
}

TEST(ServeTest, Rfc9110_14_RangeFromAStoredFullResponse) {
    const StoredResponse stored = stored_of({{"A", "1"}, {"ETag", "\"e\""}});
    const auto first_two = serve_stored(request_of({{"Range", "bytes=0-1"}}), stored, 11, 0, false);
    EXPECT_EQ(first_two.status, 206);
    EXPECT_EQ(first_two.headers.get("Content-Range"), "bytes 0-1/11");
    EXPECT_EQ(first_two.headers.get("Content-Length"), "2");
    EXPECT_EQ(first_two.headers.get("A"), "1");  // partial-use-stored-headers
    EXPECT_EQ(first_two.body_offset, 0u);
    EXPECT_EQ(first_two.body_length, 2u);
    const auto tail = serve_stored(request_of({{"Range", "bytes=1-"}}), stored, 11, 0, false);
    EXPECT_EQ(tail.body_offset, 1u);
    EXPECT_EQ(tail.body_length, 10u);
    const auto suffix = serve_stored(request_of({{"Range", "bytes=-1"}}), stored, 11, 0, false);
    EXPECT_EQ(suffix.body_offset, 10u);
    EXPECT_EQ(suffix.body_length, 1u);
    EXPECT_EQ(serve_stored(request_of({{"Range", "bytes=20-"}}), stored, 11, 0, false).status, 416);
    EXPECT_EQ(serve_stored(request_of({{"Range", "bytes=0-1"}, {"If-Range", "\"other\""}}), stored,
                           11, 0, false)
                  .status,
              200);
}

TEST(ServeTest, Rfc9111_5_2_2_4_QualifiedNoCacheFieldsNeedRevalidation) {
    const StoredResponse stored =
        stored_of({{"Cache-Control", "no-cache=\"a\""}, {"a", "1"}, {"b", "2"}});
    EXPECT_FALSE(serve_stored(request_of({}), stored, 0, 0, false).headers.get("a"));
    EXPECT_EQ(serve_stored(request_of({}), stored, 0, 0, false).headers.get("b"), "2");
    EXPECT_EQ(serve_stored(request_of({}), stored, 0, 0, true).headers.get("a"), "1");
}

TEST(ServeTest, Rfc9110_15_3_5_NoContentHasNoLength) {
    const auto served = serve_stored(request_of({}), stored_of({}, 204), 0, 0, false);
    EXPECT_EQ(served.status, 204);
    EXPECT_FALSE(served.headers.get("Content-Length"));
    EXPECT_EQ(served.body_length, 0u);
}

// ---- RFC 9211

TEST(CacheStatusTest, Rfc9211_Values) {
    EXPECT_EQ(format_cache_status({}), "web_proxy; hit");
    CacheStatus hit;
    hit.ttl = 120;
    EXPECT_EQ(format_cache_status(hit), "web_proxy; hit; ttl=120");
    CacheStatus miss;
    miss.fwd = Forward::kMiss;
    miss.stored = true;
    EXPECT_EQ(format_cache_status(miss), "web_proxy; fwd=miss; stored");
    CacheStatus stale;
    stale.fwd = Forward::kStale;
    stale.fwd_status = 304;
    EXPECT_EQ(format_cache_status(stale), "web_proxy; fwd=stale; fwd-status=304");
    CacheStatus uri_miss;
    uri_miss.fwd = Forward::kUriMiss;
    EXPECT_EQ(format_cache_status(uri_miss), "web_proxy; fwd=uri-miss");
    CacheStatus request;
    request.fwd = Forward::kRequest;
    request.detail = "no-store";
    EXPECT_EQ(format_cache_status(request), "web_proxy; fwd=request; detail=no-store");
    CacheStatus bypass;
    bypass.fwd = Forward::kBypass;
    bypass.detail = "too \"big\"";
    EXPECT_EQ(format_cache_status(bypass), "web_proxy; fwd=bypass; detail=\"too \\\"big\\\"\"");
    CacheStatus collapsed;
    collapsed.fwd = Forward::kVaryMiss;
    collapsed.collapsed = true;
    EXPECT_EQ(format_cache_status(collapsed, "proxy"), "proxy; fwd=vary-miss; collapsed");
}

// ---- any bytes at all

TEST(RobustnessTest, AnyBytesAsCacheControlExpiresAgeOrVaryNeverThrow) {
    std::mt19937 random(12345);  // fixed seed: the same inputs every run
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 40);
    constexpr std::string_view kPieces[] = {"max-age", "=", "\"",       "\\",           ",",
                                            " ",       "*", "s-maxage", "no-cache",     "GMT",
                                            "Thu",     "-", "0",        "9999999999999"};
    std::uniform_int_distribution<std::size_t> piece(0, std::size(kPieces) - 1);
    for (int round = 0; round < 3000; ++round) {
        std::string value;
        const int n = length(random);
        for (int i = 0; i < n; ++i) {
            if (random() % 2 == 0) {
                value.push_back(static_cast<char>(byte(random)));
            } else {
                value.append(kPieces[piece(random)]);
            }
        }
        const Headers fields = headers_of({{"Cache-Control", value},
                                           {"Expires", value},
                                           {"Age", value},
                                           {"Vary", value},
                                           {"Date", value},
                                           {"Last-Modified", value},
                                           {"ETag", value},
                                           {"Accept-Language", value},
                                           {"Range", value},
                                           {"If-None-Match", value},
                                           {"Location", value}});
        Request request = request_of({});
        request.headers = fields;
        Response response = response_of(200, {});
        response.headers = fields;
        StoredResponse stored{200, "OK", fields, kNow, kNow};
        EXPECT_NO_THROW({
            (void)parse_response_directives(fields);
            (void)parse_request_directives(fields);
            (void)parse_age(fields);
            (void)parse_cache_date(value);
            const auto decision = decide_reuse(stored, parse_request_directives(fields), kNow + 5);
            EXPECT_GE(decision.age, 0);
            EXPECT_GE(decision.lifetime, 0);
            (void)variant_matches(selecting_headers(fields, fields), fields, fields);
            (void)storable(request, response);
            (void)storable_headers(fields);
            (void)validation_request(request, stored);
            (void)serve_stored(request, stored, 7, 1, false);
            (void)invalidated_keys(request_of({}, "POST"), response);
            (void)may_serve_stale_on_error(stored, fields, kNow, false);
        }) << value;
    }
}

}  // namespace
}  // namespace web_proxy::cache
