// HTTP header fields (RFC 9110 5): the field list of a head, and the syntax of names and values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::http {

struct Header {
    std::string name;   // as received; compare with iequals
    std::string value;  // leading and trailing whitespace removed
};

// Header fields in arrival order; names matched exactly and case-insensitively.
class Headers {
  public:
    void add(std::string name, std::string value);
    // The value of the only (or first) field called `name`, or nullopt.
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
    // Every value of `name`, comma-separated lists split into their elements (RFC 9110 5.6.1).
    [[nodiscard]] std::vector<std::string_view> list(std::string_view name) const;
    // True when a list-valued field (Connection, Transfer-Encoding...) has `token` as an element.
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const;
    void remove(std::string_view name);
    [[nodiscard]] const std::vector<Header>& all() const { return fields_; }
    [[nodiscard]] std::size_t size() const { return fields_.size(); }

  private:
    std::vector<Header> fields_;
};

// Token characters (RFC 9110 5.6.2): what a method or a header name is made of.
bool is_token(std::string_view text);

// Optional whitespace (RFC 9110 5.6.3): a space or a tab.
constexpr bool is_ows(char c) {
    return c == ' ' || c == '\t';
}
std::string_view trim_ows(std::string_view text);

// A field value may hold visible characters, spaces, tabs and obs-text; never NUL, CR, LF or
// other controls (RFC 9110 5.5): those are how header injection and smuggling begin.
bool is_valid_field_value(std::string_view value);

}  // namespace net::http
