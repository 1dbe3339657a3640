// Whether a connection may carry another exchange (RFC 9112 9.3, 9.6): python h11's rule, that a
// connection starts a new request/response cycle only when both the request and the response are
// done and neither side asked to close. The one rule a keep-alive server, a keep-alive client, a
// proxy and a connection pool all need. Pure.
#pragma once

#include "http_fields.hpp"
#include "http_head.hpp"

namespace net::http {

// What one message of an exchange says about its connection. The defaults describe a message
// that lets the connection go on: a caller sets only what it knows to the contrary.
struct MessageFacts {
    // Connection: close, or HTTP/1.0 without Connection: keep-alive (see asks_to_close), or the
    // sender's own choice to close after this message (a server that is stopping).
    bool asks_to_close = false;
    // The body ends when the connection closes (RFC 9112 6.3 rule 8): nothing can follow it.
    bool body_until_close = false;
    // Transfer-Encoding beside Content-Length: perhaps a smuggling attempt, so the connection is
    // not reused whichever framing was chosen (RFC 9112 6.1).
    bool framing_in_doubt = false;
    // The whole message, body included, has been read (or sent). Unfinished bytes on the
    // connection would be taken for the start of the next message.
    bool complete = true;
};

// One request and the response to it.
struct Exchange {
    MessageFacts request{};
    MessageFacts response{};
};

// True when `message` lets its connection carry another exchange: complete, with a body that
// does not end with the connection, unambiguous framing, and no request to close.
bool lets_reuse(const MessageFacts& message);

// True when the connection may carry another exchange: both messages let it (h11's
// start_next_cycle condition).
bool may_reuse(const Exchange& exchange);

// True when a head asks to close the connection after its message: Connection has the token
// "close", or the version is HTTP/1.0 and Connection lacks "keep-alive" (RFC 9112 9.3).
bool asks_to_close(const Version& version, const Headers& headers);

}  // namespace net::http
