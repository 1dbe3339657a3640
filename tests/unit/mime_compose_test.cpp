// mail_client's composer and mail_server's MIME reader agree: a message composed by
// mail_client::compose() and read back by mime::parse_message() has the same subject, addresses,
// text, attachment names, types and bytes, on the wire (CRLF) and as stored (LF).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail_client/compose.hpp"
#include "mail_server/mime.hpp"
#include "tests/support/mail_tools.hpp"

namespace mail::mime {
namespace {

std::string utf8(std::u8string_view text) {
    return std::string(text.begin(), text.end());
}

std::string all_byte_values() {
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes += static_cast<char>(i);
    return bytes;
}

mail_client::Composition international_message() {
    mail_client::Composition message;
    message.from = utf8(u8"Jörg Müller <joerg@example.org>");
    message.to = {"bob@example.org", "Carol <carol@example.org>"};
    message.cc = {"dave@example.org"};
    message.subject = utf8(
        u8"Grüße aus Köln – die Unterlagen für das Treffen am Montag (日本語も少し) ✓ "
        u8"und ein langer Rest, damit der Betreff über mehrere Zeilen geht");
    message.body = utf8(u8"Hallo Bob,\n\nanbei die Unterlagen: „Größe“ = 3 × 4, naïve café.\n") +
                   "Trailing spaces   \n=?not an encoded word?=\n.\n" + std::string(1200, 'L') +
                   "\n" + utf8(u8"Tschüss\n");
    message.date = "Wed, 25 Nov 2026 07:53:12 +0000";
    message.message_id = "<1795593192000000.00000000deadbeef@example.org>";
    return message;
}

// The composed message as it travels (CRLF) and as a Maildir or mbox stores it (LF).
struct Form {
    const char* name;
    std::string message;
    std::string text;  // the body as the reader should give it back
};
std::vector<Form> forms_of(const mail_client::Composition& message) {
    const std::string composed = mail_client::compose(message);
    const std::string crlf_body = mail_client::crlf_normalized(message.body);
    return {{"wire", composed, crlf_body},
            {"stored", net::test::unix_lines(composed), net::test::unix_lines(crlf_body)}};
}

void expect_header_fields(const Message& parsed, const mail_client::Composition& message) {
    const std::string* subject = find_field(parsed.head.fields, "Subject");
    ASSERT_NE(subject, nullptr);
    EXPECT_EQ(decode_words(*subject), message.subject);
    const std::string* from = find_field(parsed.head.fields, "From");
    ASSERT_NE(from, nullptr);
    const std::vector<Address> senders = parse_addresses(*from);
    ASSERT_EQ(senders.size(), 1u);
    EXPECT_EQ(format_address(senders[0]), message.from);
    const std::string* to = find_field(parsed.head.fields, "To");
    ASSERT_NE(to, nullptr);
    const std::vector<Address> recipients = parse_addresses(*to);
    ASSERT_EQ(recipients.size(), 2u);
    EXPECT_EQ(recipients[0].address, "bob@example.org");
    EXPECT_EQ(recipients[1].name, "Carol");
    EXPECT_EQ(recipients[1].address, "carol@example.org");
}

TEST(MimeComposeTest, SingleTextPartReadsBack) {
    for (const bool eight_bit : {true, false}) {
        mail_client::Composition message = international_message();
        message.eight_bit = eight_bit;
        ASSERT_EQ(mail_client::validate(message), std::nullopt);
        for (const Form& form : forms_of(message)) {
            SCOPED_TRACE(std::string(form.name) + (eight_bit ? ", 8bit" : ", 7bit"));
            const Message parsed = parse_message(form.message);
            expect_header_fields(parsed, message);
            ASSERT_EQ(parsed.parts.size(), 1u);
            ASSERT_EQ(parsed.text, 0u);
            EXPECT_EQ(parsed.html, std::nullopt);
            EXPECT_EQ(parsed.parts[0].content_type, "text/plain");
            EXPECT_EQ(parsed.parts[0].charset, "utf-8");
            EXPECT_FALSE(parsed.parts[0].attachment);
            EXPECT_EQ(decode_text(form.message, parsed.parts[0]), form.text);
        }
    }
}

TEST(MimeComposeTest, AttachmentsReadBackWithTheirNamesAndBytes) {
    std::string long_name;
    while (long_name.size() < 600)
        long_name += utf8(u8"Überweisungsbestätigung für März – Kopie (endgültig) 📎 ");
    long_name += ".pdf";
    const std::vector<mail_client::Attachment> attachments = {
        {"all-bytes.bin", "", all_byte_values()},
        {utf8(u8"Grüße.txt"), "", utf8(u8"text attachment äöü\n")},
        {long_name, "application/pdf", "%PDF-1.4\n" + all_byte_values()},
        {"a name with \"quotes\"; and semicolons.dat", "", "q"},
        {std::string(300, 'x') + ".zip", "application/zip", ""},
        {"empty.txt", "", ""},
    };
    for (const bool eight_bit : {true, false}) {
        mail_client::Composition message = international_message();
        message.eight_bit = eight_bit;
        message.attachments = attachments;
        ASSERT_EQ(mail_client::validate(message), std::nullopt);
        for (const Form& form : forms_of(message)) {
            SCOPED_TRACE(std::string(form.name) + (eight_bit ? ", 8bit" : ", 7bit"));
            // The long name goes in RFC 2231 sections, the short non-ASCII one in one piece.
            EXPECT_NE(form.message.find("filename*1*="), std::string::npos);
            EXPECT_NE(form.message.find("filename*=utf-8''Gr%C3%BC%C3%9Fe.txt"), std::string::npos);
            const Message parsed = parse_message(form.message);
            expect_header_fields(parsed, message);
            ASSERT_EQ(parsed.parts.size(), 1 + attachments.size());
            ASSERT_EQ(parsed.text, 0u);
            EXPECT_EQ(parsed.parts[0].id, "1");
            EXPECT_FALSE(parsed.parts[0].attachment);
            EXPECT_EQ(decode_text(form.message, parsed.parts[0]), form.text);
            for (std::size_t i = 0; i < attachments.size(); ++i) {
                const Part& part = parsed.parts[i + 1];
                SCOPED_TRACE(attachments[i].filename.substr(0, 40));
                EXPECT_EQ(part.id, std::to_string(i + 2));
                EXPECT_FALSE(part.malformed);
                EXPECT_TRUE(part.attachment);
                EXPECT_EQ(part.disposition, "attachment");
                EXPECT_EQ(part.filename, attachments[i].filename);
                EXPECT_EQ(part.transfer_encoding, "base64");
                if (!attachments[i].content_type.empty()) {
                    EXPECT_EQ(part.content_type, attachments[i].content_type);
                }
                EXPECT_EQ(decode_content(form.message, part), attachments[i].data);
            }
            EXPECT_EQ(parsed.parts[1].content_type, "application/octet-stream");
            EXPECT_EQ(parsed.parts[2].content_type, "text/plain");
        }
    }
}

}  // namespace
}  // namespace mail::mime
