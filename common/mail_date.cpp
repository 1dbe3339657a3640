// RFC 5322 date-time in UTC: HTTP's IMF-fixdate with a numeric zone ("GMT" is only obs-zone).
#include "common/mail_date.hpp"

#include <time.h>  // gmtime_r, timegm

#include <array>
#include <charconv>
#include <vector>

#include "common/ascii.hpp"
#include "common/http_date.hpp"

namespace net {
namespace {

// The text without its comments ("(UTC)", nested ones too) and with commas as spaces, split at
// whitespace.
std::vector<std::string_view> date_tokens(std::string_view text, std::string& storage) {
    storage.clear();
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && depth > 0) {
            ++i;  // a quoted-pair inside a comment
        } else if (c == '(') {
            ++depth;
        } else if (c == ')' && depth > 0) {
            --depth;
        } else if (depth == 0) {
            storage += (c == ',' || c == '\t' || c == '\r' || c == '\n') ? ' ' : c;
        }
    }
    std::vector<std::string_view> tokens;
    std::string_view rest = storage;
    while (!rest.empty()) {
        const auto start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        const auto end = std::min(rest.find(' '), rest.size());
        tokens.push_back(rest.substr(0, end));
        rest.remove_prefix(end);
    }
    return tokens;
}

std::optional<int> number(std::string_view text, std::size_t min_digits, std::size_t max_digits) {
    if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<int> month_of(std::string_view text) {
    if (text.size() != 3) return std::nullopt;
    for (int month = 0; month < 12; ++month) {
        if (iequals(text, http::month_abbreviation(month))) return month;
    }
    return std::nullopt;
}

// "07:53" or "07:53:12" into `tm`.
bool time_of_day(std::string_view text, std::tm& tm) {
    const auto first = text.find(':');
    if (first == std::string_view::npos) return false;
    const auto second = text.find(':', first + 1);
    const auto hour = number(text.substr(0, first), 1, 2);
    const auto minute = number(text.substr(first + 1, second - first - 1), 2, 2);
    const auto seconds = second == std::string_view::npos ? std::optional<int>(0)
                                                          : number(text.substr(second + 1), 2, 2);
    if (!hour || !minute || !seconds || *hour > 23 || *minute > 59 || *seconds > 60) return false;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *seconds == 60 ? 59 : *seconds;  // a leap second is read as the one before
    return true;
}

// The zone's offset east of UTC in seconds.
std::optional<int> zone_offset(std::string_view text) {
    if (text.size() == 5 && (text[0] == '+' || text[0] == '-')) {
        const auto hours = number(text.substr(1, 2), 2, 2);
        const auto minutes = number(text.substr(3, 2), 2, 2);
        if (!hours || !minutes || *minutes > 59) return std::nullopt;
        const int offset = *hours * 3600 + *minutes * 60;
        return text[0] == '-' ? -offset : offset;
    }
    struct Named {
        std::string_view name;
        int hours;
    };
    static constexpr std::array<Named, 10> kNamed = {{{"UT", 0},
                                                      {"GMT", 0},
                                                      {"EST", -5},
                                                      {"EDT", -4},
                                                      {"CST", -6},
                                                      {"CDT", -5},
                                                      {"MST", -7},
                                                      {"MDT", -6},
                                                      {"PST", -8},
                                                      {"PDT", -7}}};
    for (const auto& zone : kNamed) {
        if (iequals(text, zone.name)) return zone.hours * 3600;
    }
    const bool military =
        text.size() == 1 && ((text[0] >= 'A' && text[0] <= 'Z' && text[0] != 'J') ||
                             (text[0] >= 'a' && text[0] <= 'z' && text[0] != 'j'));
    if (military) return 0;
    return std::nullopt;
}

}  // namespace

std::string format_mail_date(std::time_t when) {
    std::string date = http::format_http_date(when);  // "Wed, 25 Nov 2026 07:53:12 GMT"
    date.replace(date.size() - 3, 3, "+0000");
    return date;
}

std::optional<std::time_t> parse_mail_date(std::string_view text) {
    std::string storage;
    auto tokens = date_tokens(text, storage);
    // An optional day name first ("Wed", and some mailers write it in full).
    if (!tokens.empty() && !tokens.front().empty() &&
        ((tokens.front()[0] >= 'A' && tokens.front()[0] <= 'Z') ||
         (tokens.front()[0] >= 'a' && tokens.front()[0] <= 'z'))) {
        tokens.erase(tokens.begin());
    }
    if (tokens.size() != 5) return std::nullopt;
    const auto day = number(tokens[0], 1, 2);
    const auto month = month_of(tokens[1]);
    auto year = number(tokens[2], 2, 4);
    const auto offset = zone_offset(tokens[4]);
    std::tm tm{};
    if (!day || !month || !year || !offset || !time_of_day(tokens[3], tm)) return std::nullopt;
    if (tokens[2].size() == 2) *year += *year < 50 ? 2000 : 1900;  // RFC 5322 4.3
    if (tokens[2].size() == 3) *year += 1900;
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month;
    tm.tm_mday = *day;
    const std::time_t local = ::timegm(&tm);
    // timegm normalizes 31 Feb into March: such a date is refused.
    std::tm check{};
    if (local == -1 || ::gmtime_r(&local, &check) == nullptr || check.tm_mday != *day ||
        check.tm_mon != *month) {
        return std::nullopt;
    }
    return local - *offset;
}

}  // namespace net
