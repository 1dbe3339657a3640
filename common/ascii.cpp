// ASCII-only case mapping: bytes >= 0x80 (UTF-8 continuation and lead bytes) never change.
#include "ascii.hpp"

#include <algorithm>

namespace net {

void upper_case_ascii(std::span<char> bytes) {
    for (char& c : bytes)
        c = to_upper_ascii(c);
}

std::string upper_cased_ascii(std::string_view bytes) {
    std::string result(bytes);
    upper_case_ascii(std::span<char>(result));
    return result;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower_ascii(x) == to_lower_ascii(y);
           });
}

}  // namespace net
