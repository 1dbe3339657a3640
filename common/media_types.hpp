// Content-Type from a file name's extension: for web_server's responses and mail_client's
// attachments.
#pragma once

#include <string_view>

namespace net {

// "text/html; charset=utf-8" for "index.html"; case-insensitive on the extension; text types
// carry charset=utf-8; unknown or no extension: "application/octet-stream".
std::string_view content_type_for(std::string_view file_name);

}  // namespace net
