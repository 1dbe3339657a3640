// Header field lists (names case-insensitive, list values split) and token syntax.
#include "common/http_fields.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

TEST(HttpHeadersTest, GetIsCaseInsensitiveAndExact) {
    Headers headers;
    headers.add("Content-Length-X", "1");
    headers.add("X-Content-Length", "2");
    headers.add("Content-Lengt", "3");
    EXPECT_EQ(headers.get("Content-Length"), std::nullopt);
    EXPECT_EQ(headers.count("Content-Length"), 0U);
    EXPECT_FALSE(headers.has_token("Content-Length", "1"));
    headers.add("content-LENGTH", "4");
    EXPECT_EQ(headers.get("Content-Length"), "4");
    EXPECT_EQ(headers.count("CONTENT-LENGTH"), 1U);
    EXPECT_EQ(headers.get(""), std::nullopt);
}

TEST(HttpHeadersTest, GetReturnsTheFirst) {
    Headers headers;
    headers.add("A", "1");
    headers.add("a", "2");
    EXPECT_EQ(headers.get("A"), "1");
    EXPECT_EQ(headers.count("A"), 2U);
    EXPECT_EQ(headers.size(), 2U);
}

TEST(HttpHeadersTest, ListSplitsEveryFieldAndTrims) {
    Headers headers;
    headers.add("Accept", "a, b ,c");
    headers.add("Other", "x");
    headers.add("accept", " ,, d\t,");
    headers.add("Accept", "");
    const auto items = headers.list("ACCEPT");
    ASSERT_EQ(items.size(), 4U);
    EXPECT_EQ(items[0], "a");
    EXPECT_EQ(items[1], "b");
    EXPECT_EQ(items[2], "c");
    EXPECT_EQ(items[3], "d");
    EXPECT_TRUE(headers.list("Missing").empty());
}

TEST(HttpHeadersTest, HasTokenMatchesWholeElementsCaseInsensitively) {
    Headers headers;
    headers.add("Connection", "keep-alive, Upgrade");
    EXPECT_TRUE(headers.has_token("connection", "upgrade"));
    EXPECT_TRUE(headers.has_token("Connection", "KEEP-ALIVE"));
    EXPECT_FALSE(headers.has_token("Connection", "keep"));
    EXPECT_FALSE(headers.has_token("Connection", "alive"));
    EXPECT_FALSE(headers.has_token("Connection", "close"));
    EXPECT_FALSE(headers.has_token("Upgrade", "Upgrade"));
}

TEST(HttpHeadersTest, RemoveDropsEveryMatchOnly) {
    Headers headers;
    headers.add("A", "1");
    headers.add("B", "2");
    headers.add("a", "3");
    headers.add("AB", "4");
    headers.remove("a");
    ASSERT_EQ(headers.size(), 2U);
    EXPECT_EQ(headers.all()[0].name, "B");
    EXPECT_EQ(headers.all()[1].name, "AB");
    headers.remove("missing");
    EXPECT_EQ(headers.size(), 2U);
}

TEST(HttpIsTokenTest, TcharsOnly) {
    EXPECT_TRUE(is_token("GET"));
    EXPECT_TRUE(is_token("Content-Type"));
    EXPECT_TRUE(is_token("!#$%&'*+-.^_`|~09azAZ"));
    EXPECT_FALSE(is_token(""));
    for (const char c : std::string_view("\"(),/:;<=>?@[\\]{} \t\x7f\x80\0", 22)) {
        EXPECT_FALSE(is_token(std::string("a") + c)) << static_cast<int>(c);
    }
}

}  // namespace
}  // namespace net::http
