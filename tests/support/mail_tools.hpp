// The third-party mail tools the mail tests drive (python's smtplib and mailbox, postfix's
// smtp-source), found where Debian installs them, and mailboxes read back through python's
// `mailbox` module, so what mail_server stores is judged by a reader it did not write.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/tools.hpp"

namespace net::test {

// What to hand TOPDOWN_REQUIRE_TOOL for python: "/usr/bin/python3" when it is there (the
// system python has smtplib, mailbox and ssl; a pyenv or venv python3 first in PATH may not),
// else "python3" to look up in PATH. find_tool() takes an absolute path as it is (the
// std::filesystem `/` keeps an absolute right-hand side), checking that it is executable.
std::string system_python3();

// What to hand TOPDOWN_REQUIRE_TOOL for a tool Debian installs in /usr/sbin (smtp-source), which
// is not in a non-root user's PATH: `name` when PATH has it, else "/usr/sbin/<name>".
std::string sbin_tool(std::string_view name);

// Whether the swaks at `swaks` can speak TLS: Debian's swaks package only recommends the Perl
// module it needs (libnet-ssleay-perl), and without it `swaks --tls` exits 10.
bool swaks_has_tls(const std::string& swaks);

// Declares `const std::string var` holding the path of a swaks that can speak TLS, or skips the
// test naming the Debian package that is missing.
#define TOPDOWN_REQUIRE_SWAKS_WITH_TLS(var)                                         \
    TOPDOWN_REQUIRE_TOOL(var, "swaks", "swaks");                                    \
    if (!::net::test::swaks_has_tls(var)) {                                         \
        GTEST_SKIP() << "needs swaks with TLS (Debian package libnet-ssleay-perl)"; \
    }

// One message as python's mailbox module reads it.
struct StoredMessage {
    std::string key;    // the Maildir file name (without ":2,..."), or the mbox index
    std::string where;  // Maildir: the subdirectory ("new"); mbox: the From line's text
    std::vector<std::pair<std::string, std::string>> headers;  // as parsed, folds kept
    std::string raw;   // the stored bytes of the message (mbox: without the From line)
    std::string body;  // raw after the first empty line

    // The value of the first header called `name` (case-insensitively), with folds unfolded
    // ("\n\t" and "\n " become one space); nullopt when there is none.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    // How many headers are called `name`.
    [[nodiscard]] std::size_t count(std::string_view name) const;
};

// Reads the Maildir at `path` ("maildir") or the mbox file at `path` ("mbox") with python's
// mailbox.Maildir / mailbox.mbox, every message in key order. Throws std::runtime_error, with
// python's stderr, when python fails (an unreadable mailbox, a message it cannot parse).
std::vector<StoredMessage> read_mailbox(const std::string& python, std::string_view kind,
                                        const std::filesystem::path& path);

// `text` with every CRLF turned into LF: how a message looks in a Maildir or mbox file.
std::string unix_lines(std::string_view text);
// `text` with every LF not already after a CR turned into CRLF: a message on the wire.
std::string crlf_lines(std::string_view text);
// A stored message (LF line ends) without the trace headers mail_server puts first:
// Return-Path, and Received with its continuation lines. A "(no ...)" text when they are missing.
std::string after_trace_headers(const std::string& stored);

// "68690a" -> "hi\n": how the python helpers hand bytes over without quoting trouble. Throws
// std::runtime_error on anything but pairs of lower-case hex digits.
std::string from_hex(std::string_view hex);

// The regular files in `directory`, sorted by name; none when it does not exist.
std::vector<std::filesystem::path> files_in(const std::filesystem::path& directory);

}  // namespace net::test
