// Percent-encoded text (RFC 3986 2.1): request paths, query strings (where '+' is a space, as
// HTML forms send them), and RFC 2231's extended parameter values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace net {

// Decodes every %XX (either case) once; nullopt for a malformed escape ("%4", "%zz").
// With `plus_is_space` (application/x-www-form-urlencoded), '+' is a space.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// The same, keeping a malformed escape as it is written instead of refusing the text.
std::string percent_decode_lenient(std::string_view text);

}  // namespace net
