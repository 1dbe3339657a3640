// The MIME reader against python's email package, a reader we did not write: python composes
// a set of messages (every transfer encoding, Latin-1 and UTF-8, alternative, related, nested,
// attachments with RFC 2231 names, an enclosed message) and adds some written by hand as other
// mailers write them, then says how it reads each; mime::parse_message must read the same.
#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mail_server/mime.hpp"
#include "tests/support/mail_tools.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

namespace mail::mime {
namespace {

// Prints, for each message, hex fields ("-" for none) so no byte is mistaken for framing:
//   message RAW / subject TEXT / address NAME ADDR... /
//   part TYPE FILENAME CONTENT-ID DISPOSITION PAYLOAD TEXT... / end
constexpr std::string_view kPythonMessages = R"py(import email, email.policy, sys
from email.message import EmailMessage

def hx(v):
    if v is None:
        return '-'
    if not isinstance(v, bytes):
        v = str(v).encode('utf-8', 'surrogateescape')
    return v.hex() or '-'

all_bytes = bytes(range(256)) * 3
messages = []

def base(subject):
    m = EmailMessage()
    m['From'] = 'Jörg Müller <joerg@example.org>'
    m['To'] = 'Bob <bob@example.org>, "Doe, John" <john@example.org>'
    m['Subject'] = subject
    m['Message-ID'] = '<1@example.org>'
    return m

# 1. single text parts in each transfer encoding and charset
for cte in ('quoted-printable', 'base64', '8bit', '7bit'):
    body = 'Hallo Bob,\n\nGrüße aus Köln: „Größe“ = 3 × 4.\n= not a soft break =\nTrailing   \n' if cte != '7bit' else 'plain ascii\nline two\n'
    m = base('Grüße aus Köln – Betreff ' + cte + ' ' + 'lang ' * 20 + '日本語 ✓')
    m.set_content(body, cte=cte)
    messages.append(m)
m = base('Latin-1 body')
m.set_content('Café crème, déjà vu\n', charset='iso-8859-1')
messages.append(m)
m = base('Latin-1 body, quoted-printable')
m.set_content('Café crème, déjà vu\n', charset='iso-8859-1', cte='quoted-printable')
messages.append(m)

# 2. alternative, related with an inline image, attachments with awkward names
m = base('Alternative')
m.set_content('plain version\n')
m.add_alternative('<p>html <b>version</b> ✓</p>\n', subtype='html')
messages.append(m)

m = base('Related')
m.set_content('see the logo\n')
m.add_alternative('<img src="cid:logo@example.org">\n', subtype='html')
m.get_payload()[1].add_related(b'\x89PNG\r\n\x1a\n' + all_bytes, 'image', 'png', cid='<logo@example.org>')
messages.append(m)

m = base('Attachments')
m.set_content('text with attachments\n')
m.add_alternative('<p>html</p>\n', subtype='html')
m.add_attachment(all_bytes, maintype='application', subtype='octet-stream', filename='all-bytes.bin')
m.add_attachment(b'%PDF-1.4\n' + all_bytes, maintype='application', subtype='pdf', filename='Grüße.pdf')
m.add_attachment(b'long name', maintype='application', subtype='octet-stream',
                 filename='Überweisungsbestätigung für März – Kopie (endgültig, unterschrieben) und noch viel mehr Text damit es lang wird 📎.pdf')
m.add_attachment('a text attachment\n', subtype='plain', filename='notes.txt')
m.add_attachment(b'spaces', maintype='application', subtype='octet-stream', filename='a name with spaces; and "quotes".dat')
messages.append(m)

# 3. an enclosed message, and three levels of nesting
inner = base('Inner message')
inner.set_content('inner body\n')
m = base('Forward')
m.set_content('forwarding\n')
m.add_attachment(inner)
messages.append(m)

m = base('Deep')
m.set_content('level one\n')
m.add_alternative('<p>one</p>', subtype='html')
m.get_payload()[1].add_related(b'GIF89a', 'image', 'gif', cid='<g@x>')
m.add_attachment(b'zip', maintype='application', subtype='zip', filename='x.zip')
messages.append(m)


# 4. written by hand: what other mailers send
raw_messages = [
    b'From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.org>\r\nTo: x@example.org\r\n'
    b'Subject: =?utf-8?Q?=C3?= =?utf-8?Q?=BC?= and =?iso-8859-15?q?=A4uro?=\r\n'
    b'content-type: TEXT/PLAIN; charset=windows-1252\r\n'
    b'Content-Transfer-Encoding: 8bit\r\n\r\n\x93quoted\x94 \x80 5\r\n',
    b'From: a@example.org\nTo: b@example.org\nSubject: no close delimiter\n'
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\npreamble\n--b  \n'
    b'Content-Type: text/plain; charset=utf-8\n\nfirst\n--b\n'
    b'Content-Type: application/octet-stream\nContent-Disposition: attachment;\n'
    b' filename*0*=utf-8\'\'%C3%A4; filename*1="bc.bin"\nContent-Transfer-Encoding: base64\n\n'
    b'AAEC\nAwQF\n',
    b'From: a@example.org\nTo: b@example.org\nSubject: =?utf-8?B?8J+Tjg==?= \t=?utf-8?B?IGNsaXA=?=\n'
    b'Content-Type: text/plain\n\nno charset \xc3\xa4\n',
]
inputs = [m.as_bytes(policy=p) for m in messages for p in (email.policy.default, email.policy.SMTP)]
for raw in inputs + raw_messages:
    if True:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        print('message', hx(raw))
        print('subject', hx(parsed['subject']))
        for a in parsed['from'].addresses + parsed['to'].addresses:
            print('address', hx(a.display_name), hx(a.addr_spec))
        def leaves(part):
            if part.get_content_maintype() == 'multipart':
                for child in part.get_payload():
                    yield from leaves(child)
            else:
                yield part
        for part in leaves(parsed):
            cid = part['content-id']
            cid = str(cid).strip().strip('<>') if cid is not None else None
            payload = None if part.get_content_type() == 'message/rfc822' else part.get_payload(decode=True)
            text = part.get_content() if part.get_content_maintype() == 'text' else None
            print('part', hx(part.get_content_type()), hx(part.get_filename()), hx(cid),
                  hx(part.get_content_disposition()), hx(payload), hx(text))
        print('end')
)py";

struct PythonPart {
    std::string content_type;
    std::string filename;
    std::string content_id;
    std::string disposition;
    std::optional<std::string> payload;  // none for message/rfc822
    std::optional<std::string> text;     // text/* only
};

struct PythonMessage {
    std::string raw;
    std::string subject;
    std::vector<Address> addresses;  // From, then To
    std::vector<PythonPart> parts;
};

std::optional<std::string> optional_hex(const std::string& hex) {
    if (hex == "-") return std::nullopt;
    return net::test::from_hex(hex);
}
std::string hex_or_empty(const std::string& hex) {
    return optional_hex(hex).value_or("");
}

std::vector<PythonMessage> python_messages(const std::string& python) {
    const net::test::Finished run = net::test::run(python, {"-c", std::string(kPythonMessages)});
    EXPECT_TRUE(run.status.ok()) << run.status << ": " << run.err;
    std::vector<PythonMessage> messages;
    std::istringstream lines(run.out);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string kind;
        words >> kind;
        if (kind == "message") {
            std::string hex;
            words >> hex;
            messages.push_back({hex_or_empty(hex), {}, {}, {}});
        } else if (messages.empty()) {
            continue;
        } else if (kind == "subject") {
            std::string hex;
            words >> hex;
            messages.back().subject = hex_or_empty(hex);
        } else if (kind == "address") {
            std::string name, address;
            words >> name >> address;
            messages.back().addresses.push_back({hex_or_empty(name), hex_or_empty(address)});
        } else if (kind == "part") {
            std::string type, filename, id, disposition, payload, text;
            words >> type >> filename >> id >> disposition >> payload >> text;
            messages.back().parts.push_back({hex_or_empty(type), hex_or_empty(filename),
                                             hex_or_empty(id), hex_or_empty(disposition),
                                             optional_hex(payload), optional_hex(text)});
        }
    }
    return messages;
}

// Python splits text into lines and rejoins them with "\n"; CRLF is the wire's.
std::string lf_lines(std::string_view text) {
    return net::test::unix_lines(text);
}

TEST(MimePythonTest, ReadsWhatPythonReads) {
    TOPDOWN_REQUIRE_TOOL(python, net::test::system_python3(), "python3");
    const std::vector<PythonMessage> messages = python_messages(python);
    ASSERT_GE(messages.size(), 20u);
    for (std::size_t m = 0; m < messages.size(); ++m) {
        const PythonMessage& expected = messages[m];
        SCOPED_TRACE("message " + std::to_string(m) + ":\n" + expected.raw.substr(0, 600));
        const Message parsed = parse_message(expected.raw);

        const std::string* subject = find_field(parsed.head.fields, "Subject");
        ASSERT_NE(subject, nullptr);
        EXPECT_EQ(decode_words(*subject), expected.subject);
        std::vector<Address> addresses = parse_addresses(*find_field(parsed.head.fields, "From"));
        for (Address& to : parse_addresses(*find_field(parsed.head.fields, "To")))
            addresses.push_back(std::move(to));
        ASSERT_EQ(addresses.size(), expected.addresses.size());
        for (std::size_t a = 0; a < addresses.size(); ++a) {
            EXPECT_EQ(addresses[a].name, expected.addresses[a].name);
            EXPECT_EQ(addresses[a].address, expected.addresses[a].address);
        }

        ASSERT_EQ(parsed.parts.size(), expected.parts.size());
        for (std::size_t p = 0; p < parsed.parts.size(); ++p) {
            const Part& part = parsed.parts[p];
            const PythonPart& want = expected.parts[p];
            SCOPED_TRACE("part " + part.id);
            EXPECT_FALSE(part.malformed);
            EXPECT_EQ(part.content_type, want.content_type);
            EXPECT_EQ(part.filename, want.filename);
            EXPECT_EQ(part.content_id, want.content_id);
            EXPECT_EQ(part.disposition, want.disposition);
            if (want.payload) {
                // Python's quoted-printable decoding makes line ends "\n".
                const std::string content = decode_content(expected.raw, part);
                if (part.transfer_encoding == "quoted-printable") {
                    EXPECT_EQ(lf_lines(content), lf_lines(*want.payload));
                } else {
                    EXPECT_EQ(content, *want.payload);
                }
            }
            // Without charset= python reads text as US-ASCII; this reader takes UTF-8 (see
            // mime.hpp), so only declared charsets are compared.
            if (want.text && !part.charset.empty()) {
                EXPECT_EQ(lf_lines(decode_text(expected.raw, part)), lf_lines(*want.text));
            }
        }
    }
}

}  // namespace
}  // namespace mail::mime
