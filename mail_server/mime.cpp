// A stand-in until the MIME reader lands: the interface of mime.hpp, minimally.
#include "mime.hpp"

namespace mail::mime {

Head parse_head(std::string_view) {
    return {};
}
const std::string* find_field(const std::vector<Field>&, std::string_view) {
    return nullptr;
}
std::string to_utf8(std::string_view bytes, std::string_view) {
    return std::string(bytes);
}
std::string decode_words(std::string_view value) {
    return std::string(value);
}
std::vector<Address> parse_addresses(std::string_view value) {
    return {Address{"", std::string(value)}};
}
std::string format_address(const Address& address) {
    return address.address;
}
std::string HeaderValue::parameter(std::string_view) const {
    return {};
}
HeaderValue parse_header_value(std::string_view value) {
    return {std::string(value), {}};
}
Message parse_message(std::string_view message) {
    Message result;
    Part part;
    part.id = "1";
    part.length = message.size();
    result.parts.push_back(part);
    result.text = 0;
    return result;
}
std::string decode_content(std::string_view message, const Part& part) {
    return std::string(message.substr(part.offset, part.length));
}
std::string decode_text(std::string_view message, const Part& part) {
    return decode_content(message, part);
}

}  // namespace mail::mime
