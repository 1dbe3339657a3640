// The MIME reader (mail_server/mime.hpp): header blocks, charsets, RFC 2047 words, addresses,
// RFC 2231 parameters, the part tree and content decoding, and what it does with broken input.
#include "mail_server/mime.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.hpp"

namespace mail::mime {
namespace {

// UTF-8 source text as bytes.
std::string utf8(std::u8string_view text) {
    return std::string(text.begin(), text.end());
}

// ------------------------------------------------------------------------------------ the head

TEST(MimeHeadTest, FieldsUnfoldedUpToTheEmptyLine) {
    const std::string message =
        "Subject: a long\r\n\tsubject\r\nFrom:  Alice <a@example.org>  \r\nX-Empty:\r\n"
        "\r\nbody: not a field\r\n";
    const Head head = parse_head(message);
    ASSERT_EQ(head.fields.size(), 3u);
    EXPECT_EQ(head.fields[0].name, "Subject");
    EXPECT_EQ(head.fields[0].value, "a long\tsubject");
    EXPECT_EQ(head.fields[1].value, "Alice <a@example.org>");
    EXPECT_EQ(head.fields[2].name, "X-Empty");
    EXPECT_EQ(head.fields[2].value, "");
    EXPECT_EQ(message.substr(head.body_offset), "body: not a field\r\n");
}

TEST(MimeHeadTest, LfLineEndsAndObsoleteSpaceBeforeColon) {
    const std::string message = "To : b@example.org\nSubject: x\n y\n\nHello\n";
    const Head head = parse_head(message);
    ASSERT_EQ(head.fields.size(), 2u);
    EXPECT_EQ(head.fields[0].name, "To");
    EXPECT_EQ(head.fields[0].value, "b@example.org");
    EXPECT_EQ(head.fields[1].value, "x y");
    EXPECT_EQ(message.substr(head.body_offset), "Hello\n");
}

TEST(MimeHeadTest, ALineThatIsNoFieldStartsTheBody) {
    const std::string message = "Subject: x\r\nthis is text\r\nX: y\r\n";
    const Head head = parse_head(message);
    ASSERT_EQ(head.fields.size(), 1u);
    EXPECT_EQ(message.substr(head.body_offset), "this is text\r\nX: y\r\n");
    // A continuation line first continues nothing.
    EXPECT_EQ(parse_head(" indented\r\n\r\n").body_offset, 0u);
    EXPECT_TRUE(parse_head(" indented\r\n\r\n").fields.empty());
}

TEST(MimeHeadTest, NoEmptyLineMeansNoBody) {
    const std::string message = "Subject: x\r\nFrom: y";
    const Head head = parse_head(message);
    EXPECT_EQ(head.fields.size(), 2u);
    EXPECT_EQ(head.body_offset, message.size());
    EXPECT_EQ(parse_head("").body_offset, 0u);
}

TEST(MimeHeadTest, MboxSeparatorLineSkipped) {
    const std::string message =
        "From alice@example.org Thu Jan  1 00:00:00 2026\nSubject: x\n\nb\n";
    const Head head = parse_head(message);
    ASSERT_EQ(head.fields.size(), 1u);
    EXPECT_EQ(head.fields[0].name, "Subject");
    EXPECT_EQ(message.substr(head.body_offset), "b\n");
}

TEST(MimeHeadTest, FindFieldIsCaseInsensitiveAndTakesTheFirst) {
    const Head head = parse_head("subject: one\r\nSUBJECT: two\r\n\r\n");
    const std::string* subject = find_field(head.fields, "Subject");
    ASSERT_NE(subject, nullptr);
    EXPECT_EQ(*subject, "one");
    EXPECT_EQ(find_field(head.fields, "From"), nullptr);
}

// -------------------------------------------------------------------------------- charsets

TEST(MimeCharsetTest, Latin1Latin9AndWindows1252) {
    EXPECT_EQ(to_utf8("caf\xe9 \xa4", "ISO-8859-1"), utf8(u8"café ¤"));
    EXPECT_EQ(to_utf8("caf\xe9 \xa4", "latin1"), utf8(u8"café ¤"));
    EXPECT_EQ(to_utf8("caf\xe9 \xa4", "iso-8859-15"), utf8(u8"café €"));
    EXPECT_EQ(to_utf8("\x80 \x93quoted\x94 \x9c", "windows-1252"), utf8(u8"€ “quoted” œ"));
    // Bytes windows-1252 leaves undefined.
    EXPECT_EQ(to_utf8("a\x81z", "cp1252"), utf8(u8"a\uFFFDz"));
    EXPECT_EQ(to_utf8("\"x\" \xe9", "\"Windows-1252\""), utf8(u8"\"x\" é"));
}

TEST(MimeCharsetTest, Utf8IsRepairedPerMaximalSubpart) {
    EXPECT_EQ(to_utf8(utf8(u8"Grüße ✓ 📎"), "UTF-8"), utf8(u8"Grüße ✓ 📎"));
    // A truncated 3-byte sequence is one U+FFFD; a stray continuation byte is one each.
    EXPECT_EQ(to_utf8("a\xe2\x9c"
                      "b\x80\x80",
                      "utf-8"),
              utf8(u8"a\uFFFDb\uFFFD\uFFFD"));
    // Overlong forms and surrogates are not characters.
    EXPECT_EQ(to_utf8("\xc0\xaf", "utf8"), utf8(u8"\uFFFD\uFFFD"));
    EXPECT_EQ(to_utf8("\xed\xa0\x80", "utf8"), utf8(u8"\uFFFD\uFFFD\uFFFD"));
    EXPECT_EQ(to_utf8("\xf4\x90\x80\x80", "utf8"), utf8(u8"\uFFFD\uFFFD\uFFFD\uFFFD"));
}

TEST(MimeCharsetTest, AsciiAndUnknownCharsetsReplaceHighBytes) {
    EXPECT_EQ(to_utf8("plain \xe9", "us-ascii"), utf8(u8"plain \uFFFD"));
    EXPECT_EQ(to_utf8("plain \xe9", "x-klingon"), utf8(u8"plain \uFFFD"));
}

TEST(MimeCharsetTest, NoCharsetMeansUtf8ElseLatin1) {
    EXPECT_EQ(to_utf8(utf8(u8"schön"), ""), utf8(u8"schön"));
    EXPECT_EQ(to_utf8("sch\xf6n", ""), utf8(u8"schön"));
}

TEST(MimeCharsetTest, EveryByteStringGivesWellFormedUtf8) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    for (const char* charset :
         {"utf-8", "us-ascii", "iso-8859-1", "iso-8859-15", "windows-1252", "", "koi8-r"})
        EXPECT_TRUE(net::is_well_formed_utf8(to_utf8(all + all, charset))) << charset;
}

// ------------------------------------------------------------------------------- RFC 2047

TEST(MimeWordsTest, BAndQWordsDecoded) {
    EXPECT_EQ(decode_words("=?utf-8?B?R3LDvMOfZQ==?="), utf8(u8"Grüße"));
    EXPECT_EQ(decode_words("=?ISO-8859-1?Q?Caf=E9_au_lait?="), utf8(u8"Café au lait"));
    EXPECT_EQ(decode_words("Re: =?utf-8?q?caf=C3=A9?= menu"), utf8(u8"Re: café menu"));
    EXPECT_EQ(decode_words("=?UTF-8?b?w6k?="), utf8(u8"é"));  // padding left out
}

TEST(MimeWordsTest, SpaceBetweenAdjacentWordsDropped) {
    EXPECT_EQ(decode_words("=?utf-8?q?a?= =?utf-8?q?b?="), "ab");
    EXPECT_EQ(decode_words("=?utf-8?q?a?=\t =?iso-8859-1?q?=E9?="), utf8(u8"aé"));
    EXPECT_EQ(decode_words("=?utf-8?q?a?= b =?utf-8?q?c?="), "a b c");
    EXPECT_EQ(decode_words("=?utf-8?q?a_?= b"), "a  b");
}

TEST(MimeWordsTest, ACharacterSplitBetweenWordsIsJoined) {
    // "ü" is C3 BC: its two bytes in two words.
    EXPECT_EQ(decode_words("=?utf-8?Q?=C3?= =?utf-8?Q?=BC?="), utf8(u8"ü"));
    EXPECT_EQ(decode_words("=?utf-8?B?w6Q=?= =?UTF-8?B?w7w=?="), utf8(u8"äü"));
}

TEST(MimeWordsTest, LanguageSuffixIgnored) {
    EXPECT_EQ(decode_words("=?utf-8*de?q?Gr=C3=BC=C3=9Fe?="), utf8(u8"Grüße"));
}

TEST(MimeWordsTest, WhatIsNoEncodedWordStaysAsWritten) {
    for (const char* text :
         {"=?not an encoded word?=", "=?utf-8?x?abc?=", "=?utf-8?q?a b?=", "=?utf-8?q?abc",
          "=??q?abc?=", "a =? b ?= c", "=?", "=?utf-8?", "2 + 2 =? 4"})
        EXPECT_EQ(decode_words(text), text);
}

TEST(MimeWordsTest, RawEightBitTakenAsUtf8ElseLatin1) {
    EXPECT_EQ(decode_words(utf8(u8"schön =?utf-8?q?gr=C3=BCn?=")), utf8(u8"schön grün"));
    EXPECT_EQ(decode_words("sch\xf6n"), utf8(u8"schön"));
}

TEST(MimeWordsTest, UnknownCharsetsAndBrokenBytesStillGiveUtf8) {
    EXPECT_EQ(decode_words("=?x-unknown?q?a=E9?="), utf8(u8"a\uFFFD"));
    EXPECT_EQ(decode_words("=?utf-8?b?/w==?="), utf8(u8"\uFFFD"));
}

// ------------------------------------------------------------------------------- addresses

TEST(MimeAddressTest, NamesQuotesCommentsAndGroups) {
    const std::vector<Address> list = parse_addresses(
        "Alice Example <alice@example.org>, \"Doe, John\" <john@example.org>,bob@example.org, "
        "carol@example.org (Carol C.), Friends: dave@example.org, Eve <eve@example.org>;, "
        "undisclosed-recipients:;");
    ASSERT_EQ(list.size(), 6u);
    EXPECT_EQ(list[0].name, "Alice Example");
    EXPECT_EQ(list[0].address, "alice@example.org");
    EXPECT_EQ(list[1].name, "Doe, John");
    EXPECT_EQ(list[1].address, "john@example.org");
    EXPECT_EQ(list[2].name, "");
    EXPECT_EQ(list[2].address, "bob@example.org");
    EXPECT_EQ(list[3].name, "Carol C.");
    EXPECT_EQ(list[3].address, "carol@example.org");
    EXPECT_EQ(list[4].address, "dave@example.org");
    EXPECT_EQ(list[5].name, "Eve");
    EXPECT_EQ(list[5].address, "eve@example.org");
    EXPECT_EQ(parse_addresses("<x@example.org> (Xavier)")[0].name, "Xavier");
    EXPECT_EQ(parse_addresses("Al (the) Smith <s@example.org>")[0].name, "Al Smith");
    EXPECT_TRUE(parse_addresses("undisclosed-recipients:;").empty());
    EXPECT_TRUE(parse_addresses("").empty());
}

TEST(MimeAddressTest, EncodedNamesRoutesAndDomainLiterals) {
    const std::vector<Address> list = parse_addresses(
        "=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M=C3=BCller?= <joerg@example.org>, "
        "\"=?iso-8859-1?q?Ren=E9?=\" <rene@example.org>, <@a.example,@b.example:x@c.example>, "
        "y@[IPv6:::1], \"quoted local\"@example.org, \"esc \\\"aped\\\"\" <z@example.org>");
    ASSERT_EQ(list.size(), 6u);
    EXPECT_EQ(list[0].name, utf8(u8"Jörg Müller"));
    EXPECT_EQ(list[1].name, utf8(u8"René"));
    EXPECT_EQ(list[2].address, "x@c.example");
    EXPECT_EQ(list[3].address, "y@[IPv6:::1]");
    EXPECT_EQ(list[4].address, "\"quoted local\"@example.org");
    EXPECT_EQ(list[5].name, "esc \"aped\"");
}

TEST(MimeAddressTest, MalformedEntriesNeverThrow) {
    for (const char* text : {"<", "\"", "(", "a <b", "\"a, b", ",,,", ":;:;", "(a (b) c", "[", "<>",
                             "name <>", "\\", "a@b (unterminated"})
        EXPECT_NO_THROW(parse_addresses(text)) << text;
    const std::vector<Address> list = parse_addresses("Alice <alice@example.org");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].address, "alice@example.org");
    EXPECT_TRUE(net::is_well_formed_utf8(parse_addresses("J\xf6rg <j\xf6@x>")[0].name));
    EXPECT_TRUE(net::is_well_formed_utf8(parse_addresses("J\xf6rg <j\xf6@x>")[0].address));
}

TEST(MimeAddressTest, FormatQuotesNamesWithSpecials) {
    EXPECT_EQ(format_address({"", "a@example.org"}), "a@example.org");
    EXPECT_EQ(format_address({"Alice Example", "a@example.org"}), "Alice Example <a@example.org>");
    EXPECT_EQ(format_address({"Doe, John", "j@example.org"}), "\"Doe, John\" <j@example.org>");
    EXPECT_EQ(format_address({"say \"hi\"", "j@example.org"}),
              "\"say \\\"hi\\\"\" <j@example.org>");
    EXPECT_EQ(format_address({utf8(u8"Jörg"), "j@example.org"}), utf8(u8"Jörg <j@example.org>"));
}

// ------------------------------------------------------------------------------ parameters

TEST(MimeParameterTest, ValueAndParameters) {
    const HeaderValue type = parse_header_value(
        "Text/Plain ; Charset=\"UTF-8\"; format=flowed;delsp=yes; name=\"a;b.txt\"");
    EXPECT_EQ(type.value, "text/plain");
    EXPECT_EQ(type.parameter("charset"), "UTF-8");
    EXPECT_EQ(type.parameter("format"), "flowed");
    EXPECT_EQ(type.parameter("delsp"), "yes");
    EXPECT_EQ(type.parameter("name"), "a;b.txt");
    EXPECT_EQ(type.parameter("missing"), "");
}

TEST(MimeParameterTest, CommentsAndLenientTokens) {
    const HeaderValue type =
        parse_header_value("text/plain (Plain text); charset=us-ascii (ASCII)");
    EXPECT_EQ(type.value, "text/plain");
    EXPECT_EQ(type.parameter("charset"), "us-ascii");
    EXPECT_EQ(parse_header_value("attachment; filename=my file.pdf").parameter("filename"),
              "my file.pdf");
    EXPECT_EQ(parse_header_value("attachment; filename=\"a \\\"b\\\".txt\"").parameter("filename"),
              "a \"b\".txt");
    EXPECT_EQ(parse_header_value("attachment; filename").parameters.size(), 0u);
    EXPECT_EQ(parse_header_value("").value, "");
}

TEST(MimeParameterTest, Rfc2231ExtendedAndSections) {
    EXPECT_EQ(parse_header_value("attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.txt")
                  .parameter("filename"),
              utf8(u8"Grüße.txt"));
    EXPECT_EQ(
        parse_header_value("attachment; filename*=iso-8859-1'de'caf%E9.txt").parameter("filename"),
        utf8(u8"café.txt"));
    // Sections in any order, extended and plain ones mixed, the charset in the first.
    const HeaderValue value = parse_header_value(
        "attachment; filename*1*=%C3%BC%C3%9Fe; filename*0*=UTF-8''Gr; filename*2=\" und so.txt\"");
    EXPECT_EQ(value.parameter("filename"), utf8(u8"Grüße und so.txt"));
    // A character's bytes split between two sections.
    EXPECT_EQ(parse_header_value("a; name*0*=utf-8''%C3; name*1*=%BC").parameter("name"),
              utf8(u8"ü"));
    // The extended form wins over a plain one given for older readers.
    const HeaderValue both =
        parse_header_value("attachment; filename=\"fallback.txt\"; filename*=utf-8''%E2%9C%93.txt");
    EXPECT_EQ(both.parameter("filename"), utf8(u8"✓.txt"));
    EXPECT_EQ(both.parameters.size(), 1u);
}

TEST(MimeParameterTest, EncodedWordsInQuotedValuesButNotInBoundaries) {
    const HeaderValue type = parse_header_value(
        "multipart/mixed; boundary=\"=?utf-8?q?x?=\"; name=\"=?utf-8?B?w6TDtsO8LnR4dA==?=\"");
    EXPECT_EQ(type.parameter("boundary"), "=?utf-8?q?x?=");
    EXPECT_EQ(type.parameter("name"), utf8(u8"äöü.txt"));
}

TEST(MimeParameterTest, BrokenRfc2231StillGivesUtf8) {
    for (const char* text :
         {"a; name*=utf-8''%", "a; name*=utf-8''%G1", "a; name*=x-unknown''%E9", "a; name*=%E9",
          "a; name*0*=''%E9", "a; name*1=x", "a; name*99999=x", "a; name*=utf-8'", "a; *=x"}) {
        const HeaderValue value = parse_header_value(text);
        for (const auto& [name, parameter] : value.parameters) {
            EXPECT_FALSE(name.empty()) << text;
            EXPECT_TRUE(net::is_well_formed_utf8(parameter)) << text;
        }
    }
    EXPECT_EQ(parse_header_value("a; name*=%E9").parameter("name"), utf8(u8"é"));
}

// ----------------------------------------------------------------------------- the tree

std::string part_text(const std::string& message, const Message& parsed, std::size_t index) {
    return decode_text(message, parsed.parts.at(index));
}

TEST(MimeTreeTest, SinglePartMessage) {
    const std::string message =
        "Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 =\r\nau lait\r\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    const Part& part = parsed.parts[0];
    EXPECT_EQ(part.id, "1");
    EXPECT_EQ(part.content_type, "text/plain");
    EXPECT_EQ(part.charset, "iso-8859-1");
    EXPECT_EQ(part.transfer_encoding, "quoted-printable");
    EXPECT_FALSE(part.attachment);
    EXPECT_FALSE(part.malformed);
    EXPECT_EQ(parsed.text, 0u);
    EXPECT_EQ(parsed.html, std::nullopt);
    EXPECT_EQ(part_text(message, parsed, 0), utf8(u8"Café au lait\r\n"));
    EXPECT_EQ(find_field(parsed.head.fields, "subject") != nullptr, true);
}

TEST(MimeTreeTest, NoContentTypeIsPlainText) {
    const std::string message = "Subject: x\n\nhello\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
    EXPECT_EQ(parsed.parts[0].charset, "");
    EXPECT_EQ(part_text(message, parsed, 0), "hello\n");
}

// text + (text, html) alternative + an attachment, nested, LF line ends.
constexpr std::string_view kNested =
    "From: a@example.org\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "This is the preamble.\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "plain text\n"
    "--inner\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "PHA+aHRtbDwvcD4=\n"
    "--inner--\n"
    "--outer  \n"
    "Content-Type: image/png\n"
    "Content-Disposition: inline\n"
    "Content-ID: <logo@example.org>\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "iVBORw0KGgo=\n"
    "--outer\n"
    "Content-Type: application/pdf; name=\"old-name.pdf\"\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQK\n"
    "--outer--\n"
    "This is the epilogue.\n";

TEST(MimeTreeTest, NestedMultipartLeavesInOrder) {
    const std::string message(kNested);
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 4u);
    EXPECT_EQ(parsed.parts[0].id, "1.1");
    EXPECT_EQ(parsed.parts[1].id, "1.2");
    EXPECT_EQ(parsed.parts[2].id, "2");
    EXPECT_EQ(parsed.parts[3].id, "3");
    EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
    EXPECT_EQ(parsed.parts[1].content_type, "text/html");
    EXPECT_EQ(parsed.parts[2].content_type, "image/png");
    EXPECT_EQ(parsed.parts[3].content_type, "application/pdf");
    EXPECT_EQ(parsed.text, 0u);
    EXPECT_EQ(parsed.html, 1u);
    // The line break before a delimiter belongs to the delimiter.
    EXPECT_EQ(part_text(message, parsed, 0), "plain text");
    EXPECT_EQ(part_text(message, parsed, 1), "<p>html</p>");
    EXPECT_EQ(decode_content(message, parsed.parts[2]), "\x89PNG\r\n\x1a\n");
    EXPECT_EQ(parsed.parts[2].content_id, "logo@example.org");
    EXPECT_EQ(parsed.parts[2].disposition, "inline");
    EXPECT_FALSE(parsed.parts[2].attachment);
    EXPECT_EQ(parsed.parts[3].filename, "report.pdf");  // filename= before name=
    EXPECT_EQ(parsed.parts[3].disposition, "attachment");
    EXPECT_TRUE(parsed.parts[3].attachment);
    EXPECT_EQ(decode_content(message, parsed.parts[3]), "%PDF-1.4\n");
    for (const Part& part : parsed.parts)
        EXPECT_FALSE(part.malformed);
}

TEST(MimeTreeTest, CrlfMessageAndAMissingCloseDelimiter) {
    const std::string message =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nfirst\r\n\r\n--b\r\n"
        "Content-Type: text/plain; name=notes.txt\r\n\r\nsecond\r\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 2u);
    EXPECT_EQ(part_text(message, parsed, 0), "first\r\n");
    EXPECT_EQ(part_text(message, parsed, 1), "second\r\n");
    EXPECT_EQ(parsed.text, 0u);
    // A file name on a part that is not the body makes it an attachment.
    EXPECT_TRUE(parsed.parts[1].attachment);
    EXPECT_EQ(parsed.parts[1].filename, "notes.txt");
}

TEST(MimeTreeTest, AnAttachedTextIsNotTheBody) {
    const std::string message =
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n"
        "Content-Disposition: attachment; filename=a.txt\n\nattached\n--b\n"
        "Content-Type: text/html\n\n<b>body</b>\n--b--\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 2u);
    EXPECT_EQ(parsed.text, std::nullopt);
    EXPECT_EQ(parsed.html, 1u);
    EXPECT_TRUE(parsed.parts[0].attachment);
}

TEST(MimeTreeTest, DigestPartsDefaultToMessages) {
    const std::string message =
        "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n--d--\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].content_type, "message/rfc822");
    EXPECT_EQ(decode_content(message, parsed.parts[0]), "Subject: one\n\nbody");
}

TEST(MimeTreeTest, EnclosedMessageIsALeaf) {
    const std::string message =
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
        "Content-Type: multipart/mixed; boundary=c\n\n--c\n\ninner\n--c--\n--b--\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].content_type, "message/rfc822");
}

TEST(MimeTreeTest, MultipartWithoutBoundaryShownRaw) {
    for (const std::string message :
         {"Content-Type: multipart/mixed\n\nraw body\n",
          "Content-Type: multipart/mixed; boundary=zz\n\nno delimiter here\n",
          "Content-Type: multipart/mixed; boundary=\"\"\n\nraw body\n"}) {
        const Message parsed = parse_message(message);
        ASSERT_EQ(parsed.parts.size(), 1u) << message;
        EXPECT_TRUE(parsed.parts[0].malformed);
        EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
        EXPECT_EQ(parsed.text, 0u);
        EXPECT_EQ(part_text(message, parsed, 0), message.substr(message.find("\n\n") + 2));
    }
}

TEST(MimeTreeTest, InvalidContentTypeReadAsText) {
    const std::string message = "Content-Type: garbage; charset=latin1\n\nb\xe9\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
    EXPECT_EQ(part_text(message, parsed, 0), utf8(u8"bé\n"));
}

TEST(MimeTreeTest, BoundaryThatExtendsAnotherIsNotIt) {
    const std::string message =
        "Content-Type: multipart/mixed; boundary=ab\n\n--ab\n"
        "Content-Type: multipart/alternative; boundary=abc\n\n--abc\n\nx\n--abc--\n--ab--\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].id, "1.1");
    EXPECT_EQ(part_text(message, parsed, 0), "x");
}

// Nesting past the limit is shown raw, and the walk does not recurse: 100,000 levels would
// overflow a recursive reader's stack.
TEST(MimeTreeTest, DeepNestingIsBounded) {
    std::string message;
    constexpr int kLevels = 100000;
    for (int i = 0; i < kLevels; ++i)
        message += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
                   std::to_string(i) + "\n";
    message += "\ninnermost\n";
    const Message parsed = parse_message(message);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_TRUE(parsed.parts[0].malformed);
    EXPECT_LE(std::count(parsed.parts[0].id.begin(), parsed.parts[0].id.end(), '.'), 16);
}

TEST(MimeTreeTest, PartCountIsBounded) {
    std::string message = "Content-Type: multipart/mixed; boundary=b\n\n";
    for (int i = 0; i < 50000; ++i)
        message += "--b\n\nx\n";
    const Message parsed = parse_message(message);
    EXPECT_GT(parsed.parts.size(), 100u);
    EXPECT_LE(parsed.parts.size(), 1000u);
}

// ------------------------------------------------------------------------------- content

Part with_encoding(std::string_view encoding, std::size_t length) {
    Part part;
    part.transfer_encoding = std::string(encoding);
    part.length = length;
    return part;
}

TEST(MimeContentTest, Base64IsLenient) {
    const auto decoded = [](std::string_view text) {
        return decode_content(text, with_encoding("base64", text.size()));
    };
    EXPECT_EQ(decoded("aGVs\r\nbG8=\r\n"), "hello");
    EXPECT_EQ(decoded(" aGVsbG8 "), "hello");  // no padding
    EXPECT_EQ(decoded("aGVsbG8=IGlnbm9yZWQ="), "hello");
    EXPECT_EQ(decoded("aGVs!bG8="), "hel");
    EXPECT_EQ(decoded("a"), "");
    EXPECT_EQ(decoded(""), "");
}

TEST(MimeContentTest, QuotedPrintable) {
    const auto decoded = [](std::string_view text) {
        return decode_content(text, with_encoding("quoted-printable", text.size()));
    };
    EXPECT_EQ(decoded("a=3Db=3db\r\nsoft=\r\nbreak=  \r\nx"), "a=b=b\r\nsoftbreakx");
    EXPECT_EQ(decoded("trailing   \nkept =\tx\n"), "trailing\nkept =\tx\n");
    EXPECT_EQ(decoded("bad =G1 =4"), "bad =G1 =4");
    EXPECT_EQ(decoded("end="), "end");
}

TEST(MimeContentTest, OtherEncodingsAsTheyAre) {
    for (const char* encoding : {"7bit", "8bit", "binary", "x-uuencode", ""})
        EXPECT_EQ(decode_content("a=3D\r\n", with_encoding(encoding, 6)), "a=3D\r\n");
}

TEST(MimeContentTest, PartOutsideTheMessageIsClamped) {
    Part part = with_encoding("", 100);
    part.offset = 3;
    EXPECT_EQ(decode_content("abcdef", part), "def");
    part.offset = 1000;
    EXPECT_EQ(decode_content("abcdef", part), "");
}

}  // namespace
}  // namespace mail::mime
