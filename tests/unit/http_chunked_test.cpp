// The chunked decoder: every framing rule, fed whole, split at every byte and byte by byte.
#include "common/http_chunked.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

struct Decoded {
    std::string body;
    std::size_t consumed = 0;
    bool done = false;
    bool error = false;
};

Decoded decode_all(std::string_view input) {
    ChunkedDecoder decoder;
    Decoded out;
    const auto result = decoder.decode(input, &out.body);
    out.consumed = result.consumed;
    out.done = result.done;
    out.error = result.error;
    EXPECT_EQ(decoder.body_bytes(), out.body.size());
    return out;
}

// Feeds `input` in two pieces split at `split`, keeping unconsumed bytes for the next call as a
// connection would.
Decoded decode_split(std::string_view input, std::size_t split) {
    ChunkedDecoder decoder;
    Decoded out;
    const auto first = decoder.decode(input.substr(0, split), &out.body);
    out.consumed = first.consumed;
    if (first.error || first.done) {
        out.error = first.error;
        out.done = first.done;
        return out;
    }
    const auto second = decoder.decode(input.substr(first.consumed), &out.body);
    out.consumed += second.consumed;
    out.done = second.done;
    out.error = second.error;
    return out;
}

// Feeds one byte per call.
Decoded decode_bytewise(std::string_view input) {
    ChunkedDecoder decoder;
    Decoded out;
    for (std::size_t i = 0; i < input.size() && !out.done && !out.error; ++i) {
        const auto result = decoder.decode(input.substr(i, 1), &out.body);
        out.consumed += result.consumed;
        out.done = result.done;
        out.error = result.error;
        if (!result.error && !result.done) {
            EXPECT_EQ(result.consumed, 1U);
        }
    }
    return out;
}

TEST(HttpChunkedTest, DecodesABody) {
    const std::string body = "4\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\n";
    const auto out = decode_all(body);
    EXPECT_FALSE(out.error);
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body, "Wikipedia in \r\n\r\nchunks.");
    EXPECT_EQ(out.consumed, body.size());
}

TEST(HttpChunkedTest, SplitAtEveryByteBoundary) {
    const std::string body =
        "4;ext=1\r\nWiki\r\n6 ; a=\"b\"\r\npedia \r\na\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    const std::size_t message = body.size() - 4;
    for (std::size_t split = 0; split <= body.size(); ++split) {
        const auto out = decode_split(body, split);
        EXPECT_FALSE(out.error) << split;
        EXPECT_TRUE(out.done) << split;
        EXPECT_EQ(out.body, "Wikipedia 0123456789") << split;
        EXPECT_EQ(out.consumed, message) << split;
    }
    const auto bytewise = decode_bytewise(body);
    EXPECT_TRUE(bytewise.done);
    EXPECT_EQ(bytewise.consumed, message);
    EXPECT_EQ(bytewise.body, "Wikipedia 0123456789");
}

TEST(HttpChunkedTest, ExtensionsAreSkipped) {
    for (const std::string body : {"3;a\r\nabc\r\n0\r\n\r\n", "3;a=b;c=\"d;e\"\r\nabc\r\n0\r\n\r\n",
                                   "3 ;a\r\nabc\r\n0;last\r\n\r\n", "3\t;a\r\nabc\r\n0\r\n\r\n"}) {
        const auto out = decode_all(body);
        EXPECT_TRUE(out.done) << body;
        EXPECT_FALSE(out.error) << body;
        EXPECT_EQ(out.body, "abc") << body;
    }
}

TEST(HttpChunkedTest, TrailersAreReadAndDropped) {
    const std::string body = "3\r\nabc\r\n0\r\nExpires: never\r\nX: y\r\n\r\nGET /next";
    const auto out = decode_all(body);
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body, "abc");
    EXPECT_EQ(out.consumed, body.size() - 9);
}

TEST(HttpChunkedTest, LfOnlyLineEnds) {
    const std::string body = "3\nabc\n0\nX: y\n\nrest";
    const auto out = decode_all(body);
    EXPECT_FALSE(out.error);
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body, "abc");
    EXPECT_EQ(out.consumed, body.size() - 4);
    const auto bytewise = decode_bytewise(body);
    EXPECT_TRUE(bytewise.done);
    EXPECT_EQ(bytewise.consumed, body.size() - 4);
}

TEST(HttpChunkedTest, UpperAndLowerHexAndLeadingZeros) {
    const std::string data(0x1aF, 'x');
    const auto out = decode_all("01aF\r\n" + data + "\r\n000\r\n\r\n");
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.body.size(), 0x1afU);
}

TEST(HttpChunkedTest, EmptyBody) {
    const auto out = decode_all("0\r\n\r\n");
    EXPECT_TRUE(out.done);
    EXPECT_EQ(out.consumed, 5U);
    EXPECT_TRUE(out.body.empty());
}

TEST(HttpChunkedTest, NullOutputCountsButDiscards) {
    ChunkedDecoder decoder;
    const auto result = decoder.decode("5\r\nhello\r\n0\r\n\r\n", nullptr);
    EXPECT_TRUE(result.done);
    EXPECT_EQ(decoder.body_bytes(), 5U);
}

TEST(HttpChunkedTest, IncompleteNeedsMore) {
    const auto out = decode_all("5\r\nhel");
    EXPECT_FALSE(out.done);
    EXPECT_FALSE(out.error);
    EXPECT_EQ(out.consumed, 6U);
    EXPECT_EQ(out.body, "hel");
}

TEST(HttpChunkedTest, DoneStopsConsuming) {
    ChunkedDecoder decoder;
    std::string body;
    ASSERT_TRUE(decoder.decode("0\r\n\r\n", &body).done);
    const auto again = decoder.decode("more", &body);
    EXPECT_TRUE(again.done);
    EXPECT_EQ(again.consumed, 0U);
}

TEST(HttpChunkedTest, MalformedFramingIsAnError) {
    for (const std::string body : {
             "\r\n",                       // no size
             "g\r\n",                      // bad hex
             "0x5\r\nhello\r\n0\r\n\r\n",  // no 0x prefix
             "-5\r\n",                     //
             "+5\r\n",                     //
             ";ext\r\n",                   // extension without size
             " 5\r\n",                     // leading space
             "5\rX",                       // CR not followed by LF
             "5\r\nhelloX\r\n0\r\n\r\n",   // data longer than the size
             "5\r\nhello\rX",              // CR after data not followed by LF
             "5\r\nhellox",                // no CRLF after data
             "5;a\x01\r\n",                // control byte in an extension
             "5;a\rb\r\n",                 // bare CR in an extension
             "5 6\r\nhello\r\n0\r\n\r\n",  // two numbers
             "5 x\r\n",                    // junk after whitespace
         }) {
        EXPECT_TRUE(decode_all(body).error) << body;
        EXPECT_TRUE(decode_bytewise(body).error) << body;
    }
}

TEST(HttpChunkedTest, TextAfterTheSizeIsNotAnExtension) {
    // A libFuzzer input (tests/fuzz): "00" followed by " HTTP/1.1" is not the last chunk with an
    // extension, or a request head would pass for an empty chunked body.
    const std::string input = "00 HTTP/1.1\r\nHost: \nHosost: i\r\n\r\n";
    EXPECT_TRUE(decode_all(input).error);
    EXPECT_TRUE(decode_bytewise(input).error);
    // Whitespace before ';' or the line end is still fine.
    EXPECT_TRUE(decode_all("0 \t\r\n\r\n").done);
    EXPECT_TRUE(decode_all("0 \t;a\r\n\r\n").done);
}

TEST(HttpChunkedTest, ErrorReportsWhereItStopped) {
    const auto out = decode_all("3\r\nabcX");
    EXPECT_TRUE(out.error);
    EXPECT_EQ(out.consumed, 6U);
}

TEST(HttpChunkedTest, HugeSizesAreRejectedNotWrapped) {
    // 2^64 would wrap to 0 and end the body early: a smuggling vector.
    for (const std::string size : {"10000000000000000", "FFFFFFFFFFFFFFFF", "1000000000000000",
                                   "FFFFFFFFFFFFFFFFFFFFFFFF", "100000000000000000000"}) {
        const auto out = decode_all(size + "\r\n");
        EXPECT_TRUE(out.error) << size;
        EXPECT_FALSE(out.done) << size;
    }
    // 2^60 - 1 is within the limit; the decoder waits for the data.
    const auto big = decode_all("FFFFFFFFFFFFFFF\r\nabc");
    EXPECT_FALSE(big.error);
    EXPECT_EQ(big.body, "abc");
}

TEST(HttpChunkedTest, SizeLineLimit) {
    const auto ok = decode_all("5;" + std::string(4000, 'x') + "\r\nhello\r\n0\r\n\r\n");
    EXPECT_TRUE(ok.done);
    EXPECT_FALSE(ok.error);
    EXPECT_TRUE(decode_all("5;" + std::string(5000, 'x') + "\r\n").error);
    EXPECT_TRUE(decode_all(std::string(5000, '0') + "5\r\n").error);  // leading zeros count
    EXPECT_TRUE(decode_all("5;" + std::string(5000, 'x')).error);     // even without the end
}

TEST(HttpChunkedTest, TrailerLimit) {
    std::string trailers;
    for (int i = 0; i < 1000; ++i)
        trailers += "X: yyyyyyy\r\n";
    const auto out = decode_all("0\r\n" + trailers + "\r\n");
    EXPECT_TRUE(out.error);
    EXPECT_FALSE(out.done);
}

}  // namespace
}  // namespace net::http
