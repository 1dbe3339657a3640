// Header field lists and field syntax.
#include "http_fields.hpp"

#include <algorithm>

#include "ascii.hpp"

namespace net::http {
namespace {

constexpr bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

}  // namespace

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && is_ows(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_ows(text.back()))
        text.remove_suffix(1);
    return text;
}

bool is_valid_field_value(std::string_view value) {
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

void Headers::add(std::string name, std::string value) {
    fields_.push_back({std::move(name), std::move(value)});
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& field : fields_) {
        if (iequals(field.name, name)) return std::string_view(field.value);
    }
    return std::nullopt;
}

std::size_t Headers::count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(
        fields_.begin(), fields_.end(), [&](const Header& f) { return iequals(f.name, name); }));
}

std::vector<std::string_view> Headers::list(std::string_view name) const {
    std::vector<std::string_view> items;
    for (const auto& field : fields_) {
        if (!iequals(field.name, name)) continue;
        std::string_view rest = field.value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto item = trim_ows(rest.substr(0, comma));
            if (!item.empty()) items.push_back(item);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return items;
}

bool Headers::has_token(std::string_view name, std::string_view token) const {
    const auto items = list(name);
    return std::any_of(items.begin(), items.end(),
                       [&](std::string_view item) { return iequals(item, token); });
}

void Headers::remove(std::string_view name) {
    std::erase_if(fields_, [&](const Header& f) { return iequals(f.name, name); });
}

}  // namespace net::http
