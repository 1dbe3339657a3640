// Helpers for the robustness suite (tests/robustness/): holding many connections open the way
// an attacker does, checks more than one server's tests make, and saying what a test held.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/process.hpp"

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

// How many descriptors process `pid` has open (the entries of /proc/PID/fd); nullopt when they
// cannot be read. Compared before and after an attack, it shows a leak.
std::optional<std::size_t> open_descriptors(pid_t pid);

// Polls open_descriptors(pid) until it is at most `limit`; the last count seen (nullopt when
// unreadable). For "no descriptor leaked" once a server has seen its clients go.
std::optional<std::size_t> wait_descriptors_at_most(pid_t pid, std::size_t limit,
                                                    const Deadline& deadline);

// Starts `program` (with "-p 0" after `args`) `runs` times and stops each with two SIGTERMs a
// moment apart (0 to 0.9 ms, in turn), as a user pressing Ctrl-C twice: how each run
// ended (one still running 15 s later is killed, and counted as killed by SIGKILL).
std::vector<ExitStatus> stop_twice_quickly(std::string_view program,
                                           const std::vector<std::string>& args, int runs);

// Starts `program` with `args` and stops it `runs` times with stop_twice_quickly, expecting every
// run to exit 0 (a failure names each run that did not), and reports how many did.
void expect_two_quick_signals_exit_zero(std::string_view program,
                                        const std::vector<std::string>& args, int runs);

// Holds `count` connections to 127.0.0.1:`port` that each sent `first_bytes`; then five times
// trickles one `byte` on each (expecting every one to take it), times `fresh_client` and waits
// 400 ms, the slowloris pace. Expects the slowest fresh client served within 1 s and no slow
// connection closed (`dropped` says what that means). Returns the slowest fresh client's time.
Clock::duration expect_fresh_clients_served_among_slow(
    std::uint16_t port, std::size_t count, std::string_view first_bytes, char byte,
    const std::function<Clock::duration()>& fresh_client, std::string_view dropped);

// Trickles `byte` on every held connection each `pace` until the server has closed them all or
// the deadline passes; how many it closed.
std::size_t trickle_until_closed(std::vector<Fd>& connections, char byte, Clock::duration pace,
                                 const Deadline& deadline);

// A process's open descriptors around an attack, for report_held.
struct DescriptorCounts {
    std::size_t before = 0;
    std::optional<std::size_t> during;
    std::size_t after = 0;

    // "descriptors 12 before, 212 during, 12 after"
    [[nodiscard]] std::string describe() const;
};

// "4.2 ms"
std::string format_ms(Clock::duration d);

// One line on stdout saying what the test held ("[ held     ] 1000 slow heads; a fresh
// client served in 2 ms"), so CI's log records the figures, not only a pass.
void report_held(std::string_view what);

}  // namespace net::test
