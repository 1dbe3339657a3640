// Base64 (RFC 4648 4): SASL exchanges (RFC 4954) and MIME attachments (RFC 2045 6.8).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace net {

// The standard alphabet with '=' padding, on one line.
std::string base64_encode(std::string_view bytes);

// Strict decoding: the standard alphabet, padding to a multiple of 4, no whitespace; nullopt
// for anything else (a SASL response that is not base64 gets 501, RFC 4954 4).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace net
