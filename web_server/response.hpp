// Response: what the handler decided, and how its head is written on the wire.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fd.hpp"
#include "common/http_head.hpp"

namespace web {

struct Response {
    int status = 200;
    // Fields beyond the ones every response gets (Date, Server, Content-Length, Connection).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // an in-memory body: error pages, listings, small files
    // Or a body sent from a file with sendfile(2).
    std::shared_ptr<const net::Fd> file;
    std::uint64_t file_offset = 0;
    std::uint64_t file_length = 0;
    bool close = false;  // the connection ends after this response (framing can't be trusted)
    // For HEAD: the length the GET would have had, when neither body nor file is set.
    std::uint64_t declared_length = 0;

    [[nodiscard]] std::uint64_t content_length() const {
        if (file) return file_length;
        return body.empty() ? declared_length : body.size();
    }
    void add(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

// The status line and header block, "\r\n\r\n" included. `date` is an IMF-fixdate.
// 1xx, 204 and 304 carry no Content-Length (RFC 9110 8.6).
std::string serialize_head(const Response& response, const net::http::Version& version,
                           bool keep_alive, std::string_view date);

// A short HTML error page for `status` ("404 Not Found" and a sentence).
Response error_response(int status, bool close = false);

// The server's name and version for the Server field: "web_server/0.1.0".
std::string_view server_name();

}  // namespace web
