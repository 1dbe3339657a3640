// PseudoTerminal: a pty pair, so a test can run a program "on a terminal" (isatty() true) and
// see its prompts. Pass slave() to the child as Redirect::fd with ProcessOptions::new_session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"

namespace net::test {

// Line discipline as a user's terminal (canonical mode: the program reads whole lines, ^D is
// end of input), except that echo is off and "\n" is not turned into "\r\n", so the master reads
// exactly what the program wrote. Move-only; not thread-safe.
class PseudoTerminal {
  public:
    PseudoTerminal();

    [[nodiscard]] int master() const { return master_.get(); }
    [[nodiscard]] int slave() const { return slave_.get(); }
    // Call once the child has its copy: then the master reads EOF when the child exits.
    void close_slave() { slave_.reset(); }

    // Types `bytes` (e.g. "hello\n"); throws std::runtime_error on timeout.
    void type(std::string_view bytes, const Deadline& deadline);
    // Types the end-of-file character (^D) at the start of a line.
    void type_eof(const Deadline& deadline);

    // Reads until `needle` appears in the output; returns all output up to and including it
    // (the rest stays buffered), or nullopt at EOF or the deadline.
    std::optional<std::string> read_until(std::string_view needle, const Deadline& deadline);
    // Everything until the child closed the terminal (or the deadline).
    std::string read_to_eof(const Deadline& deadline);
    // What arrived but was not returned yet.
    [[nodiscard]] const std::string& pending() const { return buffer_; }

  private:
    bool fill(const Deadline& deadline);

    Fd master_;
    Fd slave_;
    std::string buffer_;
    bool eof_ = false;
};

}  // namespace net::test
