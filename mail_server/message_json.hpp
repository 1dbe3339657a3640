// One message as the JSON API's document: Mailpit's GET /api/v1/message/ID fields, so clients
// written for Mailpit read it. Pure: the summary, the stored bytes and their MIME structure in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mail_index.hpp"
#include "mime.hpp"

namespace mail {

// A part a reader downloads rather than reads: Mailpit's Inline (a part with a Content-ID that
// is not an attachment: an image the HTML refers to) and Attachments.
struct PartListing {
    std::vector<const mime::Part*> inline_parts;
    std::vector<const mime::Part*> attachments;
};
PartListing list_parts(const mime::Message& message);

// The document: {"ID","MessageID","From","To","Cc","Bcc","ReplyTo","ReturnPath","Subject",
// "ListUnsubscribe","Date","Tags","Text","HTML","Size","Inline","Attachments"}. Date is the
// message's Date field, or when it was stored (the summary's received time) without one. `raw` is
// the message as stored, and `message` its parse_message().
std::string message_json(const Summary& summary, std::string_view raw,
                         const mime::Message& message);

}  // namespace mail
