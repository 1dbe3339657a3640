// Helpers for the robustness suite (tests/robustness/): holding many connections open the way
// an attacker does, and saying what a test held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"

namespace net::test {

// `count` connections to 127.0.0.1:`port`, each sent `first_bytes` (a head that never ends, an
// SMTP command without its CRLF...) and then left open. Raises the descriptor limit first.
// Connections the server refuses or closes at once still count: the caller checks what each
// got. Throws when a connection cannot be made at all before the deadline.
std::vector<Fd> hold_connections(std::uint16_t port, std::size_t count,
                                 std::string_view first_bytes, const Deadline& deadline);

// Sends one more byte on every held connection that is still open (a slowloris step); returns
// how many took it.
std::size_t trickle(std::vector<Fd>& connections, char byte);

// How many of the connections the server has closed (a read sees EOF or a reset now).
std::size_t count_closed(std::vector<Fd>& connections);

// One line on stdout saying what the test held ("[ held     ] 1000 slow heads; a fresh
// client served in 2 ms"), so CI's log records the figures, not only a pass.
void report_held(std::string_view what);

}  // namespace net::test
