// The steps request and response heads share: finding the end, splitting lines, the version,
// the field lines and Content-Length.
#include "http_head.hpp"

#include <charconv>

namespace net::http {
namespace {

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || text.front() == '+') return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::size_t> find_head_end(std::string_view bytes, std::size_t from) {
    // Look for LF (CR)? LF: the blank line that ends the head, whatever the line ends were.
    for (auto lf = bytes.find('\n', from); lf != std::string_view::npos;
         lf = bytes.find('\n', lf + 1)) {
        std::size_t next = lf + 1;
        if (next < bytes.size() && bytes[next] == '\r') ++next;
        if (next < bytes.size() && bytes[next] == '\n') return next + 1;
    }
    return std::nullopt;
}

std::string_view next_line(std::string_view& rest) {
    const auto lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::optional<Version> parse_version(std::string_view text) {
    if (text.size() != 8 || !text.starts_with("HTTP/") || text[6] != '.') return std::nullopt;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!digit(text[5]) || !digit(text[7])) return std::nullopt;
    return Version{text[5] - '0', text[7] - '0'};
}

std::optional<ParseError> parse_field_lines(std::string_view rest, const Limits& limits,
                                            Headers& headers) {
    for (std::string_view line = next_line(rest); !line.empty(); line = next_line(rest)) {
        if (is_ows(line.front())) return ParseError{Status::kBadRequest, "obsolete line folding"};
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return ParseError{Status::kBadRequest, "header without colon"};
        const auto name = line.substr(0, colon);
        if (!is_token(name)) return ParseError{Status::kBadRequest, "invalid header name"};
        const auto value = trim_ows(line.substr(colon + 1));
        if (!is_valid_field_value(value))
            return ParseError{Status::kBadRequest, "invalid header value"};
        if (headers.size() >= limits.max_headers) {
            return ParseError{Status::kHeadersTooLarge, "too many header fields"};
        }
        headers.add(std::string(name), std::string(value));
    }
    return std::nullopt;
}

std::optional<std::uint64_t> content_length(const Headers& headers, std::string_view& why) {
    std::optional<std::uint64_t> length;
    for (const auto value : headers.list("Content-Length")) {
        const auto parsed = parse_decimal(value);
        if (!parsed) {
            why = "invalid Content-Length";
            return std::nullopt;
        }
        if (length && *length != *parsed) {
            why = "differing Content-Length values";
            return std::nullopt;
        }
        length = parsed;
    }
    if (!length) why = "invalid Content-Length";
    return length;
}

}  // namespace net::http
