// mail_client's pure parts below the message: the reply reader (multi-line replies, bad lines),
// EHLO extensions, dot-stuffing for DATA, and the Dialogue step by step against scripted
// replies, with the exit status each failure maps to.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base64.hpp"
#include "common/exit_codes.hpp"
#include "mail_client/dialogue.hpp"
#include "mail_client/smtp_wire.hpp"

namespace mail_client {
namespace {

Reply reply(int code, std::vector<std::string> lines = {"ok"}) {
    return Reply{code, std::move(lines)};
}

// ---------------------------------------------------------------------------- ReplyReader

TEST(ReplyReaderTest, MultiLineReplyComesWhole) {
    ReplyReader reader;
    EXPECT_TRUE(reader.feed("250-mail.example.org\r\n250-SIZE 1000\r\n").empty());
    EXPECT_TRUE(reader.has_partial());
    const auto replies = reader.feed("250 8BITMIME\r\n");
    ASSERT_EQ(replies.size(), 1U);
    EXPECT_EQ(replies[0].code, 250);
    EXPECT_EQ(replies[0].lines,
              (std::vector<std::string>{"mail.example.org", "SIZE 1000", "8BITMIME"}));
    EXPECT_FALSE(reader.has_partial());
}

TEST(ReplyReaderTest, ByteByByteAndSeveralAtOnce) {
    ReplyReader reader;
    const std::string text = "220 hello\r\n250 ok\r\n354 go ahead\r\n";
    std::vector<Reply> replies;
    for (const char c : text) {
        for (auto& r : reader.feed(std::string(1, c)))
            replies.push_back(std::move(r));
    }
    ASSERT_EQ(replies.size(), 3U);
    EXPECT_EQ(replies[2].code, 354);
    EXPECT_EQ(replies[2].summary(), "354 go ahead");
    EXPECT_EQ(ReplyReader().feed(text).size(), 3U);
}

TEST(ReplyReaderTest, CodeAloneAndBareLfAreAccepted) {
    ReplyReader reader;
    const auto replies = reader.feed("250\r\n221 bye\n");
    ASSERT_EQ(replies.size(), 2U);
    EXPECT_EQ(replies[0].summary(), "250");
    EXPECT_EQ(replies[1].summary(), "221 bye");
}

TEST(ReplyReaderTest, BadLinesAreProtocolErrors) {
    for (const std::string bad : {"hello\r\n", "25 short\r\n", "2500 long\r\n", "250_x\r\n",
                                  "650 out of range\r\n", "150 not smtp\r\n"}) {
        ReplyReader reader;
        EXPECT_THROW(reader.feed(bad), ProtocolError) << bad;
    }
    ReplyReader reader;
    EXPECT_THROW(reader.feed("250-one\r\n550 two\r\n"), ProtocolError);
    ReplyReader endless;
    EXPECT_THROW(endless.feed(std::string(ReplyReader::kMaxLine + 10, '2')), ProtocolError);
}

// ---------------------------------------------------------------------------- extensions

TEST(ExtensionsTest, KeywordsAfterTheFirstLine) {
    const auto offered = parse_extensions(
        reply(250, {"mail.example.org greets you", "size 35882577", "8BITMIME", "STARTTLS",
                    "AUTH LOGIN PLAIN XOAUTH2", "PIPELINING", "SMTPUTF8", "ENHANCEDSTATUSCODES"}));
    EXPECT_TRUE(offered.starttls);
    EXPECT_TRUE(offered.eight_bit_mime);
    EXPECT_TRUE(offered.pipelining);
    EXPECT_TRUE(offered.smtputf8);
    EXPECT_TRUE(offered.auth_plain);
    EXPECT_TRUE(offered.auth_login);
    EXPECT_TRUE(offered.size_offered);
    EXPECT_EQ(offered.max_size, 35882577U);
}

TEST(ExtensionsTest, TheGreetingLineIsNotAKeywordAndSizeMayHaveNoLimit) {
    const auto offered = parse_extensions(reply(250, {"STARTTLS", "SIZE"}));
    EXPECT_FALSE(offered.starttls);  // the first line is the server's name
    EXPECT_TRUE(offered.size_offered);
    EXPECT_EQ(offered.max_size, 0U);
    EXPECT_FALSE(offered.auth_plain);
}

// ---------------------------------------------------------------------------- data_for_wire

TEST(DataForWireTest, DotsAreStuffedAndTheEndIsMarked) {
    EXPECT_EQ(data_for_wire("a\r\n.b\r\n..c\r\n.\r\n"), "a\r\n..b\r\n...c\r\n..\r\n.\r\n");
    EXPECT_EQ(data_for_wire(".first"), "..first\r\n.\r\n");
    EXPECT_EQ(data_for_wire("lf\n.dot\nend"), "lf\r\n..dot\r\nend\r\n.\r\n");
    EXPECT_EQ(data_for_wire(""), ".\r\n");
    EXPECT_EQ(data_for_wire("x. y\r\n"), "x. y\r\n.\r\n");
}

// ---------------------------------------------------------------------------- Dialogue

// A dialogue and what it sent, step by step.
class DialogueTest : public ::testing::Test {
  protected:
    DialogueOptions options() const {
        DialogueOptions o;
        o.helo = "client.example";
        o.tls = TlsMode::kNone;
        o.from = "alice@example.org";
        o.recipients = {"bob@example.org", "carol@example.net"};
        o.message = [this](bool eight_bit) {
            asked_eight_bit_ = eight_bit;
            return message_;
        };
        return o;
    }

    // Feeds a reply; returns the commands sent in answer, one string each (CRLF stripped).
    std::vector<std::string> answer(Dialogue& dialogue, const Reply& r) {
        return commands(dialogue.on_reply(r));
    }
    std::vector<std::string> commands(const std::vector<Action>& actions) {
        std::vector<std::string> sent;
        for (const auto& action : actions) {
            switch (action.kind) {
                case Action::Kind::kSend: {
                    std::string bytes = action.bytes;
                    if (bytes.ends_with("\r\n") && bytes.find("\r\n") == bytes.size() - 2) {
                        bytes.resize(bytes.size() - 2);
                    }
                    sent.push_back(bytes);
                    shown_.push_back(action.shown);
                    break;
                }
                case Action::Kind::kStartTls:
                    sent.push_back("<tls>");
                    break;
                case Action::Kind::kClose:
                    sent.push_back("<close>");
                    break;
            }
        }
        return sent;
    }
    using Sent = std::vector<std::string>;

    // Runs the usual steps up to the reply to DATA.
    void run_to_data(Dialogue& dialogue) {
        ASSERT_EQ(answer(dialogue, reply(220)), Sent{"EHLO client.example"});
        ASSERT_EQ(answer(dialogue, reply(250, {"server", "SIZE 1000", "8BITMIME"})),
                  Sent{"MAIL FROM:<alice@example.org> SIZE=" + std::to_string(message_.size())});
        ASSERT_EQ(answer(dialogue, reply(250)), Sent{"RCPT TO:<bob@example.org>"});
        ASSERT_EQ(answer(dialogue, reply(250)), Sent{"RCPT TO:<carol@example.net>"});
        ASSERT_EQ(answer(dialogue, reply(250)), Sent{"DATA"});
    }

    std::string message_ = "Subject: hi\r\n\r\n.dot\r\n";
    mutable bool asked_eight_bit_ = false;
    std::vector<std::string> shown_;
};

TEST_F(DialogueTest, TheWholeTransaction) {
    Dialogue dialogue(options());
    run_to_data(dialogue);
    EXPECT_TRUE(asked_eight_bit_);
    EXPECT_EQ(answer(dialogue, reply(354)), Sent{"Subject: hi\r\n\r\n..dot\r\n.\r\n"});
    EXPECT_EQ(answer(dialogue, reply(250, {"2.0.0 queued as 42"})), Sent{"QUIT"});
    EXPECT_FALSE(dialogue.done());
    EXPECT_EQ(answer(dialogue, reply(221)), Sent{"<close>"});
    ASSERT_TRUE(dialogue.done());
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitOk);
    EXPECT_EQ(dialogue.outcome().accepted, 2U);
    EXPECT_EQ(dialogue.outcome().final_reply, "250 2.0.0 queued as 42");
}

TEST_F(DialogueTest, EhloRefusedFallsBackToHeloWithoutExtensions) {
    message_ = "Subject: caf\xc3\xa9\r\n\r\nbody\r\n";
    Dialogue dialogue(options());
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(502, {"not implemented"})), Sent{"HELO client.example"});
    EXPECT_EQ(answer(dialogue, reply(250)), Sent{"MAIL FROM:<alice@example.org>"});
    EXPECT_FALSE(asked_eight_bit_);
}

TEST_F(DialogueTest, EightBitMessageSaysSo) {
    message_ = "Subject: x\r\n\r\ncaf\xc3\xa9\r\n";
    Dialogue dialogue(options());
    answer(dialogue, reply(220));
    const auto sent = answer(dialogue, reply(250, {"server", "8BITMIME"}));
    EXPECT_EQ(sent, Sent{"MAIL FROM:<alice@example.org> BODY=8BITMIME"});
}

struct Failure {
    const char* step;
    int code;
    int exit_code;
    bool quits;  // QUIT is sent before closing
};

// One failing reply at each step, and the exit status it ends with.
TEST_F(DialogueTest, EachStepsFailureEndsWithItsExitStatus) {
    const std::vector<Failure> failures = {
        {"greeting", 554, net::kExitUnavailable, true},
        {"greeting", 421, net::kExitUnavailable, false},
        {"ehlo", 421, net::kExitTempFail, false},
        {"ehlo", 451, net::kExitTempFail, true},
        {"helo", 550, net::kExitUnavailable, true},
        {"mail", 550, net::kExitDataErr, true},
        {"mail", 451, net::kExitTempFail, true},
        {"mail", 530, net::kExitNoPerm, true},
        {"mail", 354, net::kExitProtocol, true},
        {"data", 554, net::kExitDataErr, true},
        {"data", 451, net::kExitTempFail, true},
        {"data", 250, net::kExitProtocol, true},
        {"end", 552, net::kExitDataErr, true},
        {"end", 451, net::kExitTempFail, true},
        {"end", 421, net::kExitTempFail, false},
    };
    for (const auto& f : failures) {
        SCOPED_TRACE(std::string(f.step) + " " + std::to_string(f.code));
        Dialogue dialogue(options());
        const std::string step = f.step;
        Sent sent;
        if (step == "greeting") {
            sent = answer(dialogue, reply(f.code));
        } else {
            answer(dialogue, reply(220));
            if (step == "ehlo") {
                sent = answer(dialogue, reply(f.code));
            } else if (step == "helo") {
                answer(dialogue, reply(500));
                sent = answer(dialogue, reply(f.code));
            } else {
                answer(dialogue, reply(250, {"server"}));
                if (step != "mail") {
                    answer(dialogue, reply(250));
                    answer(dialogue, reply(250));
                    answer(dialogue, reply(250));
                    if (step == "end") answer(dialogue, reply(354));
                }
                sent = answer(dialogue, reply(f.code));
            }
        }
        EXPECT_EQ(sent, f.quits ? Sent{"QUIT"} : Sent{"<close>"});
        if (f.quits) {
            EXPECT_EQ(answer(dialogue, reply(221)), Sent{"<close>"});
        }
        EXPECT_TRUE(dialogue.done());
        EXPECT_EQ(dialogue.outcome().exit_code, f.exit_code) << dialogue.outcome().error;
        EXPECT_FALSE(dialogue.outcome().error.empty());
    }
}

TEST_F(DialogueTest, OneRecipientRefusedTheMailGoesOn) {
    Dialogue dialogue(options());
    answer(dialogue, reply(220));
    answer(dialogue, reply(250, {"server"}));
    answer(dialogue, reply(250));
    EXPECT_EQ(answer(dialogue, reply(550, {"5.1.1 no such user"})),
              Sent{"RCPT TO:<carol@example.net>"});
    EXPECT_EQ(answer(dialogue, reply(251, {"will forward"})), Sent{"DATA"});
    answer(dialogue, reply(354));
    answer(dialogue, reply(250));
    answer(dialogue, reply(221));
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitOk);
    EXPECT_EQ(dialogue.outcome().accepted, 1U);
    ASSERT_EQ(dialogue.outcome().refused.size(), 1U);
    EXPECT_EQ(dialogue.outcome().refused[0].first, "bob@example.org");
    EXPECT_EQ(dialogue.outcome().refused[0].second, "550 5.1.1 no such user");
}

TEST_F(DialogueTest, EveryRecipientRefusedNoData) {
    for (const auto& [second, exit_code] :
         std::vector<std::pair<int, int>>{{550, net::kExitDataErr}, {450, net::kExitTempFail}}) {
        Dialogue dialogue(options());
        answer(dialogue, reply(220));
        answer(dialogue, reply(250, {"server"}));
        answer(dialogue, reply(250));
        answer(dialogue, reply(450));
        EXPECT_EQ(answer(dialogue, reply(second)), Sent{"QUIT"});
        EXPECT_EQ(dialogue.outcome().exit_code, exit_code);
        EXPECT_EQ(dialogue.outcome().refused.size(), 2U);
    }
}

TEST_F(DialogueTest, OverTheServersSizeLimitNothingIsSent) {
    message_ = std::string(2000, 'x') + "\r\n";
    Dialogue dialogue(options());
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "SIZE 1000"})), Sent{"QUIT"});
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitDataErr);
    EXPECT_NE(dialogue.outcome().error.find("1000"), std::string::npos);
}

TEST_F(DialogueTest, UnicodeAddressesNeedSmtputf8) {
    auto o = options();
    o.recipients = {"j\xc3\xb6rg@example.de"};
    {
        Dialogue dialogue(o);
        answer(dialogue, reply(220));
        EXPECT_EQ(answer(dialogue, reply(250, {"server"})), Sent{"QUIT"});
        EXPECT_EQ(dialogue.outcome().exit_code, net::kExitDataErr);
    }
    Dialogue dialogue(o);
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "SMTPUTF8"})),
              Sent{"MAIL FROM:<alice@example.org> SMTPUTF8"});
}

// ---- TLS and AUTH ----

TEST_F(DialogueTest, StartTlsThenEhloAgainThenAuthPlain) {
    auto o = options();
    o.tls = TlsMode::kAuto;
    o.credentials = Credentials{"alice", "s3cret"};
    Dialogue dialogue(o);
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "STARTTLS"})), Sent{"STARTTLS"});
    EXPECT_EQ(answer(dialogue, reply(220, {"go ahead"})), Sent{"<tls>"});
    EXPECT_EQ(commands(dialogue.tls_started()), Sent{"EHLO client.example"});
    const auto sent = answer(dialogue, reply(250, {"server", "AUTH LOGIN PLAIN"}));
    ASSERT_EQ(sent.size(), 1U);
    EXPECT_EQ(sent[0], "AUTH PLAIN " + net::base64_encode(std::string("\0alice\0s3cret", 13)));
    EXPECT_EQ(shown_.back(), "AUTH PLAIN <redacted>");
    EXPECT_EQ(answer(dialogue, reply(235)), Sent{"MAIL FROM:<alice@example.org>"});
}

TEST_F(DialogueTest, AuthLoginAnswersEachChallengeRedacted) {
    auto o = options();
    o.credentials = Credentials{"alice", "s3cret"};
    o.auth = AuthChoice::kLogin;
    Dialogue dialogue(o);  // --tls none: credentials may go in clear
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "AUTH PLAIN LOGIN"})), Sent{"AUTH LOGIN"});
    EXPECT_EQ(answer(dialogue, reply(334, {"VXNlcm5hbWU6"})), Sent{net::base64_encode("alice")});
    EXPECT_EQ(answer(dialogue, reply(334, {"UGFzc3dvcmQ6"})), Sent{net::base64_encode("s3cret")});
    for (const auto& line : shown_)
        EXPECT_EQ(line.find(net::base64_encode("s3cret")), std::string::npos) << line;
    EXPECT_EQ(answer(dialogue, reply(535, {"5.7.8 bad credentials"})), Sent{"QUIT"});
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitNoPerm);
    EXPECT_NE(dialogue.outcome().error.find("535"), std::string::npos);
}

TEST_F(DialogueTest, NoPasswordInClearTextUnlessTlsNone) {
    auto o = options();
    o.tls = TlsMode::kAuto;
    o.credentials = Credentials{"alice", "s3cret"};
    Dialogue dialogue(o);
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "AUTH PLAIN"})), Sent{"QUIT"});
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitConfig);
}

TEST_F(DialogueTest, StartTlsRequiredButNotOfferedOrRefused) {
    auto o = options();
    o.tls = TlsMode::kStartTls;
    {
        Dialogue dialogue(o);
        answer(dialogue, reply(220));
        EXPECT_EQ(answer(dialogue, reply(250, {"server"})), Sent{"QUIT"});
        EXPECT_EQ(dialogue.outcome().exit_code, net::kExitConfig);
    }
    Dialogue dialogue(o);
    answer(dialogue, reply(220));
    answer(dialogue, reply(250, {"server", "STARTTLS"}));
    EXPECT_EQ(answer(dialogue, reply(454, {"TLS not available"})), Sent{"QUIT"});
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitConfig);
}

// A build without OpenSSL: plain SMTP still works; TLS that is needed is a clear error.
TEST_F(DialogueTest, StartTlsWithoutTlsInTheBuild) {
    auto o = options();
    o.tls = TlsMode::kAuto;
    o.tls_available = false;
    {
        Dialogue dialogue(o);  // offered, not needed: on in clear text
        answer(dialogue, reply(220));
        EXPECT_EQ(answer(dialogue, reply(250, {"server", "STARTTLS"})),
                  Sent{"MAIL FROM:<alice@example.org>"});
    }
    o.credentials = Credentials{"alice", "s3cret"};
    Dialogue dialogue(o);  // needed for the password
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "STARTTLS", "AUTH PLAIN"})), Sent{"QUIT"});
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitConfig);
    EXPECT_NE(dialogue.outcome().error.find("no TLS"), std::string::npos);
}

TEST_F(DialogueTest, CredentialsButNoMechanismWeHave) {
    auto o = options();
    o.credentials = Credentials{"alice", "s3cret"};
    Dialogue dialogue(o);
    answer(dialogue, reply(220));
    EXPECT_EQ(answer(dialogue, reply(250, {"server", "AUTH CRAM-MD5"})), Sent{"QUIT"});
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitNoPerm);
}

TEST_F(DialogueTest, ImplicitTlsNeedsNoStartTls) {
    auto o = options();
    o.tls = TlsMode::kImplicit;
    o.credentials = Credentials{"alice", "s3cret"};
    Dialogue dialogue(o);
    answer(dialogue, reply(220));
    const auto sent = answer(dialogue, reply(250, {"server", "AUTH PLAIN"}));
    ASSERT_EQ(sent.size(), 1U);
    EXPECT_TRUE(sent[0].starts_with("AUTH PLAIN ")) << sent[0];
}

// ---- the connection breaking ----

TEST_F(DialogueTest, ConnectionLostMidwayIsAnIoError) {
    Dialogue dialogue(options());
    answer(dialogue, reply(220));
    EXPECT_EQ(dialogue.waiting_for(), "the reply to EHLO");
    dialogue.connection_lost("the server closed the connection");
    EXPECT_TRUE(dialogue.done());
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitIoErr);
    EXPECT_NE(dialogue.outcome().error.find("EHLO"), std::string::npos);
}

TEST_F(DialogueTest, ConnectionLostAfterQuitKeepsTheOutcome) {
    Dialogue dialogue(options());
    run_to_data(dialogue);
    answer(dialogue, reply(354));
    answer(dialogue, reply(250));
    dialogue.connection_lost("the server closed the connection");
    EXPECT_TRUE(dialogue.done());
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitOk);
}

TEST_F(DialogueTest, ProtocolBrokenAndTlsFailed) {
    {
        Dialogue dialogue(options());
        dialogue.protocol_broken("not an SMTP reply line");
        EXPECT_EQ(dialogue.outcome().exit_code, net::kExitProtocol);
    }
    Dialogue dialogue(options());
    dialogue.tls_failed("certificate verify failed");
    EXPECT_EQ(dialogue.outcome().exit_code, net::kExitConfig);
}

}  // namespace
}  // namespace mail_client
