// mail_client's typed-line reader under the password prompt, over a pipe in place of the
// terminal: the line ends at the newline or at end of input, and SIGINT/SIGTERM arriving
// meanwhile come back as `interrupted` (taken, not left pending) instead of ending the process
// with the echo still off. The prompt itself, on a real pseudo-terminal, is tested in
// tests/integration/mail_client_terminal_test.cpp.
#include "mail_client/password_prompt.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <future>
#include <string_view>
#include <thread>

#include "common/fd.hpp"
#include "common/signals.hpp"
#include "tests/support/pending_signals.hpp"
#include "tests/support/pipe.hpp"

namespace mail_client {
namespace {

using net::test::discard_pending_termination_signals;
using net::test::make_pipe;
using net::test::Pipe;

void put(const Pipe& pipe, std::string_view bytes) {
    ASSERT_EQ(::write(pipe.write_end.get(), bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
}

TEST(PasswordPromptTest, TheLineEndsAtTheNewline) {
    auto pipe = make_pipe();
    put(pipe, "s3cret\nnot part of it\n");
    const auto line = read_typed_line(pipe.read_end.get());
    EXPECT_EQ(line.text, "s3cret");
    EXPECT_EQ(line.interrupted, 0);
}

TEST(PasswordPromptTest, KeepsACarriageReturnForTheCallerToStrip) {
    auto pipe = make_pipe();
    put(pipe, "s3cret\r\n");
    EXPECT_EQ(read_typed_line(pipe.read_end.get()).text, "s3cret\r");
}

TEST(PasswordPromptTest, EndOfInputEndsTheLine) {
    auto pipe = make_pipe();
    put(pipe, "no newline");
    pipe.write_end.reset();
    const auto line = read_typed_line(pipe.read_end.get());
    EXPECT_EQ(line.text, "no newline");
    EXPECT_EQ(line.interrupted, 0);
}

TEST(PasswordPromptTest, NothingTypedBeforeEndOfInputIsAnEmptyLine) {
    auto pipe = make_pipe();
    pipe.write_end.reset();
    const auto line = read_typed_line(pipe.read_end.get());
    EXPECT_EQ(line.text, "");
    EXPECT_EQ(line.interrupted, 0);
}

TEST(PasswordPromptTest, ALineTypedInPiecesIsCollected) {
    auto pipe = make_pipe();
    put(pipe, "s3");
    std::thread typist([&pipe] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        put(pipe, "cret\n");
    });
    const auto line = read_typed_line(pipe.read_end.get());
    typist.join();
    EXPECT_EQ(line.text, "s3cret");
}

// A signal raised at this thread while it waits for the line (held by an outer
// TerminationSignals, so it stays pending until the reader's signalfd takes it).
void expect_interrupted_by(int signal) {
    const net::TerminationSignals held;
    auto pipe = make_pipe();
    put(pipe, "half a passw");
    ASSERT_EQ(::raise(signal), 0);
    // Should the reader miss the signal, this ends its wait so the test fails instead of hanging.
    std::promise<void> done;
    std::thread watchdog([&pipe, finished = done.get_future()] {
        if (finished.wait_for(std::chrono::seconds(10)) == std::future_status::timeout) {
            put(pipe, "\n");
        }
    });
    const auto line = read_typed_line(pipe.read_end.get());
    done.set_value();
    watchdog.join();
    EXPECT_EQ(line.interrupted, signal);
    EXPECT_EQ(discard_pending_termination_signals(), 0) << "the signal was left pending";
}

TEST(PasswordPromptTest, SigintComesBackAsInterrupted) {
    expect_interrupted_by(SIGINT);
}

TEST(PasswordPromptTest, SigtermComesBackAsInterrupted) {
    expect_interrupted_by(SIGTERM);
}

}  // namespace
}  // namespace mail_client
