// Dates in mail (RFC 5322 3.3): the Date header a client writes and a server's Received stamp.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace net {

// "Wed, 25 Nov 2026 07:53:12 +0000" for a time in seconds since the epoch, in UTC.
std::string format_mail_date(std::time_t when);

// The time a date-time field names (RFC 5322 3.3, and the obsolete forms of 4.3 that mail still
// carries): an optional day name, "25 Nov 2026 07:53[:12]", a numeric zone or UT, GMT and the
// US zone names (a military letter counts as -0000, unknown, as 4.3 advises). Comments in
// parentheses are skipped, case is ignored, two-digit years are 1950-2049 and three-digit ones
// count from 1900. Seconds since the epoch, or nullopt for anything else.
std::optional<std::time_t> parse_mail_date(std::string_view text);

}  // namespace net
