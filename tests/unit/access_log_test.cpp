// Access log lines: exactly the Combined Log Format, with client bytes escaped, and web_proxy's
// duration and note after it.
#include "common/access_log.hpp"
#include "common/http_request.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <clocale>
#include <string>

namespace net {
namespace {

constexpr std::time_t kWhen = 1795580078;  // 25/Nov/2026:04:14:38 +0000

AccessRecord record() {
    AccessRecord r;
    r.client = "127.0.0.1";
    r.when = kWhen;
    r.request_line = "GET / HTTP/1.1";
    r.status = 200;
    r.body_bytes = 1234;
    r.referer = "http://example.com/";
    r.user_agent = "curl/7.88.1";
    return r;
}

TEST(AccessLogTest, CombinedLogFormat) {
    EXPECT_EQ(format_access_log_line(record()),
              "127.0.0.1 - - [25/Nov/2026:04:14:38 +0000] \"GET / HTTP/1.1\" 200 1234 "
              "\"http://example.com/\" \"curl/7.88.1\"\n");
}

TEST(AccessLogTest, MissingFieldsAreDashes) {
    AccessRecord r = record();
    r.referer.reset();
    r.user_agent.reset();
    r.body_bytes = 0;
    r.status = 304;
    r.client = "::1";
    EXPECT_EQ(format_access_log_line(r),
              "::1 - - [25/Nov/2026:04:14:38 +0000] \"GET / HTTP/1.1\" 304 - \"-\" \"-\"\n");
}

TEST(AccessLogTest, NoRequestLine) {
    AccessRecord r = record();
    r.request_line = "-";
    r.status = 400;
    r.body_bytes = 0;
    r.referer.reset();
    r.user_agent.reset();
    EXPECT_EQ(format_access_log_line(r),
              "127.0.0.1 - - [25/Nov/2026:04:14:38 +0000] \"-\" 400 - \"-\" \"-\"\n");
    r.request_line.clear();
    EXPECT_NE(format_access_log_line(r).find(" \"-\" 400 "), std::string::npos);
}

TEST(AccessLogTest, EmptyHeadersStayEmpty) {
    AccessRecord r = record();
    r.referer = "";
    r.user_agent = "";
    EXPECT_TRUE(format_access_log_line(r).ends_with(" 1234 \"\" \"\"\n"));
}

TEST(AccessLogTest, EscapesQuotedFields) {
    AccessRecord r = record();
    r.request_line = "GET /\"a\\b HTTP/1.1";
    r.referer = "x\" 200 1 \"forged";
    r.user_agent = std::string("a\nb\rc\td\x01\x1f\x7f\x80\xff\0z", 14);
    EXPECT_EQ(format_access_log_line(r),
              "127.0.0.1 - - [25/Nov/2026:04:14:38 +0000] \"GET /\\\"a\\\\b HTTP/1.1\" 200 1234 "
              "\"x\\\" 200 1 \\\"forged\" "
              "\"a\\x0ab\\x0dc\\x09d\\x01\\x1f\\x7f\\x80\\xff\\x00z\"\n");
}

TEST(AccessLogTest, OneLineWhateverTheInput) {
    AccessRecord r = record();
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    r.request_line = all;
    r.referer = all;
    r.user_agent = all;
    const auto line = format_access_log_line(r);
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    for (const char c : line.substr(0, line.size() - 1)) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_TRUE(u >= 0x20 && u < 0x7f) << static_cast<int>(u);
    }
    // Exactly six unescaped quotes: three quoted fields.
    std::size_t quotes = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\') {
            ++i;
        } else if (line[i] == '"') {
            ++quotes;
        }
    }
    EXPECT_EQ(quotes, 6U);
}

TEST(AccessLogTest, EnglishMonthsWhateverTheLocale) {
    const char* previous = std::setlocale(LC_ALL, nullptr);
    const std::string saved = previous != nullptr ? previous : "C";
    for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"}) {
        if (std::setlocale(LC_ALL, name) == nullptr) continue;
        EXPECT_NE(format_access_log_line(record()).find("[25/Nov/2026:04:14:38 +0000]"),
                  std::string::npos)
            << name;
    }
    std::setlocale(LC_ALL, saved.c_str());
}

TEST(AccessLogTest, EveryMonthAndPadding) {
    AccessRecord r = record();
    const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int m = 0; m < 12; ++m) {
        std::tm tm{};
        tm.tm_year = 2026 - 1900;
        tm.tm_mon = m;
        tm.tm_mday = 3;
        tm.tm_hour = 4;
        tm.tm_min = 5;
        tm.tm_sec = 6;
        r.when = timegm(&tm);
        EXPECT_NE(format_access_log_line(r).find(std::string("[03/") + months[m] +
                                                 "/2026:04:05:06 +0000]"),
                  std::string::npos)
            << m;
    }
}

TEST(AccessLogTest, LargeByteCounts) {
    AccessRecord r = record();
    r.body_bytes = 18446744073709551615U;
    EXPECT_NE(format_access_log_line(r).find(" 200 18446744073709551615 "), std::string::npos);
}

TEST(AccessLogTest, DurationInMillisecondsAndNoteFollowTheCombinedFields) {
    AccessRecord r = record();
    r.duration = std::chrono::milliseconds(1234);
    r.note = "HIT";
    EXPECT_EQ(format_access_log_line(r),
              "127.0.0.1 - - [25/Nov/2026:04:14:38 +0000] \"GET / HTTP/1.1\" 200 1234 "
              "\"http://example.com/\" \"curl/7.88.1\" 1234 \"HIT\"\n");
    r.duration = std::chrono::milliseconds(0);
    r.note.clear();
    EXPECT_TRUE(format_access_log_line(r).ends_with("\" 0 \"-\"\n")) << format_access_log_line(r);
}

TEST(AccessLogTest, ANoteIsEscapedLikeTheOtherQuotedFields) {
    AccessRecord r = record();
    r.duration = std::chrono::milliseconds(5);
    r.note = "cut short: \"x\"\n";
    EXPECT_TRUE(format_access_log_line(r).ends_with(" 5 \"cut short: \\\"x\\\"\\x0a\"\n"))
        << format_access_log_line(r);
}

TEST(AccessLogTest, NoResponseStatusIsADash) {
    AccessRecord r = record();
    r.status = 0;
    EXPECT_NE(format_access_log_line(r).find("\" - 1234 "), std::string::npos)
        << format_access_log_line(r);
}

TEST(AccessLogTest, DescribeRequestTakesTheLineRefererAndUserAgent) {
    const auto parsed = http::parse_request_head(
        "GET http://example.org/a?b HTTP/1.0\r\nUser-Agent: t/1\r\nReferer: r\r\n\r\n");
    ASSERT_EQ(parsed.kind, http::HeadKind::kComplete);
    AccessRecord r;
    describe_request(r, parsed.head);
    EXPECT_EQ(r.request_line, "GET http://example.org/a?b HTTP/1.0");
    EXPECT_EQ(r.referer, "r");
    EXPECT_EQ(r.user_agent, "t/1");
}

}  // namespace
}  // namespace net
