// JsonValue: a JSON document read back by a test (RFC 8259), for what a program or a browser's
// DevTools protocol answers. Small and strict: throws on anything that is not JSON.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace net::test {

class JsonValue {
  public:
    using Array = std::vector<JsonValue>;
    using Object = std::map<std::string, JsonValue, std::less<>>;

    JsonValue() = default;  // null
    explicit JsonValue(bool b) : value_(b) {}
    explicit JsonValue(double n) : value_(n) {}
    explicit JsonValue(std::string s) : value_(std::move(s)) {}
    explicit JsonValue(Array a) : value_(std::move(a)) {}
    explicit JsonValue(Object o) : value_(std::move(o)) {}

    // Parses one JSON text (whitespace around it allowed); throws std::runtime_error naming the
    // offset of the first error.
    static JsonValue parse(std::string_view text);

    [[nodiscard]] bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
    [[nodiscard]] bool is_bool() const { return std::holds_alternative<bool>(value_); }
    [[nodiscard]] bool is_number() const { return std::holds_alternative<double>(value_); }
    [[nodiscard]] bool is_string() const { return std::holds_alternative<std::string>(value_); }
    [[nodiscard]] bool is_array() const { return std::holds_alternative<Array>(value_); }
    [[nodiscard]] bool is_object() const { return std::holds_alternative<Object>(value_); }

    // The value as that type; throw std::runtime_error when it is another.
    [[nodiscard]] bool as_bool() const;
    [[nodiscard]] double as_number() const;
    [[nodiscard]] const std::string& as_string() const;
    [[nodiscard]] const Array& as_array() const;
    [[nodiscard]] const Object& as_object() const;

    // Whether this is an object with member `key`.
    [[nodiscard]] bool has(std::string_view key) const;
    // The member `key` of an object; throws when this is not an object or has no such member.
    [[nodiscard]] const JsonValue& operator[](std::string_view key) const;
    // Element `i` of an array; throws when out of range.
    [[nodiscard]] const JsonValue& operator[](std::size_t i) const;

    // Compact JSON text again (numbers as the shortest form that reads back the same).
    [[nodiscard]] std::string dump() const;

  private:
    std::variant<std::monostate, bool, double, std::string, Array, Object> value_;
};

}  // namespace net::test
