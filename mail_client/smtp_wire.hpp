// The client's side of SMTP's text (RFC 5321): replies read from bytes, the extensions an EHLO
// reply offers, and the message made ready for DATA. Pure: no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mail_client {

// One reply, all its lines: "250-first" ... "250 last" (RFC 5321 4.2.1).
struct Reply {
    int code = 0;                    // 200-599
    std::vector<std::string> lines;  // the text after "250-" / "250 " of each line

    [[nodiscard]] int kind() const { return code / 100; }  // 2, 3, 4 or 5
    // "250 2.0.0 Ok: queued as 1234", the last line, for messages to the user.
    [[nodiscard]] std::string summary() const;
};

// Collects whole replies from the bytes a server sends. Not thread-safe.
class ReplyReader {
  public:
    // RFC 5321 4.5.3.1.5: a reply line is at most 512 octets; servers send longer text now and
    // then, so lines are accepted up to this length, and replies up to kMaxLines lines.
    static constexpr std::size_t kMaxLine = 4096;
    static constexpr std::size_t kMaxLines = 100;

    // Appends bytes; returns the replies completed by them, in order (usually zero or one).
    // Throws ProtocolError on a line that is not a reply line ("ddd" then ' ', '-' or the end),
    // a code that changes in the middle of a reply, or a line or reply over the limits.
    std::vector<Reply> feed(std::string_view bytes);
    // Bytes received after the last complete reply (a STARTTLS must find none).
    [[nodiscard]] bool has_partial() const { return !pending_.empty() || !current_.lines.empty(); }

  private:
    std::string pending_;  // an unfinished line
    Reply current_;        // lines of an unfinished reply
};

struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What an EHLO reply offers (RFC 5321 4.1.1.1: keywords on the lines after the first).
struct Extensions {
    bool starttls = false;
    bool eight_bit_mime = false;
    bool pipelining = false;
    bool smtputf8 = false;
    bool auth_plain = false;
    bool auth_login = false;
    bool size_offered = false;
    std::uint64_t max_size = 0;  // SIZE's parameter; 0: no limit given
};
Extensions parse_extensions(const Reply& ehlo);

// The message as DATA sends it: CRLF line ends, a '.' added before every line that starts
// with '.', and the final ".\r\n" (after a CRLF ending the last line).
std::string data_for_wire(std::string_view message);

}  // namespace mail_client
