// Base64 (RFC 4648 4): the section 10 vectors both ways, every byte value, strict rejections.
#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net {
namespace {

struct Vector {
    std::string_view plain;
    std::string_view encoded;
};

// RFC 4648 section 10.
constexpr Vector kRfcVectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64Test, EncodesTheRfcVectors) {
    for (const auto& [plain, encoded] : kRfcVectors)
        EXPECT_EQ(base64_encode(plain), encoded) << "plain: " << plain;
}

TEST(Base64Test, DecodesTheRfcVectors) {
    for (const auto& [plain, encoded] : kRfcVectors) {
        const auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << "encoded: " << encoded;
        EXPECT_EQ(*decoded, plain) << "encoded: " << encoded;
    }
}

TEST(Base64Test, BinaryBytes) {
    const Vector rows[] = {
        {std::string_view("\0", 1), "AA=="},
        {std::string_view("\0\0\0", 3), "AAAA"},
        {"\xff", "/w=="},
        {"\xff\xff\xff", "////"},
        {"\xfb\xff", "+/8="},  // both extra letters of the alphabet
        {std::string_view("a\0b\xff", 4), "YQBi/w=="},
        {"\x14\xfb\x9c\x03\xd9\x7e", "FPucA9l+"},  // RFC 4648 section 9
    };
    for (const auto& [plain, encoded] : rows) {
        EXPECT_EQ(base64_encode(plain), encoded);
        const auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(*decoded, plain) << encoded;
    }
}

TEST(Base64Test, RoundTripsEveryByteValue) {
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    // Every length modulo 3 (no padding, "==", "="), and every byte in every position.
    for (std::size_t cut = 0; cut < 3; ++cut) {
        const std::string plain = all.substr(cut);
        const std::string encoded = base64_encode(plain);
        EXPECT_EQ(encoded.size(), (plain.size() + 2) / 3 * 4);
        EXPECT_EQ(encoded.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
                  std::string::npos);
        const auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << "cut " << cut;
        EXPECT_EQ(*decoded, plain) << "cut " << cut;
    }
}

TEST(Base64Test, RejectsLengthsNotAMultipleOfFour) {
    for (const std::string_view text : {"Z", "Zg", "Zg=", "Zm9", "Zm9vY", "Zm9vYg=", "Zm9vYg==="})
        EXPECT_FALSE(base64_decode(text).has_value()) << text;
}

TEST(Base64Test, RejectsCharactersOutsideTheAlphabet) {
    // Including the URL-safe alphabet (RFC 4648 5), which is not this one.
    for (const std::string_view text :
         {"Zm9*", "Zm9-", "Zm9_", "Zm.v", "Zm9v\xc3\xa9Zg", "Zm9v\x80\x80\x80\x80"})
        EXPECT_FALSE(base64_decode(text).has_value()) << text;
    EXPECT_FALSE(base64_decode(std::string_view("Zm9\0", 4)).has_value());
}

TEST(Base64Test, RejectsWhitespace) {
    for (const std::string_view text :
         {"Zm9v Zm9v", "Zm9v\r\nZm9v", "Zm9v\nZg==", " Zm9", "Zm9 ", "Zm\t9", "    "})
        EXPECT_FALSE(base64_decode(text).has_value()) << text;
}

TEST(Base64Test, RejectsPaddingAnywhereButTheEnd) {
    for (const std::string_view text : {"Zg==Zg==", "Zm8=Zm9v", "=Zm9", "Z=m9", "Zm=9",
                                        "x=y=", "Zm=v", "====", "Z===", "Zm9v====", "Zg==Zm9v"})
        EXPECT_FALSE(base64_decode(text).has_value()) << text;
}

}  // namespace
}  // namespace net
