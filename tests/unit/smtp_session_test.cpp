// The SMTP session state machine, command by command against RFC 5321 4.1 / 4.2 / 4.5.3 (and
// RFC 1870 SIZE, 2920 PIPELINING, 3207 STARTTLS, 4954 AUTH, 6531 SMTPUTF8), with no sockets:
// bytes in, replies and stored messages out.
#include "mail_server/smtp_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base64.hpp"

namespace mail {
namespace {

std::time_t fixed_clock() {
    return 1764057192;
}  // Tue, 25 Nov 2025 07:53:12 +0000

// Records everything a session asks for; stores synchronously when `store_now` is set.
class Recorder final : public SessionEvents {
  public:
    void send(std::string_view replies) override { sent += replies; }
    void transcript(Direction direction, std::string_view line) override {
        lines.push_back((direction == Direction::kClient ? "C: " : "S: ") + std::string(line));
    }
    void begin_message(const Envelope& envelope, std::string_view id) override {
        ++begun;
        recipients = envelope.recipients;
        message_id = std::string(id);
        data.clear();
    }
    void message_data(std::string_view lines_in) override { data += lines_in; }
    void end_message(const MessageInfo& info) override {
        ++ended;
        size = info.size;
        subject = std::string(info.subject);
    }
    void discard_message() override { ++discarded; }
    void start_tls() override { ++tls_requests; }
    void close() override { ++closes; }

    // The replies sent since the last call, and forget them.
    std::string take() { return std::exchange(sent, {}); }

    std::string sent;
    std::vector<std::string> lines;
    int begun = 0;
    int ended = 0;
    int discarded = 0;
    int tls_requests = 0;
    int closes = 0;
    std::vector<std::string> recipients;
    std::string message_id;
    std::string data;
    std::uint64_t size = 0;
    std::string subject;
};

class SessionTest : public ::testing::Test {
  protected:
    SessionTest() {
        config.hostname = "mail.test";
        config.clock = fixed_clock;
    }

    Session& session() {
        if (!session_) {
            session_ = std::make_unique<Session>(
                config, ClientInfo{.number = 3, .address = "127.0.0.1", .id_prefix = "ID"}, events);
            session_->start();
            events.take();
            events.lines.clear();
        }
        return *session_;
    }
    // Feeds `bytes` and returns the replies they caused.
    std::string feed(std::string_view bytes) {
        input.append(bytes);
        session().receive(input);
        return events.take();
    }
    // The same, `at` a point in time.
    std::string feed(std::string_view bytes, Session::Clock::time_point at) {
        input.append(bytes);
        session().receive(input, at);
        return events.take();
    }
    // Time passes to `at`; returns the replies that caused.
    std::string tick(Session::Clock::time_point at) {
        session().tick(at);
        return events.take();
    }
    // The reply code of each reply line, e.g. "250 250 354".
    void greet() { ASSERT_EQ(feed("EHLO client.example\r\n").substr(0, 4), "250-"); }
    void start_transaction() {
        greet();
        ASSERT_EQ(feed("MAIL FROM:<alice@example.org>\r\n"), "250 2.1.0 Ok\r\n");
        ASSERT_EQ(feed("RCPT TO:<bob@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    }
    void store(bool ok) {
        session().message_stored(StoreResult{.stored = ok, .location = "new/x", .error = ""});
    }

    SessionConfig config;
    Recorder events;
    net::Buffer input;

  private:
    std::unique_ptr<Session> session_;
};

// ---- Greeting, EHLO, HELO -------------------------------------------------------------------

TEST_F(SessionTest, GreetsWith220AndTheHostname) {
    Session s(config, ClientInfo{.number = 1, .address = "127.0.0.1", .id_prefix = "ID"}, events);
    s.start();
    EXPECT_EQ(events.take(), "220 mail.test ESMTP mail_server\r\n");
}

TEST_F(SessionTest, EhloAdvertisesTheExtensions) {
    EXPECT_EQ(feed("EHLO laptop\r\n"),
              "250-mail.test\r\n250-PIPELINING\r\n250-SIZE 26214400\r\n250-8BITMIME\r\n"
              "250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250 HELP\r\n");
}

TEST_F(SessionTest, EhloOffersStartTlsAndAuthOnlyWhenConfigured) {
    config.starttls = true;
    config.credentials = {{"user", "secret"}};
    const auto reply = feed("EHLO laptop\r\n");
    EXPECT_NE(reply.find("250-STARTTLS\r\n"), std::string::npos);
    EXPECT_EQ(reply.find("AUTH"), std::string::npos) << "AUTH before TLS: " << reply;
}

TEST_F(SessionTest, AuthIsOfferedBeforeTlsOnlyWhenInsecureAuthIsAllowed) {
    config.credentials = {{"user", "secret"}};
    config.allow_insecure_auth = true;
    EXPECT_NE(feed("EHLO laptop\r\n").find("250-AUTH PLAIN LOGIN\r\n"), std::string::npos);
}

TEST_F(SessionTest, HeloGetsAOneLineReply) {
    EXPECT_EQ(feed("HELO laptop\r\n"), "250 mail.test\r\n");
}

TEST_F(SessionTest, HeloAndEhloNeedAnArgument) {
    EXPECT_EQ(feed("EHLO\r\n"), "501 5.5.4 Syntax: EHLO hostname\r\n");
    EXPECT_EQ(feed("HELO \r\n"), "501 5.5.4 Syntax: HELO hostname\r\n");
}

TEST_F(SessionTest, VerbsAreCaseInsensitiveAndMailboxesKeepTheirCase) {
    EXPECT_EQ(feed("ehlo laptop\r\n").substr(0, 4), "250-");
    EXPECT_EQ(feed("mail from:<Alice@Example.ORG>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(feed("rCpT To:<Bob.Smith@Example.org>\r\n"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(feed("data\r\n").substr(0, 3), "354");
    EXPECT_EQ(events.recipients, std::vector<std::string>{"Bob.Smith@Example.org"});
    EXPECT_NE(events.data.find("Return-Path: <Alice@Example.ORG>"), std::string::npos);
}

TEST_F(SessionTest, ASecondEhloResetsTheTransaction) {
    start_transaction();
    greet();
    EXPECT_EQ(feed("DATA\r\n"), "503 5.5.1 Error: need RCPT command\r\n");
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "250 2.1.0 Ok\r\n");
}

// ---- Sequence (RFC 5321 4.1.4): 503 keeps the state ------------------------------------------

TEST_F(SessionTest, MailBeforeEhloIs503) {
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
}

TEST_F(SessionTest, RcptBeforeMailIs503) {
    greet();
    EXPECT_EQ(feed("RCPT TO:<b@example.org>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_F(SessionTest, NestedMailIs503AndKeepsTheFirstSender) {
    start_transaction();
    EXPECT_EQ(feed("MAIL FROM:<other@example.org>\r\n"),
              "503 5.5.1 Error: nested MAIL command\r\n");
    feed("DATA\r\n");
    EXPECT_NE(events.data.find("Return-Path: <alice@example.org>"), std::string::npos);
}

TEST_F(SessionTest, DataWithoutMailIs503AndWithoutRecipientsIs554) {
    greet();
    EXPECT_EQ(feed("DATA\r\n"), "503 5.5.1 Error: need RCPT command\r\n");
    feed("MAIL FROM:<a@example.org>\r\n");
    EXPECT_EQ(feed("DATA\r\n"), "554 5.5.1 Error: no valid recipients\r\n");
    EXPECT_EQ(feed("RCPT TO:<b@example.org>\r\n"), "250 2.1.5 Ok\r\n");  // state kept
}

TEST_F(SessionTest, NoopHelpVrfyAndRsetAreNever503) {
    for (const char* line : {"NOOP\r\n", "HELP\r\n", "VRFY bob\r\n", "RSET\r\n"}) {
        const auto reply = feed(line);
        EXPECT_NE(reply.substr(0, 3), "503") << line;
    }
    start_transaction();
    for (const char* line : {"NOOP\r\n", "HELP\r\n", "VRFY bob\r\n"}) {
        EXPECT_NE(feed(line).substr(0, 3), "503") << line;
    }
    EXPECT_EQ(feed("DATA\r\n").substr(0, 3), "354");  // none of them touched the transaction
}

TEST_F(SessionTest, NoopIgnoresParameters) {
    EXPECT_EQ(feed("NOOP anything at all\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, RsetClearsTheTransaction) {
    start_transaction();
    EXPECT_EQ(feed("RSET\r\n"), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(feed("RCPT TO:<b@example.org>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_F(SessionTest, VrfyIs252AndNeedsAnArgument) {
    EXPECT_EQ(feed("VRFY bob\r\n").substr(0, 10), "252 2.5.2 ");
    EXPECT_EQ(feed("VRFY\r\n"), "501 5.5.4 Syntax: VRFY address\r\n");
}

TEST_F(SessionTest, HelpIs214) {
    const auto reply = feed("HELP\r\n");
    EXPECT_EQ(reply.substr(0, 4), "214-");
    EXPECT_NE(reply.find("\r\n214 "), std::string::npos);
}

TEST_F(SessionTest, QuitSays221AndCloses) {
    EXPECT_EQ(feed("QUIT\r\n"), "221 2.0.0 Bye\r\n");
    EXPECT_EQ(events.closes, 1);
    EXPECT_EQ(session().state(), Session::State::kClosed);
    EXPECT_EQ(feed("NOOP\r\n"), "");  // nothing after QUIT
}

TEST_F(SessionTest, UnknownAndUnimplementedCommands) {
    EXPECT_EQ(feed("FOO bar\r\n"), "500 5.5.2 Error: command not recognized\r\n");
    EXPECT_EQ(feed("\r\n"), "500 5.5.2 Error: bad syntax\r\n");
    EXPECT_EQ(feed("EXPN staff\r\n"), "502 5.5.1 Error: command not implemented\r\n");
    EXPECT_EQ(feed("BDAT 10 LAST\r\n"), "502 5.5.1 Error: command not implemented\r\n");
    EXPECT_EQ(feed("STARTTLS\r\n"), "502 5.5.1 Error: command not implemented\r\n");
    EXPECT_EQ(feed("AUTH PLAIN\r\n"), "502 5.5.1 Error: authentication not enabled\r\n");
}

// ---- Another protocol on the SMTP port -------------------------------------------------------

TEST_F(SessionTest, AnHttpRequestIsAnsweredWith421AndNothingAfterItRuns) {
    // What a proxy relays when asked to POST to the SMTP port: the body holds a whole mail
    // transaction, which must never run.
    EXPECT_EQ(feed("POST /submit HTTP/1.1\r\nHost: mail.test:25\r\nContent-Length: 99\r\n\r\n"
                   "EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
                   "hi\r\n.\r\nQUIT\r\n"),
              "421 4.7.0 mail.test Error: not an SMTP command; closing the connection\r\n");
    EXPECT_EQ(events.closes, 1);
    EXPECT_EQ(events.begun, 0);
    EXPECT_EQ(session().state(), Session::State::kClosed);
}

TEST_F(SessionTest, HeaderLinesAndHttpMethodsCloseInAnyStateAndAnyCase) {
    for (const std::string_view line :
         {"get / HTTP/1.0", "Connect mail.test:25 HTTP/1.1", "Host: mail.test", "user-agent: x",
          "Content-Type: text/plain", "PUT /x HTTP/1.1"}) {
        SCOPED_TRACE(std::string(line));
        for (int step = 0; step < 3; ++step) {
            Recorder recorder;
            Session s(config, ClientInfo{.number = 1, .address = "::1", .id_prefix = "ID"},
                      recorder);
            s.start();
            net::Buffer in;
            // Before EHLO, after it, and inside a transaction.
            if (step >= 1) in.append("EHLO x\r\n");
            if (step >= 2) in.append("MAIL FROM:<a@example.org>\r\n");
            in.append(std::string(line) + "\r\nNOOP\r\n");
            s.receive(in);
            EXPECT_TRUE(recorder.sent.ends_with(
                "421 4.7.0 mail.test Error: not an SMTP command; closing the connection\r\n"))
                << recorder.sent;
            EXPECT_EQ(recorder.closes, 1);
        }
    }
}

// ---- MAIL and RCPT ----------------------------------------------------------------------------

struct ReplyCase {
    const char* command;
    const char* reply;
};

class MailReplyTest : public SessionTest, public ::testing::WithParamInterface<ReplyCase> {};

TEST_P(MailReplyTest, RepliesAsTheRfcSays) {
    config.max_message_bytes = 1000;
    greet();
    EXPECT_EQ(feed(std::string(GetParam().command) + "\r\n"),
              std::string(GetParam().reply) + "\r\n");
}

INSTANTIATE_TEST_SUITE_P(
    Mail, MailReplyTest,
    ::testing::Values(
        ReplyCase{"MAIL FROM:<a@example.org>", "250 2.1.0 Ok"},
        ReplyCase{"MAIL FROM:<>", "250 2.1.0 Ok"},
        ReplyCase{"MAIL FROM: <a@example.org>", "250 2.1.0 Ok"},
        ReplyCase{"MAIL FROM:<a@example.org> SIZE=1000", "250 2.1.0 Ok"},
        ReplyCase{"MAIL FROM:<a@example.org> SIZE=1001",
                  "552 5.3.4 Message size exceeds fixed maximum message size"},
        ReplyCase{"MAIL FROM:<a@example.org> BODY=8BITMIME", "250 2.1.0 Ok"},
        ReplyCase{"MAIL FROM:<a@example.org> BODY=BINARYMIME",
                  "501 5.5.4 Bad value for parameter BODY"},
        ReplyCase{"MAIL FROM:<a@example.org> SIZE=lots", "501 5.5.4 Bad value for parameter SIZE"},
        ReplyCase{"MAIL FROM:<a@example.org> RET=HDRS", "555 5.5.4 Unsupported parameter RET"},
        ReplyCase{"MAIL FROM:a@example.org", "501 5.5.4 Syntax: MAIL FROM:<address>"},
        ReplyCase{"MAIL TO:<a@example.org>", "501 5.5.4 Syntax: MAIL FROM:<address>"},
        ReplyCase{"MAIL FROM:<a@@example.org>", "501 5.1.7 Bad sender address syntax"},
        ReplyCase{"MAIL FROM:<j\xc3\xb6rg@example.org>",
                  "553 5.6.7 Non-ASCII address requires SMTPUTF8"},
        ReplyCase{"MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8", "250 2.1.0 Ok"}));

TEST_F(SessionTest, PathTooLongIs501) {
    greet();
    const std::string local(64, 'a');
    const std::string domain = std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                               std::string(63, 'd') + "." + std::string(60, 'e');
    EXPECT_EQ(feed("MAIL FROM:<" + local + "@" + domain + ">\r\n"), "501 5.5.4 Path too long\r\n");
}

TEST_F(SessionTest, ParametersNeedEhlo) {
    ASSERT_EQ(feed("HELO laptop\r\n"), "250 mail.test\r\n");
    EXPECT_EQ(feed("MAIL FROM:<a@example.org> SIZE=10\r\n"), "555 5.5.4 Parameters need EHLO\r\n");
}

TEST_F(SessionTest, RcptRejectsParametersAndBadPaths) {
    greet();
    feed("MAIL FROM:<a@example.org>\r\n");
    EXPECT_EQ(feed("RCPT TO:<b@example.org> NOTIFY=NEVER\r\n"),
              "555 5.5.4 Unsupported parameter NOTIFY\r\n");
    EXPECT_EQ(feed("RCPT TO:b@example.org\r\n"), "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    EXPECT_EQ(feed("RCPT TO:<>\r\n"), "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT_EQ(feed("RCPT TO:<postmaster>\r\n"), "250 2.1.5 Ok\r\n");
}

TEST_F(SessionTest, RecipientsOverTheLimitGet452) {
    config.max_recipients = 2;
    greet();
    feed("MAIL FROM:<a@example.org>\r\n");
    EXPECT_EQ(feed("RCPT TO:<b1@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(feed("RCPT TO:<b2@example.org>\r\n"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(feed("RCPT TO:<b3@example.org>\r\n"), "452 4.5.3 Error: too many recipients\r\n");
    EXPECT_EQ(feed("DATA\r\n").substr(0, 3), "354");
    EXPECT_EQ(events.recipients.size(), 2u);
}

TEST_F(SessionTest, RecipientsOutsideTheDomainsGet550) {
    config.domains = {"example.org", "example.net"};
    greet();
    feed("MAIL FROM:<a@elsewhere.com>\r\n");
    EXPECT_EQ(feed("RCPT TO:<b@EXAMPLE.net>\r\n"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(feed("RCPT TO:<b@example.com>\r\n"),
              "550 5.7.1 <b@example.com>: Relay access denied\r\n");
    EXPECT_EQ(feed("RCPT TO:<Postmaster>\r\n"), "250 2.1.5 Ok\r\n");
}

// ---- DATA: transparency and the end of data (RFC 5321 4.5.2, 4.1.1.4) -------------------------

TEST_F(SessionTest, DataIsReceivedUntilTheDotLineAndStoredBefore250) {
    start_transaction();
    EXPECT_EQ(feed("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(feed("Subject: Hello\r\n\r\nHi Bob.\r\n.\r\n"), "");  // no 250 before the store
    EXPECT_EQ(events.ended, 1);
    EXPECT_EQ(session().state(), Session::State::kStoring);
    store(true);
    EXPECT_EQ(events.take(), "250 2.0.0 Ok: queued as ID-3-1\r\n");
    EXPECT_EQ(events.subject, "Hello");
    EXPECT_EQ(events.size, std::string("Subject: Hello\r\n\r\nHi Bob.\r\n").size());
}

TEST_F(SessionTest, TheMessageStartsWithTraceHeaders) {
    start_transaction();
    feed("DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(events.data,
              "Return-Path: <alice@example.org>\r\n"
              "Received: from client.example ([127.0.0.1])\r\n"
              "\tby mail.test (mail_server) with ESMTP id ID-3-1\r\n"
              "\tfor <bob@example.org>;\r\n"
              "\tTue, 25 Nov 2025 07:53:12 +0000\r\n"
              "Subject: x\r\n\r\nbody\r\n");
}

TEST_F(SessionTest, DotUnstuffingAppliesToEveryLineIncludingTheFirst) {
    start_transaction();
    feed("DATA\r\n");
    const auto headers_end = events.data.size();
    feed("..first\r\nmiddle\r\n..\r\n...three\r\n.x\r\n.\r\n");
    EXPECT_EQ(events.data.substr(headers_end), ".first\r\nmiddle\r\n.\r\n..three\r\nx\r\n");
}

TEST_F(SessionTest, OnlyCrlfDotCrlfEndsTheData) {
    start_transaction();
    feed("DATA\r\n");
    // SMTP smuggling shapes: <LF>.<LF>, <LF>.<CRLF>, <CR>.<CR>, a dot not at a line start.
    feed("a\n.\nb\r\nc\n.\r\nd\r.\re\r\n x.\r\n");
    EXPECT_EQ(events.ended, 0);
    EXPECT_EQ(session().state(), Session::State::kReceivingData);
    // The real end comes, and the message with lone dots next to bare line ends is refused.
    EXPECT_EQ(feed(".\r\n"),
              "554 5.6.0 Error: a lone dot next to a bare <CR> or <LF>; message refused "
              "(RFC 5321 2.3.8)\r\n");
    EXPECT_EQ(events.ended, 0);
    EXPECT_EQ(events.discarded, 1);
    EXPECT_EQ(feed("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

// Each shape on its own refuses the message: a relay that takes a bare CR or LF for a line end
// would see the end of the data at the lone dot and run what follows as commands.
TEST_F(SessionTest, ALoneDotNextToABareLineEndRefusesTheMessage) {
    for (const std::string_view shape :
         {"a\n.\nMAIL FROM:<evil@example.org>\r\n", "a\n.\r\nRCPT TO:<x@example.org>\r\n",
          "a\r\n.\nDATA\r\n", "a\r.\rQUIT\r\n", "a\r\n.\rb\r\n", "a\r.\r\nb\r\n",
          ".\nfirst line\r\n", ".\rfirst line\r\n"}) {
        SCOPED_TRACE(::testing::PrintToString(std::string(shape)));
        const int discarded = events.discarded;
        start_transaction();
        ASSERT_EQ(feed("DATA\r\n").substr(0, 4), "354 ");
        EXPECT_EQ(feed(shape), "");
        EXPECT_EQ(session().state(), Session::State::kReceivingData);
        EXPECT_EQ(events.discarded, discarded + 1);
        EXPECT_EQ(feed("more\r\n.\r\n").substr(0, 10), "554 5.6.0 ");
        EXPECT_EQ(events.ended, 0);
        feed("RSET\r\n");
    }
}

TEST_F(SessionTest, OtherBareLineEndsAreStoredAsCrlf) {
    start_transaction();
    feed("DATA\r\n");
    const auto headers_end = events.data.size();
    // A bare LF and a bare CR end lines (so a dot after them is unstuffed); a dot that is not
    // alone on its line is content.
    feed("Subject: bare\n\nline\rnext\r\n..stuffed\n.after\r\nx.\ny\r\n.\r\n");
    ASSERT_EQ(events.ended, 1);
    EXPECT_EQ(events.data.substr(headers_end),
              "Subject: bare\r\n\r\nline\r\nnext\r\n.stuffed\r\nafter\r\nx.\r\ny\r\n");
    EXPECT_EQ(events.size, events.data.size() - headers_end);
    EXPECT_EQ(events.subject, "bare");
}

TEST_F(SessionTest, ACrAtTheEndOfAReadWaitsForTheNextByte) {
    start_transaction();
    feed("DATA\r\n");
    const auto headers_end = events.data.size();
    feed("crlf\r");
    feed("\nbare\r");
    feed("x\r\n.\r");
    EXPECT_EQ(events.ended, 0);
    feed("\n");
    ASSERT_EQ(events.ended, 1);
    EXPECT_EQ(events.data.substr(headers_end), "crlf\r\nbare\r\nx\r\n");
}

TEST_F(SessionTest, TheEndOfDataMaySplitAcrossReads) {
    start_transaction();
    feed("DATA\r\n");
    for (const char* piece : {"line one\r", "\n", ".", "\r", "\n"})
        feed(piece);
    EXPECT_EQ(events.ended, 1);
    EXPECT_NE(events.data.find("line one\r\n"), std::string::npos);
    EXPECT_EQ(events.data.find("line one\r\n."), std::string::npos);
}

TEST_F(SessionTest, AnEmptyMessageIsAccepted) {
    start_transaction();
    feed("DATA\r\n.\r\n");
    EXPECT_EQ(events.ended, 1);
    EXPECT_EQ(events.size, 0u);
}

TEST_F(SessionTest, TheSubjectIsUnfolded) {
    start_transaction();
    feed("DATA\r\nFrom: a\r\nSubject: one\r\n two\r\nTo: b\r\n\r\nSubject: not this\r\n.\r\n");
    EXPECT_EQ(events.subject, "one two");
}

TEST_F(SessionTest, AMessageOverTheSizeLimitGets552AfterTheDotAndTheSessionStaysInSync) {
    config.max_message_bytes = 100;
    start_transaction();
    feed("DATA\r\n");
    EXPECT_EQ(feed(std::string(60, 'x') + "\r\n" + std::string(60, 'y') + "\r\n"), "");
    EXPECT_EQ(events.discarded, 1);
    EXPECT_EQ(feed(".\r\n"), "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    EXPECT_EQ(events.ended, 0);
    EXPECT_EQ(feed("NOOP\r\n"), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(feed("RCPT TO:<b@example.org>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_F(SessionTest, ATextLineOver1000OctetsIsRefusedAfterTheDot) {
    start_transaction();
    feed("DATA\r\n");
    feed(std::string(998, 'a') + "\r\n");  // exactly 1000 with its CRLF: fine
    EXPECT_EQ(events.discarded, 0);
    feed(std::string(999, 'b') + "\r\n");
    EXPECT_EQ(events.discarded, 1);
    EXPECT_EQ(feed(".\r\n"),
              "500 5.5.2 Error: message has a line over 1000 octets (RFC 5321 4.5.3.1.6)\r\n");
    EXPECT_EQ(feed("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, AnEndlessDataLineIsNotBufferedWhole) {
    start_transaction();
    feed("DATA\r\n");
    for (int i = 0; i < 100; ++i)
        feed(std::string(10'000, 'z'));
    EXPECT_LT(input.readable_bytes(), 2 * kMaxTextLine);
    // A dot right after the dropped bytes is not at a line start: it does not end the data.
    feed(".\r\n");
    EXPECT_EQ(session().state(), Session::State::kReceivingData);
    EXPECT_EQ(feed(".\r\n").substr(0, 4), "500 ");
}

TEST_F(SessionTest, ARefusedMessageIsReadOnlySoFarThenTheConnectionCloses) {
    config.max_message_bytes = 100;
    start_transaction();
    feed("DATA\r\n");
    std::string chunk;
    for (int i = 0; i < 64; ++i)
        chunk += std::string(998, 'x') + "\r\n";
    std::string replies;
    std::size_t sent = 0;
    while (events.closes == 0 && sent < 2 * kMaxDataAfterRefusal) {
        replies += feed(chunk);
        sent += chunk.size();
    }
    EXPECT_EQ(replies,
              "552 5.3.4 Message size exceeds fixed maximum message size\r\n"
              "421 4.7.0 mail.test Error: too much data after the message was refused\r\n");
    EXPECT_GT(sent, kMaxDataAfterRefusal);
    EXPECT_LE(sent, kMaxDataAfterRefusal + 2 * chunk.size());
    EXPECT_EQ(events.closes, 1);
    EXPECT_EQ(events.ended, 0);
}

TEST_F(SessionTest, AnEndlessDataLineIsCutOffToo) {
    config.max_message_bytes = 1000;
    start_transaction();
    feed("DATA\r\n");
    for (int i = 0; i < 1000 && events.closes == 0; ++i)
        feed(std::string(10'000, 'z'));
    EXPECT_EQ(events.closes, 1);
    EXPECT_EQ(session().state(), Session::State::kClosed);
}

TEST_F(SessionTest, TheStoreFailingGives451) {
    start_transaction();
    feed("DATA\r\nx\r\n.\r\n");
    store(false);
    EXPECT_EQ(events.take(), "451 4.3.0 Error: local error in processing, message not stored\r\n");
    EXPECT_EQ(session().state(), Session::State::kGreeted);
}

TEST_F(SessionTest, TwoMessagesInOneSessionGetTheirOwnIds) {
    start_transaction();
    feed("DATA\r\nx\r\n.\r\n");
    store(true);
    EXPECT_EQ(events.take(), "250 2.0.0 Ok: queued as ID-3-1\r\n");
    feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\ny\r\n.\r\n");
    store(true);
    EXPECT_EQ(events.take(), "250 2.0.0 Ok: queued as ID-3-2\r\n");
    EXPECT_EQ(session().messages_stored(), 2u);
}

// ---- PIPELINING (RFC 2920) ---------------------------------------------------------------------

TEST_F(SessionTest, PipelinedCommandsAreAnsweredInOrder) {
    EXPECT_EQ(feed("EHLO a\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
                   "RCPT TO:<bad>\r\nDATA\r\n")
                  .substr(0, 4),
              "250-");
    EXPECT_EQ(events.lines.back(), "S: 354 End data with <CR><LF>.<CR><LF>");
}

TEST_F(SessionTest, CommandsAfterTheDotWaitForTheStore) {
    start_transaction();
    EXPECT_EQ(feed("DATA\r\nx\r\n.\r\nQUIT\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(input.view(), "QUIT\r\n");  // still waiting in the buffer
    store(true);
    session().receive(input);
    EXPECT_EQ(events.take(), "250 2.0.0 Ok: queued as ID-3-1\r\n221 2.0.0 Bye\r\n");
}

// ---- Line limits -------------------------------------------------------------------------------

TEST_F(SessionTest, ACommandLineOver512OctetsIs500) {
    greet();
    EXPECT_EQ(feed("NOOP " + std::string(505, 'x') + "\r\n"), "250 2.0.0 Ok\r\n");  // 512 in all
    EXPECT_EQ(feed("NOOP " + std::string(506, 'x') + "\r\n"), "500 5.5.2 Error: line too long\r\n");
    EXPECT_EQ(feed("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, AnEndlessCommandLineIsDroppedAndAnswered500) {
    greet();
    for (int i = 0; i < 10; ++i)
        feed(std::string(10'000, 'x'));
    EXPECT_LT(input.readable_bytes(), kMaxAuthLine + 1);
    EXPECT_EQ(feed("tail\r\nNOOP\r\n"), "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, BareLfEndsCommandLines) {
    EXPECT_EQ(feed("HELO typed-by-hand\n"), "250 mail.test\r\n");
}

TEST_F(SessionTest, TooManyErrorsClose) {
    std::string all;
    for (std::size_t i = 0; i < kMaxErrors; ++i)
        all += feed("BOGUS\r\n");
    EXPECT_NE(all.find("421 4.7.0 mail.test Error: too many errors\r\n"), std::string::npos);
    EXPECT_EQ(events.closes, 1);
}

// ---- Timeouts and shutdown --------------------------------------------------------------------

TEST_F(SessionTest, IdleTimeoutIs421) {
    greet();
    EXPECT_TRUE(session().timed_out());
    EXPECT_EQ(events.take(), "421 4.4.2 mail.test Error: timeout exceeded\r\n");
    EXPECT_EQ(events.closes, 1);
}

TEST_F(SessionTest, NoTimeoutWhileTheMessageIsBeingStored) {
    start_transaction();
    feed("DATA\r\nx\r\n.\r\n");
    EXPECT_FALSE(session().timed_out());
    EXPECT_EQ(events.take(), "");
}

TEST_F(SessionTest, ShutdownDuringDataDiscardsTheMessageWith421) {
    start_transaction();
    feed("DATA\r\nhalf a mess");
    session().shut_down();
    EXPECT_EQ(events.discarded, 1);
    EXPECT_EQ(events.take(), "421 4.3.2 mail.test Service shutting down\r\n");
}

TEST_F(SessionTest, ShutdownWhileStoringAnswers250First) {
    start_transaction();
    feed("DATA\r\nx\r\n.\r\n");
    session().shut_down();
    EXPECT_EQ(events.take(), "");
    store(true);
    EXPECT_EQ(events.take(),
              "250 2.0.0 Ok: queued as ID-3-1\r\n421 4.3.2 mail.test Service shutting down\r\n");
}

TEST_F(SessionTest, ThePeerLeavingDuringDataDiscardsTheMessage) {
    start_transaction();
    feed("DATA\r\nhalf");
    session().peer_closed();
    EXPECT_EQ(events.discarded, 1);
    EXPECT_EQ(events.ended, 0);
}

// ---- Minimum data rates (SessionConfig::command_rate, data_rate) --------------------------------

using namespace std::chrono_literals;
constexpr Session::Clock::time_point kT0{std::chrono::hours(1000)};
constexpr auto kNever = Session::Clock::time_point::max();

TEST_F(SessionTest, WithoutRatesNothingIsEverDue) {
    feed("EHLO a\r\nNO", kT0);
    EXPECT_EQ(session().deadline(), kNever);
    EXPECT_FALSE(session().tick(kT0 + 1000h));
}

TEST_F(SessionTest, ACommandLineHasItsTimeFromItsFirstByte) {
    config.command_rate = {.grace = 10s, .bytes_per_second = 500, .most = 0s};
    feed("EHLO a\r\n", kT0);
    EXPECT_EQ(session().deadline(), kNever);  // idle between commands: the idle timeout's job
    feed("NO", kT0 + 100s);
    EXPECT_EQ(session().deadline(), kT0 + 100s + 10s + 4ms);  // 2 bytes earn 4 ms
    feed("O", kT0 + 105s);
    EXPECT_EQ(session().deadline(), kT0 + 100s + 10s + 6ms);
    EXPECT_EQ(tick(kT0 + 110s), "");
    EXPECT_EQ(tick(kT0 + 110s + 6ms), "421 4.4.2 mail.test Error: timeout exceeded\r\n");
    EXPECT_EQ(events.closes, 1);
    EXPECT_EQ(session().deadline(), kNever);
}

TEST_F(SessionTest, ALineThatEndsInTimeStopsTheClockAndPipelinedRestStartsIt) {
    config.command_rate = {.grace = 10s, .bytes_per_second = 500, .most = 0s};
    feed("EHLO a\r\nNO", kT0);
    EXPECT_EQ(session().deadline(), kT0 + 10s + 4ms);
    EXPECT_EQ(feed("OP\r\n", kT0 + 9s), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(session().deadline(), kNever);
    EXPECT_EQ(tick(kT0 + 100s), "");
}

TEST_F(SessionTest, AnEndlessCommandLineBeingDroppedIsStillTimed) {
    config.command_rate = {.grace = 10s, .bytes_per_second = 500, .most = 0s};
    greet();
    feed(std::string(20'000, 'x'), kT0);
    EXPECT_TRUE(input.empty());
    EXPECT_EQ(session().deadline(), kT0 + 10s + 40s);  // 20,000 bytes earn 40 s
    feed("x", kT0 + 20s);
    EXPECT_TRUE(session().tick(kT0 + 50s + 2ms));
}

TEST_F(SessionTest, DataHasItsTimeFromThe354AndEachRateOfBytesEarnsASecond) {
    config.data_rate = {.grace = 10s, .bytes_per_second = 1000, .most = 0s};
    start_transaction();
    feed("DATA\r\n", kT0);
    EXPECT_EQ(session().deadline(), kT0 + 10s);       // even if nothing comes
    feed(std::string(4998, 'a') + "\r\n", kT0 + 8s);  // a line too long, but 5000 bytes
    EXPECT_EQ(session().deadline(), kT0 + 15s);
    EXPECT_EQ(tick(kT0 + 14s), "");
    EXPECT_EQ(tick(kT0 + 15s), "421 4.4.2 mail.test Error: timeout exceeded\r\n");
    EXPECT_EQ(events.discarded, 1);
    EXPECT_EQ(events.ended, 0);
}

TEST_F(SessionTest, BytesPipelinedAfterDataCountForIt) {
    config.data_rate = {.grace = 10s, .bytes_per_second = 1000, .most = 0s};
    start_transaction();
    feed("DATA\r\n" + std::string(1998, 'a') + "\r\npartial", kT0);
    EXPECT_EQ(session().deadline(), kT0 + 10s + 2007ms);
}

TEST_F(SessionTest, NothingIsTimedWhileTheMessageIsStored) {
    config.command_rate = {.grace = 10s, .bytes_per_second = 500, .most = 0s};
    config.data_rate = config.command_rate;
    start_transaction();
    feed("DATA\r\nx\r\n.\r\nNOOP", kT0);
    EXPECT_EQ(session().state(), Session::State::kStoring);
    EXPECT_EQ(session().deadline(), kNever);
    store(true);
    EXPECT_EQ(feed("", kT0 + 1000s), "250 2.0.0 Ok: queued as ID-3-1\r\n");
    EXPECT_EQ(session().deadline(), kT0 + 1000s + 10s + 8ms);  // the NOOP waiting: from now
}

TEST_F(SessionTest, ATlsHandshakeIsTimedLikeACommandLine) {
    config.starttls = true;
    config.command_rate = {.grace = 10s, .bytes_per_second = 500, .most = 0s};
    greet();
    feed("STARTTLS\r\n", kT0);
    EXPECT_EQ(session().deadline(), kT0 + 10s);
    session().tls_started("TLSv1.3 X");
    EXPECT_EQ(session().deadline(), kNever);
}

// ---- AUTH failures: delays and the per-address cap
// -------------------------------------------------

// ---- Transcript ---------------------------------------------------------------------------------

TEST_F(SessionTest, TheTranscriptHasEveryCommandAndReplyLine) {
    feed("EHLO laptop\r\nNOOP\r\n");
    ASSERT_GE(events.lines.size(), 4u);
    EXPECT_EQ(events.lines[0], "C: EHLO laptop");
    EXPECT_EQ(events.lines[1], "S: 250-mail.test");
    EXPECT_EQ(events.lines[events.lines.size() - 2], "C: NOOP");
    EXPECT_EQ(events.lines.back(), "S: 250 2.0.0 Ok");
}

TEST_F(SessionTest, MessageLinesAreInTheTranscriptOnlyWhenAsked) {
    start_transaction();
    feed("DATA\r\nsecret body\r\n.\r\n");
    for (const auto& line : events.lines)
        EXPECT_EQ(line.find("secret body"), std::string::npos);
    store(true);

    config.transcript_data = true;
    feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nshown body\r\n.\r\n");
    EXPECT_NE(std::find(events.lines.begin(), events.lines.end(), "C: shown body"),
              events.lines.end());
}

// ---- STARTTLS (RFC 3207)
// -------------------------------------------------------------------------

TEST_F(SessionTest, StartTlsDiscardsPipelinedPlaintextAndStartsOver) {
    config.starttls = true;
    greet();
    EXPECT_EQ(feed("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n"),
              "220 2.0.0 Ready to start TLS\r\n");
    EXPECT_EQ(events.tls_requests, 1);
    EXPECT_TRUE(input.empty());
    session().tls_started("TLSv1.3 TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
    const auto ehlo = feed("EHLO again\r\n");
    EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos);
    EXPECT_EQ(feed("STARTTLS\r\n"), "503 5.5.1 Error: TLS already active\r\n");
    feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    EXPECT_NE(events.data.find("with ESMTPS (TLSv1.3 TLS_AES_256_GCM_SHA384)"), std::string::npos);
}

TEST_F(SessionTest, StartTlsTakesNoParameters) {
    config.starttls = true;
    greet();
    EXPECT_EQ(feed("STARTTLS now\r\n"), "501 5.5.4 Syntax: STARTTLS\r\n");
}

// ---- AUTH (RFC 4954, 4616)
// -------------------------------------------------------------------------

class AuthTest : public SessionTest {
  protected:
    AuthTest() {
        config.starttls = true;
        config.credentials = {{"alice", "s3cret"}, {"bob", "hunter2"}};
    }
    void greet_over_tls() {
        session().tls_started("TLSv1.3 X");
        greet();
    }
};

TEST_F(AuthTest, MailNeedsTlsThenAuthentication) {
    greet();
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"),
              "530 5.7.0 Must issue a STARTTLS command first\r\n");
    EXPECT_EQ(feed("AUTH PLAIN\r\n"),
              "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
    session().tls_started("TLSv1.3 X");
    greet();
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "530 5.7.0 Authentication required\r\n");
}

TEST_F(AuthTest, PlainWithAnInitialResponse) {
    greet_over_tls();
    const auto response = net::base64_encode(std::string("\0alice\0s3cret", 13));
    EXPECT_EQ(feed("AUTH PLAIN " + response + "\r\n"), "235 2.7.0 Authentication successful\r\n");
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(feed("AUTH PLAIN " + response + "\r\n"),
              "503 5.5.1 Error: MAIL transaction in progress\r\n");
    feed("RSET\r\n");
    EXPECT_EQ(feed("AUTH PLAIN " + response + "\r\n"),
              "503 5.5.1 Error: already authenticated\r\n");
    feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    EXPECT_NE(events.data.find("with ESMTPSA"), std::string::npos);
}

TEST_F(AuthTest, PlainWithAChallenge) {
    greet_over_tls();
    EXPECT_EQ(feed("AUTH PLAIN\r\n"), "334 \r\n");
    EXPECT_EQ(feed(net::base64_encode(std::string("bob\0bob\0hunter2", 15)) + "\r\n"),
              "235 2.7.0 Authentication successful\r\n");
}

TEST_F(AuthTest, LoginAsksForUserThenPassword) {
    greet_over_tls();
    EXPECT_EQ(feed("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    EXPECT_EQ(feed(net::base64_encode("alice") + "\r\n"), "334 UGFzc3dvcmQ6\r\n");
    EXPECT_EQ(feed(net::base64_encode("s3cret") + "\r\n"),
              "235 2.7.0 Authentication successful\r\n");
}

TEST_F(AuthTest, WrongCredentialsGet535) {
    greet_over_tls();
    EXPECT_EQ(
        feed("AUTH PLAIN " + net::base64_encode(std::string("\0alice\0hunter2", 14)) + "\r\n"),
        "535 5.7.8 Authentication credentials invalid\r\n");
    EXPECT_EQ(
        feed("AUTH PLAIN " + net::base64_encode(std::string("bob\0alice\0s3cret", 16)) + "\r\n"),
        "535 5.7.8 Authentication credentials invalid\r\n");  // authzid is someone else
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "530 5.7.0 Authentication required\r\n");
}

TEST_F(AuthTest, MalformedExchanges) {
    greet_over_tls();
    EXPECT_EQ(feed("AUTH CRAM-MD5\r\n"), "504 5.5.4 Unrecognized authentication type\r\n");
    EXPECT_EQ(feed("AUTH\r\n"), "501 5.5.4 Syntax: AUTH mechanism\r\n");
    EXPECT_EQ(feed("AUTH PLAIN not-base64!\r\n"), "501 5.5.2 Cannot decode response\r\n");
    EXPECT_EQ(feed("AUTH LOGIN\r\n*\r\n"),
              "334 VXNlcm5hbWU6\r\n501 5.0.0 Authentication cancelled\r\n");
    EXPECT_EQ(feed("AUTH PLAIN " + net::base64_encode("no nuls") + "\r\n"),
              "501 5.5.2 Malformed PLAIN response\r\n");
}

TEST_F(AuthTest, SecretsNeverReachTheTranscript) {
    greet_over_tls();
    const auto plain = net::base64_encode(std::string("\0alice\0s3cret", 13));
    feed("AUTH PLAIN " + plain + "\r\n");
    feed("RSET\r\n");
    Recorder other;
    Session second(config, ClientInfo{.number = 4, .address = "::1", .id_prefix = "ID"}, other);
    second.tls_started("TLSv1.3 X");
    net::Buffer in;
    in.append("EHLO a\r\nAUTH LOGIN\r\n" + net::base64_encode("alice") + "\r\n" +
              net::base64_encode("s3cret") + "\r\n");
    second.receive(in);
    for (const auto* lines : {&events.lines, &other.lines}) {
        for (const auto& line : *lines) {
            EXPECT_EQ(line.find(plain), std::string::npos) << line;
            EXPECT_EQ(line.find(net::base64_encode("s3cret")), std::string::npos) << line;
            EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
        }
    }
    EXPECT_NE(std::find(events.lines.begin(), events.lines.end(), "C: AUTH PLAIN (hidden)"),
              events.lines.end());
}

TEST_F(AuthTest, AFailureIsAnsweredOnlyAfterTheDelayAndCommandsWait) {
    config.auth_delay = 1s;
    greet_over_tls();
    const auto wrong = net::base64_encode(std::string("\0alice\0wrong", 12));
    EXPECT_EQ(feed("AUTH PLAIN " + wrong + "\r\nNOOP\r\n", kT0), "");
    EXPECT_EQ(session().state(), Session::State::kAuthWait);
    EXPECT_EQ(session().deadline(), kT0 + 1s);
    EXPECT_FALSE(session().timed_out());  // the wait is ours
    EXPECT_EQ(tick(kT0 + 999ms), "");
    EXPECT_EQ(tick(kT0 + 1s), "535 5.7.8 Authentication credentials invalid\r\n");
    EXPECT_EQ(feed("", kT0 + 1s), "250 2.0.0 Ok\r\n");  // the NOOP that waited
    // The next failure on this connection waits twice as long.
    EXPECT_EQ(feed("AUTH PLAIN " + wrong + "\r\n", kT0 + 2s), "");
    EXPECT_EQ(session().deadline(), kT0 + 4s);
    EXPECT_EQ(tick(kT0 + 4s), "535 5.7.8 Authentication credentials invalid\r\n");
    // A success is never delayed.
    EXPECT_EQ(feed("AUTH PLAIN " + net::base64_encode(std::string("\0alice\0s3cret", 13)) + "\r\n",
                   kT0 + 5s),
              "235 2.7.0 Authentication successful\r\n");
}

TEST_F(AuthTest, ShutdownDuringTheDelayAnswersThen421) {
    config.auth_delay = 1s;
    greet_over_tls();
    feed("AUTH PLAIN " + net::base64_encode(std::string("\0bob\0nope", 9)) + "\r\n", kT0);
    session().shut_down();
    EXPECT_EQ(events.take(),
              "535 5.7.8 Authentication credentials invalid\r\n"
              "421 4.3.2 mail.test Service shutting down\r\n");
}

TEST_F(AuthTest, FailuresPerAddressAreCappedAcrossConnections) {
    AuthFailures failures({.max_failures = 3, .window = 300s});
    config.auth_failures = &failures;
    config.auth_delay = 1s;
    const auto wrong = net::base64_encode(std::string("\0alice\0wrong", 12));
    // Three failures, on three connections from one address: the delay grows with the
    // address's count, not the connection's.
    for (int i = 0; i < 3; ++i) {
        Recorder recorder;
        Session s(config, ClientInfo{.number = 1, .address = "192.0.2.7", .id_prefix = "ID"},
                  recorder);
        s.tls_started("TLSv1.3 X");
        net::Buffer in;
        in.append("EHLO a\r\nAUTH PLAIN " + wrong + "\r\n");
        s.receive(in, kT0);
        EXPECT_EQ(s.deadline(), kT0 + auth_delay(1s, i + 1)) << i;
        s.tick(s.deadline());
        EXPECT_TRUE(recorder.sent.ends_with("535 5.7.8 Authentication credentials invalid\r\n"));
    }
    // The fourth attempt, even with the right password, is refused and closed.
    Recorder fourth;
    Session s(config, ClientInfo{.number = 2, .address = "192.0.2.7", .id_prefix = "ID"}, fourth);
    s.tls_started("TLSv1.3 X");
    net::Buffer in;
    in.append("EHLO a\r\nAUTH PLAIN " + net::base64_encode(std::string("\0alice\0s3cret", 13)) +
              "\r\n");
    s.receive(in, kT0 + 20s);
    EXPECT_TRUE(fourth.sent.ends_with(
        "421 4.7.0 mail.test Error: too many failed authentications from 192.0.2.7, try again "
        "later\r\n"))
        << fourth.sent;
    EXPECT_EQ(fourth.closes, 1);
    // Another address is not affected; this one is again once the window has passed.
    greet_over_tls();
    EXPECT_EQ(feed("AUTH PLAIN " + net::base64_encode(std::string("\0alice\0s3cret", 13)) + "\r\n",
                   kT0 + 20s),
              "235 2.7.0 Authentication successful\r\n");  // the fixture's 127.0.0.1
    Recorder later;
    Session again(config, ClientInfo{.number = 3, .address = "192.0.2.7", .id_prefix = "ID"},
                  later);
    again.tls_started("TLSv1.3 X");
    net::Buffer more;
    more.append("EHLO a\r\nAUTH PLAIN " + net::base64_encode(std::string("\0alice\0s3cret", 13)) +
                "\r\n");
    again.receive(more, kT0 + 300s);
    EXPECT_TRUE(later.sent.ends_with("235 2.7.0 Authentication successful\r\n")) << later.sent;
}

TEST_F(AuthTest, AnEndlessResponseEndsTheExchange) {
    greet_over_tls();
    EXPECT_EQ(feed("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    for (int i = 0; i < 10; ++i)
        feed(std::string(10'000, 'Q'));
    EXPECT_EQ(feed("\r\nNOOP\r\n"),
              "500 5.5.6 Authentication exchange line is too long\r\n250 2.0.0 Ok\r\n");
}

TEST_F(AuthTest, InsecureAuthWhenAllowed) {
    config.starttls = false;
    config.allow_insecure_auth = true;
    greet();
    EXPECT_EQ(feed("MAIL FROM:<a@example.org>\r\n"), "530 5.7.0 Authentication required\r\n");
    EXPECT_EQ(feed("AUTH PLAIN " + net::base64_encode(std::string("\0bob\0hunter2", 12)) + "\r\n"),
              "235 2.7.0 Authentication successful\r\n");
    feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    EXPECT_NE(events.data.find("with ESMTPA id"), std::string::npos);
}

}  // namespace
}  // namespace mail
