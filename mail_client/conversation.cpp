// The loop between the server and the Dialogue: bytes in through ReplyReader, actions out
// through the Transport.
#include "mail_client/conversation.hpp"

#include <cstddef>
#include <iostream>
#include <system_error>
#include <utility>
#include <vector>

#include "common/deadline.hpp"

namespace mail_client {

void show(bool verbose, std::string_view prefix, std::string_view text) {
    if (!verbose) return;
    std::string out;
    while (!text.empty()) {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (line.ends_with('\r')) line.remove_suffix(1);
        out += prefix;
        out += line;
        out += '\n';
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    std::cerr << out << std::flush;
}

void show_reply(bool verbose, const Reply& reply) {
    if (!verbose) return;
    std::string out;
    for (std::size_t i = 0; i < reply.lines.size(); ++i) {
        out += "S: " + std::to_string(reply.code);
        out += i + 1 < reply.lines.size() ? '-' : ' ';
        out += reply.lines[i];
        out += '\n';
    }
    std::cerr << out << std::flush;
}

namespace {

// Does what the dialogue asked, in order: sends, or starts TLS (then the dialogue goes on).
// `more_received`: the server sent more after the reply being answered.
void perform(Dialogue& dialogue, std::vector<Action> actions, Transport& transport,
             const Connection& how, bool more_received) {
    for (std::size_t a = 0; a < actions.size() && !dialogue.done(); ++a) {
        const Action action = actions[a];
        try {
            if (action.kind == Action::Kind::kSend) {
                show(how.verbose, "C: ", action.shown);
                transport.write_all(action.bytes);
            } else if (action.kind == Action::Kind::kStartTls) {
                // RFC 3207 5: anything the server sent after its 220 is not to be trusted.
                if (more_received) {
                    dialogue.protocol_broken("data after the reply to STARTTLS");
                    return;
                }
                transport.start_tls(*how.tls, how.server_name);
                show(how.verbose, "", "TLS started: " + transport.tls_description());
                for (auto& next : dialogue.tls_started())
                    actions.push_back(std::move(next));
            }
        } catch (const net::tls::TlsError& e) {
            if (action.kind == Action::Kind::kStartTls) {
                dialogue.tls_failed(e.what());
            } else {
                dialogue.connection_lost(e.what());
            }
        } catch (const std::system_error& e) {
            dialogue.connection_lost(e.code().message());
        }
    }
}

}  // namespace

void start_implicit_tls(Dialogue& dialogue, Transport& transport, const Connection& how) {
    try {
        transport.start_tls(*how.tls, how.server_name);
        show(how.verbose, "", "TLS started: " + transport.tls_description());
    } catch (const net::tls::TlsError& e) {
        dialogue.tls_failed(e.what());
    } catch (const std::system_error& e) {
        dialogue.connection_lost(e.code().message());
    }
}

void converse(Dialogue& dialogue, Transport& transport, const Connection& how) {
    ReplyReader reader;
    net::Deadline reply_deadline(how.timeout);
    while (!dialogue.done()) {
        std::string bytes;
        try {
            bytes = read_reply_bytes(transport, reply_deadline, how.timeout);
        } catch (const net::tls::TlsError& e) {
            dialogue.connection_lost(e.what());
            break;
        } catch (const std::system_error& e) {
            dialogue.connection_lost(e.code().message());
            break;
        }
        if (bytes.empty()) {
            dialogue.connection_lost("the server closed the connection");
            break;
        }
        std::vector<Reply> replies;
        try {
            replies = reader.feed(bytes);
        } catch (const ProtocolError& e) {
            dialogue.protocol_broken(e.what());
            break;
        }
        for (std::size_t i = 0; i < replies.size() && !dialogue.done(); ++i) {
            show_reply(how.verbose, replies[i]);
            const bool more_received = i + 1 < replies.size() || reader.has_partial();
            perform(dialogue, dialogue.on_reply(replies[i]), transport, how, more_received);
        }
        if (!replies.empty()) reply_deadline = net::Deadline(how.timeout);
    }
    transport.close();
}

}  // namespace mail_client
