// The tests' JSON reader (tests/support/json_value.hpp), which the browser tests read Chromium's
// DevTools messages with: every kind of value, escapes, and what it refuses.
#include "tests/support/json_value.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "common/json.hpp"

namespace net::test {
namespace {

TEST(JsonValue, ReadsEveryKindOfValue) {
    const JsonValue v = JsonValue::parse(
        R"( {"id": 7, "ok": true, "no": false, "none": null, "pi": -3.5e0,
             "list": [1, "two", [], {}], "nested": {"sessionId": "AB12"}} )");
    EXPECT_EQ(v["id"].as_number(), 7);
    EXPECT_TRUE(v["ok"].as_bool());
    EXPECT_FALSE(v["no"].as_bool());
    EXPECT_TRUE(v["none"].is_null());
    EXPECT_EQ(v["pi"].as_number(), -3.5);
    EXPECT_EQ(v["list"].as_array().size(), 4u);
    EXPECT_EQ(v["list"][1].as_string(), "two");
    EXPECT_TRUE(v["list"][2].is_array());
    EXPECT_TRUE(v["list"][3].is_object());
    EXPECT_EQ(v["nested"]["sessionId"].as_string(), "AB12");
    EXPECT_TRUE(v.has("none"));
    EXPECT_FALSE(v.has("missing"));
    EXPECT_THROW((void)v["missing"], std::runtime_error);
    EXPECT_THROW((void)v["id"].as_string(), std::runtime_error);
    EXPECT_THROW((void)v["list"][4], std::runtime_error);
}

TEST(JsonValue, DecodesEscapesToUtf8) {
    EXPECT_EQ(JsonValue::parse(R"("a\"b\\c\/d\n\t\u00fc\u2713\ud83d\ude00")").as_string(),
              "a\"b\\c/d\n\tü✓😀");
    EXPECT_EQ(JsonValue::parse("\"Grüße\"").as_string(), "Grüße");  // UTF-8 as it is
}

TEST(JsonValue, WritesWhatItReadsBack) {
    const std::string text = R"({"a":[1,2.5,"x\n"],"b":{"c":null,"d":true}})";
    EXPECT_EQ(JsonValue::parse(text).dump(), text);
    const std::string s = "tab\t quote\" ü";
    EXPECT_EQ(JsonValue::parse(net::json_string(s)).as_string(), s);
}

TEST(JsonValue, RefusesWhatIsNotJson) {
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"",
                            "\"unterminated", "\"a\nb\"", "{} x", "[1] [2]", "{'a':1}"}) {
        EXPECT_THROW(JsonValue::parse(bad), std::runtime_error) << bad;
    }
    std::string deep(1000, '[');
    deep += std::string(1000, ']');
    EXPECT_THROW(JsonValue::parse(deep), std::runtime_error);
}

}  // namespace
}  // namespace net::test
