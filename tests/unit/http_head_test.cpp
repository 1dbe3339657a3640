// What both head parsers share: finding where a head ends, whatever its line ends.
#include "common/http_head.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

TEST(HttpFindHeadEndTest, FindsEveryKindOfBlankLine) {
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\n\r\nbody"), 18U);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\n\nbody"), 16U);
    EXPECT_EQ(find_head_end("A\r\n\nB"), 4U);
    EXPECT_EQ(find_head_end("A\n\r\nB"), 4U);
    EXPECT_EQ(find_head_end("\n\n"), 2U);
    EXPECT_EQ(find_head_end("\r\n\r\n"), 4U);
}

TEST(HttpFindHeadEndTest, NeedsABlankLine) {
    EXPECT_EQ(find_head_end(""), std::nullopt);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: h\r\n"), std::nullopt);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\n\r"), std::nullopt);
    EXPECT_EQ(find_head_end("A\r\n\r\r\nB"), std::nullopt);  // a lone CR is not a blank line
    EXPECT_EQ(find_head_end("A\r\r\n"), std::nullopt);
}

TEST(HttpFindHeadEndTest, SearchesFromTheGivenOffset) {
    const std::string_view text = "A\n\nB\n\nC";
    EXPECT_EQ(find_head_end(text, 0), 3U);
    EXPECT_EQ(find_head_end(text, 1), 3U);
    EXPECT_EQ(find_head_end(text, 2), 6U);
    EXPECT_EQ(find_head_end(text, 7), std::nullopt);
    EXPECT_EQ(find_head_end(text, 100), std::nullopt);
}

TEST(HttpFindHeadEndTest, ResumingTwoBytesBackFindsEverySplitEnd) {
    // A caller that searched n bytes and got nullopt resumes from n - 2 when more arrive.
    for (const std::string text : {"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\n\n",
                                   "GET / HTTP/1.0\n\r\n", "GET / HTTP/1.0\r\n\n"}) {
        for (std::size_t n = 0; n < text.size(); ++n) {
            ASSERT_EQ(find_head_end(std::string_view(text).substr(0, n)), std::nullopt);
            EXPECT_EQ(find_head_end(text, n >= 2 ? n - 2 : 0), text.size()) << n;
        }
    }
    // Resuming exactly at n misses an end split after its first LF.
    EXPECT_EQ(find_head_end("GET / HTTP/1.0\r\n\r\n", 16), std::nullopt);
}

}  // namespace
}  // namespace net::http
