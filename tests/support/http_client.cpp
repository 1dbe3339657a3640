// Raw HTTP/1.x client for tests.
#include "tests/support/http_client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <system_error>

namespace net::test {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::string_view kCrlf = "\r\n";

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

std::string excerpt(std::string_view bytes) {
    constexpr std::size_t kMax = 300;
    std::string out(bytes.substr(0, kMax));
    if (bytes.size() > kMax) out += "...";
    return out;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (iequals(field, name)) return value;
    }
    return std::nullopt;
}

std::size_t HttpResponse::count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(),
                      [&](const auto& field) { return iequals(field.first, name); }));
}

bool HttpResponse::has_token(std::string_view name, std::string_view token) const {
    for (const auto& [field, value] : headers) {
        if (!iequals(field, name)) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            if (iequals(trim(rest.substr(0, comma)), token)) return true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return false;
}

std::optional<HttpResponse> parse_response_head(std::string_view head) {
    HttpResponse response;
    auto next_line = [&head]() -> std::optional<std::string_view> {
        const auto end = head.find(kCrlf);
        if (end == std::string_view::npos) {
            if (head.empty()) return std::nullopt;
            const std::string_view line = head;
            head = {};
            return line;
        }
        const std::string_view line = head.substr(0, end);
        head.remove_prefix(end + kCrlf.size());
        return line;
    };

    const auto status_line = next_line();
    // "HTTP/1.1 200 OK": a version, a space, three digits, a space (the reason may be empty).
    if (!status_line || status_line->size() < 12 || !status_line->starts_with("HTTP/1.") ||
        (*status_line)[8] != ' ' || (status_line->size() > 12 && (*status_line)[12] != ' ')) {
        return std::nullopt;
    }
    response.version = std::string(status_line->substr(0, 8));
    const std::string_view code = status_line->substr(9, 3);
    if (!std::all_of(code.begin(), code.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
        return std::nullopt;
    }
    response.status = std::stoi(std::string(code));
    if (status_line->size() > 13) response.reason = std::string(status_line->substr(13));

    while (const auto line = next_line()) {
        if (line->empty()) break;
        const auto colon = line->find(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        const std::string_view name = line->substr(0, colon);
        if (name.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
        response.headers.emplace_back(std::string(name),
                                      std::string(trim(line->substr(colon + 1))));
    }
    return response;
}

std::string http_request(std::string_view method, std::string_view target,
                         std::string_view fields) {
    std::string request;
    request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
    request.append(fields).append("\r\n");
    return request;
}

HttpConnection HttpConnection::open(const std::string& host, std::uint16_t port,
                                    const Deadline& deadline) {
    return HttpConnection(connect_tcp(host, port, deadline));
}

void HttpConnection::send(std::string_view bytes, const Deadline& deadline) {
    send_all(fd_.get(), bytes, deadline);
}

HttpConnection::Fill HttpConnection::fill(const Deadline& deadline) {
    if (eof_) return Fill::kEof;
    char chunk[kChunk];
    for (;;) {
        const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return Fill::kData;
        }
        if (n == 0) {
            eof_ = true;
            return Fill::kEof;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            error_ = errno;
            return Fill::kError;
        }
        pollfd p{fd_.get(), POLLIN, 0};
        if (net::wait_any({&p, 1}, deadline) == 0) return Fill::kTimeout;
    }
}

bool HttpConnection::fill_or_throw(const Deadline& deadline, std::string_view waiting_for) {
    switch (fill(deadline)) {
        case Fill::kData:
            return true;
        case Fill::kEof:
            return false;
        case Fill::kTimeout:
            throw std::runtime_error("timed out waiting for " + std::string(waiting_for) +
                                     "; buffered: [" + excerpt(buffer_) + "]");
        case Fill::kError:
            break;
    }
    throw std::runtime_error("waiting for " + std::string(waiting_for) + ": " +
                             std::system_category().message(error_) + "; buffered: [" +
                             excerpt(buffer_) + "]");
}

std::string HttpConnection::read_bytes(std::size_t n, const Deadline& deadline) {
    while (buffer_.size() < n) {
        if (!fill_or_throw(deadline, std::to_string(n) + " body bytes")) {
            throw std::runtime_error("EOF after " + std::to_string(buffer_.size()) + " of " +
                                     std::to_string(n) + " body bytes");
        }
    }
    std::string bytes = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return bytes;
}

std::string HttpConnection::read_chunked(const Deadline& deadline) {
    std::string body;
    auto read_line = [&]() {
        std::size_t end;
        while ((end = buffer_.find(kCrlf)) == std::string::npos) {
            if (!fill_or_throw(deadline, "a chunk-size line")) {
                throw std::runtime_error("EOF in chunked body");
            }
        }
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + kCrlf.size());
        return line;
    };
    for (;;) {
        const std::string size_line = read_line();
        std::size_t size = 0;
        const auto [end, error] =
            std::from_chars(size_line.data(), size_line.data() + size_line.size(), size, 16);
        if (error != std::errc() || end == size_line.data()) {
            throw std::runtime_error("bad chunk-size line [" + excerpt(size_line) + "]");
        }
        if (size == 0) {
            while (!read_line().empty()) {
            }  // trailer fields
            return body;
        }
        body += read_bytes(size, deadline);
        if (!read_line().empty()) throw std::runtime_error("chunk not followed by CRLF");
    }
}

HttpResponse HttpConnection::read_head(const Deadline& deadline) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill_or_throw(deadline, "a response head")) {
            throw std::runtime_error("EOF before a complete response head; received: [" +
                                     excerpt(buffer_) + "]");
        }
    }
    const std::string head = buffer_.substr(0, end + 4);
    buffer_.erase(0, end + 4);
    auto parsed = parse_response_head(head);
    if (!parsed) throw std::runtime_error("malformed response head: [" + excerpt(head) + "]");
    return std::move(*parsed);
}

HttpResponse HttpConnection::read_response(const Deadline& deadline, bool head_request) {
    HttpResponse response = read_head(deadline);
    const bool bodiless = head_request || response.status / 100 == 1 || response.status == 204 ||
                          response.status == 304;
    if (bodiless) return response;
    if (response.has_token("Transfer-Encoding", "chunked")) {
        response.body = read_chunked(deadline);
    } else if (const auto length = response.header("Content-Length")) {
        std::size_t n = 0;
        const auto [at, error] =
            std::from_chars(length->data(), length->data() + length->size(), n);
        if (error != std::errc() || at != length->data() + length->size()) {
            throw std::runtime_error("bad Content-Length: [" + *length + "]");
        }
        response.body = read_bytes(n, deadline);
    } else {
        Received rest = read_to_eof(deadline);
        if (rest.end != StreamEnd::kEof) {
            throw std::runtime_error("body without Content-Length did not end with EOF");
        }
        response.body = std::move(rest.bytes);
    }
    return response;
}

Received HttpConnection::read_to_eof(const Deadline& deadline) {
    Received received;
    Fill result;
    while ((result = fill(deadline)) == Fill::kData) {
    }
    switch (result) {
        case Fill::kTimeout:
            received.end = StreamEnd::kTimeout;
            break;
        case Fill::kError:
            received.end = error_ == ECONNRESET ? StreamEnd::kReset : StreamEnd::kError;
            received.error = error_;
            break;
        default:
            received.end = StreamEnd::kEof;
            break;
    }
    received.bytes = std::move(buffer_);
    buffer_.clear();
    return received;
}

HttpResponse http_exchange(const std::string& host, std::uint16_t port, std::string_view request,
                           const Deadline& deadline, bool head_request) {
    HttpConnection conn = HttpConnection::open(host, port, deadline);
    conn.send(request, deadline);
    return conn.read_response(deadline, head_request);
}

}  // namespace net::test
