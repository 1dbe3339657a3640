// Percent-decoding: strict for paths (request_path_test.cpp has the path cases), '+' as a space
// for query strings, and lenient for RFC 2231 values.
#include "common/percent_encoding.hpp"

#include <gtest/gtest.h>

namespace {

TEST(PercentDecode, PlusIsASpaceOnlyInFormEncoding) {
    EXPECT_EQ(net::percent_decode("a+b%2B", true), "a b+");
    EXPECT_EQ(net::percent_decode("a+b%2B"), "a+b+");
    EXPECT_EQ(net::percent_decode("%zz", true), std::nullopt);
    EXPECT_EQ(net::percent_decode("%4", true), std::nullopt);
}

TEST(PercentDecode, LenientKeepsMalformedEscapes) {
    EXPECT_EQ(net::percent_decode_lenient("100%"), "100%");
    EXPECT_EQ(net::percent_decode_lenient("%4"), "%4");
    EXPECT_EQ(net::percent_decode_lenient("%zz%41%e2%82%ac+"), "%zzA\xe2\x82\xac+");
}

}  // namespace
