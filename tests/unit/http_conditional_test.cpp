// Conditional requests: If-None-Match (weak), If-Modified-Since, If-Range (strong), and ETags.
#include "common/http_conditional.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace net::http {
namespace {

constexpr std::time_t kModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::string_view kModifiedText = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view kEarlier = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr std::string_view kLater = "Sun, 06 Nov 1994 08:49:38 GMT";

const Validators kCurrent{"\"abc-123\"", kModified};

bool inm(std::string_view value) {
    return not_modified(value, std::nullopt, kCurrent);
}
bool ims(std::string_view value) {
    return not_modified(std::nullopt, value, kCurrent);
}

TEST(ConditionalEtagTest, IsStrongQuotedAndHex) {
    const auto etag = make_etag(0x5f1a2b, 0x3e8, 0x1f);
    EXPECT_EQ(etag, "\"5f1a2b-3e8-1f\"");
    EXPECT_EQ(make_etag(0, 0, 0), "\"0-0-0\"");
    EXPECT_EQ(make_etag(UINT64_MAX, INT64_MAX, 999999999),
              "\"ffffffffffffffff-7fffffffffffffff-3b9ac9ff\"");
}

TEST(ConditionalEtagTest, ChangesWithSizeAndMtime) {
    std::set<std::string> tags;
    tags.insert(make_etag(100, 1000, 5));
    tags.insert(make_etag(101, 1000, 5));
    tags.insert(make_etag(100, 1001, 5));
    tags.insert(make_etag(100, 1000, 6));
    tags.insert(make_etag(100, -1000, 5));  // pre-1970
    tags.insert(make_etag(0x100, 0x10, 5));
    tags.insert(make_etag(0x10, 0x100, 5));  // the separators keep these apart
    EXPECT_EQ(tags.size(), 7U);
    for (const auto& tag : tags) {
        ASSERT_GE(tag.size(), 2U);
        EXPECT_EQ(tag.front(), '"');
        EXPECT_EQ(tag.back(), '"');
        EXPECT_EQ(tag.find('"', 1), tag.size() - 1) << tag;
        EXPECT_FALSE(tag.starts_with("W/"));
    }
}

TEST(ConditionalEtagTest, OurOwnEtagMatchesItself) {
    const Validators current{make_etag(42, 1700000000, 123), 1700000000};
    EXPECT_TRUE(not_modified(current.etag, std::nullopt, current));
    EXPECT_TRUE(if_range_allows(current.etag, current));
}

TEST(ConditionalIfNoneMatchTest, Matches) {
    EXPECT_TRUE(inm("\"abc-123\""));
    EXPECT_TRUE(inm("W/\"abc-123\""));  // weak comparison
    EXPECT_TRUE(inm("*"));
    EXPECT_TRUE(inm("\"x\", \"abc-123\""));
    EXPECT_TRUE(inm("\"x\",\"abc-123\",\"y\""));
    EXPECT_TRUE(inm("\"x\" ,\t W/\"abc-123\""));
    EXPECT_TRUE(inm(", \"abc-123\",,"));
    EXPECT_TRUE(inm("\"a,b\", \"abc-123\""));  // a comma inside a tag is not a separator
}

TEST(ConditionalIfNoneMatchTest, DoesNotMatch) {
    for (const std::string value : {
             "\"abc-12\"",
             "\"ABC-123\"",       // opaque tags are case-sensitive
             "abc-123",           // unquoted
             "\"abc-123",         //
             "abc-123\"",         //
             "w/\"abc-123\"",     // W is upper case
             "W/ \"abc-123\"",    //
             "\"\"",              //
             "",                  //
             ",",                 //
             "\"x\", abc-123",    // malformed list: matches nothing
             "\"abc-123\" junk",  //
             "\"abc-123\"\"x\"",  //
             "* , \"abc-123\"",   // "*" stands alone
             "**",                //
             "\"abc\"-123\"",     //
         }) {
        EXPECT_FALSE(inm(value)) << value;
    }
}

TEST(ConditionalIfNoneMatchTest, WinsOverIfModifiedSince) {
    // RFC 9110 13.2.2: with If-None-Match present, If-Modified-Since is not evaluated.
    EXPECT_FALSE(not_modified("\"other\"", kModifiedText, kCurrent));
    EXPECT_FALSE(not_modified("\"other\"", kLater, kCurrent));
    EXPECT_TRUE(not_modified("\"abc-123\"", kEarlier, kCurrent));
    EXPECT_FALSE(not_modified("garbage", kLater, kCurrent));
}

TEST(ConditionalIfModifiedSinceTest, ComparesDates) {
    EXPECT_TRUE(ims(kModifiedText));                     // same second
    EXPECT_TRUE(ims(kLater));                            // later
    EXPECT_TRUE(ims("Sunday, 06-Nov-94 08:49:37 GMT"));  // every date format
    EXPECT_TRUE(ims("Sun Nov  6 08:49:37 1994"));
    EXPECT_FALSE(ims(kEarlier));
    EXPECT_FALSE(ims("Thu, 01 Jan 1970 00:00:00 GMT"));
}

TEST(ConditionalIfModifiedSinceTest, InvalidDateIsIgnored) {
    EXPECT_FALSE(ims(""));
    EXPECT_FALSE(ims("yesterday"));
    EXPECT_FALSE(ims("Sun, 06 Nov 1994 08:49:37 UTC"));
    EXPECT_FALSE(ims("\"abc-123\""));
    EXPECT_FALSE(ims("Sun, 06 Nov 1994 08:49:37 GMT; length=12"));
}

TEST(ConditionalIfModifiedSinceTest, NothingToCompare) {
    EXPECT_FALSE(not_modified(std::nullopt, std::nullopt, kCurrent));
}

TEST(ConditionalIfRangeTest, AbsentAllows) {
    EXPECT_TRUE(if_range_allows(std::nullopt, kCurrent));
}

TEST(ConditionalIfRangeTest, StrongEtagMustMatchExactly) {
    EXPECT_TRUE(if_range_allows("\"abc-123\"", kCurrent));
    EXPECT_FALSE(if_range_allows("W/\"abc-123\"", kCurrent));  // weak never matches
    EXPECT_FALSE(if_range_allows("\"abc-124\"", kCurrent));
    EXPECT_FALSE(if_range_allows("\"abc-123\", \"x\"", kCurrent));  // one validator only
    EXPECT_FALSE(if_range_allows("\"abc-123\" ", kCurrent));
    EXPECT_FALSE(if_range_allows("\"abc-123", kCurrent));
    EXPECT_FALSE(if_range_allows("*", kCurrent));
    EXPECT_FALSE(if_range_allows("abc-123", kCurrent));
    EXPECT_FALSE(if_range_allows("", kCurrent));
}

TEST(ConditionalIfRangeTest, DateMustBeExact) {
    EXPECT_TRUE(if_range_allows(kModifiedText, kCurrent));
    EXPECT_TRUE(if_range_allows("Sunday, 06-Nov-94 08:49:37 GMT", kCurrent));
    EXPECT_FALSE(if_range_allows(kLater, kCurrent));
    EXPECT_FALSE(if_range_allows(kEarlier, kCurrent));
    EXPECT_FALSE(if_range_allows("not a date", kCurrent));
}

}  // namespace
}  // namespace net::http
