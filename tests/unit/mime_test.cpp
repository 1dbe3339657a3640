// The MIME reader (mail_server/mime.hpp): header blocks, charsets, RFC 2047 words, addresses,
// RFC 2231 parameters, the part tree and content decoding, and what it does with broken input.
#include "mail_server/mime.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mail::mime
