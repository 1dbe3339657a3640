#include "common/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(Json, PlainTextIsQuoted) {
    EXPECT_EQ(net::json_string("hello"), "\"hello\"");
}

TEST(Json, QuotesBackslashesAndControlsAreEscaped) {
    EXPECT_EQ(net::json_string("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(net::json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
    EXPECT_EQ(net::json_string(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
    EXPECT_EQ(net::json_string(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(Json, WellFormedUtf8IsKept) {
    EXPECT_EQ(net::json_string("Grüße €𝄞"), "\"Grüße €𝄞\"");
}

TEST(Json, MalformedUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(net::json_string("\xff"), "\"\xEF\xBF\xBD\"");
    EXPECT_EQ(net::json_string("a\xC3"), "\"a\xEF\xBF\xBD\"");                // cut short
    EXPECT_EQ(net::json_string("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong
    EXPECT_EQ(net::json_string("\xED\xA0\x80"),                               // a surrogate
              "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    EXPECT_EQ(net::json_string("\xF4\x90\x80\x80"),  // above U+10FFFF
              "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(Json, AppendsToWhatIsThere) {
    std::string out = "[";
    net::append_json_string(out, "x");
    EXPECT_EQ(out, "[\"x\"");
}

}  // namespace
