// HTTP dates: formatted and parsed by hand, so neither the locale nor a static buffer is involved.
#include "http_date.hpp"

#include <time.h>  // gmtime_r, timegm (POSIX and glibc; thread-safe, no shared buffer)
#include <array>

namespace net::http {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDayNames = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// IMF-fixdate has a four-digit year: times outside 1970-01-01 .. 9999-12-31 are clamped.
constexpr std::time_t kLatestFormattable = 253402300799;  // 9999-12-31T23:59:59Z

void append_two_digits(std::string& out, int value) {
    out.push_back(static_cast<char>('0' + value / 10 % 10));
    out.push_back(static_cast<char>('0' + value % 10));
}

// Reads exactly `text.size()` decimal digits; nullopt when any is not a digit.
std::optional<int> digits(std::string_view text) {
    int value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

// Index of `name` in `names` (case-sensitive: RFC 9110 5.6.7 says HTTP-date is), or nullopt.
template <std::size_t N>
std::optional<int> index_of(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == name) return static_cast<int>(i);
    }
    return std::nullopt;
}

bool is_leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {  // month 0-11
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 1 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month)];
}

// "08:49:37" into hours, minutes and seconds (60 allowed for a leap second).
bool parse_time_of_day(std::string_view text, std::tm& tm) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
    const auto hour = digits(text.substr(0, 2));
    const auto minute = digits(text.substr(3, 2));
    const auto second = digits(text.substr(6, 2));
    if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) return false;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    return true;
}

// Checks the calendar date in `tm` and converts it to seconds since the epoch.
std::optional<std::time_t> to_time(std::tm& tm, int year, int month, int day) {
    if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
    tm.tm_year = year - 1900;
    tm.tm_mon = month;
    tm.tm_mday = day;
    return timegm(&tm);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::time_t> parse_imf_fixdate(std::string_view text) {
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    std::tm tm{};
    const auto day = digits(text.substr(5, 2));
    const auto month = index_of(kMonthNames, text.substr(8, 3));
    const auto year = digits(text.substr(12, 4));
    if (!index_of(kDayNames, text.substr(0, 3)) || !day || !month || !year ||
        !parse_time_of_day(text.substr(17, 8), tm)) {
        return std::nullopt;
    }
    return to_time(tm, *year, *month, *day);
}

// The current year, for the 50-year rule of RFC 850 dates.
int current_year() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    if (gmtime_r(&now, &tm) == nullptr) return 1970;
    return tm.tm_year + 1900;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<std::time_t> parse_rfc850_date(std::string_view text) {
    const auto comma = text.find(", ");
    if (comma == std::string_view::npos || !index_of(kLongDayNames, text.substr(0, comma))) {
        return std::nullopt;
    }
    text.remove_prefix(comma + 2);
    // "06-Nov-94 08:49:37 GMT"
    if (text.size() != 22 || text[2] != '-' || text[6] != '-' || text[9] != ' ' ||
        text.substr(18) != " GMT") {
        return std::nullopt;
    }
    std::tm tm{};
    const auto day = digits(text.substr(0, 2));
    const auto month = index_of(kMonthNames, text.substr(3, 3));
    const auto two_digit_year = digits(text.substr(7, 2));
    if (!day || !month || !two_digit_year || !parse_time_of_day(text.substr(10, 8), tm)) {
        return std::nullopt;
    }
    // RFC 9110 5.6.7: a year more than 50 years in the future is the most recent past year with
    // the same last two digits. So the century is picked to put the year in (now-50, now+50].
    const int now = current_year();
    int year = now - now % 100 + *two_digit_year;
    if (year > now + 50) {
        year -= 100;
    } else if (year <= now - 50) {
        year += 100;
    }
    return to_time(tm, year, *month, *day);
}

// "Sun Nov  6 08:49:37 1994" (the day of the month padded with a space)
std::optional<std::time_t> parse_asctime_date(std::string_view text) {
    if (text.size() != 24 || text[3] != ' ' || text[7] != ' ' || text[10] != ' ' ||
        text[19] != ' ') {
        return std::nullopt;
    }
    std::tm tm{};
    const auto month = index_of(kMonthNames, text.substr(4, 3));
    const auto day = text[8] == ' ' ? digits(text.substr(9, 1)) : digits(text.substr(8, 2));
    const auto year = digits(text.substr(20, 4));
    if (!index_of(kDayNames, text.substr(0, 3)) || !month || !day || !year ||
        !parse_time_of_day(text.substr(11, 8), tm)) {
        return std::nullopt;
    }
    return to_time(tm, *year, *month, *day);
}

}  // namespace

std::string_view month_abbreviation(int month) {
    return kMonthNames[static_cast<std::size_t>(month) % kMonthNames.size()];
}

void append_zero_padded(std::string& out, int value, int width) {
    std::array<char, 8> digits{};
    for (int i = width - 1; i >= 0; --i) {
        digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    out.append(digits.data(), static_cast<std::size_t>(width));
}

std::string format_http_date(std::time_t when) {
    if (when < 0) when = 0;
    if (when > kLatestFormattable) when = kLatestFormattable;
    std::tm tm{};
    gmtime_r(&when, &tm);  // cannot fail inside the clamped range
    std::string out;
    out.reserve(29);
    out.append(kDayNames[static_cast<std::size_t>(tm.tm_wday)]).append(", ");
    append_two_digits(out, tm.tm_mday);
    out.append(" ").append(kMonthNames[static_cast<std::size_t>(tm.tm_mon)]).append(" ");
    const int year = tm.tm_year + 1900;
    append_two_digits(out, year / 100);
    append_two_digits(out, year % 100);
    out.push_back(' ');
    append_two_digits(out, tm.tm_hour);
    out.push_back(':');
    append_two_digits(out, tm.tm_min);
    out.push_back(':');
    append_two_digits(out, tm.tm_sec);
    out.append(" GMT");
    return out;
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
    if (auto when = parse_imf_fixdate(text)) return when;
    if (auto when = parse_rfc850_date(text)) return when;
    return parse_asctime_date(text);
}

}  // namespace net::http
