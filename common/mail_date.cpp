// RFC 5322 date-time in UTC: HTTP's IMF-fixdate with a numeric zone ("GMT" is only obs-zone).
#include "common/mail_date.hpp"

#include "common/http_date.hpp"

namespace net {

std::string format_mail_date(std::time_t when) {
    std::string date = http::format_http_date(when);  // "Wed, 25 Nov 2026 07:53:12 GMT"
    date.replace(date.size() - 3, 3, "+0000");
    return date;
}

}  // namespace net
