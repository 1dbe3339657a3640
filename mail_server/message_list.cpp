// Mailpit's messages document (a stand-in; the index's branch provides the real one).
#include "message_list.hpp"

#include "common/json.hpp"
#include "message_json.hpp"

namespace mail {

std::string messages_json(const MailIndex::Page& page) {
    std::string out = "{\"total\":" + std::to_string(page.total) +
                      ",\"unread\":0,\"count\":" + std::to_string(page.messages.size()) +
                      ",\"messages_count\":" + std::to_string(page.total) +
                      ",\"start\":" + std::to_string(page.start) + ",\"tags\":[],\"messages\":[";
    bool first = true;
    for (const auto& m : page.messages) {
        if (!first) out += ',';
        first = false;
        out += "{\"ID\":";
        net::append_json_string(out, m.id);
        out += ",\"MessageID\":";
        net::append_json_string(out, m.message_id);
        out += ",\"Read\":true,\"From\":";
        append_address_json(out, m.from);
        out += ",\"To\":[";
        for (std::size_t i = 0; i < m.to.size(); ++i) {
            if (i > 0) out += ',';
            append_address_json(out, m.to[i]);
        }
        out += "],\"Cc\":[],\"Bcc\":[],\"ReplyTo\":[],\"Subject\":";
        net::append_json_string(out, m.subject);
        out += ",\"Created\":";
        net::append_json_string(out, rfc3339_utc(m.received));
        out += ",\"Tags\":[],\"Size\":" + std::to_string(m.size) +
               ",\"Attachments\":" + (m.attachments ? "1" : "0") + ",\"Snippet\":\"\"}";
    }
    out += "]}";
    return out;
}

}  // namespace mail
