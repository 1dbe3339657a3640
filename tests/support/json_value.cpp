#include "tests/support/json_value.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/json.hpp"

namespace net::test {
namespace {

// Nesting deeper than this is refused: no test reads documents like that.
constexpr int kMaxDepth = 200;

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    JsonValue document() {
        JsonValue value = parse_value(0);
        skip_space();
        if (at_ != text_.size()) fail("text after the value");
        return value;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(at_));
    }

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r')) {
            ++at_;
        }
    }

    char peek() {
        skip_space();
        if (at_ == text_.size()) fail("unexpected end");
        return text_[at_];
    }

    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++at_;
    }

    bool literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    JsonValue parse_value(int depth) {
        if (depth > kMaxDepth) fail("nesting too deep");
        const char c = peek();
        if (c == '{') return parse_object(depth);
        if (c == '[') return parse_array(depth);
        if (c == '"') return JsonValue(parse_string());
        if (literal("true")) return JsonValue(true);
        if (literal("false")) return JsonValue(false);
        if (literal("null")) return JsonValue();
        return JsonValue(parse_number());
    }

    JsonValue parse_object(int depth) {
        expect('{');
        JsonValue::Object object;
        if (peek() == '}') {
            ++at_;
            return JsonValue(std::move(object));
        }
        for (;;) {
            if (peek() != '"') fail("expected a member name");
            std::string key = parse_string();
            expect(':');
            object.insert_or_assign(std::move(key), parse_value(depth + 1));
            if (peek() == ',') {
                ++at_;
                continue;
            }
            expect('}');
            return JsonValue(std::move(object));
        }
    }

    JsonValue parse_array(int depth) {
        expect('[');
        JsonValue::Array array;
        if (peek() == ']') {
            ++at_;
            return JsonValue(std::move(array));
        }
        for (;;) {
            array.push_back(parse_value(depth + 1));
            if (peek() == ',') {
                ++at_;
                continue;
            }
            expect(']');
            return JsonValue(std::move(array));
        }
    }

    double parse_number() {
        const std::size_t start = at_;
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        const auto digits = [&] {
            const std::size_t from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9')
                ++at_;
            return at_ - from;
        };
        const std::size_t int_start = at_;
        if (digits() == 0) fail("expected a value");
        if (text_[int_start] == '0' && at_ - int_start > 1) fail("a leading zero");
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            if (digits() == 0) fail("no digits after '.'");
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (digits() == 0) fail("no digits in the exponent");
        }
        double value = 0;
        const auto [end, error] = std::from_chars(text_.data() + start, text_.data() + at_, value);
        if (error != std::errc() || end != text_.data() + at_) fail("a bad number");
        return value;
    }

    unsigned hex4() {
        if (text_.size() - at_ < 4) fail("a short \\u escape");
        unsigned value = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[at_++];
            value <<= 4;
            if (c >= '0' && c <= '9') {
                value |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                value |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                value |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                fail("a bad \\u escape");
            }
        }
        return value;
    }

    static void append_utf8(std::string& out, std::uint32_t code) {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (code >> 18)));
            out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
    }

    std::string parse_string() {
        expect('"');
        std::string out;
        for (;;) {
            if (at_ == text_.size()) fail("an unterminated string");
            const char c = text_[at_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("a control character in a string");
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (at_ == text_.size()) fail("an unterminated escape");
            const char e = text_[at_++];
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out.push_back(e);
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    std::uint32_t code = hex4();
                    if (code >= 0xD800 && code < 0xDC00 && literal("\\u")) {
                        const unsigned low = hex4();
                        if (low < 0xDC00 || low >= 0xE000) fail("a bad surrogate pair");
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, code);
                    break;
                }
                default:
                    fail("a bad escape");
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

[[noreturn]] void wrong_type(const char* wanted) {
    throw std::runtime_error(std::string("JSON: the value is not ") + wanted);
}

void dump_to(std::string& out, const JsonValue& value) {
    if (value.is_null()) {
        out += "null";
    } else if (value.is_bool()) {
        out += value.as_bool() ? "true" : "false";
    } else if (value.is_number()) {
        char buffer[32];
        const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value.as_number());
        out.append(buffer, error == std::errc() ? end : buffer);
    } else if (value.is_string()) {
        net::append_json_string(out, value.as_string());
    } else if (value.is_array()) {
        out.push_back('[');
        bool first = true;
        for (const auto& element : value.as_array()) {
            if (!first) out.push_back(',');
            first = false;
            dump_to(out, element);
        }
        out.push_back(']');
    } else {
        out.push_back('{');
        bool first = true;
        for (const auto& [key, member] : value.as_object()) {
            if (!first) out.push_back(',');
            first = false;
            net::append_json_string(out, key);
            out.push_back(':');
            dump_to(out, member);
        }
        out.push_back('}');
    }
}

}  // namespace

JsonValue JsonValue::parse(std::string_view text) {
    return Parser(text).document();
}

bool JsonValue::as_bool() const {
    if (!is_bool()) wrong_type("a boolean");
    return std::get<bool>(value_);
}

double JsonValue::as_number() const {
    if (!is_number()) wrong_type("a number");
    return std::get<double>(value_);
}

const std::string& JsonValue::as_string() const {
    if (!is_string()) wrong_type("a string");
    return std::get<std::string>(value_);
}

const JsonValue::Array& JsonValue::as_array() const {
    if (!is_array()) wrong_type("an array");
    return std::get<Array>(value_);
}

const JsonValue::Object& JsonValue::as_object() const {
    if (!is_object()) wrong_type("an object");
    return std::get<Object>(value_);
}

bool JsonValue::has(std::string_view key) const {
    return is_object() && as_object().contains(key);
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
    const auto& object = as_object();
    const auto found = object.find(key);
    if (found == object.end()) {
        throw std::runtime_error("JSON: no member \"" + std::string(key) + "\" in " + dump());
    }
    return found->second;
}

const JsonValue& JsonValue::operator[](std::size_t i) const {
    const auto& array = as_array();
    if (i >= array.size()) {
        throw std::runtime_error("JSON: no element " + std::to_string(i) + " in " + dump());
    }
    return array[i];
}

std::string JsonValue::dump() const {
    std::string out;
    dump_to(out, *this);
    return out;
}

}  // namespace net::test
