// HTTP/1.x on a raw socket for tests: send exactly the bytes a test wrote (malformed, pipelined,
// trickled), read back responses framed by their Content-Length, with a deadline on every read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/socket_client.hpp"

namespace net::test {

// One response as it arrived: the status line split up, the fields in order, the body.
struct HttpResponse {
    std::string version;  // "HTTP/1.1"
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;  // values without surrounding OWS
    std::string body;

    // The value of the first field called `name` (case-insensitively), or nullopt.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    // How many fields are called `name`.
    [[nodiscard]] std::size_t count(std::string_view name) const;
    // Whether a comma-separated field has `token` as an element ("Connection: close").
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const;
};

// Parses a response head (status line and fields, with or without the final blank line);
// nullopt when it is not one.
std::optional<HttpResponse> parse_response_head(std::string_view head);

// "METHOD target HTTP/1.1\r\nHost: test\r\n" + `fields` (each ending "\r\n") + "\r\n".
std::string http_request(std::string_view method, std::string_view target,
                         std::string_view fields = {});

// A client connection that keeps what it read beyond one response for the next (pipelining).
// Move-only; not thread-safe.
class HttpConnection {
  public:
    // Connects to host:port; throws like connect_tcp.
    static HttpConnection open(const std::string& host, std::uint16_t port,
                               const Deadline& deadline);
    explicit HttpConnection(Fd fd) : fd_(std::move(fd)) {}

    [[nodiscard]] int fd() const { return fd_.get(); }
    // Gives up the socket (e.g. for close_with_reset); what was buffered is dropped.
    Fd release() { return std::move(fd_); }

    // Sends every byte; throws std::runtime_error on timeout or error.
    void send(std::string_view bytes, const Deadline& deadline);

    // Reads the next response: its head, then a body of Content-Length bytes (none after a HEAD
    // request or for 1xx, 204 and 304; a chunked body is decoded; without either, the body runs
    // to EOF). Throws std::runtime_error, with what arrived, when the head is malformed or the
    // connection ends or the deadline passes first.
    HttpResponse read_response(const Deadline& deadline, bool head_request = false);

    // Reads only the next response's head (status line and fields); its body stays to be read
    // with read_bytes(). Throws like read_response().
    HttpResponse read_head(const Deadline& deadline);
    // Exactly `n` more bytes (of a body); throws std::runtime_error at EOF or the deadline.
    std::string read_bytes(std::size_t n, const Deadline& deadline);

    // Everything until the peer's FIN (or reset, error, deadline), bytes already buffered first.
    Received read_to_eof(const Deadline& deadline);

    // Bytes read but not yet returned.
    [[nodiscard]] const std::string& buffered() const { return buffer_; }

  private:
    enum class Fill { kData, kEof, kTimeout, kError };
    // Appends what the socket has, waiting for it up to the deadline.
    Fill fill(const Deadline& deadline);
    // fill(), but true for data, false at EOF, and throws (naming `waiting_for`) otherwise.
    bool fill_or_throw(const Deadline& deadline, std::string_view waiting_for);
    std::string read_chunked(const Deadline& deadline);

    Fd fd_;
    std::string buffer_;
    bool eof_ = false;
    int error_ = 0;  // errno of the last Fill::kError
};

// One request on a new connection and its response.
HttpResponse http_exchange(const std::string& host, std::uint16_t port, std::string_view request,
                           const Deadline& deadline, bool head_request = false);

}  // namespace net::test
