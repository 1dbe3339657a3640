// SMTP command lines (RFC 5321 4.1.1) and the MAIL/RCPT arguments with their ESMTP parameters
// (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8).
#include "mail_server/smtp_command.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace mail {

// Readable names in failure messages (static: each test file may define its own).
[[maybe_unused]] static void PrintTo(ArgumentStatus status, std::ostream* out) {
    static constexpr const char* kNames[] = {"kOk",          "kSyntax",    "kBadPath",
                                             "kPathTooLong", "kNeedsUtf8", "kUnknownParameter",
                                             "kBadParameter"};
    *out << kNames[static_cast<int>(status)];
}

namespace {

using Status = ArgumentStatus;

// "用户@例子.广告" in UTF-8.
constexpr std::string_view kUtf8Mailbox =
    "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a";

// "<" + 64 + "@" + 200 + ">": 267 octets, over the 256 of RFC 5321 4.5.3.1.3.
std::string too_long_path() {
    return "<" + std::string(64, 'a') + "@" + std::string(63, 'b') + "." + std::string(63, 'c') +
           "." + std::string(63, 'd') + "." + std::string(8, 'e') + ">";
}

// ---------------------------------------------------------------------------- command lines

TEST(SmtpCommandTest, VerbsAreCaseInsensitive) {
    struct Row {
        std::string_view line;
        Verb verb;
    };
    const Row rows[] = {
        {"HELO laptop", Verb::kHelo},
        {"helo laptop", Verb::kHelo},
        {"EhLo laptop", Verb::kEhlo},
        {"MAIL FROM:<a@b>", Verb::kMail},
        {"mail FROM:<a@b>", Verb::kMail},
        {"RCPT TO:<a@b>", Verb::kRcpt},
        {"rcpt to:<a@b>", Verb::kRcpt},
        {"DATA", Verb::kData},
        {"data", Verb::kData},
        {"RSET", Verb::kRset},
        {"NOOP", Verb::kNoop},
        {"noop anything", Verb::kNoop},
        {"QUIT", Verb::kQuit},
        {"Quit", Verb::kQuit},
        {"VRFY bob", Verb::kVrfy},
        {"HELP", Verb::kHelp},
        {"help mail", Verb::kHelp},
        {"STARTTLS", Verb::kStartTls},
        {"StartTls", Verb::kStartTls},
        {"AUTH PLAIN", Verb::kAuth},
        {"auth login", Verb::kAuth},
    };
    for (const auto& [line, verb] : rows)
        EXPECT_EQ(parse_command(line).verb, verb) << line;
}

TEST(SmtpCommandTest, KnownButNotOfferedVerbsAreNotImplemented) {
    for (const std::string_view line :
         {"EXPN staff", "expn staff", "TURN", "ETRN example.org", "ATRN", "SEND FROM:<a@b>",
          "SOML FROM:<a@b>", "SAML FROM:<a@b>", "BDAT 100 LAST", "bdat 0", "XCLIENT ADDR=1.2.3.4"})
        EXPECT_EQ(parse_command(line).verb, Verb::kNotImplemented) << line;
}

TEST(SmtpCommandTest, AnythingElseIsUnknown) {
    for (const std::string_view line :
         {"FOO", "MAILX FROM:<a@b>", "MAI", "HEL0 laptop", "EHLOx", " EHLO laptop", "\xc3\xa9"})
        EXPECT_EQ(parse_command(line).verb, Verb::kUnknown) << line;
}

// Postfix's smtpd_forbidden_commands and its "Label:" rule, plus HTTP request lines.
TEST(SmtpCommandTest, OtherProtocolsAreNotSmtp) {
    for (const std::string_view line :
         {"GET / HTTP/1.1", "get /", "POST /submit HTTP/1.0", "Post",
          "CONNECT mail.test:25 HTTP/1.1", "connect x", "Host: mail.test", "host:mail.test",
          "User-Agent: curl/8.0", "Content-Type: text/plain", "X-Anything:", "PUT /x HTTP/1.1",
          "PRI * HTTP/2.0", "OPTIONS * HTTP/1.1"})
        EXPECT_EQ(parse_command(line).verb, Verb::kNotSmtp) << line;
}

TEST(SmtpCommandTest, SmtpLinesThatLookAlikeAreNot) {
    EXPECT_EQ(parse_command("MAIL FROM:<a@example.org>").verb, Verb::kMail);
    EXPECT_EQ(parse_command("RCPT TO:<b@example.org>").verb, Verb::kRcpt);
    EXPECT_EQ(parse_command("HELP HTTP/1.1").verb, Verb::kHelp);
    EXPECT_EQ(parse_command("NOOP GET / HTTP/1.1").verb, Verb::kNoop);
    for (const std::string_view line :
         {":colon first", "GETX /", "FOO bar HTTP/1", "FOO bar HTTP/1.1x", "FOO HTTP/1.1",
          "Host :spaced", "\x01\x02: binary"})
        EXPECT_EQ(parse_command(line).verb, Verb::kUnknown) << line;
}

TEST(SmtpCommandTest, EmptyLineIsUnknown) {
    const auto command = parse_command("");
    EXPECT_EQ(command.verb, Verb::kUnknown);
    EXPECT_EQ(command.name, "");
    EXPECT_EQ(command.argument, "");
}

TEST(SmtpCommandTest, NameIsTheVerbAsSent) {
    EXPECT_EQ(parse_command("ehlo laptop").name, "ehlo");
    EXPECT_EQ(parse_command("FOO bar").name, "FOO");
    EXPECT_EQ(parse_command("DATA").name, "DATA");
}

TEST(SmtpCommandTest, ArgumentIsTrimmed) {
    struct Row {
        std::string_view line;
        std::string_view argument;
    };
    const Row rows[] = {
        {"EHLO laptop", "laptop"},
        {"EHLO   laptop  ", "laptop"},
        {"EHLO laptop\t", "laptop"},
        {"EHLO \tlaptop", "laptop"},
        {"NOOP", ""},
        {"DATA ", ""},
        {"DATA    ", ""},
        {"MAIL FROM:<a@b>  SIZE=1", "FROM:<a@b>  SIZE=1"},  // inner spaces stay
        {"HELO bad name (x)", "bad name (x)"},
    };
    for (const auto& [line, argument] : rows)
        EXPECT_EQ(parse_command(line).argument, argument) << line;
}

// ---------------------------------------------------------------------------- MAIL FROM

TEST(SmtpMailArgumentsTest, PlainSender) {
    const auto mail = parse_mail_arguments("FROM:<alice@example.org>");
    EXPECT_EQ(mail.status, Status::kOk);
    EXPECT_EQ(mail.reverse_path, "alice@example.org");
    EXPECT_FALSE(mail.size.has_value());
    EXPECT_EQ(mail.body, BodyType::k7Bit);
    EXPECT_FALSE(mail.smtputf8);
    EXPECT_EQ(mail.detail, "");
}

TEST(SmtpMailArgumentsTest, KeywordIsCaseInsensitiveAndSpacesAfterColonAreTolerated) {
    for (const std::string_view argument :
         {"FROM:<a@b>", "from:<a@b>", "From:<a@b>", "from: <a@b>", "FROM:   <a@b>"}) {
        const auto mail = parse_mail_arguments(argument);
        EXPECT_EQ(mail.status, Status::kOk);
        EXPECT_EQ(mail.reverse_path, "a@b") << argument;
    }
}

TEST(SmtpMailArgumentsTest, KeepsTheSenderCase) {
    EXPECT_EQ(parse_mail_arguments("FROM:<Alice@Example.ORG>").reverse_path, "Alice@Example.ORG");
}

TEST(SmtpMailArgumentsTest, NotFromColonBracketIsSyntax) {
    for (const std::string_view argument : {"", "FROM:", "FROM:a@b", "FROM: a@b", "FROM <a@b>",
                                            "FROM<a@b>", "FRM:<a@b>", "TO:<a@b>", " FROM:<a@b>"}) {
        EXPECT_EQ(parse_mail_arguments(argument).status, Status::kSyntax) << argument;
    }
}

TEST(SmtpMailArgumentsTest, NullReversePath) {
    const auto mail = parse_mail_arguments("FROM:<>");
    EXPECT_EQ(mail.status, Status::kOk);
    EXPECT_EQ(mail.reverse_path, "");
    EXPECT_EQ(parse_mail_arguments("FROM:<> SIZE=10").status, Status::kOk);
}

TEST(SmtpMailArgumentsTest, BadPathIsBadPath) {
    for (const std::string_view argument :
         {"FROM:<a@-b.example>", "FROM:<a>", "FROM:<a..b@example.org>", "FROM:<@x:>", "FROM:<a@b"})
        EXPECT_EQ(parse_mail_arguments(argument).status, Status::kBadPath) << argument;
}

TEST(SmtpMailArgumentsTest, PathTooLong) {
    EXPECT_EQ(parse_mail_arguments("FROM:" + too_long_path()).status, Status::kPathTooLong);
}

TEST(SmtpMailArgumentsTest, ParametersNeedASpaceAfterThePath) {
    EXPECT_EQ(parse_mail_arguments("FROM:<a@b>SIZE=1").status, Status::kSyntax);
    EXPECT_EQ(parse_mail_arguments("FROM:<>BODY=7BIT").status, Status::kSyntax);
}

TEST(SmtpMailArgumentsTest, Size) {
    struct Row {
        std::string_view argument;
        std::uint64_t size;
    };
    const Row rows[] = {
        {"FROM:<a@b> SIZE=1000", 1000},
        {"FROM:<a@b> size=1000", 1000},
        {"FROM:<a@b> SIZE=0", 0},
        {"FROM:<a@b> SIZE=18446744073709551615", 18446744073709551615ULL},
    };
    for (const auto& [argument, size] : rows) {
        const auto mail = parse_mail_arguments(argument);
        EXPECT_EQ(mail.status, Status::kOk);
        ASSERT_TRUE(mail.size.has_value()) << argument;
        EXPECT_EQ(*mail.size, size) << argument;
    }
}

TEST(SmtpMailArgumentsTest, SizeThatIsNotANumberIsABadParameter) {
    for (const std::string_view argument :
         {"FROM:<a@b> SIZE=abc", "FROM:<a@b> SIZE=-1", "FROM:<a@b> SIZE=+1", "FROM:<a@b> SIZE=1k",
          "FROM:<a@b> SIZE=0x10", "FROM:<a@b> SIZE=18446744073709551616", "FROM:<a@b> SIZE"}) {
        const auto mail = parse_mail_arguments(argument);
        EXPECT_EQ(mail.status, Status::kBadParameter);
        EXPECT_EQ(mail.detail, "SIZE") << argument;
    }
}

TEST(SmtpMailArgumentsTest, EmptyParameterValueIsSyntax) {
    EXPECT_EQ(parse_mail_arguments("FROM:<a@b> SIZE=").status, Status::kSyntax);
    EXPECT_EQ(parse_mail_arguments("FROM:<a@b> BODY=").status, Status::kSyntax);
}

TEST(SmtpMailArgumentsTest, MalformedParametersAreSyntax) {
    for (const std::string_view argument :
         {"FROM:<a@b> =1", "FROM:<a@b> SI_ZE=1", "FROM:<a@b> SIZE=1=2", "FROM:<a@b> SIZE=1\x7f",
          "FROM:<a@b> SIZE=1\tX"}) {
        EXPECT_EQ(parse_mail_arguments(argument).status, Status::kSyntax) << argument;
    }
}

TEST(SmtpMailArgumentsTest, Body) {
    struct Row {
        std::string_view argument;
        BodyType body;
    };
    const Row rows[] = {
        {"FROM:<a@b> BODY=8BITMIME", BodyType::k8BitMime},
        {"FROM:<a@b> body=8bitmime", BodyType::k8BitMime},
        {"FROM:<a@b> BODY=7BIT", BodyType::k7Bit},
        {"FROM:<a@b>", BodyType::k7Bit},
    };
    for (const auto& [argument, body] : rows) {
        const auto mail = parse_mail_arguments(argument);
        EXPECT_EQ(mail.status, Status::kOk);
        EXPECT_EQ(mail.body, body) << argument;
    }
}

TEST(SmtpMailArgumentsTest, BodyNotOfferedIsABadParameter) {
    for (const std::string_view argument :
         {"FROM:<a@b> BODY=BINARYMIME", "FROM:<a@b> BODY=8BIT", "FROM:<a@b> BODY"}) {
        const auto mail = parse_mail_arguments(argument);
        EXPECT_EQ(mail.status, Status::kBadParameter);
        EXPECT_EQ(mail.detail, "BODY") << argument;
    }
}

TEST(SmtpMailArgumentsTest, SeveralParameters) {
    const auto mail = parse_mail_arguments("FROM:<a@b>  SIZE=10   BODY=8BITMIME SMTPUTF8");
    EXPECT_EQ(mail.status, Status::kOk);
    EXPECT_EQ(mail.size, 10U);
    EXPECT_EQ(mail.body, BodyType::k8BitMime);
    EXPECT_TRUE(mail.smtputf8);
}

TEST(SmtpMailArgumentsTest, Utf8SenderNeedsSmtputf8) {
    const std::string path = "FROM:<" + std::string(kUtf8Mailbox) + ">";
    const auto with = parse_mail_arguments(path + " SMTPUTF8");
    EXPECT_EQ(with.status, Status::kOk);
    EXPECT_TRUE(with.smtputf8);
    EXPECT_EQ(with.reverse_path, kUtf8Mailbox);

    EXPECT_EQ(parse_mail_arguments(path + " smtputf8").status, Status::kOk);
    const auto without = parse_mail_arguments(path);
    EXPECT_EQ(without.status, Status::kNeedsUtf8);
    EXPECT_EQ(without.reverse_path, "");
    EXPECT_EQ(parse_mail_arguments(path + " BODY=8BITMIME").status, Status::kNeedsUtf8);
}

TEST(SmtpMailArgumentsTest, AsciiSenderWithSmtputf8) {
    const auto mail = parse_mail_arguments("FROM:<a@b> SMTPUTF8");
    EXPECT_EQ(mail.status, Status::kOk);
    EXPECT_TRUE(mail.smtputf8);
}

TEST(SmtpMailArgumentsTest, Smtputf8TakesNoValue) {
    const auto mail = parse_mail_arguments("FROM:<a@b> SMTPUTF8=yes");
    EXPECT_EQ(mail.status, Status::kBadParameter);
    EXPECT_EQ(mail.detail, "SMTPUTF8");
}

TEST(SmtpMailArgumentsTest, Utf8InASourceRouteNeedsSmtputf8) {
    // Without SMTPUTF8 a non-ASCII sender is refused, also behind a UTF-8 source route.
    const auto mail = parse_mail_arguments(
        "FROM:<@b\xc3\xbc"
        "cher.example:u\xc3\xa9@example.org>");
    EXPECT_EQ(mail.status, Status::kNeedsUtf8);
    EXPECT_EQ(mail.reverse_path, "");
}

TEST(SmtpMailArgumentsTest, UnknownParameterIsNamed) {
    const auto mail = parse_mail_arguments("FROM:<a@b> FOO=bar");
    EXPECT_EQ(mail.status, Status::kUnknownParameter);
    EXPECT_EQ(mail.detail, "FOO");

    const auto after_known = parse_mail_arguments("FROM:<a@b> SIZE=10 X-Thing");
    EXPECT_EQ(after_known.status, Status::kUnknownParameter);
    EXPECT_EQ(after_known.detail, "X-Thing");

    // RFC 3461 DSN parameters are not offered either.
    const auto dsn = parse_mail_arguments("FROM:<a@b> RET=HDRS");
    EXPECT_EQ(dsn.status, Status::kUnknownParameter);
    EXPECT_EQ(dsn.detail, "RET");
}

// ---------------------------------------------------------------------------- RCPT TO

TEST(SmtpRcptArgumentsTest, PlainRecipient) {
    for (const std::string_view argument :
         {"TO:<bob@example.org>", "to:<bob@example.org>", "To: <bob@example.org>"}) {
        const auto rcpt = parse_rcpt_arguments(argument, false);
        EXPECT_EQ(rcpt.status, Status::kOk);
        EXPECT_EQ(rcpt.forward_path, "bob@example.org") << argument;
        EXPECT_EQ(rcpt.detail, "");
    }
}

TEST(SmtpRcptArgumentsTest, PostmasterWithoutDomain) {
    const auto rcpt = parse_rcpt_arguments("TO:<postmaster>", false);
    EXPECT_EQ(rcpt.status, Status::kOk);
    EXPECT_EQ(rcpt.forward_path, "postmaster");
    EXPECT_EQ(parse_rcpt_arguments("TO:<PostMaster>", false).forward_path, "PostMaster");
}

TEST(SmtpRcptArgumentsTest, SourceRouteIsDropped) {
    const auto rcpt = parse_rcpt_arguments("TO:<@a.example,@b.example:bob@c.example>", false);
    EXPECT_EQ(rcpt.status, Status::kOk);
    EXPECT_EQ(rcpt.forward_path, "bob@c.example");
}

TEST(SmtpRcptArgumentsTest, NullPathIsNotARecipient) {
    EXPECT_EQ(parse_rcpt_arguments("TO:<>", false).status, Status::kBadPath);
}

TEST(SmtpRcptArgumentsTest, NotToColonBracketIsSyntax) {
    for (const std::string_view argument :
         {"", "TO:", "TO:bob@example.org", "TO <bob@example.org>", "FROM:<bob@example.org>"}) {
        EXPECT_EQ(parse_rcpt_arguments(argument, false).status, Status::kSyntax) << argument;
    }
    EXPECT_EQ(parse_rcpt_arguments("TO:<bob@example.org>NOTIFY=NEVER", false).status,
              Status::kSyntax);
}

TEST(SmtpRcptArgumentsTest, AnyParameterIsUnknown) {
    for (const std::string_view argument : {"TO:<bob@example.org> NOTIFY=NEVER",
                                            "TO:<bob@example.org> ORCPT=rfc822;bob@example.org"}) {
        const auto rcpt = parse_rcpt_arguments(argument, false);
        EXPECT_EQ(rcpt.status, Status::kUnknownParameter);
        EXPECT_EQ(rcpt.forward_path, "") << argument;
    }
    EXPECT_EQ(parse_rcpt_arguments("TO:<bob@example.org> NOTIFY=NEVER", false).detail, "NOTIFY");
}

TEST(SmtpRcptArgumentsTest, Utf8RecipientNeedsSmtputf8) {
    const std::string argument = "TO:<" + std::string(kUtf8Mailbox) + ">";
    const auto with = parse_rcpt_arguments(argument, true);
    EXPECT_EQ(with.status, Status::kOk);
    EXPECT_EQ(with.forward_path, kUtf8Mailbox);
    const auto without = parse_rcpt_arguments(argument, false);
    EXPECT_EQ(without.status, Status::kNeedsUtf8);
    EXPECT_EQ(without.forward_path, "");
}

TEST(SmtpRcptArgumentsTest, PathTooLong) {
    EXPECT_EQ(parse_rcpt_arguments("TO:" + too_long_path(), false).status, Status::kPathTooLong);
}

TEST(SmtpRcptArgumentsTest, BadPath) {
    EXPECT_EQ(parse_rcpt_arguments("TO:<bob@-example.org>", false).status, Status::kBadPath);
    EXPECT_EQ(parse_rcpt_arguments("TO:<bob>", false).status, Status::kBadPath);
    EXPECT_EQ(parse_rcpt_arguments("TO:<bob@example.org", false).status, Status::kBadPath);
}

}  // namespace
}  // namespace mail
