// Runs a Dialogue over a Transport: each reply the server sends goes to the dialogue, each action
// the dialogue returns (send these bytes, start TLS) is performed, and -v shows both on stderr.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/tls.hpp"
#include "mail_client/dialogue.hpp"
#include "mail_client/smtp_wire.hpp"
#include "mail_client/transport.hpp"

namespace mail_client {

// What the conversation needs to know about the connection.
struct Connection {
    std::string server_name;  // for SNI and the certificate check
    std::optional<net::tls::Context> tls;
    std::chrono::milliseconds timeout;  // for each reply, counted from when we wait for it
    bool verbose;                       // -v: the transcript on stderr
};

// The -v transcript: each line of `text`, after `prefix`, on stderr (nothing unless `verbose`).
void show(bool verbose, std::string_view prefix, std::string_view text);
// A reply as the server sent it, "S: 250-..." lines.
void show_reply(bool verbose, const Reply& reply);

// --tls implicit: TLS before the server's greeting. A failure ends the dialogue (tls_failed or
// connection_lost), so the caller converses only while !dialogue.done().
void start_implicit_tls(Dialogue& dialogue, Transport& transport, const Connection& how);

// Runs the dialogue to its end over `transport`, then closes TLS. Each reply must come whole
// within the timeout of the moment we began to wait for it (a server trickling bytes does not
// reset it). Every failure ends up in the dialogue's outcome; nothing is thrown.
void converse(Dialogue& dialogue, Transport& transport, const Connection& how);

}  // namespace mail_client
