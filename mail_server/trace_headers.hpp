// The trace headers a final delivery adds in front of a message (RFC 5321 4.4): Return-Path
// with the envelope sender, and a Received stamp saying who handed it over, how, and when.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace mail {

struct TraceInfo {
    std::string_view reverse_path;    // "" for the null path
    std::string_view helo;            // the name from HELO/EHLO, as the client sent it
    std::string_view client_address;  // "127.0.0.1" or "::1"
    std::string_view hostname;        // ours
    std::string_view protocol;        // "SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA" (RFC 3848)
    std::string_view tls;             // "TLSv1.3 TLS_AES_256_GCM_SHA384" or ""
    std::string_view id;
    std::optional<std::string_view> recipient;  // "for <...>" only with a single recipient
    std::time_t when = 0;
};

// "Return-Path: <a@b>\r\nReceived: from ...\r\n\t...; <date>\r\n"
std::string format_trace_headers(const TraceInfo& info);

// The RFC 3848 protocol name for a session.
std::string_view with_protocol(bool extended, bool tls, bool authenticated);

}  // namespace mail
