// RFC 5322 3.3 dates in UTC with a numeric zone, for known instants.
#include "common/mail_date.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <string_view>

namespace net {
namespace {

TEST(MailDateTest, FormatsKnownInstants) {
    struct Row {
        std::time_t when;
        std::string_view text;
    };
    const Row rows[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 +0000"},
        {784111777, "Sun, 06 Nov 1994 08:49:37 +0000"},  // RFC 9110's example instant
        {951782400, "Tue, 29 Feb 2000 00:00:00 +0000"},  // a leap day of a century year
        {1709251199, "Thu, 29 Feb 2024 23:59:59 +0000"},
        {1795593192, "Wed, 25 Nov 2026 07:53:12 +0000"},
        {2147483647, "Tue, 19 Jan 2038 03:14:07 +0000"},  // the last 32-bit second
        {4102444800, "Fri, 01 Jan 2100 00:00:00 +0000"},
        {253402300799, "Fri, 31 Dec 9999 23:59:59 +0000"},  // the last four-digit year
    };
    for (const auto& [when, text] : rows)
        EXPECT_EQ(format_mail_date(when), text) << "time " << when;
}

TEST(MailDateTest, ZoneIsNumericNeverGmt) {
    // "GMT" is only obs-zone in RFC 5322 4.3: a generator must write "+0000".
    const auto date = format_mail_date(1795593192);
    EXPECT_EQ(date.size(), 31U);
    EXPECT_TRUE(date.ends_with(" +0000")) << date;
    EXPECT_EQ(date.find("GMT"), std::string::npos) << date;
}

}  // namespace
}  // namespace net
