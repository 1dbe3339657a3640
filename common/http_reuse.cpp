// The connection reuse rule.
#include "http_reuse.hpp"

namespace net::http {

bool lets_reuse(const MessageFacts& message) {
    return message.complete && !message.asks_to_close && !message.body_until_close &&
           !message.framing_in_doubt;
}

bool may_reuse(const Exchange& exchange) {
    return lets_reuse(exchange.request) && lets_reuse(exchange.response);
}

bool asks_to_close(const Version& version, const Headers& headers) {
    // RFC 9112 9.3, in its order: "close" in any version; then HTTP/1.0 without "keep-alive".
    if (headers.has_token("Connection", "close")) return true;
    return version.minor == 0 && !headers.has_token("Connection", "keep-alive");
}

}  // namespace net::http
