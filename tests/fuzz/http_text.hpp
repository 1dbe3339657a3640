// Heads written back out as text, for the targets' parse-format-parse round trips.
#pragma once

#include <string>

#include "common/http_fields.hpp"
#include "common/http_head.hpp"

namespace fuzz {

inline std::string version_text(const net::http::Version& version) {
    return "HTTP/" + std::to_string(version.major) + "." + std::to_string(version.minor);
}

// "name: value\r\n" per field, in order, then the blank line that ends a head.
inline std::string fields_text(const net::http::Headers& headers) {
    std::string out;
    for (const auto& field : headers.all()) {
        out += field.name;
        out += ": ";
        out += field.value;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

inline bool same_fields(const net::http::Headers& a, const net::http::Headers& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.all()[i].name != b.all()[i].name || a.all()[i].value != b.all()[i].value) {
            return false;
        }
    }
    return true;
}

}  // namespace fuzz
