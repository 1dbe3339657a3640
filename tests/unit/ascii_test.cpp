// ASCII helpers: only a-z/A-Z change case; UTF-8 and binary bytes pass through untouched.
#include "common/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace net {
namespace {

static_assert(to_upper_ascii('a') == 'A');
static_assert(to_upper_ascii('z') == 'Z');
static_assert(to_upper_ascii('A') == 'A');
static_assert(to_upper_ascii('`') == '`');  // just below 'a'
static_assert(to_upper_ascii('{') == '{');  // just above 'z'
static_assert(to_lower_ascii('A') == 'a');
static_assert(to_lower_ascii('Z') == 'z');
static_assert(to_lower_ascii('@') == '@');  // just below 'A'
static_assert(to_lower_ascii('[') == '[');  // just above 'Z'

TEST(AsciiTest, UpperCasesAsciiLetters) {
    EXPECT_EQ(upper_cased_ascii("Hello, World! 123 az AZ"), "HELLO, WORLD! 123 AZ AZ");
    EXPECT_EQ(upper_cased_ascii(""), "");
}

TEST(AsciiTest, LeavesUtf8Unchanged) {
    // "héllo wörld ß ж" in UTF-8: only the ASCII letters change.
    const std::string input = "h\xc3\xa9llo w\xc3\xb6rld \xc3\x9f \xd0\xb6";
    const std::string expected = "H\xc3\xa9LLO W\xc3\xb6RLD \xc3\x9f \xd0\xb6";
    EXPECT_EQ(upper_cased_ascii(std::string_view(input)), expected);
}

TEST(AsciiTest, LeavesEveryOtherByteUnchanged) {
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    // (A std::string argument is ambiguous between the two overloads: say which.)
    const std::string upper = upper_cased_ascii(std::string_view(all));
    ASSERT_EQ(upper.size(), 256U);
    for (int b = 0; b < 256; ++b) {
        const char expected =
            (b >= 'a' && b <= 'z') ? static_cast<char>(b - 32) : static_cast<char>(b);
        EXPECT_EQ(upper[static_cast<std::size_t>(b)], expected) << "byte " << b;
    }
}

TEST(AsciiTest, UpperCasesInPlace) {
    std::string text("mixed\0bytes\xff", 12);
    upper_case_ascii(std::span<char>(text));
    EXPECT_EQ(text, std::string("MIXED\0BYTES\xff", 12));

    std::string part = "abcdef";
    upper_case_ascii(std::span<char>(part).subspan(2, 2));
    EXPECT_EQ(part, "abCDef");
}

TEST(AsciiTest, IequalsIgnoresAsciiCase) {
    EXPECT_TRUE(iequals("Content-Length", "content-length"));
    EXPECT_TRUE(iequals("MAIL", "mail"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("a", "b"));
    EXPECT_FALSE(iequals("abc", "abcd"));
    EXPECT_FALSE(iequals("abcd", "abc"));
}

TEST(AsciiTest, IequalsDoesNotFoldNonLetters) {
    // A bitwise "| 0x20" fold would call these equal.
    EXPECT_FALSE(iequals("@", "`"));
    EXPECT_FALSE(iequals("[", "{"));
    EXPECT_FALSE(iequals("^", "~"));
    EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // é and É: not ASCII, not folded
    EXPECT_TRUE(iequals("\xc3\xa9", "\xc3\xa9"));
}

}  // namespace
}  // namespace net
