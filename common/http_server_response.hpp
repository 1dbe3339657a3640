// ServerResponse: what a server's request handler decided, and how its head is written on the
// wire. Shared by web_server (files) and mail_server's web inbox (pages and JSON).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fd.hpp"
#include "http_head.hpp"

namespace net::http {

struct ServerResponse {
    int status = 200;
    // Fields beyond the ones every response gets (Date, Server, Content-Length, Connection).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // an in-memory body: error pages, listings, small files
    // Or a body sent from a file with sendfile(2).
    std::shared_ptr<const Fd> file;
    std::uint64_t file_offset = 0;
    std::uint64_t file_length = 0;
    bool close = false;  // the connection ends after this response (framing can't be trusted)
    // For HEAD: the length the GET would have had, when neither body nor file is set.
    std::uint64_t declared_length = 0;
    // An open-ended body the service writes later (Server-Sent Events): the head carries no
    // Content-Length and "Connection: close", so the body ends with the connection (RFC 9112
    // 6.3, last rule).
    bool stream = false;

    [[nodiscard]] std::uint64_t content_length() const {
        if (file) return file_length;
        return body.empty() ? declared_length : body.size();
    }
    void add(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

// The status line and header block, "\r\n\r\n" included. `date` is an IMF-fixdate, `server`
// the Server field ("web_server/0.1.0"). 1xx, 204 and 304 carry no Content-Length (RFC 9110
// 8.6), nor does a stream.
std::string serialize_head(const ServerResponse& response, const Version& version, bool keep_alive,
                           std::string_view date, std::string_view server);

// A short HTML error page for `status` ("404 Not Found" and a sentence: `detail`, or a
// standard one for the status when empty), signed with `server`.
ServerResponse error_response(int status, std::string_view server, bool close = false,
                              std::string_view detail = {});

}  // namespace net::http
