// HTTP dates (RFC 9110 5.6.7): IMF-fixdate out, all three historical formats in.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace net::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" for a time in seconds since the epoch (UTC).
std::string format_http_date(std::time_t when);

// Parses IMF-fixdate, the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994"); nullopt for anything else (then a conditional header is ignored,
// as RFC 9110 13.1.3 requires).
std::optional<std::time_t> parse_http_date(std::string_view text);

// Text pieces shared by every date format the suite writes (access logs, listings).
// "Jan".."Dec" for month 0..11.
std::string_view month_abbreviation(int month);
// Appends `value` as exactly `width` decimal digits, zero-padded (width at most 8).
void append_zero_padded(std::string& out, int value, int width);

}  // namespace net::http
