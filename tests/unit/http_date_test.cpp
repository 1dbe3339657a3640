// HTTP dates: IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in; everything else refused.
#include "common/http_date.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <string>
#include <thread>
#include <vector>

namespace net::http {
namespace {

constexpr std::time_t kRfcExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpDateTest, FormatsImfFixdate) {
    EXPECT_EQ(format_http_date(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
    EXPECT_EQ(format_http_date(1795580078), "Wed, 25 Nov 2026 04:14:38 GMT");
    EXPECT_EQ(format_http_date(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT");  // past 32 bits
}

TEST(HttpDateTest, FormatClampsToFourDigitYears) {
    EXPECT_EQ(format_http_date(-1), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
    EXPECT_EQ(format_http_date(253402300800), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDateTest, FormatIgnoresTheLocale) {
    // Whatever locales exist here, the names stay English and the digits ASCII.
    const char* previous = std::setlocale(LC_ALL, nullptr);
    const std::string saved = previous != nullptr ? previous : "C";
    for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"}) {
        if (std::setlocale(LC_ALL, name) == nullptr) continue;
        EXPECT_EQ(format_http_date(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT") << name;
    }
    std::setlocale(LC_ALL, saved.c_str());
}

TEST(HttpDateTest, ParsesAllThreeFormats) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kRfcExample);
    EXPECT_EQ(parse_http_date("Sun Nov 06 08:49:37 1994"), kRfcExample);  // zero-padded too
    EXPECT_EQ(parse_http_date("Thu Nov 26 04:14:38 2026"), 1795666478);
}

TEST(HttpDateTest, RoundTrips) {
    for (const std::time_t t :
         {std::time_t{0}, kRfcExample, std::time_t{951782400}, std::time_t{1795580078},
          std::time_t{4102444799}, std::time_t{253402300799}}) {
        EXPECT_EQ(parse_http_date(format_http_date(t)), t) << t;
    }
}

TEST(HttpDateTest, EveryDayAndMonthName) {
    // 1st of each month of 2026, with its weekday.
    const std::vector<std::string> dates = {
        "Thu, 01 Jan 2026 00:00:00 GMT", "Sun, 01 Feb 2026 00:00:00 GMT",
        "Sun, 01 Mar 2026 00:00:00 GMT", "Wed, 01 Apr 2026 00:00:00 GMT",
        "Fri, 01 May 2026 00:00:00 GMT", "Mon, 01 Jun 2026 00:00:00 GMT",
        "Wed, 01 Jul 2026 00:00:00 GMT", "Sat, 01 Aug 2026 00:00:00 GMT",
        "Tue, 01 Sep 2026 00:00:00 GMT", "Thu, 01 Oct 2026 00:00:00 GMT",
        "Sun, 01 Nov 2026 00:00:00 GMT", "Tue, 01 Dec 2026 00:00:00 GMT"};
    for (const auto& date : dates) {
        const auto parsed = parse_http_date(date);
        ASSERT_TRUE(parsed) << date;
        EXPECT_EQ(format_http_date(*parsed), date);
    }
    for (const std::string day :
         {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}) {
        EXPECT_EQ(parse_http_date(day + ", 06-Nov-94 08:49:37 GMT"), kRfcExample) << day;
    }
}

TEST(HttpDateTest, Rfc850TwoDigitYearsFollowTheFiftyYearRule) {
    // RFC 9110 5.6.7: more than 50 years in the future means the previous century.
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    const int year = tm.tm_year + 1900;
    const auto year_of = [](std::time_t t) {
        std::tm out{};
        gmtime_r(&t, &out);
        return out.tm_year + 1900;
    };
    for (int offset : {-60, -49, -1, 0, 1, 49, 50, 51, 99}) {
        const int target = year + offset;
        const int yy = ((target % 100) + 100) % 100;
        std::string text = "Monday, 01-Jan-";
        text.push_back(static_cast<char>('0' + yy / 10));
        text.push_back(static_cast<char>('0' + yy % 10));
        text += " 00:00:00 GMT";
        const auto parsed = parse_http_date(text);
        ASSERT_TRUE(parsed) << text;
        const int expected_year =
            offset > 50 ? target - 100 : (offset < -49 ? target + 100 : target);
        EXPECT_EQ(year_of(*parsed), expected_year) << text;
        EXPECT_LE(year_of(*parsed), year + 50) << text;
        EXPECT_GT(year_of(*parsed), year - 50) << text;
    }
}

TEST(HttpDateTest, LeapYearsAndLeapSeconds) {
    EXPECT_TRUE(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"));
    EXPECT_TRUE(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"));
    EXPECT_FALSE(parse_http_date("Thu, 29 Feb 2100 00:00:00 GMT"));  // not a leap year
    EXPECT_FALSE(parse_http_date("Sun, 29 Feb 2026 00:00:00 GMT"));
    EXPECT_FALSE(parse_http_date("Thu, 31 Apr 2026 00:00:00 GMT"));
    EXPECT_FALSE(parse_http_date("Thu, 30 Feb 2000 00:00:00 GMT"));
    EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT"),
              parse_http_date("Sun, 01 Jan 2017 00:00:00 GMT"));
}

TEST(HttpDateTest, RefusesEverythingElse) {
    for (const std::string text : {
             "",
             "Sun, 06 Nov 1994 08:49:37 UTC",     // only GMT
             "Sun, 06 Nov 1994 08:49:37 gmt",     // case-sensitive
             "sun, 06 Nov 1994 08:49:37 GMT",     //
             "Sun, 06 nov 1994 08:49:37 GMT",     //
             "Sun, 06 NOV 1994 08:49:37 GMT",     //
             "Sun, 6 Nov 1994 08:49:37 GMT",      // two-digit day
             "Sun,  6 Nov 1994 08:49:37 GMT",     //
             "Sun, 06 Nov 94 08:49:37 GMT",       // four-digit year
             "Sun, 06 Nov 1994 8:49:37 GMT",      //
             "Sun, 06 Nov 1994 08:49 GMT",        // seconds required
             "Sun, 06 Nov 1994 08:49:37 +0000",   //
             "Sun, 06 Nov 1994 08:49:37 GMT ",    // trailing space
             " Sun, 06 Nov 1994 08:49:37 GMT",    //
             "Sun 06 Nov 1994 08:49:37 GMT",      // no comma
             "Xyz, 06 Nov 1994 08:49:37 GMT",     // bad day name
             "Sun, 06 Foo 1994 08:49:37 GMT",     // bad month
             "Sun, 00 Nov 1994 08:49:37 GMT",     // day 0
             "Sun, 32 Nov 1994 08:49:37 GMT",     //
             "Sun, 06 Nov 1994 24:00:00 GMT",     // hour 24
             "Sun, 06 Nov 1994 08:60:00 GMT",     //
             "Sun, 06 Nov 1994 08:49:61 GMT",     //
             "Sun, 06 Nov 1994 08:49:3a GMT",     //
             "Sun, 06 Nov 1994 08:49:-1 GMT",     //
             "Sun, 06 Nov 199+ 08:49:37 GMT",     //
             "Sun, 06 Nov 1994 08-49-37 GMT",     //
             "Sun, 06-Nov-94 08:49:37 GMT",       // RFC 850 needs the long day name
             "Sunday, 06 Nov 1994 08:49:37 GMT",  //
             "Sunday, 06-Nov-1994 08:49:37 GMT",  // two-digit year only
             "Sunday, 6-Nov-94 08:49:37 GMT",     //
             "Sunday,06-Nov-94 08:49:37 GMT",     //
             "Sunday, 06-Nov-94 08:49:37 UTC",    //
             "Sun Nov 6 08:49:37 1994",           // asctime pads the day
             "Sun Nov  6 08:49:37 94",            //
             "Sun Nov  6 08:49:37 1994 GMT",      //
             "Sun Nov 6  08:49:37 1994",          //
             "Sunday Nov  6 08:49:37 1994",       //
             "1994-11-06T08:49:37Z",              // ISO 8601
             "784111777",                         //
         }) {
        EXPECT_EQ(parse_http_date(text), std::nullopt) << '"' << text << '"';
    }
}

TEST(HttpDateTest, WeekdayIsNotCrossChecked) {
    // Like nginx, the day name must be valid but need not agree with the date.
    EXPECT_EQ(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
}

TEST(HttpDateTest, ThreadSafe) {
    // Under TSan/ASan this would flag a shared static buffer; the results must not mix.
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &failures] {
            const std::time_t when = kRfcExample + t * 86400 * 400;
            const std::string expected = format_http_date(when);
            for (int i = 0; i < 2000; ++i) {
                if (format_http_date(when) != expected || parse_http_date(expected) != when) {
                    ++failures[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (const int count : failures)
        EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace net::http
