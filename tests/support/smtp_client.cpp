// SMTP replies read off a raw socket, and the client side of one transaction.
#include "tests/support/smtp_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace net::test {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::string excerpt(std::string_view bytes) {
    return std::string(bytes.substr(0, 300)) + (bytes.size() > 300 ? "..." : "");
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "250-text" / "250 text" / "250": the reply code, whether it is the last line.
bool parse_reply_line(std::string_view line, int& code, bool& last) {
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
        return false;
    }
    if (line.size() > 3 && line[3] != '-' && line[3] != ' ') return false;
    code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    last = line.size() == 3 || line[3] == ' ';
    return true;
}

}  // namespace

std::string SmtpReply::text() const {
    std::string joined;
    for (const auto& line : lines) {
        if (!joined.empty()) joined += '\n';
        joined += line;
    }
    return joined;
}

bool SmtpReply::starts_with(std::string_view prefix) const {
    return text().starts_with(prefix);
}

bool SmtpReply::has_keyword(std::string_view keyword) const {
    for (const auto& line : lines) {
        const std::string_view rest =
            std::string_view(line).substr(std::min<std::size_t>(4, line.size()));
        if (rest == keyword || rest.starts_with(std::string(keyword) + " ")) return true;
    }
    return false;
}

SmtpClient SmtpClient::connect(const std::string& host, std::uint16_t port,
                               const Deadline& deadline) {
    return SmtpClient(connect_tcp(host, port, deadline));
}

void SmtpClient::send(std::string_view bytes, const Deadline& deadline) {
    send_all(fd_.get(), bytes, deadline);
}

SmtpReply SmtpClient::read_reply(const Deadline& deadline) {
    SmtpReply reply;
    std::size_t start = 0;  // of the line being looked at, in buffer_
    for (;;) {
        const auto lf = buffer_.find('\n', start);
        if (lf != std::string::npos) {
            std::string line = buffer_.substr(start, lf - start);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            int code = 0;
            bool last = false;
            if (!parse_reply_line(line, code, last) || (reply.code != 0 && code != reply.code)) {
                throw std::runtime_error("not an SMTP reply line: [" + excerpt(line) +
                                         "]; buffered: [" + excerpt(buffer_) + "]");
            }
            reply.code = code;
            reply.lines.push_back(std::move(line));
            start = lf + 1;
            if (last) {
                buffer_.erase(0, start);
                return reply;
            }
            continue;
        }
        char chunk[kChunk];
        const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            throw std::runtime_error("the connection ended before a complete reply; buffered: [" +
                                     excerpt(buffer_) + "]");
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            throw std::runtime_error(
                "waiting for a reply: " + std::system_category().message(errno) + "; buffered: [" +
                excerpt(buffer_) + "]");
        }
        pollfd p{fd_.get(), POLLIN, 0};
        if (net::wait_any({&p, 1}, deadline) == 0) {
            throw std::runtime_error("timed out waiting for a reply; buffered: [" +
                                     excerpt(buffer_) + "]");
        }
    }
}

SmtpReply SmtpClient::command(std::string_view line, const Deadline& deadline) {
    std::string bytes(line);
    bytes += "\r\n";
    send(bytes, deadline);
    return read_reply(deadline);
}

Received SmtpClient::read_to_eof(const Deadline& deadline) {
    Received received = recv_until_eof(fd_.get(), deadline);
    received.bytes.insert(0, buffer_);
    buffer_.clear();
    return received;
}

std::string smtp_data(std::string_view message) {
    std::string data;
    data.reserve(message.size() + message.size() / 32 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        const char c = message[i];
        if (line_start && c == '.') data += '.';
        line_start = false;
        if (c == '\n') {
            if (data.empty() || data.back() != '\r') data += '\r';
            data += '\n';
            line_start = true;
            continue;
        }
        if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') {
            data += "\r\n";
            ++i;
            line_start = true;
            continue;
        }
        data += c;
    }
    if (!line_start) data += "\r\n";
    data += ".\r\n";
    return data;
}

std::string queued_id(const SmtpReply& reply) {
    constexpr std::string_view kMarker = "queued as ";
    if (reply.code != 250 || reply.lines.empty()) return {};
    const std::string& line = reply.lines.back();
    const auto at = line.find(kMarker);
    if (at == std::string::npos) return {};
    return line.substr(at + kMarker.size());
}

SmtpReply send_message(SmtpClient& client, std::string_view from,
                       const std::vector<std::string>& to, std::string_view message,
                       const Deadline& deadline, std::string_view mail_parameters) {
    std::string mail = "MAIL FROM:<" + std::string(from) + ">";
    if (!mail_parameters.empty()) mail += " " + std::string(mail_parameters);
    SmtpReply reply = client.command(mail, deadline);
    if (reply.code != 250) return reply;
    bool any_recipient = false;
    for (const auto& recipient : to) {
        reply = client.command("RCPT TO:<" + recipient + ">", deadline);
        any_recipient = any_recipient || reply.code == 250 || reply.code == 251;
    }
    if (!any_recipient) return reply;
    reply = client.command("DATA", deadline);
    if (reply.code != 354) return reply;
    client.send(smtp_data(message), deadline);
    return client.read_reply(deadline);
}

}  // namespace net::test
