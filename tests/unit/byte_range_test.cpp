// Range requests: one satisfiable range -> 206, nothing satisfiable -> 416, anything else -> 200.
#include "common/byte_range.hpp"

#include <gtest/gtest.h>

#include <string>

namespace net::http {
namespace {

RangeOutcome outcome(std::string_view value, std::uint64_t size) {
    return decide_range(value, size).outcome;
}

// The range of a header that must give 206.
ByteRange partial(std::string_view value, std::uint64_t size) {
    const auto decision = decide_range(value, size);
    EXPECT_EQ(decision.outcome, RangeOutcome::kPartial) << value;
    return decision.range;
}

TEST(ByteRangeTest, FirstAndLast) {
    EXPECT_EQ(partial("bytes=0-99", 1000), (ByteRange{0, 99}));
    EXPECT_EQ(partial("bytes=0-0", 1000), (ByteRange{0, 0}));
    EXPECT_EQ(partial("bytes=999-999", 1000), (ByteRange{999, 999}));
    EXPECT_EQ(partial("bytes=5-5", 6), (ByteRange{5, 5}));
    EXPECT_EQ(partial("bytes=0-0", 1), (ByteRange{0, 0}));
    EXPECT_EQ(partial("bytes=000-0099", 1000), (ByteRange{0, 99}));
}

TEST(ByteRangeTest, LastBeyondTheEndIsClipped) {
    EXPECT_EQ(partial("bytes=0-1000", 1000), (ByteRange{0, 999}));
    EXPECT_EQ(partial("bytes=500-18446744073709551615", 1000), (ByteRange{500, 999}));
}

TEST(ByteRangeTest, OpenEnded) {
    EXPECT_EQ(partial("bytes=100-", 1000), (ByteRange{100, 999}));
    EXPECT_EQ(partial("bytes=0-", 1000), (ByteRange{0, 999}));
    EXPECT_EQ(partial("bytes=999-", 1000), (ByteRange{999, 999}));
}

TEST(ByteRangeTest, Suffix) {
    EXPECT_EQ(partial("bytes=-500", 1000), (ByteRange{500, 999}));
    EXPECT_EQ(partial("bytes=-1", 1000), (ByteRange{999, 999}));
    EXPECT_EQ(partial("bytes=-1000", 1000), (ByteRange{0, 999}));
    EXPECT_EQ(partial("bytes=-5000", 1000), (ByteRange{0, 999}));  // longer than the file
    EXPECT_EQ(partial("bytes=-18446744073709551615", 10), (ByteRange{0, 9}));
}

TEST(ByteRangeTest, Length) {
    EXPECT_EQ((ByteRange{0, 0}).length(), 1U);
    EXPECT_EQ((ByteRange{10, 19}).length(), 10U);
}

TEST(ByteRangeTest, Unsatisfiable) {
    EXPECT_EQ(outcome("bytes=1000-", 1000), RangeOutcome::kUnsatisfiable);
    EXPECT_EQ(outcome("bytes=1000-2000", 1000), RangeOutcome::kUnsatisfiable);
    EXPECT_EQ(outcome("bytes=5000-5000", 1000), RangeOutcome::kUnsatisfiable);
    EXPECT_EQ(outcome("bytes=-0", 1000), RangeOutcome::kUnsatisfiable);
    EXPECT_EQ(outcome("bytes=-000", 1000), RangeOutcome::kUnsatisfiable);
    EXPECT_EQ(outcome("bytes=18446744073709551615-", 1000), RangeOutcome::kUnsatisfiable);
}

TEST(ByteRangeTest, EmptyFileSatisfiesNoRange) {
    for (const std::string value : {"bytes=0-0", "bytes=0-", "bytes=-1", "bytes=-0", "bytes=0-99",
                                    "bytes=-100", "bytes=5-"}) {
        EXPECT_EQ(outcome(value, 0), RangeOutcome::kUnsatisfiable) << value;
    }
}

TEST(ByteRangeTest, UnitIsCaseInsensitive) {
    EXPECT_EQ(partial("Bytes=0-1", 10), (ByteRange{0, 1}));
    EXPECT_EQ(partial("BYTES=0-1", 10), (ByteRange{0, 1}));
    EXPECT_EQ(partial("bYtEs=-2", 10), (ByteRange{8, 9}));
}

TEST(ByteRangeTest, OwsOnlyAroundCommas) {
    EXPECT_EQ(partial("bytes=0-1,", 10), (ByteRange{0, 1}));
    EXPECT_EQ(partial("bytes=0-1 ,", 10), (ByteRange{0, 1}));
    EXPECT_EQ(partial("bytes=0-1 , ", 10), (ByteRange{0, 1}));
    EXPECT_EQ(partial("bytes=, 0-1", 10), (ByteRange{0, 1}));
    EXPECT_EQ(partial("bytes=,\t0-1\t,,", 10), (ByteRange{0, 1}));
    for (const std::string value :
         {"bytes= 0-1", "bytes=0-1 ", "bytes=0 -1", "bytes=0- 1", "bytes=- 1", "bytes = 0-1",
          "bytes =0-1", "bytes= 0-1", " bytes=0-1", "bytes=0-1 x"}) {
        EXPECT_EQ(outcome(value, 10), RangeOutcome::kIgnore) << '"' << value << '"';
    }
}

TEST(ByteRangeTest, MalformedIsIgnored) {
    for (const std::string value : {
             "",
             "bytes",
             "bytes=",
             "bytes=,",
             "bytes=, ,",
             "bytes=-",
             "bytes=a-b",
             "bytes=1-a",
             "bytes=0x10-0x20",
             "bytes=+1-2",
             "bytes=1--2",
             "bytes=--1",
             "bytes=1-2-3",
             "bytes=1",
             "bytes=5-4",                       // first > last
             "bytes=1000-999",                  //
             "bytes=1.5-2",                     //
             "bytes=0-1;q=1",                   //
             "bytes:0-1",                       //
             "=0-1",                            //
             "bytes0-1",                        //
             "byte=0-1",                        // other units
             "bytesx=0-1",                      //
             "items=0-1",                       //
             "none",                            //
             "bytes=18446744073709551616-",     // overflow
             "bytes=0-18446744073709551616",    //
             "bytes=-18446744073709551616",     //
             "bytes=99999999999999999999999-",  //
         }) {
        EXPECT_EQ(outcome(value, 1000), RangeOutcome::kIgnore) << '"' << value << '"';
    }
}

TEST(ByteRangeTest, MalformedBeatsUnsatisfiable) {
    // An invalid range is ignored even on an empty file, where a valid one would get 416.
    EXPECT_EQ(outcome("bytes=5-4", 0), RangeOutcome::kIgnore);
    EXPECT_EQ(outcome("bytes = 0-1", 0), RangeOutcome::kIgnore);
}

TEST(ByteRangeTest, SeveralRangesAreIgnored) {
    for (const std::string value :
         {"bytes=0-1,2-3", "bytes=0-1, 5-", "bytes=-1,-2", "bytes=0-0,0-0", "bytes=500-600,700-800",
          "bytes=0-1,,5-6", "bytes=0-1,x"}) {
        EXPECT_EQ(outcome(value, 100), RangeOutcome::kIgnore) << value;
    }
}

TEST(ByteRangeTest, ContentRange) {
    EXPECT_EQ(content_range({0, 99}, 1234), "bytes 0-99/1234");
    EXPECT_EQ(content_range({0, 0}, 1), "bytes 0-0/1");
    EXPECT_EQ(content_range({18446744073709551614U, 18446744073709551614U}, 18446744073709551615U),
              "bytes 18446744073709551614-18446744073709551614/18446744073709551615");
}

}  // namespace
}  // namespace net::http
