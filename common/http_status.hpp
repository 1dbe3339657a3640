// HTTP status codes: the ones a parser refuses a head with, and the reason phrase of each code
// the suite sends.
#pragma once

#include <string_view>

namespace net::http {

// Every way a head can be wrong, with the status it earns. A request's faults are the client's
// (4xx, 5xx for what the server does not support); a response's are the upstream server's, and a
// proxy answers them with 502.
enum class Status : int {
    kBadRequest = 400,
    kPayloadTooLarge = 413,
    kUriTooLong = 414,
    kHeadersTooLarge = 431,
    kNotImplemented = 501,
    kBadGateway = 502,
    kVersionNotSupported = 505,
};

// The reason phrase for a status code ("Not Found"); "Unknown" for codes the suite never sends.
std::string_view reason_phrase(int status);

}  // namespace net::http
