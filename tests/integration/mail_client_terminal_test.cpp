// mail_client where a terminal matters: the password asked for on the terminal when no option
// gives it, the body typed at the terminal (ended with ^D), and the body read from stdin when
// stdin is not a terminal. Against mail_server, the
// message read back from its Maildir with python's mailbox module.
#include <gtest/gtest.h>
#include <termios.h>

#include <csignal>

#include <string>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/pty.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

constexpr auto kIo = seconds(20);

std::vector<std::string> send_args(const MailServerProcess& server) {
    return {"--server", server.endpoint(), "--tls",     "none",    "--from", "alice@example.org",
            "--to",     "bob@example.org", "--subject", "terminal"};
}

// mail_client with the terminal as its stdin, stdout and stderr (and controlling terminal).
Process start_on_terminal(const std::vector<std::string>& args, PseudoTerminal& tty) {
    Process client = Process::start(bin_path("mail_client"), args,
                                    {.in = Redirect::fd(tty.slave()),
                                     .out = Redirect::fd(tty.slave()),
                                     .err = Redirect::fd(tty.slave()),
                                     .new_session = true});
    tty.close_slave();
    return client;
}

TEST(MailClientTerminal, AsksForThePasswordOnTheTerminal) {
    auto server = start_mail_server({"--auth", "alice:s3cret", "--allow-insecure-auth"});
    auto args = send_args(server.process);
    for (const char* extra : {"--user", "alice", "--body", "typed at a prompt"})
        args.emplace_back(extra);

    PseudoTerminal tty;
    Process client = start_on_terminal(args, tty);
    const auto prompt = tty.read_until("Password for alice: ", Deadline(kIo));
    ASSERT_TRUE(prompt.has_value()) << "no prompt; the terminal shows: [" << tty.pending() << "]";
    tty.type("s3cret\n", Deadline(kIo));
    const auto output = tty.read_to_eof(Deadline(kIo));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value()) << "mail_client did not finish; it showed: " << output;
    EXPECT_EQ(*status, ExitStatus::exit_code(0)) << output;
    EXPECT_NE(output.find("accepted for 1 of 1 recipients: 250"), std::string::npos) << output;
    EXPECT_EQ(output.find("s3cret"), std::string::npos) << output;
    EXPECT_TRUE(server.process.wait_for_output("AUTH", Deadline(kIo)));
    EXPECT_EQ(server.new_files().size(), 1U);
}

TEST(MailClientTerminal, WrongPasswordAtThePromptIsRefused) {
    auto server = start_mail_server({"--auth", "alice:s3cret", "--allow-insecure-auth"});
    auto args = send_args(server.process);
    for (const char* extra : {"--user", "alice", "--body", "x"})
        args.emplace_back(extra);
    PseudoTerminal tty;
    Process client = start_on_terminal(args, tty);
    ASSERT_TRUE(tty.read_until("Password for alice: ", Deadline(kIo)).has_value());
    tty.type("wrong\n", Deadline(kIo));
    const auto output = tty.read_to_eof(Deadline(kIo));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, ExitStatus::exit_code(77)) << output;
    EXPECT_NE(output.find("mail_client: authentication refused: 535"), std::string::npos) << output;
    EXPECT_TRUE(server.new_files().empty());
}

// ^C at the prompt stops mail_client as ^C does, with the terminal's modes put back first (a
// program killed while echo is off leaves the user typing blind).
TEST(MailClientTerminal, ControlCAtThePromptRestoresTheTerminal) {
    auto server = start_mail_server({"--auth", "alice:s3cret", "--allow-insecure-auth"});
    auto args = send_args(server.process);
    for (const char* extra : {"--user", "alice", "--body", "x"})
        args.emplace_back(extra);
    PseudoTerminal tty;
    termios before{};
    ASSERT_EQ(::tcgetattr(tty.master(), &before), 0);
    ASSERT_NE(before.c_lflag & ISIG, 0U);
    Process client = start_on_terminal(args, tty);
    ASSERT_TRUE(tty.read_until("Password for alice: ", Deadline(kIo)).has_value());
    tty.type("\x03", Deadline(kIo));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value()) << "mail_client did not stop at ^C";
    EXPECT_EQ(*status, ExitStatus::killed_by(SIGINT));
    termios after{};
    ASSERT_EQ(::tcgetattr(tty.master(), &after), 0);
    EXPECT_EQ(after.c_lflag, before.c_lflag);
    EXPECT_TRUE(server.new_files().empty());
}

// No --body, --body-file or --message at a terminal: the body is typed, as with mailx, after
// one line saying how to end it.
TEST(MailClientTerminal, ReadsTheBodyTypedAtTheTerminalUntilControlD) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    auto server = start_mail_server();
    PseudoTerminal tty;
    Process client = start_on_terminal(send_args(server.process), tty);
    const auto hint = tty.read_until("Type the message; end it with Ctrl-D on a line of its own.\n",
                                     Deadline(kIo));
    ASSERT_TRUE(hint.has_value()) << "no hint; the terminal shows: [" << tty.pending() << "]";
    EXPECT_EQ(*hint, "Type the message; end it with Ctrl-D on a line of its own.\n");
    tty.type("typed line one\n", Deadline(kIo));
    tty.type(".a line starting with a dot\n", Deadline(kIo));
    EXPECT_TRUE(server.new_files().empty());  // nothing is sent before the end of input
    tty.type_eof(Deadline(kIo));
    const auto output = tty.read_to_eof(Deadline(kIo));
    const auto status = client.wait(Deadline(kIo));
    ASSERT_TRUE(status.has_value()) << "mail_client did not finish; it showed: " << output;
    EXPECT_EQ(*status, ExitStatus::exit_code(0)) << output;
    EXPECT_NE(output.find("accepted for 1 of 1 recipients: 250"), std::string::npos) << output;
    EXPECT_EQ(output.find("Type the message"), std::string::npos) << "said twice: " << output;
    const auto messages = read_mailbox(python, "maildir", server.maildir);
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0].body, "typed line one\n.a line starting with a dot\n");
}

TEST(MailClientTerminal, WithoutATerminalThePasswordMustComeFromAnOption) {
    auto server = start_mail_server({"--auth", "alice:s3cret", "--allow-insecure-auth"});
    auto args = send_args(server.process);
    for (const char* extra : {"--user", "alice", "--body", "x"})
        args.emplace_back(extra);
    // No controlling terminal: a new session with every stream a pipe or /dev/null.
    const auto finished = run(bin_path("mail_client"), args, "", kIo, {.new_session = true});
    EXPECT_EQ(finished.status, ExitStatus::exit_code(64)) << finished.err;
    EXPECT_NE(finished.err.find("--password-env"), std::string::npos) << finished.err;
    EXPECT_TRUE(server.new_files().empty());
}

TEST(MailClientStdin, TheBodyComesFromStdinWhenItIsNotATerminal) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    auto server = start_mail_server();
    const std::string body = "first line from stdin\n.a line starting with a dot\nlast\n";
    const auto finished = run(bin_path("mail_client"), send_args(server.process), body, kIo);
    ASSERT_EQ(finished.status, ExitStatus::exit_code(0)) << finished.err;
    const auto messages = read_mailbox(python, "maildir", server.maildir);
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0].header("Subject"), "terminal");
    EXPECT_EQ(messages[0].body, body);
}

// Not at a terminal, no body option: stdin is the body, as with mailx, and an empty stdin
// (< /dev/null) an empty body, without a word about typing.
TEST(MailClientStdin, AnEmptyStdinIsAnEmptyBodyWithoutAHint) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    auto server = start_mail_server();
    const auto finished = run(bin_path("mail_client"), send_args(server.process), "", kIo);
    ASSERT_EQ(finished.status, ExitStatus::exit_code(0)) << finished.err;
    EXPECT_EQ(finished.err, "");
    const auto messages = read_mailbox(python, "maildir", server.maildir);
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0].body, "");
}

TEST(MailClientStdin, MessageDashSendsStdinAsItIs) {
    TOPDOWN_REQUIRE_TOOL(python, system_python3(), "python3");
    auto server = start_mail_server();
    const std::string message =
        "From: alice@example.org\nTo: bob@example.org\nSubject: prepared\n"
        "X-Prepared: yes\n\nbody as written\n.dot\n";
    const auto finished = run(bin_path("mail_client"),
                              {"--server", server.process.endpoint(), "--tls", "none", "--from",
                               "alice@example.org", "--to", "bob@example.org", "--message", "-"},
                              message, kIo);
    ASSERT_EQ(finished.status, ExitStatus::exit_code(0)) << finished.err;
    const auto messages = read_mailbox(python, "maildir", server.maildir);
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(after_trace_headers(messages[0].raw), message);
}

}  // namespace
}  // namespace net::test
