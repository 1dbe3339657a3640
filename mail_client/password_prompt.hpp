// The password asked for on the terminal: echo off while it is typed, and a ^C there stops the
// program as usual, with the terminal's echo back on first.
#pragma once

#include <string>

namespace mail_client {

// A line read from a terminal in canonical mode (so the user can edit it). SIGINT and SIGTERM
// are held meanwhile and come back as `interrupted`: the caller restores the terminal before
// they do what they would have done.
struct TypedLine {
    std::string text;     // without the newline; what came before end of input otherwise
    int interrupted = 0;  // the signal that came instead, or 0
};

// Reads from `fd` up to the first newline, end of input, or SIGINT/SIGTERM. Bytes after the
// newline in the same read are dropped (a terminal gives one line per read).
TypedLine read_typed_line(int fd);

// Asks "Password for USER: " on /dev/tty (not stdin, which may carry the body), with echo
// off. Throws net::UsageError when there is no terminal to ask on. A ^C re-raises SIGINT once
// the echo is back on.
std::string ask_password(const std::string& user);

}  // namespace mail_client
