// SMTP paths (RFC 5321 4.1.2, 4.5.3.1 limits, RFC 6531 UTF-8): every grammar rule, row by row.
#include "common/smtp_path.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace net::smtp {

// Readable names in failure messages (static: each test file may define its own).
[[maybe_unused]] static void PrintTo(PathStatus status, std::ostream* out) {
    static constexpr const char* kNames[] = {"kOk", "kSyntax", "kTooLong", "kNeedsUtf8"};
    *out << kNames[static_cast<int>(status)];
}

namespace {

using Status = PathStatus;

// One path, the flags it is parsed with, and what must come out.
struct PathCase {
    std::string_view text;
    bool allow_null;
    bool allow_utf8;
    Status status;
    std::string_view mailbox;  // checked only when status is kOk
};

void expect_path(const PathCase& row) {
    const auto parsed = parse_path(row.text, row.allow_null, row.allow_utf8);
    EXPECT_EQ(parsed.status, row.status) << "path: " << row.text << " allow_null=" << row.allow_null
                                         << " allow_utf8=" << row.allow_utf8;
    if (row.status == Status::kOk) {
        EXPECT_EQ(parsed.mailbox, row.mailbox) << row.text;
    }
}

// "<" + inner + ">"
std::string bracketed(std::string_view inner) {
    return "<" + std::string(inner) + ">";
}

// "ü" and "用户@例子.广告" in UTF-8.
constexpr std::string_view kUUmlaut = "\xc3\xbc";
constexpr std::string_view kUtf8Mailbox =
    "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a";

// ---------------------------------------------------------------------------- the grammar

TEST(SmtpPathTest, PlainMailboxes) {
    const PathCase rows[] = {
        {"<a@b.c>", false, false, Status::kOk, "a@b.c"},
        {"<alice@example.org>", false, false, Status::kOk, "alice@example.org"},
        {"<a.b+tag-x@sub.example.org>", false, false, Status::kOk, "a.b+tag-x@sub.example.org"},
        {"<!#$%&'*+-/=?^_`{|}~@example.org>", false, false, Status::kOk,
         "!#$%&'*+-/=?^_`{|}~@example.org"},
        {"<a@b>", false, false, Status::kOk, "a@b"},  // one label is a Domain
        {"<a@a-b.example>", false, false, Status::kOk, "a@a-b.example"},
        {"<a@123.example>", false, false, Status::kOk, "a@123.example"},
    };
    for (const auto& row : rows)
        expect_path(row);
}

TEST(SmtpPathTest, KeepsTheMailboxCaseAsWritten) {
    const auto parsed = parse_path("<Alice.Smith@Example.ORG>", false, false);
    ASSERT_EQ(parsed.status, Status::kOk);
    EXPECT_EQ(parsed.mailbox, "Alice.Smith@Example.ORG");
}

TEST(SmtpPathTest, NullPathOnlyWhenAllowed) {
    expect_path({"<>", true, false, Status::kOk, ""});
    expect_path({"<>", false, false, Status::kSyntax, ""});
    expect_path({"<>", true, true, Status::kOk, ""});
    EXPECT_EQ(parse_path("<> SIZE=10", true, false).rest, " SIZE=10");
}

TEST(SmtpPathTest, NeedsBothAngleBrackets) {
    const PathCase rows[] = {
        {"", true, true, Status::kSyntax, ""},
        {"a@b.c", false, false, Status::kSyntax, ""},
        {"a@b.c>", false, false, Status::kSyntax, ""},
        {"<a@b.c", false, false, Status::kSyntax, ""},
        {"<", true, false, Status::kSyntax, ""},
        {" <a@b.c>", false, false, Status::kSyntax, ""},
        {"< a@b.c>", false, false, Status::kSyntax, ""},
        {"<a@b.c >", false, false, Status::kSyntax, ""},
    };
    for (const auto& row : rows)
        expect_path(row);
}

TEST(SmtpPathTest, RestIsWhatFollowsTheClosingBracket) {
    const auto parsed = parse_path("<a@b.c> SIZE=10", false, false);
    ASSERT_EQ(parsed.status, Status::kOk);
    EXPECT_EQ(parsed.mailbox, "a@b.c");
    EXPECT_EQ(parsed.rest, " SIZE=10");
    EXPECT_EQ(parse_path("<a@b.c>", false, false).rest, "");
}

TEST(SmtpPathTest, DotStringRules) {
    const PathCase rows[] = {
        {"<.a@example.org>", false, false, Status::kSyntax, ""},
        {"<a.@example.org>", false, false, Status::kSyntax, ""},
        {"<a..b@example.org>", false, false, Status::kSyntax, ""},
        {"<a b@example.org>", false, false, Status::kSyntax, ""},
        {"<a(b)@example.org>", false, false, Status::kSyntax, ""},
        {"<a,b@example.org>", false, false, Status::kSyntax, ""},
        {"<@example.org>", false, false, Status::kSyntax, ""},  // '@' then no ':' route
        {"<a@>", false, false, Status::kSyntax, ""},
        {"<a>", false, false, Status::kSyntax, ""},  // only postmaster may omit the domain
        {"<a@b@example.org>", false, false, Status::kSyntax, ""},
    };
    for (const auto& row : rows)
        expect_path(row);
}

// ---------------------------------------------------------------------------- quoted local parts

TEST(SmtpPathTest, QuotedLocalParts) {
    const PathCase rows[] = {
        {"<\"john doe\"@example.org>", false, false, Status::kOk, "\"john doe\"@example.org"},
        {"<\"a\\\"b\"@example.org>", false, false, Status::kOk, "\"a\\\"b\"@example.org"},
        {"<\"a\\\\b\"@example.org>", false, false, Status::kOk, "\"a\\\\b\"@example.org"},
        {"<\"a>b\"@example.org>", false, false, Status::kOk, "\"a>b\"@example.org"},
        {"<\"a@b\"@example.org>", false, false, Status::kOk, "\"a@b\"@example.org"},
        {"<\"\"@example.org>", false, false, Status::kOk, "\"\"@example.org"},
    };
    for (const auto& row : rows)
        expect_path(row);
}

TEST(SmtpPathTest, BadQuotedLocalParts) {
    const PathCase rows[] = {
        {"<\"john doe@example.org>", false, false, Status::kSyntax, ""},  // never closed
        {"<\"a\"b@example.org>", false, false, Status::kSyntax, ""},      // text after quote
        {"<\"a\tb\"@example.org>", false, false, Status::kSyntax, ""},    // control character
        {"<\"a\x7f"
         "b\"@example.org>",
         false, false, Status::kSyntax, ""},
        {"<\"a\\\x01\"@example.org>", false, false, Status::kSyntax, ""},  // quoted-pair of a CTL
    };
    for (const auto& row : rows)
        expect_path(row);
}

TEST(SmtpPathTest, ClosingBracketInsideQuotesDoesNotEndThePath) {
    const auto parsed = parse_path("<\"a>b\"@example.org> BODY=7BIT", false, false);
    ASSERT_EQ(parsed.status, Status::kOk);
    EXPECT_EQ(parsed.mailbox, "\"a>b\"@example.org");
    EXPECT_EQ(parsed.rest, " BODY=7BIT");
}

// dcontent (RFC 5321 4.1.3) allows '>' in a General-address-literal: a Mailbox that
// is_valid_mailbox accepts (mail_client's --to) is a path mail_server reads whole.
TEST(SmtpPathTest, ClosingBracketInsideAnAddressLiteralDoesNotEndThePath) {
    const auto parsed = parse_path("<a@[x-tag:b>c]> SIZE=10", false, false);
    ASSERT_EQ(parsed.status, Status::kOk);
    EXPECT_EQ(parsed.mailbox, "a@[x-tag:b>c]");
    EXPECT_EQ(parsed.rest, " SIZE=10");
    ASSERT_TRUE(is_valid_mailbox(parsed.mailbox, false));
    EXPECT_EQ(parse_path("<a@[x-tag:b>", false, false).status, Status::kSyntax);  // unclosed
}

// ---------------------------------------------------------------------------- domains

TEST(SmtpPathTest, DomainLabelRules) {
    const std::string label63(63, 'b');
    const std::string label64(64, 'b');
    const std::string ok63 = "a@" + label63 + ".example";
    const std::string too_long_label = "a@" + label64 + ".example";
    const PathCase rows[] = {
        {"<a@-b.example>", false, false, Status::kSyntax, ""},
        {"<a@b-.example>", false, false, Status::kSyntax, ""},
        {"<a@b.example->", false, false, Status::kSyntax, ""},
        {"<a@b..example>", false, false, Status::kSyntax, ""},
        {"<a@.example>", false, false, Status::kSyntax, ""},
        {"<a@example.>", false, false, Status::kSyntax, ""},
        {"<a@exa_mple.org>", false, false, Status::kSyntax, ""},
        {"<a@exa mple.org>", false, false, Status::kSyntax, ""},
    };
    for (const auto& row : rows)
        expect_path(row);
    expect_path({bracketed(ok63), false, false, Status::kOk, ok63});
    expect_path({bracketed(too_long_label), false, false, Status::kSyntax, ""});
}

TEST(SmtpPathTest, AddressLiterals) {
    const PathCase rows[] = {
        {"<a@[192.0.2.1]>", false, false, Status::kOk, "a@[192.0.2.1]"},
        {"<a@[IPv6:2001:db8::1]>", false, false, Status::kOk, "a@[IPv6:2001:db8::1]"},
        {"<a@[IPv6:::1]>", false, false, Status::kOk, "a@[IPv6:::1]"},
        {"<a@[x-tag:some+content]>", false, false, Status::kOk, "a@[x-tag:some+content]"},
        {"<a@[192.0.2.256]>", false, false, Status::kSyntax, ""},
        {"<a@[192.0.2]>", false, false, Status::kSyntax, ""},
        {"<a@[192.0.2.1.5]>", false, false, Status::kSyntax, ""},
        {"<a@[IPv6:2001:db8::g]>", false, false, Status::kSyntax, ""},
        {"<a@[IPv6:192.0.2.1]>", false, false, Status::kSyntax, ""},
        {"<a@[]>", false, false, Status::kSyntax, ""},
        {"<a@[:content]>", false, false, Status::kSyntax, ""},  // General: the tag is empty
        {"<a@[tag:]>", false, false, Status::kSyntax, ""},      // ... the content is empty
        {"<a@[tag:a b]>", false, false, Status::kSyntax, ""},   // no space in dcontent
        {"<a@[t_g:x]>", false, false, Status::kSyntax, ""},     // the tag is an Ldh-str
        {"<a@192.0.2.1]>", false, false, Status::kSyntax, ""},
    };
    for (const auto& row : rows)
        expect_path(row);
}

// The address is read by inet_pton, which stops at a NUL: whatever follows one must not ride
// along into the mailbox (and from there into the Received field), a CR included.
TEST(SmtpPathTest, AddressLiteralsWithANulAreRefused) {
    using namespace std::string_view_literals;
    const PathCase rows[] = {
        {"<a@[192.0.2.1\0]>"sv, false, false, Status::kSyntax, ""},
        {"<a@[192.0.2.1\0\rX-Injected: 1]>"sv, false, false, Status::kSyntax, ""},
        {"<a@[IPv6:2001:db8::\0\0001]>"sv, false, false, Status::kSyntax, ""},
        {"<a@[tag:x\0y]>"sv, false, false, Status::kSyntax, ""},
    };
    for (const auto& row : rows)
        expect_path(row);
    EXPECT_FALSE(is_valid_mailbox("a@[192.0.2.1\0junk]"sv, false));
    EXPECT_FALSE(is_valid_mailbox("a@[IPv6:::1\0]"sv, true));
}

// ---------------------------------------------------------------------------- source routes

TEST(SmtpPathTest, SourceRoutesAreAcceptedAndDropped) {
    const PathCase rows[] = {
        {"<@a.example,@b.example:u@c.example>", false, false, Status::kOk, "u@c.example"},
        {"<@a.example:u@c.example>", false, false, Status::kOk, "u@c.example"},
        {"<@a.example:u@[IPv6:::1]>", false, false, Status::kOk, "u@[IPv6:::1]"},
        {"<@a.example:postmaster>", false, false, Status::kOk, "postmaster"},
    };
    for (const auto& row : rows)
        expect_path(row);
}

TEST(SmtpPathTest, BadSourceRoutes) {
    const PathCase rows[] = {
        {"<@a.example,b.example:u@c.example>", false, false, Status::kSyntax, ""},  // no '@'
        {"<@:u@c.example>", false, false, Status::kSyntax, ""},
        {"<@a.example,:u@c.example>", false, false, Status::kSyntax, ""},
        {"<@a.example,,@b.example:u@c.example>", false, false, Status::kSyntax, ""},
        {"<@-a.example:u@c.example>", false, false, Status::kSyntax, ""},
        {"<@a.example;u@c.example>", false, false, Status::kSyntax, ""},  // no ':'
        {"<@a.example:>", false, false, Status::kSyntax, ""},             // no mailbox
        {"<@a.example:u>", false, false, Status::kSyntax, ""},
    };
    for (const auto& row : rows)
        expect_path(row);
}

// ---------------------------------------------------------------------------- postmaster

TEST(SmtpPathTest, PostmasterNeedsNoDomain) {
    expect_path({"<postmaster>", false, false, Status::kOk, "postmaster"});
    expect_path({"<PostMaster>", false, false, Status::kOk, "PostMaster"});
    expect_path({"<POSTMASTER>", false, false, Status::kOk, "POSTMASTER"});
    expect_path({"<postmaster@example.org>", false, false, Status::kOk, "postmaster@example.org"});
    expect_path({"<postmasters>", false, false, Status::kSyntax, ""});
    EXPECT_EQ(mailbox_domain(parse_path("<postmaster>", false, false).mailbox), "");
}

// ---------------------------------------------------------------------------- limits

TEST(SmtpPathTest, LocalPartOf64OctetsIsTheLimit) {
    const std::string local64(kMaxLocalPart, 'a');
    const std::string local65(kMaxLocalPart + 1, 'a');
    expect_path(
        {bracketed(local64 + "@example.org"), false, false, Status::kOk, local64 + "@example.org"});
    expect_path({bracketed(local65 + "@example.org"), false, false, Status::kTooLong, ""});
}

TEST(SmtpPathTest, QuotedLocalPartCountsItsQuotes) {
    const std::string quoted64 = "\"" + std::string(62, 'a') + "\"";  // 64 octets with quotes
    const std::string quoted65 = "\"" + std::string(63, 'a') + "\"";
    expect_path({bracketed(quoted64 + "@example.org"), false, false, Status::kOk,
                 quoted64 + "@example.org"});
    expect_path({bracketed(quoted65 + "@example.org"), false, false, Status::kTooLong, ""});
}

TEST(SmtpPathTest, PathOf256OctetsIsTheLimit) {
    // 64 + '@' + 63 '.' 63 '.' 61 = 254 inside, 256 with the brackets.
    const std::string local(64, 'a');
    const std::string domain =
        std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(61, 'd');
    const std::string path256 = bracketed(local + "@" + domain);
    ASSERT_EQ(path256.size(), kMaxPath);
    expect_path({path256, false, false, Status::kOk, local + "@" + domain});

    const std::string path257 = bracketed(local + "@" + domain + "d");
    ASSERT_EQ(path257.size(), kMaxPath + 1);
    expect_path({path257, false, false, Status::kTooLong, ""});
}

TEST(SmtpPathTest, DomainOver255OctetsIsTooLong) {
    // x{63}.x{63}.x{63}.y{62}.z: 256 octets.
    std::string domain;
    for (int i = 0; i < 3; ++i)
        domain += std::string(63, 'x') + ".";
    domain += std::string(62, 'y') + ".z";
    ASSERT_EQ(domain.size(), kMaxDomain + 1);
    expect_path({bracketed("a@" + domain), false, false, Status::kTooLong, ""});
}

TEST(SmtpPathTest, LongSourceRouteCountsTowardsThePath) {
    std::string route;
    for (int i = 0; i < 20; ++i)
        route += (i == 0 ? "@" : ",@") + std::string(12, 'r') + ".example";
    const std::string path = bracketed(route + ":u@example.org");
    ASSERT_GT(path.size(), kMaxPath);
    expect_path({path, false, false, Status::kTooLong, ""});
}

// ---------------------------------------------------------------------------- UTF-8 (RFC 6531)

TEST(SmtpPathTest, Utf8NeedsSmtputf8) {
    const std::string utf8_local = "j" + std::string(kUUmlaut) + "rg@example.org";
    const std::string utf8_domain = "u@b" + std::string(kUUmlaut) + "cher.example";
    const std::string utf8_quoted = "\"j" + std::string(kUUmlaut) + "rg x\"@example.org";
    for (const std::string& mailbox :
         {std::string(kUtf8Mailbox), utf8_local, utf8_domain, utf8_quoted}) {
        expect_path({bracketed(mailbox), false, true, Status::kOk, mailbox});
        expect_path({bracketed(mailbox), false, false, Status::kNeedsUtf8, ""});
    }
}

TEST(SmtpPathTest, Utf8LocalPartLimitIsInOctets) {
    // 32 two-octet characters: 64 octets, the limit; one more ASCII letter is over it.
    std::string local;
    for (int i = 0; i < 32; ++i)
        local += kUUmlaut;
    expect_path(
        {bracketed(local + "@example.org"), false, true, Status::kOk, local + "@example.org"});
    expect_path({bracketed(local + "a@example.org"), false, true, Status::kTooLong, ""});
}

TEST(SmtpPathTest, Utf8InASourceRouteNeedsSmtputf8) {
    // The route counts too: UTF-8 anywhere in the path needs SMTPUTF8, and kNeedsUtf8 is not
    // hidden behind a syntax error from reading the route as ASCII (MAIL would let it through).
    const std::string route_path = "<@b" + std::string(kUUmlaut) + "cher.example:u@example.org>";
    expect_path({route_path, false, true, Status::kOk, "u@example.org"});
    expect_path({route_path, false, false, Status::kNeedsUtf8, ""});
}

TEST(SmtpPathTest, MalformedUtf8IsNotAMailbox) {
    // RFC 6531 3.3 admits UTF8-non-ascii, well-formed UTF-8 (RFC 3629) only, not any byte of
    // 0x80-0xFF.
    const PathCase rows[] = {
        {"<\xff@example.org>", false, true, Status::kSyntax, ""},         // never in UTF-8
        {"<a\xc3@example.org>", false, true, Status::kSyntax, ""},        // truncated sequence
        {"<\x80\x80@example.org>", false, true, Status::kSyntax, ""},     // lone continuations
        {"<a@\xc0\xaf.example>", false, true, Status::kSyntax, ""},       // overlong '/'
        {"<a@b\xed\xa0\x80.example>", false, true, Status::kSyntax, ""},  // a surrogate
    };
    for (const auto& row : rows)
        expect_path(row);
}

// ---------------------------------------------------------------------------- helpers

TEST(SmtpPathTest, IsValidMailbox) {
    struct Row {
        std::string_view mailbox;
        bool allow_utf8;
        bool valid;
    };
    const Row rows[] = {
        {"a@b.c", false, true},
        {"\"x y\"@example.org", false, true},
        {"a@[192.0.2.1]", false, true},
        {"a@[IPv6:2001:db8::1]", false, true},
        {kUtf8Mailbox, true, true},
        {kUtf8Mailbox, false, false},
        {"", false, false},
        {"a", false, false},
        {"postmaster", false, false},  // a Mailbox has a domain; only the path may omit it
        {"@b.c", false, false},
        {"a@", false, false},
        {"<a@b.c>", false, false},
        {"a@b@c", false, false},
        {"a@-b.c", false, false},
        {"a@[192.0.2.300]", false, false},
    };
    for (const auto& row : rows) {
        EXPECT_EQ(is_valid_mailbox(row.mailbox, row.allow_utf8), row.valid)
            << row.mailbox << " allow_utf8=" << row.allow_utf8;
    }
}

TEST(SmtpPathTest, MailboxDomainIsAfterTheSeparatingAt) {
    EXPECT_EQ(mailbox_domain("a@b.c"), "b.c");
    EXPECT_EQ(mailbox_domain("Alice@Example.ORG"), "Example.ORG");
    EXPECT_EQ(mailbox_domain("\"a@b\"@c.example"), "c.example");
    EXPECT_EQ(mailbox_domain("a@[192.0.2.1]"), "[192.0.2.1]");
    EXPECT_EQ(mailbox_domain("postmaster"), "");
    EXPECT_EQ(mailbox_domain(""), "");
}

}  // namespace
}  // namespace net::smtp
