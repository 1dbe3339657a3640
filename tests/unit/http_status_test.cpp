// Reason phrases, and one for every status a head parser refuses with.
#include "common/http_status.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace net::http {
namespace {

TEST(HttpReasonPhraseTest, KnownAndUnknown) {
    EXPECT_EQ(reason_phrase(200), "OK");
    EXPECT_EQ(reason_phrase(206), "Partial Content");
    EXPECT_EQ(reason_phrase(304), "Not Modified");
    EXPECT_EQ(reason_phrase(400), "Bad Request");
    EXPECT_EQ(reason_phrase(403), "Forbidden");
    EXPECT_EQ(reason_phrase(404), "Not Found");
    EXPECT_EQ(reason_phrase(405), "Method Not Allowed");
    EXPECT_EQ(reason_phrase(413), "Content Too Large");
    EXPECT_EQ(reason_phrase(414), "URI Too Long");
    EXPECT_EQ(reason_phrase(416), "Range Not Satisfiable");
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reason_phrase(501), "Not Implemented");
    EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
    EXPECT_EQ(reason_phrase(299), "Unknown");
    EXPECT_EQ(reason_phrase(-1), "Unknown");
}

TEST(HttpReasonPhraseTest, EveryParserStatusHasAPhrase) {
    for (const auto status : {Status::kBadRequest, Status::kPayloadTooLarge, Status::kUriTooLong,
                              Status::kHeadersTooLarge, Status::kNotImplemented,
                              Status::kBadGateway, Status::kVersionNotSupported}) {
        EXPECT_NE(reason_phrase(static_cast<int>(status)), "Unknown");
    }
}

}  // namespace
}  // namespace net::http
