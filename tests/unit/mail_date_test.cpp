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

// 2026-11-25 07:53:12 UTC
constexpr std::time_t kWhen = 1795593192;

TEST(ParseMailDate, TheFormsMailCarries) {
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 07:53:12 +0000"), kWhen);
    EXPECT_EQ(parse_mail_date(format_mail_date(kWhen)), kWhen);
    EXPECT_EQ(parse_mail_date("25 Nov 2026 07:53:12 +0000"), kWhen);  // no day name
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 08:53:12 +0100"), kWhen);
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 02:53:12 -0500"), kWhen);
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 02:53:12 EST"), kWhen);
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 07:53:12 GMT"), kWhen);
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 07:53:12 +0000 (UTC)"), kWhen);
    EXPECT_EQ(parse_mail_date("Wed,  25  nov 2026\r\n 07:53:12 +0000"), kWhen);
    EXPECT_EQ(parse_mail_date("Wednesday, 25 Nov 2026 07:53:12 Z"), kWhen);
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 07:53 +0000"), kWhen - 12);
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 26 07:53:12 +0000"), kWhen);         // 2049 and before
    EXPECT_EQ(parse_mail_date("Thu, 1 Jan 70 00:00:00 +0000"), 0);              // 1950 and after
    EXPECT_EQ(parse_mail_date("Thu, 1 Jan 070 00:00:00 +0000"), 0);             // from 1900
    EXPECT_EQ(parse_mail_date("Wed, 25 Nov 2026 07:53:60 +0000"), kWhen + 47);  // leap second
}

TEST(ParseMailDate, RefusesWhatIsNoDate) {
    for (const char* text : {"", "yesterday", "Wed, 25 Nov 2026", "Wed, 25 Nov 2026 07:53:12",
                             "Wed, 31 Feb 2026 07:53:12 +0000", "Wed, 0 Nov 2026 07:53:12 +0000",
                             "Wed, 25 Nov 2026 24:00:00 +0000", "Wed, 25 Nov 2026 07:60 +0000",
                             "Wed, 25 Foo 2026 07:53:12 +0000", "Wed, 25 Nov 2026 07:53:12 +01",
                             "Wed, 25 Nov 2026 07:53:12 +0160", "Wed, 25 Nov 2026 07:53:12 XYZ",
                             "Wed, 25 Nov 2026 07:53:12 +0000 extra", "Wed, x5 Nov 2026 07:53 Z",
                             "Wed, 25 Nov 2026 07:53:12 (unclosed +0000"}) {
        EXPECT_EQ(parse_mail_date(text), std::nullopt) << text;
    }
}

}  // namespace
}  // namespace net
