// Dates in mail (RFC 5322 3.3): the Date header a client writes and a server's Received stamp.
#pragma once

#include <ctime>
#include <string>

namespace net {

// "Wed, 25 Nov 2026 07:53:12 +0000" for a time in seconds since the epoch, in UTC.
std::string format_mail_date(std::time_t when);

}  // namespace net
