// mail_client's message composition (RFC 5322, MIME: RFC 2045/2046/2047/2231): header order and
// folding, encoded-words, quoted-printable, base64, the multipart boundary, validate()'s refusals,
// and the composed message read back by python's `email` package, a parser we did not write.
#include "mail_client/compose.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.hpp"
#include "common/base64.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

namespace mail_client {
namespace {

constexpr std::size_t kMaxLineOctets = 998;  // RFC 5322 2.1.1
constexpr std::size_t kFoldColumn = 78;      // RFC 5322 2.1.1, "SHOULD"
constexpr std::size_t kMaxEncodedWord = 75;  // RFC 2047 2
constexpr std::size_t kMaxMimeLine = 76;     // RFC 2045 6.7, 6.8; RFC 2047 2
constexpr std::string_view kDate = "Wed, 25 Nov 2026 07:53:12 +0000";
constexpr std::string_view kMessageId = "<1795593192000000.00000000deadbeef@example.org>";

// UTF-8 source text as bytes: u8"..." keeps the file readable ("\xc3\xbc" + 'b' would not even
// parse as two characters).
std::string utf8(std::u8string_view text) {
    return std::string(text.begin(), text.end());
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size()))
        ++count;
    return count;
}

Composition simple_message() {
    Composition message;
    message.from = "alice@example.org";
    message.to = {"bob@example.org", "carol@example.org"};
    message.cc = {"dave@example.org"};
    message.subject = "Hello";
    message.body = "Hi Bob,\n\nbye";
    message.date = std::string(kDate);
    message.message_id = std::string(kMessageId);
    return message;
}

// The lines of a CRLF text, without their CRLF; a final line without one is kept too.
std::vector<std::string> crlf_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find("\r\n", start);
        if (end == std::string_view::npos) end = text.size();
        lines.emplace_back(text.substr(start, end - start));
        start = end + 2;
    }
    return lines;
}

// Every line end is CRLF (no bare CR or LF), and no line passes `limit` octets.
void expect_lines_within(std::string_view text, std::size_t limit) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            ASSERT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "bare CR at " << i;
        } else if (text[i] == '\n') {
            ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
        }
    }
    for (const auto& line : crlf_lines(text))
        EXPECT_LE(line.size(), limit) << line.substr(0, 100) << "...";
}

std::string header_block(std::string_view message) {
    const auto end = message.find("\r\n\r\n");
    return std::string(message.substr(0, end == std::string_view::npos ? message.size() : end + 2));
}

std::string body_of(std::string_view message) {
    const auto end = message.find("\r\n\r\n");
    return end == std::string_view::npos ? std::string() : std::string(message.substr(end + 4));
}

// The field names of a header block, in order.
std::vector<std::string> field_names(std::string_view headers) {
    std::vector<std::string> names;
    for (const auto& line : crlf_lines(headers)) {
        if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;
        names.push_back(line.substr(0, line.find(':')));
    }
    return names;
}

// The first field called `name` with its folds kept ("a\r\n b"), without "Name:" and the
// final CRLF; nullopt when there is none.
std::optional<std::string> raw_field(std::string_view headers, std::string_view name) {
    const auto lines = crlf_lines(headers);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto colon = lines[i].find(':');
        if (colon == std::string::npos || !net::iequals(lines[i].substr(0, colon), name)) continue;
        std::string value = lines[i].substr(colon + 1);
        while (i + 1 < lines.size() && !lines[i + 1].empty() &&
               (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t'))
            value += "\r\n" + lines[++i];
        return value;
    }
    return std::nullopt;
}

// RFC 5322 2.2.3 unfolding: every CRLF before WSP removed; then the one space after "Name:".
std::string unfolded(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw.substr(i, 2) == "\r\n") {
            ++i;
            continue;
        }
        out += raw[i];
    }
    if (!out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
}

std::string field(std::string_view message, std::string_view name) {
    const auto raw = raw_field(header_block(message), name);
    return raw ? unfolded(*raw) : "(no " + std::string(name) + ")";
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1]));
    return out;
}

// Decodes a header value made only of encoded-words separated by whitespace and folds,
// checking each: "=?utf-8?B?...?=" or "?Q?", at most 75 characters (RFC 2047 2).
std::string decoded_words(std::string_view value) {
    std::string text;
    std::istringstream words{std::string(value)};
    std::string word;
    while (words >> word) {
        EXPECT_LE(word.size(), kMaxEncodedWord) << word;
        const bool b = word.starts_with("=?utf-8?B?");
        const bool q = word.starts_with("=?utf-8?Q?");
        EXPECT_TRUE((b || q) && word.ends_with("?=")) << word;
        if (!(b || q) || word.size() < 12) return text + "(not an encoded-word: " + word + ")";
        const std::string_view payload = std::string_view(word).substr(10, word.size() - 12);
        if (b) {
            const auto bytes = net::base64_decode(payload);
            EXPECT_TRUE(bytes.has_value()) << word;
            text += bytes.value_or("");
            // RFC 2047 5: each encoded-word holds whole characters.
            EXPECT_TRUE(net::is_well_formed_utf8(bytes.value_or(""))) << word;
            continue;
        }
        std::string bytes;
        for (std::size_t i = 0; i < payload.size(); ++i) {
            if (payload[i] == '_') {
                bytes += ' ';
            } else if (payload[i] == '=' && i + 2 < payload.size() &&
                       hex_value(payload[i + 1]) >= 0 && hex_value(payload[i + 2]) >= 0) {
                bytes +=
                    static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2]));
                i += 2;
            } else {
                EXPECT_NE(payload[i], '?') << word;
                EXPECT_NE(payload[i], '=') << word;
                bytes += payload[i];
            }
        }
        EXPECT_TRUE(net::is_well_formed_utf8(bytes)) << word;
        text += bytes;
    }
    return text;
}

// Quoted-printable decoding (RFC 2045 6.7), checking the encoding's own rules on the way: lines
// of at most 76, no WSP before a line end, only printable ASCII.
std::string qp_decoded(std::string_view encoded) {
    for (const auto& line : crlf_lines(encoded)) {
        EXPECT_LE(line.size(), kMaxMimeLine) << line;
        EXPECT_TRUE(line.empty() || (line.back() != ' ' && line.back() != '\t')) << line;
        for (const char c : line)
            EXPECT_TRUE((c >= 33 && c <= 126) || c == ' ' || c == '\t') << line;
    }
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '=') {
            out += encoded[i];
        } else if (encoded.substr(i + 1, 2) == "\r\n") {
            i += 2;  // a soft line break
        } else {
            EXPECT_LE(i + 2, encoded.size() - 1) << "a cut =XX at the end";
            const int high = hex_value(encoded[i + 1]);
            const int low = hex_value(encoded[i + 2]);
            EXPECT_TRUE(high >= 0 && low >= 0) << encoded.substr(i, 3);
            out += static_cast<char>(high * 16 + low);
            i += 2;
        }
    }
    return out;
}

// The boundary of a multipart message, from its Content-Type.
std::string boundary_of(std::string_view message) {
    const std::string type = field(message, "Content-Type");
    const auto at = type.find("boundary=\"");
    if (at == std::string::npos) return {};
    const auto start = at + 10;
    return type.substr(start, type.find('"', start) - start);
}

// The body parts of a multipart message, each as it stands between two delimiter lines.
std::vector<std::string> parts_of(std::string_view message) {
    const std::string boundary = boundary_of(message);
    const std::string body = body_of(message);
    const std::string delimiter = "--" + boundary;
    std::vector<std::string> parts;
    EXPECT_TRUE(body.starts_with(delimiter + "\r\n")) << body.substr(0, 200);
    EXPECT_TRUE(body.ends_with("\r\n" + delimiter + "--\r\n"));
    std::size_t start = delimiter.size() + 2;
    for (;;) {
        const auto end = body.find("\r\n" + delimiter, start);
        if (end == std::string::npos) break;
        parts.push_back(body.substr(start, end - start));
        start = end + 2 + delimiter.size();
        if (body.compare(start, 2, "--") == 0) break;
        start += 2;
    }
    return parts;
}

Attachment attachment(std::string filename, std::string data, std::string type = {}) {
    return Attachment{std::move(filename), std::move(type), std::move(data)};
}

std::string all_byte_values() {
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes += static_cast<char>(i);
    return bytes;
}

// ------------------------------------------------------------------------------- the header

TEST(ComposeTest, SimpleMessageByteForByte) {
    Composition message = simple_message();
    message.extra = {{"X-Mailer", "mail_client"}, {"Reply-To", "alice@example.net"}};
    EXPECT_EQ(compose(message),
              "Date: Wed, 25 Nov 2026 07:53:12 +0000\r\n"
              "From: alice@example.org\r\n"
              "To: bob@example.org, carol@example.org\r\n"
              "Cc: dave@example.org\r\n"
              "Subject: Hello\r\n"
              "Message-ID: <1795593192000000.00000000deadbeef@example.org>\r\n"
              "MIME-Version: 1.0\r\n"
              "X-Mailer: mail_client\r\n"
              "Reply-To: alice@example.net\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: 7bit\r\n"
              "\r\n"
              "Hi Bob,\r\n"
              "\r\n"
              "bye\r\n");
}

TEST(ComposeTest, HeadersInOrderWithAttachments) {
    Composition message = simple_message();
    message.extra = {{"X-Second", "2"}, {"X-First", "1"}};
    message.attachments = {attachment("a.txt", "text")};
    const std::string composed = compose(message);
    const std::vector<std::string> expected = {"Date",
                                               "From",
                                               "To",
                                               "Cc",
                                               "Subject",
                                               "Message-ID",
                                               "MIME-Version",
                                               "X-Second",
                                               "X-First",
                                               "Content-Type",
                                               "Content-Transfer-Encoding"};
    EXPECT_EQ(field_names(header_block(composed)), expected);
    EXPECT_EQ(field(composed, "MIME-Version"), "1.0");
    EXPECT_EQ(field(composed, "Date"), kDate);
    EXPECT_EQ(field(composed, "Message-ID"), kMessageId);
}

TEST(ComposeTest, BccNeverAppears) {
    // Bcc recipients are never in a Composition; an --header cannot add one either.
    Composition message = simple_message();
    message.to.clear();
    message.cc.clear();
    const std::string composed = compose(message);
    EXPECT_FALSE(contains(composed, "Bcc")) << composed;
    EXPECT_FALSE(contains(composed, "bcc")) << composed;
    // Only hidden recipients: the group syntax says so (RFC 5322 A.1.3).
    EXPECT_EQ(field(composed, "To"), "undisclosed-recipients:;");
    EXPECT_EQ(raw_field(header_block(composed), "Cc"), std::nullopt);

    message.extra = {{"Bcc", "eve@example.org"}};
    const auto problem = validate(message);
    ASSERT_TRUE(problem.has_value());
    EXPECT_TRUE(contains(*problem, "Bcc")) << *problem;
}

TEST(ComposeTest, CcWithoutToHasNoToField) {
    Composition message = simple_message();
    message.to.clear();
    const std::string headers = header_block(compose(message));
    EXPECT_EQ(raw_field(headers, "To"), std::nullopt) << headers;
    EXPECT_EQ(field(headers, "Cc"), "dave@example.org");
}

TEST(ComposeTest, EmptySubjectAndBody) {
    Composition message = simple_message();
    message.subject.clear();
    message.body.clear();
    const std::string composed = compose(message);
    EXPECT_TRUE(contains(composed, "\r\nSubject:\r\nMessage-ID:")) << composed;
    EXPECT_TRUE(composed.ends_with("Content-Transfer-Encoding: 7bit\r\n\r\n")) << composed;
}

TEST(ComposeTest, LongAsciiSubjectFoldsAt78) {
    std::string subject;
    for (int i = 0; subject.size() < 5000; ++i)
        subject += (i ? " " : "") + std::string("word") + std::to_string(i);
    subject += "  two  spaces\tand a tab ";
    Composition message = simple_message();
    message.subject = subject;
    const std::string composed = compose(message);
    expect_lines_within(header_block(composed), kFoldColumn);
    EXPECT_EQ(field(composed, "Subject"), subject);
    EXPECT_FALSE(contains(header_block(composed), "=?")) << "plain ASCII needs no encoded-words";
    EXPECT_GT(crlf_lines(header_block(composed)).size(), 5000 / kFoldColumn);
    for (const auto& line : crlf_lines(header_block(composed)))
        EXPECT_NE(line.find_first_not_of(" \t"), std::string::npos) << "a line of only WSP";
}

TEST(ComposeTest, SubjectWithoutSpacesBecomesEncodedWordsUnder998) {
    // 5,000 characters with nowhere to fold: encoded-words can be split anywhere.
    Composition message = simple_message();
    message.subject = std::string(5000, 'x');
    const std::string composed = compose(message);
    expect_lines_within(header_block(composed), kMaxMimeLine);
    const auto raw = raw_field(header_block(composed), "Subject");
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(decoded_words(*raw), message.subject);
}

TEST(ComposeTest, LongAddressListFolds) {
    Composition message = simple_message();
    message.to.clear();
    std::string joined;
    for (int i = 0; i < 200; ++i) {
        message.to.push_back("Recipient Number " + std::to_string(i) + " <r" + std::to_string(i) +
                             "@example.org>");
        joined += (i ? ", " : "") + message.to.back();
    }
    const std::string composed = compose(message);
    expect_lines_within(header_block(composed), kFoldColumn);
    EXPECT_EQ(field(composed, "To"), joined);
}

TEST(ComposeTest, LongExtraHeaderFolds) {
    Composition message = simple_message();
    std::string value;
    for (int i = 0; i < 300; ++i)
        value += "token" + std::to_string(i) + " ";
    value.pop_back();
    message.extra = {{"X-Long", value}};
    ASSERT_EQ(validate(message), std::nullopt);
    const std::string composed = compose(message);
    expect_lines_within(header_block(composed), kFoldColumn);
    EXPECT_EQ(field(composed, "X-Long"), value);
}

TEST(ComposeTest, SameInputSameBytes) {
    Composition message = simple_message();
    message.attachments = {attachment("a.bin", all_byte_values())};
    EXPECT_EQ(compose(message), compose(message));
}

// ------------------------------------------------------------------------------- the text part

TEST(ComposeTest, AsciiBodyIs7bit) {
    const std::string composed = compose(simple_message());
    EXPECT_EQ(field(composed, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "7bit");
}

TEST(ComposeTest, NonAsciiBodyIs8bitWhenTheServerTakesIt) {
    Composition message = simple_message();
    message.body = utf8(u8"Grüße aus Köln\n✓ done\n");
    message.eight_bit = true;
    const std::string composed = compose(message);
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "8bit");
    EXPECT_EQ(body_of(composed), utf8(u8"Grüße aus Köln\r\n✓ done\r\n"));
}

TEST(ComposeTest, NonAsciiBodyIsQuotedPrintableOtherwise) {
    Composition message = simple_message();
    message.body = utf8(u8"Grüße aus Köln\n");
    message.eight_bit = false;
    const std::string composed = compose(message);
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "quoted-printable");
    EXPECT_EQ(body_of(composed), "Gr=C3=BC=C3=9Fe aus K=C3=B6ln\r\n");
}

TEST(ComposeTest, BodyLineOver998ForcesQuotedPrintableEvenWith8bit) {
    for (const bool ascii : {true, false}) {
        Composition message = simple_message();
        const std::string line =
            ascii ? std::string(3000, 'a')
                  : std::string(1000, 'a') + utf8(u8"é") + std::string(2000, 'b');
        message.body = "short\n" + line + "\nend\n";
        message.eight_bit = true;
        const std::string composed = compose(message);
        SCOPED_TRACE(ascii ? "ASCII" : "UTF-8");
        EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "quoted-printable");
        expect_lines_within(composed, kMaxMimeLine);
        EXPECT_EQ(qp_decoded(body_of(composed)), "short\r\n" + line + "\r\nend\r\n");
    }
}

TEST(ComposeTest, Body998OctetLineStays7bit) {
    Composition message = simple_message();
    message.body = std::string(998, 'a') + "\n";
    const std::string composed = compose(message);
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "7bit");
    expect_lines_within(composed, kMaxLineOctets);
}

TEST(ComposeTest, NulInBodyForcesQuotedPrintable) {
    // RFC 2045 2.7, 2.8: neither 7bit nor 8bit data may hold a NUL.
    Composition message = simple_message();
    message.body = std::string("a\0b\n", 4);
    message.eight_bit = true;
    const std::string composed = compose(message);
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "quoted-printable");
    EXPECT_EQ(body_of(composed), "a=00b\r\n");
}

TEST(ComposeTest, BodyLineEndsBecomeCrlfAndTheLastLineGetsOne) {
    Composition message = simple_message();
    message.body = "unix\nmac\rwindows\r\nlast";
    EXPECT_EQ(body_of(compose(message)), "unix\r\nmac\r\nwindows\r\nlast\r\n");
    message.body = "ends\n";
    EXPECT_EQ(body_of(compose(message)), "ends\r\n");
}

TEST(MimeTest, CrlfNormalized) {
    EXPECT_EQ(crlf_normalized(""), "");
    EXPECT_EQ(crlf_normalized("no line end"), "no line end");
    EXPECT_EQ(crlf_normalized("a\nb\n"), "a\r\nb\r\n");
    EXPECT_EQ(crlf_normalized("a\r\nb\r\n"), "a\r\nb\r\n");
    EXPECT_EQ(crlf_normalized("a\rb\r"), "a\r\nb\r\n");
    EXPECT_EQ(crlf_normalized("\r\r\n"), "\r\n\r\n");
    EXPECT_EQ(crlf_normalized("\n\r"), "\r\n\r\n");
    EXPECT_EQ(crlf_normalized("\n\n"), "\r\n\r\n");
    EXPECT_EQ(crlf_normalized(utf8(u8"é\nü")), utf8(u8"é\r\nü"));
}

// ------------------------------------------------------------------------------- multipart

TEST(MimeTest, MultipartStructureByteForByte) {
    Composition message = simple_message();
    message.body = "See attached.\n";
    message.attachments = {attachment("hello.txt", "hello\n")};
    const std::string composed = compose(message);
    const std::string boundary = boundary_of(composed);
    ASSERT_TRUE(boundary.starts_with("=_")) << composed;
    const std::string expected_body =
        "--" + boundary +
        "\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "See attached.\r\n"
        "\r\n--" +
        boundary +
        "\r\n"
        "Content-Type: text/plain; charset=utf-8; name=\"hello.txt\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"hello.txt\"\r\n"
        "\r\n"
        "aGVsbG8K\r\n--" +
        boundary + "--\r\n";
    EXPECT_EQ(body_of(composed), expected_body);
    EXPECT_EQ(field(composed, "Content-Type"), "multipart/mixed; boundary=\"" + boundary + "\"");
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "7bit");
}

TEST(MimeTest, BoundaryIsValidAndOccursOnlyAsDelimiters) {
    Composition message = simple_message();
    message.attachments = {attachment("a.bin", all_byte_values()), attachment("b", "")};
    const std::string composed = compose(message);
    const std::string boundary = boundary_of(composed);
    // RFC 2046 5.1.1: 1 to 70 bchars, here quoted because '=' is a tspecial.
    ASSERT_FALSE(boundary.empty());
    EXPECT_LE(boundary.size(), 70u);
    EXPECT_TRUE(contains(boundary, "=_")) << boundary;
    for (const char c : boundary)
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) ||
                    contains("'()+_,-./:=?", {&c, 1}))
            << boundary;
    EXPECT_EQ(occurrences(composed, boundary), 1 + 3 + 1);  // Content-Type, 3 parts, the end
    const auto parts = parts_of(composed);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_TRUE(parts[2].ends_with("\r\n\r\n")) << "an empty attachment: headers, an empty line";
    expect_lines_within(composed, kFoldColumn);
}

TEST(MimeTest, BoundaryComesFromTheMessageId) {
    Composition message = simple_message();
    message.attachments = {attachment("a.txt", "a")};
    const std::string first = boundary_of(compose(message));
    message.message_id = "<another@example.org>";
    EXPECT_NE(boundary_of(compose(message)), first);
}

TEST(MimeTest, BoundaryAvoidsATextPartThatHoldsIt) {
    Composition message = simple_message();
    message.attachments = {attachment("a.txt", "a")};
    const std::string usual = boundary_of(compose(message));
    for (const bool eight_bit : {false, true}) {
        // 7bit text, then 8bit text, holding the boundary it would have had as a delimiter line.
        message.eight_bit = eight_bit;
        message.body = (eight_bit ? utf8(u8"é\n") : "") + "before\n--" + usual + "\nafter\n--" +
                       usual + "--\n";
        const std::string composed = compose(message);
        const std::string boundary = boundary_of(composed);
        EXPECT_NE(boundary, usual);
        EXPECT_TRUE(boundary.starts_with(usual)) << boundary;
        EXPECT_EQ(occurrences(composed, "--" + boundary), 3u);
        const auto parts = parts_of(composed);
        ASSERT_EQ(parts.size(), 2u);
        EXPECT_TRUE(parts[0].ends_with("--" + usual + "--\r\n")) << parts[0];
        EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), eight_bit ? "8bit" : "7bit");
    }
}

TEST(MimeTest, BoundaryAvoidsAFileNameThatHoldsIt) {
    Composition message = simple_message();
    message.attachments = {attachment("a.txt", "a")};
    const std::string usual = boundary_of(compose(message));
    message.attachments = {attachment(usual + ".txt", "a")};
    const std::string composed = compose(message);
    EXPECT_NE(boundary_of(composed), usual);
    EXPECT_EQ(parts_of(composed).size(), 2u);
}

TEST(MimeTest, MultipartIs8bitWhenItsTextPartIs) {
    Composition message = simple_message();
    message.body = utf8(u8"Grüße\n");
    message.attachments = {attachment("a.txt", "a")};
    message.eight_bit = true;
    std::string composed = compose(message);
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "8bit");
    EXPECT_TRUE(parts_of(composed).at(0).starts_with(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"));

    message.eight_bit = false;
    composed = compose(message);
    EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "7bit");
    EXPECT_TRUE(contains(parts_of(composed).at(0), "Content-Transfer-Encoding: quoted-printable"));
}

TEST(MimeTest, AttachmentTypeFromTheFileNameUnlessGiven) {
    Composition message = simple_message();
    message.attachments = {attachment("photo.JPG", "x"),
                           attachment("data.bin", "x", "application/x-custom")};
    const auto parts = parts_of(compose(message));
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_TRUE(parts[1].starts_with("Content-Type: image/jpeg; name=\"photo.JPG\"\r\n"))
        << parts[1];
    EXPECT_TRUE(parts[2].starts_with("Content-Type: application/x-custom; name=\"data.bin\"\r\n"))
        << parts[2];
}

TEST(MimeTest, FileNameQuotedWhenAscii) {
    Composition message = simple_message();
    message.attachments = {attachment(R"(say "hi" \o/.txt)", "x")};
    const auto parts = parts_of(compose(message));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_TRUE(contains(parts[1], R"(filename="say \"hi\" \\o/.txt")")) << parts[1];
    EXPECT_TRUE(contains(parts[1], R"(name="say \"hi\" \\o/.txt")")) << parts[1];
}

TEST(MimeTest, NonAsciiFileNameIsRfc2231) {
    Composition message = simple_message();
    message.attachments = {attachment(utf8(u8"Grüße 1.txt"), "x")};
    const auto parts = parts_of(compose(message));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_TRUE(contains(parts[1],
                         "Content-Disposition: attachment;"
                         " filename*=utf-8''Gr%C3%BC%C3%9Fe%201.txt\r\n"))
        << parts[1];
    EXPECT_TRUE(contains(parts[1], "name*=utf-8''Gr%C3%BC%C3%9Fe%201.txt")) << parts[1];
}

TEST(MimeTest, LongFileNameSplitsIntoRfc2231Sections) {
    // A long name goes in sections filename*0*=, filename*1*=... (RFC 2231 3, 4.1), each with
    // whole characters, so every header line stays within 78.
    for (const std::string& name :
         {utf8(u8"Überweisungsbestätigung für März – Kopie (endgültig, unterschrieben), "
               u8"zweite Fassung.pdf"),
          std::string("a rather long ASCII file name that does not fit on one folded line.pdf")}) {
        Composition message = simple_message();
        message.attachments = {attachment(name, "x")};
        const std::string composed = compose(message);
        expect_lines_within(composed, kFoldColumn);
        const auto parts = parts_of(composed);
        ASSERT_EQ(parts.size(), 2u);
        const auto disposition = raw_field(header_block(parts[1]), "Content-Disposition");
        ASSERT_TRUE(disposition.has_value()) << parts[1];
        const std::string value = unfolded(*disposition);
        ASSERT_TRUE(value.starts_with("attachment; filename*0*=utf-8''")) << value;
        std::string decoded;
        std::size_t sections = 0;
        for (std::size_t at = value.find("filename*"); at != std::string::npos;
             at = value.find("filename*", at + 1)) {
            const std::string prefix = "filename*" + std::to_string(sections) + "*=";
            ASSERT_EQ(value.compare(at, prefix.size(), prefix), 0) << value;
            std::size_t start = at + prefix.size();
            if (sections == 0) start += 7;  // utf-8''
            const std::size_t end = std::min(value.find(';', start), value.size());
            std::string section;
            for (std::size_t i = start; i < end; ++i) {
                if (value[i] == '%') {
                    section += from_hex(value.substr(i + 1, 2));
                    i += 2;
                } else {
                    section += value[i];
                }
            }
            EXPECT_TRUE(net::is_well_formed_utf8(section)) << "a character cut in two";
            decoded += section;
            ++sections;
        }
        EXPECT_GE(sections, 2u) << value;
        EXPECT_EQ(decoded, name);
    }
}

TEST(MimeTest, Base64LinesOf76) {
    for (const std::size_t size : {0u, 1u, 2u, 3u, 56u, 57u, 58u, 114u, 1000u, 4096u}) {
        std::string bytes;
        for (std::size_t i = 0; i < size; ++i)
            bytes += static_cast<char>(i * 7 + 3);
        const std::string encoded = base64_lines(bytes);
        SCOPED_TRACE(size);
        if (size == 0) {
            EXPECT_EQ(encoded, "");
            continue;
        }
        EXPECT_TRUE(encoded.ends_with("\r\n"));
        const auto lines = crlf_lines(encoded);
        std::string joined;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            EXPECT_TRUE(i + 1 == lines.size() ? lines[i].size() <= 76 : lines[i].size() == 76)
                << i << ": " << lines[i];
            joined += lines[i];
        }
        EXPECT_EQ(lines.size(), (size + 56) / 57);
        EXPECT_EQ(net::base64_decode(joined), bytes);
    }
    EXPECT_EQ(base64_lines("hello"), "aGVsbG8=\r\n");
}

// ------------------------------------------------------------------------------- encoded-words

TEST(EncodedWordTest, PlainAsciiStaysAsItIs) {
    EXPECT_EQ(encode_header_text(""), "");
    EXPECT_EQ(encode_header_text("Hello, world"), "Hello, world");
    EXPECT_EQ(encode_header_text("a_b ?= =x"), "a_b ?= =x");
}

TEST(EncodedWordTest, QForMostlyAsciiBForTheRest) {
    const std::string mostly_ascii = utf8(u8"Re: the café menu for next week");
    const std::string q = encode_header_text(mostly_ascii);
    EXPECT_TRUE(q.starts_with("=?utf-8?Q?")) << q;
    EXPECT_EQ(q, "=?utf-8?Q?Re=3A_the_caf=C3=A9_menu_for_next_week?=");
    EXPECT_EQ(decoded_words(q), mostly_ascii);

    const std::string japanese = utf8(u8"会議の議事録");
    const std::string b = encode_header_text(japanese);
    EXPECT_TRUE(b.starts_with("=?utf-8?B?")) << b;
    EXPECT_EQ(decoded_words(b), japanese);
}

TEST(EncodedWordTest, RoundTripsAndWordsStayWithin75) {
    const std::string texts[] = {
        utf8(u8"Grüße aus Köln"),
        utf8(u8"日本語のとても長い件名です。") + utf8(u8"繰り返し、") + utf8(u8"会議の議事録") +
            utf8(u8"、そして最後にもう一度、長い件名です。"),
        utf8(u8"emoji 📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎📎"),
        "looks like =?utf-8?Q?an_encoded-word?= but is text",
        std::string("a control \x01 character"),
        utf8(u8"  é with leading and trailing spaces  "),
        utf8(u8"é") + std::string(300, 'x') + utf8(u8"é"),
    };
    for (const auto& text : texts) {
        const std::string encoded = encode_header_text(text);
        EXPECT_TRUE(encoded.starts_with("=?utf-8?")) << encoded;
        EXPECT_EQ(decoded_words(encoded), text) << encoded;
        for (const char c : encoded)
            EXPECT_TRUE((c >= 33 && c <= 126) || c == ' ') << encoded;
    }
}

TEST(EncodedWordTest, NonAsciiSubjectFoldsIntoLinesOf76) {
    Composition message = simple_message();
    message.subject = utf8(u8"Zusammenfassung der Besprechung über die Größenänderung: ");
    for (int i = 0; i < 20; ++i)
        message.subject += utf8(u8"Äpfel, Öl und Übermut; ");
    const std::string composed = compose(message);
    const std::string headers = header_block(composed);
    expect_lines_within(headers, kMaxMimeLine);
    const auto raw = raw_field(headers, "Subject");
    ASSERT_TRUE(raw.has_value());
    EXPECT_GT(occurrences(*raw, "\r\n "), 5u);
    EXPECT_EQ(decoded_words(*raw), message.subject);
}

// ------------------------------------------------------------------------------- quoted-printable

TEST(QuotedPrintableTest, EqualsSignAndNonAsciiAreEscaped) {
    EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
    EXPECT_EQ(quoted_printable("=\r\n"), "=3D\r\n");
    EXPECT_EQ(quoted_printable(utf8(u8"é")), "=C3=A9");
    EXPECT_EQ(quoted_printable(std::string("\x7f\x01", 2)), "=7F=01");
    EXPECT_EQ(quoted_printable("plain text, with punctuation!"), "plain text, with punctuation!");
}

TEST(QuotedPrintableTest, TrailingWhitespaceIsEscaped) {
    EXPECT_EQ(quoted_printable("a \r\nb\t\r\n"), "a=20\r\nb=09\r\n");
    EXPECT_EQ(quoted_printable("end  "), "end =20");
    EXPECT_EQ(quoted_printable("in the middle\r\n"), "in the middle\r\n");
    EXPECT_EQ(quoted_printable(" \r\n"), "=20\r\n");
}

TEST(QuotedPrintableTest, CrlfStaysAHardLineBreak) {
    EXPECT_EQ(quoted_printable("one\r\ntwo\r\n\r\nfour\r\n"), "one\r\ntwo\r\n\r\nfour\r\n");
    EXPECT_EQ(quoted_printable(""), "");
    EXPECT_EQ(quoted_printable("\r\n"), "\r\n");
    // A lone CR or LF is no line end here: it is data.
    EXPECT_EQ(quoted_printable("a\nb\rc"), "a=0Ab=0Dc");
}

TEST(QuotedPrintableTest, LongLinesGetSoftBreaksAt76) {
    EXPECT_EQ(quoted_printable(std::string(76, 'a')), std::string(76, 'a'));
    EXPECT_EQ(quoted_printable(std::string(77, 'a')),
              std::string(75, 'a') + "=\r\n" + std::string(2, 'a'));
    EXPECT_EQ(quoted_printable(std::string(76, 'a') + "\r\n"), std::string(76, 'a') + "\r\n");

    const std::string inputs[] = {
        std::string(3000, 'x') + "\r\n" + std::string(200, 'y'),
        [] {
            std::string s;
            for (int i = 0; i < 500; ++i)
                s += utf8(u8"é=");
            return s + "\r\n";
        }(),
        std::string(74, 'a') + "=" + std::string(10, 'b'),  // =3D would cross column 75
        std::string(75, 'a') + " " + std::string(10, 'b'),  // a space right before the break
        std::string(200, ' ') + "\r\n",
    };
    for (const auto& input : inputs) {
        const std::string encoded = quoted_printable(input);
        expect_lines_within(encoded, kMaxMimeLine);
        EXPECT_EQ(qp_decoded(encoded), input) << encoded.substr(0, 200);
    }
}

// ------------------------------------------------------------------------------- validate()

TEST(ComposeValidateTest, AcceptsAGoodMessage) {
    Composition message = simple_message();
    message.subject = utf8(u8"Grüße\tmit Tab");
    message.body = utf8(u8"Text ✓\n");
    message.extra = {{"X-Priority", "1"}, {"Reply-To", "Alice <alice@example.net>"}};
    message.attachments = {attachment(utf8(u8"Grüße.pdf"), "%PDF", "application/pdf")};
    EXPECT_EQ(validate(message), std::nullopt);
}

TEST(ComposeValidateTest, RefusesHeaderInjection) {
    struct Case {
        const char* what;
        void (*change)(Composition&);
        std::vector<std::string_view> says;
    };
    const Case cases[] = {
        {"CRLF in --from",
         [](Composition& m) { m.from = "a@example.org\r\nBcc: eve@example.org"; },
         {"--from", "line break", "\\r\\n"}},
        {"LF in --from",
         [](Composition& m) { m.from = "a@example.org\nX: y"; },
         {"--from", "line break"}},
        {"CR in --to",
         [](Composition& m) { m.to[1] = "b@example.org\rX: y"; },
         {"--to", "line break"}},
        {"CRLF in --cc",
         [](Composition& m) { m.cc[0] = "c@example.org\r\nBcc: e@example.org"; },
         {"--cc", "line break"}},
        {"CRLF in --subject",
         [](Composition& m) { m.subject = "Hi\r\nBcc: eve@example.org"; },
         {"--subject", "line break"}},
        {"LF in --subject",
         [](Composition& m) { m.subject = "Hi\n\nbody"; },
         {"--subject", "line break"}},
        {"CR in --subject",
         [](Composition& m) { m.subject = "Hi\r"; },
         {"--subject", "line break"}},
        {"CRLF in a header name",
         [](Composition& m) {
             m.extra = {{"X-A\r\nBcc", "e@example.org"}};
         },
         {"--header", "name", "line break"}},
        {"CRLF in a header value",
         [](Composition& m) {
             m.extra = {{"X-A", "v\r\nBcc: eve@example.org"}};
         },
         {"--header", "\"X-A\"", "value", "line break"}},
        {"LF in a header value",
         [](Composition& m) {
             m.extra = {{"X-A", "v\n"}};
         },
         {"--header", "value", "line break"}},
    };
    for (const auto& c : cases) {
        Composition message = simple_message();
        c.change(message);
        const auto problem = validate(message);
        ASSERT_TRUE(problem.has_value()) << c.what;
        for (const auto& text : c.says)
            EXPECT_TRUE(contains(*problem, text)) << c.what << ": " << *problem;
        EXPECT_FALSE(contains(*problem, "\r") || contains(*problem, "\n")) << *problem;
    }
}

TEST(ComposeValidateTest, RefusesBadHeaderNames) {
    for (const std::string_view name : {"", "X Y", "X:Y", "X\tY", "Na\xc3\xafve", "X\x01"}) {
        Composition message = simple_message();
        message.extra = {{std::string(name), "v"}};
        const auto problem = validate(message);
        ASSERT_TRUE(problem.has_value()) << name;
        EXPECT_TRUE(contains(*problem, "--header")) << *problem;
        EXPECT_TRUE(contains(*problem, "header name")) << *problem;
    }
}

TEST(ComposeValidateTest, RefusesHeadersComposeWritesItself) {
    for (const std::string_view name :
         {"Date", "From", "to", "CC", "Bcc", "subject", "Message-Id", "MIME-Version",
          "content-type", "Content-Transfer-Encoding"}) {
        Composition message = simple_message();
        message.extra = {{"X-Fine", "ok"}, {std::string(name), "x"}};
        const auto problem = validate(message);
        ASSERT_TRUE(problem.has_value()) << name;
        EXPECT_TRUE(contains(*problem, "writes")) << *problem;
        EXPECT_TRUE(contains(*problem, name)) << *problem;
    }
}

TEST(ComposeValidateTest, RefusesMalformedUtf8) {
    Composition message = simple_message();
    message.subject = "bad \xff byte";
    auto problem = validate(message);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(*problem, "--subject is not well-formed UTF-8");

    message = simple_message();
    message.body = "cut \xc3";
    problem = validate(message);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(*problem, "the body is not well-formed UTF-8");

    message = simple_message();
    message.body = "overlong \xc0\xaf slash";
    EXPECT_TRUE(validate(message).has_value());
}

TEST(ComposeValidateTest, RefusesOtherBadParts) {
    struct Case {
        const char* what;
        void (*change)(Composition&);
        std::string_view says;
    };
    const Case cases[] = {
        {"empty --from", [](Composition& m) { m.from.clear(); }, "--from is empty"},
        {"empty --to", [](Composition& m) { m.to.push_back(""); }, "--to is empty"},
        {"NUL in --to", [](Composition& m) { m.to[0] = std::string("a\0b", 3); },
         "control character"},
        {"control in --subject", [](Composition& m) { m.subject = "a\x1b[31m"; },
         "--subject contains a control character"},
        {"unfoldable address",
         [](Composition& m) { m.to[0] = std::string(1000, 'a') + "@example.org"; }, "998"},
        {"unfoldable header value",
         [](Composition& m) {
             m.extra = {{"X-A", std::string(999, 'v')}};
         },
         "998"},
        {"bad message id", [](Composition& m) { m.message_id = "no-angles@example.org"; },
         "Message-ID"},
        {"message id with a space", [](Composition& m) { m.message_id = "<a b@example.org>"; },
         "Message-ID"},
        {"line break in the date", [](Composition& m) { m.date += "\r\nX: y"; }, "Date"},
        {"bad content type",
         [](Composition& m) { m.attachments = {attachment("a", "x", "text/plain\r\nX: y")}; },
         "type/subtype"},
        {"content type without subtype",
         [](Composition& m) { m.attachments = {attachment("a", "x", "text")}; }, "type/subtype"},
        {"message/rfc822 attachment",
         [](Composition& m) { m.attachments = {attachment("a.eml", "x", "message/rfc822")}; },
         "base64"},
        {"multipart attachment",
         [](Composition& m) { m.attachments = {attachment("a", "x", "Multipart/mixed")}; },
         "base64"},
        {"file name not UTF-8",
         [](Composition& m) { m.attachments = {attachment("\xff.bin", "x")}; },
         "not well-formed UTF-8"},
    };
    for (const auto& c : cases) {
        Composition message = simple_message();
        c.change(message);
        const auto problem = validate(message);
        ASSERT_TRUE(problem.has_value()) << c.what;
        EXPECT_TRUE(contains(*problem, c.says)) << c.what << ": " << *problem;
    }
}

TEST(ComposeValidateTest, AttachmentFileNameWithALineBreakIsHarmless) {
    // File names are never written raw into a header: one with a line break goes RFC 2231.
    Composition message = simple_message();
    message.attachments = {attachment("evil\r\nBcc: eve@example.org.txt", "x")};
    ASSERT_EQ(validate(message), std::nullopt);
    const std::string composed = compose(message);
    EXPECT_FALSE(contains(composed, "\r\nBcc:")) << composed;
    EXPECT_TRUE(contains(composed, "filename*=utf-8''evil%0D%0ABcc")) << composed;
}

// ------------------------------------------------------------------------------- --header

TEST(ComposeHeaderOptionTest, ParsesNameAndValue) {
    using Header = std::pair<std::string, std::string>;
    EXPECT_EQ(parse_header_option("X-Foo: bar"), Header("X-Foo", "bar"));
    EXPECT_EQ(parse_header_option("X-Foo:bar"), Header("X-Foo", "bar"));
    EXPECT_EQ(parse_header_option("X-Foo:"), Header("X-Foo", ""));
    EXPECT_EQ(parse_header_option("X-Foo :  a: b  "), Header("X-Foo", "a: b"));
    EXPECT_EQ(parse_header_option("Reply-To: Alice <a@example.org>"),
              Header("Reply-To", "Alice <a@example.org>"));
    EXPECT_EQ(parse_header_option("no colon"), std::nullopt);
    EXPECT_EQ(parse_header_option(": value"), std::nullopt);
    EXPECT_EQ(parse_header_option("  : value"), std::nullopt);
    EXPECT_EQ(parse_header_option(""), std::nullopt);
}

// ------------------------------------------------------------------------------- Message-ID

TEST(ComposeMessageIdTest, IsAValidMsgId) {
    const std::string id = make_message_id("mail.example.org", 1795593192123456, 0xdeadbeef);
    EXPECT_EQ(id, "<1795593192123456.00000000deadbeef@mail.example.org>");
    Composition message = simple_message();
    message.message_id = id;
    EXPECT_EQ(validate(message), std::nullopt);
}

TEST(ComposeMessageIdTest, UnusableDomainsAreReplaced) {
    EXPECT_EQ(make_message_id("", 1, 2), "<1.0000000000000002@localhost>");
    EXPECT_EQ(make_message_id("bad host", 1, 2), "<1.0000000000000002@localhost>");
    EXPECT_EQ(make_message_id("a..b", 1, 2), "<1.0000000000000002@localhost>");
    EXPECT_EQ(make_message_id("[127.0.0.1]", 1, 2), "<1.0000000000000002@[127.0.0.1]>");
    for (const std::string_view domain : {"", "bad host", "x>y", "[::1]", "host.", "h\r\n"}) {
        Composition message = simple_message();
        message.message_id = make_message_id(domain, 42, 7);
        EXPECT_EQ(validate(message), std::nullopt) << message.message_id;
    }
}

TEST(ComposeMessageIdTest, DifferentInputsGiveDifferentIds) {
    std::set<std::string> ids;
    for (std::uint64_t micros : {0ULL, 1ULL, 10ULL, 1795593192000000ULL, ~0ULL}) {
        for (std::uint64_t random : {0ULL, 1ULL, 0x10ULL, 0xffffffffffffffffULL}) {
            EXPECT_TRUE(ids.insert(make_message_id("example.org", micros, random)).second)
                << micros << " " << random;
        }
    }
    EXPECT_NE(make_message_id("a.example", 1, 1), make_message_id("b.example", 1, 1));
}

// ------------------------------------------------------------------------------- python's email

// Reads a message from stdin with python's email package (the modern policy) and prints what
// it decoded as hex fields ("-" for none), so no byte can be mistaken for the framing:
//   header NAME VALUE / date ISO / multipart 0|1 / part TYPE FILENAME CTE PAYLOAD / defects N
constexpr std::string_view kPythonReadMessage = R"py(
import email, email.policy, sys
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
def hx(v):
    if v is None:
        return '-'
    if not isinstance(v, bytes):
        v = str(v).encode('utf-8', 'surrogateescape')
    return v.hex() or '-'
defects = 0
for name in ('subject', 'from', 'to', 'cc', 'bcc', 'message-id', 'mime-version'):
    print('header', name, hx(msg[name]))
print('date', hx(msg['date'].datetime.isoformat()))
print('multipart', int(msg.is_multipart()))
for part in msg.walk():
    defects += len(part.defects) + sum(len(v.defects) for v in part.values())
    if part.is_multipart():
        continue
    print('part', hx(part.get_content_type()), hx(part.get_filename()),
          hx(part['content-transfer-encoding']), hx(part.get_payload(decode=True)))
    if part.get_content_maintype() == 'text':
        print('text', hx(part.get_content()))
print('defects', defects)
)py";

struct PythonPart {
    std::string content_type;
    std::string filename;
    std::string transfer_encoding;
    std::string payload;
    std::string text;  // for text/*: the content decoded to a str, as UTF-8
};

struct PythonView {
    std::map<std::string, std::string> headers;  // only those present
    std::string date;
    bool multipart = false;
    std::vector<PythonPart> parts;
    int defects = -1;
};

PythonView read_by_python(const std::string& python, const std::string& message) {
    const net::test::Finished run =
        net::test::run(python, {"-c", std::string(kPythonReadMessage)}, message);
    EXPECT_TRUE(run.status.ok()) << run.status << ": " << run.err;
    PythonView view;
    std::istringstream lines(run.out);
    std::string line;
    const auto value = [](const std::string& hex) { return hex == "-" ? "" : from_hex(hex); };
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string kind;
        words >> kind;
        if (kind == "header") {
            std::string name, hex;
            words >> name >> hex;
            if (hex != "-") view.headers[name] = from_hex(hex);
        } else if (kind == "date") {
            std::string hex;
            words >> hex;
            view.date = value(hex);
        } else if (kind == "multipart") {
            words >> view.multipart;
        } else if (kind == "part") {
            std::string type, filename, cte, payload;
            words >> type >> filename >> cte >> payload;
            view.parts.push_back({value(type), value(filename), value(cte), value(payload), {}});
        } else if (kind == "text" && !view.parts.empty()) {
            std::string hex;
            words >> hex;
            view.parts.back().text = value(hex);
        } else if (kind == "defects") {
            words >> view.defects;
        }
    }
    return view;
}

// Python gives text with "\n" line ends (the parser splits lines; CRLF is the wire's).
std::string lf_lines(std::string_view text) {
    return net::test::unix_lines(text);
}

Composition international_message() {
    Composition message;
    message.from = "Alice <alice@example.org>";
    message.to = {"bob@example.org", "Carol <carol@example.org>"};
    message.cc = {"dave@example.org"};
    message.subject = utf8(
        u8"Grüße aus Köln – die Unterlagen für das Treffen am Montag (日本語も少し) ✓ "
        u8"und ein langer Rest, damit der Betreff über mehrere Zeilen geht");
    message.body = utf8(u8"Hallo Bob,\n\nanbei die Unterlagen: „Größe“ = 3 × 4, naïve café.\n") +
                   "Trailing spaces   \n" + "=?not an encoded word?=\n.\n" + utf8(u8"Tschüss\n");
    message.date = std::string(kDate);
    message.message_id = std::string(kMessageId);
    return message;
}

TEST(ComposePythonTest, MultipartWithTwoAttachmentsReadsBack) {
    TOPDOWN_REQUIRE_TOOL(python, net::test::system_python3(), "python3");
    for (const bool eight_bit : {true, false}) {
        SCOPED_TRACE(eight_bit ? "8bit" : "quoted-printable");
        Composition message = international_message();
        message.eight_bit = eight_bit;
        const std::string long_name =
            utf8(u8"Überweisungsbestätigung für März – Kopie (endgültig, unterschrieben) 📎.pdf");
        message.attachments = {attachment("all-bytes.bin", all_byte_values()),
                               attachment(long_name, "%PDF-1.4\n" + all_byte_values())};
        ASSERT_EQ(validate(message), std::nullopt);
        const std::string composed = compose(message);
        expect_lines_within(composed, kMaxLineOctets);

        PythonView view = read_by_python(python, composed);
        EXPECT_EQ(view.defects, 0);
        EXPECT_EQ(view.headers["subject"], message.subject);
        EXPECT_EQ(view.headers["from"], message.from);
        EXPECT_EQ(view.headers["to"], "bob@example.org, Carol <carol@example.org>");
        EXPECT_EQ(view.headers["cc"], "dave@example.org");
        EXPECT_EQ(view.headers.count("bcc"), 0u);
        EXPECT_EQ(view.headers["message-id"], kMessageId);
        EXPECT_EQ(view.headers["mime-version"], "1.0");
        EXPECT_EQ(view.date, "2026-11-25T07:53:12+00:00");
        EXPECT_TRUE(view.multipart);
        ASSERT_EQ(view.parts.size(), 3u);

        EXPECT_EQ(view.parts[0].content_type, "text/plain");
        EXPECT_EQ(view.parts[0].filename, "");
        EXPECT_EQ(view.parts[0].transfer_encoding, eight_bit ? "8bit" : "quoted-printable");
        EXPECT_EQ(lf_lines(view.parts[0].payload), message.body);
        EXPECT_EQ(lf_lines(view.parts[0].text), message.body);

        EXPECT_EQ(view.parts[1].content_type, "application/octet-stream");
        EXPECT_EQ(view.parts[1].filename, "all-bytes.bin");
        EXPECT_EQ(view.parts[1].transfer_encoding, "base64");
        EXPECT_EQ(view.parts[1].payload, all_byte_values());

        EXPECT_EQ(view.parts[2].content_type, "application/pdf");
        EXPECT_EQ(view.parts[2].filename, long_name);
        EXPECT_EQ(view.parts[2].payload, "%PDF-1.4\n" + all_byte_values());
    }
}

TEST(ComposePythonTest, SinglePartTextReadsBack) {
    TOPDOWN_REQUIRE_TOOL(python, net::test::system_python3(), "python3");
    for (const bool eight_bit : {true, false}) {
        SCOPED_TRACE(eight_bit ? "8bit" : "quoted-printable");
        Composition message = international_message();
        message.eight_bit = eight_bit;
        message.body += std::string(1200, 'L') + "\n";
        const std::string composed = compose(message);
        // The 1,200-octet line forces quoted-printable even when the server takes 8bit.
        EXPECT_EQ(field(composed, "Content-Transfer-Encoding"), "quoted-printable");
        PythonView view = read_by_python(python, composed);
        EXPECT_EQ(view.defects, 0);
        EXPECT_FALSE(view.multipart);
        EXPECT_EQ(view.headers["subject"], message.subject);
        ASSERT_EQ(view.parts.size(), 1u);
        EXPECT_EQ(view.parts[0].content_type, "text/plain");
        EXPECT_EQ(lf_lines(view.parts[0].text), message.body);

        // Without the long line: 8bit, or quoted-printable.
        message.body = utf8(u8"kurz und schön\n= ist gleich  \n");
        const std::string short_lines = compose(message);
        PythonView short_view = read_by_python(python, short_lines);
        EXPECT_EQ(short_view.defects, 0);
        ASSERT_EQ(short_view.parts.size(), 1u);
        EXPECT_EQ(short_view.parts[0].transfer_encoding, eight_bit ? "8bit" : "quoted-printable");
        EXPECT_EQ(lf_lines(short_view.parts[0].text), message.body);
    }
}

TEST(ComposePythonTest, SubjectsReadBack) {
    TOPDOWN_REQUIRE_TOOL(python, net::test::system_python3(), "python3");
    std::string long_words;
    for (int i = 0; long_words.size() < 5000; ++i)
        long_words += "word" + std::to_string(i) + " ";
    long_words.pop_back();
    const std::string subjects[] = {
        "Plain ASCII",
        long_words,
        std::string(5000, 'x'),
        utf8(u8"Re: the café menu"),
        utf8(u8"会議の議事録と来週の予定について、詳しくはこちらをご覧ください。よろしくお願いしま"
             u8"す。"),
        "=?utf-8?Q?not_encoded?= text",
        utf8(u8"emoji 📎 and tab\tinside"),
    };
    for (const auto& subject : subjects) {
        Composition message = simple_message();
        message.subject = subject;
        ASSERT_EQ(validate(message), std::nullopt);
        const std::string composed = compose(message);
        expect_lines_within(header_block(composed), kMaxLineOctets);
        PythonView view = read_by_python(python, composed);
        EXPECT_EQ(view.defects, 0) << subject.substr(0, 80);
        EXPECT_EQ(view.headers["subject"], subject) << field(composed, "Subject").substr(0, 300);
    }
}

}  // namespace
}  // namespace mail_client
