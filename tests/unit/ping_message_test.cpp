// The ping message: "Ping <seq> <time>" padded with lower-case letters, its parser, and matching
// an (upper-cased) echo to the ping it answers.
#include "udp_ping/ping_message.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "common/ascii.hpp"

namespace ping {
namespace {

TEST(PingMessageTest, FormatsHeaderWithSixDecimals) {
    EXPECT_EQ(format_ping(7, 1764044078.5, 0), "Ping 7 1764044078.500000");
    EXPECT_EQ(format_ping(0, 0.25, 0), "Ping 0 0.250000");
    EXPECT_EQ(format_ping(12, 12.3456789, 0), "Ping 12 12.345679");  // rounded, not cut
    EXPECT_EQ(format_ping(18446744073709551615ULL, 1.0, 0), "Ping 18446744073709551615 1.000000");
}

// parse_ping takes any finite time that is not negative; format_ping must write each one whole,
// so a message it reads and writes again says the same.
TEST(PingMessageTest, FormatsTheLargestTimesWhole) {
    const auto fields = parse_ping("Ping 1 1e300");
    ASSERT_TRUE(fields.has_value());
    const auto again = parse_ping(format_ping(fields->seq, fields->send_time, 0));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->send_time, 1e300);

    const double largest = std::numeric_limits<double>::max();
    const std::string message = format_ping(2, largest, 0);
    EXPECT_EQ(message.size(), std::string("Ping 2 ").size() + 309 + 7);  // 309 digits, .000000
    const auto back = parse_ping(message);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->send_time, largest);
}

TEST(PingMessageTest, PadsToSizeWithLowerCaseLettersAfterOneSpace) {
    const std::string header = "Ping 3 2.000000";  // 15 bytes
    EXPECT_EQ(format_ping(3, 2.0, 20), header + " abcd");
    EXPECT_EQ(format_ping(3, 2.0, 20).size(), 20U);
    EXPECT_EQ(format_ping(3, 2.0, 16), header + " ");  // room for the space only
    EXPECT_EQ(format_ping(3, 2.0, 17), header + " a");
}

TEST(PingMessageTest, PaddingWrapsAfterZ) {
    const std::string message = format_ping(1, 1.0, 64);
    ASSERT_EQ(message.size(), 64U);
    const std::string header = "Ping 1 1.000000 ";  // 16 bytes, then 48 letters
    EXPECT_EQ(message, header + "abcdefghijklmnopqrstuvwxyz" + "abcdefghijklmnopqrstuv");
}

TEST(PingMessageTest, SizeNotLargerThanHeaderGivesHeaderOnly) {
    const std::string header = "Ping 3 2.000000";
    EXPECT_EQ(format_ping(3, 2.0, 0), header);
    EXPECT_EQ(format_ping(3, 2.0, 5), header);
    EXPECT_EQ(format_ping(3, 2.0, header.size()), header);
}

TEST(PingMessageTest, ParsesOwnMessage) {
    const auto fields = parse_ping(format_ping(7, 1764044078.5, 0));
    ASSERT_TRUE(fields.has_value());
    EXPECT_EQ(fields->seq, 7U);
    EXPECT_DOUBLE_EQ(fields->send_time, 1764044078.5);
}

TEST(PingMessageTest, ParsesUpperCasedReplyAndIgnoresPadding) {
    const std::string sent = format_ping(42, 1000.125, 64);
    const std::string reply = net::upper_cased_ascii(sent);
    ASSERT_EQ(reply.substr(0, 5), "PING ");
    const auto fields = parse_ping(reply);
    ASSERT_TRUE(fields.has_value());
    EXPECT_EQ(fields->seq, 42U);
    EXPECT_DOUBLE_EQ(fields->send_time, 1000.125);

    const auto padded = parse_ping(sent);
    ASSERT_TRUE(padded.has_value());
    EXPECT_EQ(padded->seq, 42U);
    EXPECT_DOUBLE_EQ(padded->send_time, 1000.125);
}

TEST(PingMessageTest, WordIsCaseInsensitive) {
    for (const char* text : {"ping 3 2.5", "PING 3 2.5", "pInG 3 2.5", "Ping 3 2.5 anything"}) {
        const auto fields = parse_ping(text);
        ASSERT_TRUE(fields.has_value()) << text;
        EXPECT_EQ(fields->seq, 3U) << text;
        EXPECT_DOUBLE_EQ(fields->send_time, 2.5) << text;
    }
}

TEST(PingMessageTest, RejectsJunkMissingAndNegativeFields) {
    for (const char* text : {
             "",
             "Ping",
             "Ping ",
             "Ping 7",
             "Ping 7 ",
             "Pong 7 1.0",
             "Pings 7 1.0",
             " Ping 7 1.0",
             "Ping  7 1.0",
             "Ping x 1.0",
             "Ping 7 abc",
             "Ping 7 1.0x",
             "Ping 7x 1.0",
             "Ping -1 1.0",
             "Ping +1 1.0",
             "Ping 7 -1.0",
             "Ping 7 inf",
             "Ping 7 nan",
             "Ping 18446744073709551616 1.0",  // 2^64: does not fit
             "hello world",
         }) {
        EXPECT_FALSE(parse_ping(text).has_value()) << '"' << text << '"';
    }
}

TEST(PingMessageTest, ReplyMatchesIdenticalAndUpperCasedEcho) {
    const std::string sent = format_ping(5, 1000.5, 48);
    EXPECT_TRUE(is_reply_to(sent, sent));
    EXPECT_TRUE(is_reply_to(net::upper_cased_ascii(sent), sent));
    // Byte by byte: a partly upper-cased echo still matches.
    std::string partly = sent;
    partly[0] = 'P';
    partly[1] = 'I';
    EXPECT_TRUE(is_reply_to(partly, sent));
    EXPECT_TRUE(is_reply_to("", ""));
}

TEST(PingMessageTest, ReplyRejectsOtherLengthOrContent) {
    const std::string sent = format_ping(5, 1000.5, 48);
    EXPECT_FALSE(is_reply_to(sent.substr(0, sent.size() - 1), sent));
    EXPECT_FALSE(is_reply_to(sent + "a", sent));
    EXPECT_FALSE(is_reply_to(format_ping(6, 1000.5, 48), sent));
    EXPECT_FALSE(is_reply_to(format_ping(5, 1000.75, 48), sent));
    std::string changed = sent;
    changed.back() = '!';
    EXPECT_FALSE(is_reply_to(changed, sent));
    // Lower-casing is not an echo: "PING" sent, "ping" back.
    EXPECT_FALSE(is_reply_to("ping 1 1.000000", "PING 1 1.000000"));
}

}  // namespace
}  // namespace ping
