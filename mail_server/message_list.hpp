// The list of messages as Mailpit's messages document (GET /api/v1/messages). A stand-in with
// the interface the index's branch provides; its version replaces this one.
#pragma once

#include <string>

#include "mail_index.hpp"

namespace mail {

// {"total","unread":0,"count","messages_count","start","tags":[],"messages":[{"ID",
// "MessageID","Read":true,"From","To","Cc":[],"Bcc":[],"ReplyTo":[],"Subject","Created",
// "Tags":[],"Size","Attachments","Snippet":""}]}
std::string messages_json(const MailIndex::Page& page);

}  // namespace mail
