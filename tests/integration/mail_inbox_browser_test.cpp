// mail_server's web inbox as a real browser sees it: headless Chromium, driven over the DevTools
// protocol, opens the list and the message pages of mail sent with mail_client. A multipart
// message (text, HTML, an attachment, a non-ASCII subject) shows its decoded subject in the list,
// its HTML part rendered in a sandboxed iframe, and its attachment downloads byte for byte; a
// message sent while the list is open shows up in it without a reload; and an HTML mail that
// carries scripts, event handlers and remote images runs nothing and fetches nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/devtools_browser.hpp"
#include "tests/support/json_value.hpp"
#include "tests/support/mail_server_process.hpp"
#include "tests/support/process.hpp"
#include "tests/support/scripted_origin.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

// Chromium takes 1 to 20 s to start on a busy machine; each step after that is quick.
constexpr auto kBrowserStep = 60s;
constexpr auto kIo = 20s;
// The issue's bound for a new message to show in an open list: a generous "not stuck".
constexpr auto kLiveUpdate = 1s;

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
                kAlphabet[n & 63]};
    }
    if (i + 1 == bytes.size()) {
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
    }
    return out;
}

// Base64 in lines of 76 characters (RFC 2045 6.8).
std::string base64_lines(std::string_view bytes) {
    const std::string flat = base64(bytes);
    std::string out;
    for (std::size_t at = 0; at < flat.size(); at += 76)
        out += flat.substr(at, 76) + "\n";
    return out;
}

// ------------------------------------------------------------------------ the messages

// Decoded, the subject the list must show; on the wire an RFC 2047 encoded-word.
constexpr std::string_view kSubject = "Grüße aus Zürich ✓";
constexpr std::string_view kHtmlHeadline = "Rendered from the HTML part";
constexpr std::string_view kPlainText = "This is the plain text part.";
// The attachment's name (RFC 2231 filename*, so the download's name tests RFC 6266 too).
constexpr std::string_view kAttachmentName = "Zeugnis für Jörg.bin";

// Every byte value, several times over, in an order that is not a simple run.
std::string attachment_bytes() {
    std::string bytes;
    for (int i = 0; i < 3000; ++i)
        bytes.push_back(static_cast<char>((i * 7 + i / 256) & 0xFF));
    return bytes;
}

// multipart/mixed: multipart/alternative (text/plain, text/html), then the attachment.
std::string multipart_message() {
    return "From: =?utf-8?q?J=C3=B6rg_Tester?= <joerg@example.org>\n"
           "To: student@example.org\n"
           "Subject: =?utf-8?b?" +
           base64(kSubject) +
           "?=\n"
           "Date: Thu, 03 Dec 2026 10:00:00 +0000\n"
           "Message-ID: <browser-multipart@example.org>\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"outer-boundary\"\n"
           "\n"
           "--outer-boundary\n"
           "Content-Type: multipart/alternative; boundary=\"inner-boundary\"\n"
           "\n"
           "--inner-boundary\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 7bit\n"
           "\n" +
           std::string(kPlainText) +
           "\n"
           "--inner-boundary\n"
           "Content-Type: text/html; charset=utf-8\n"
           "Content-Transfer-Encoding: 7bit\n"
           "\n"
           "<html><body style=\"background: #fedcba\"><h1 id=\"headline\">" +
           std::string(kHtmlHeadline) +
           "</h1><p>in <b>its</b> sandbox</p></body></html>\n"
           "--inner-boundary--\n"
           "--outer-boundary\n"
           "Content-Type: application/octet-stream\n"
           "Content-Disposition: attachment;\n"
           " filename*=utf-8''Zeugnis%20f%C3%BCr%20J%C3%B6rg.bin\n"
           "Content-Transfer-Encoding: base64\n"
           "\n" +
           base64_lines(attachment_bytes()) + "--outer-boundary--\n";
}

// The marker an HTML mail's script would change; the text it would write instead.
constexpr std::string_view kMarker = "marker untouched";
constexpr std::string_view kScriptRan = "SCRIPT RAN";

// An HTML mail that tries, every way a mail can, to run a script or to fetch from `origin` (a
// test server that counts what it is asked): `body` is put in its body after the marker. Every
// one of these the browser itself refuses under the CSP the view is served with, without a
// connection, but a resource hint and an iframe: those the inbox renames away (mail_html.hpp).
// clang-format off
std::string hostile_message(const std::string& origin, const std::string& body) {
    const auto at = [&](std::string_view path) { return origin + std::string(path); };
    const std::string overwrite =
        "document.getElementById('marker').textContent = '" + std::string(kScriptRan) + "';";
    const std::string html =
        "<html><head>"
        "<link rel=\"stylesheet\" href=\"" + at("style.css") + "\">"
        "<link rel=\"preconnect\" href=\"" + at("") + "\">"
        "<script src=\"" + at("script.js") + "\"></script>"
        "<script>" + overwrite + " new Image().src = '" + at("inline-script") + "';"
        " try { top.document.title = 'pwned'; } catch (e) {}</script>"
        "</head><body style=\"background-image: url(" + at("background.png") + ")\">"
        "<p id=\"marker\">" + std::string(kMarker) + "</p>" + body + "</body></html>\n";
    return "From: Mallory <mallory@example.org>\n"
           "To: student@example.org\n"
           "Subject: Harmless newsletter\n"
           "Date: Thu, 03 Dec 2026 10:05:00 +0000\n"
           "Message-ID: <browser-hostile@example.org>\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\n"
           "Content-Transfer-Encoding: 7bit\n"
           "\n" +
           html;
}
// clang-format on

// The rest of the hostile mail's body: images, an event handler, SVG, a javascript: link, a
// form, a refresh.
// clang-format off
std::string hostile_body(const std::string& origin) {
    const auto at = [&](std::string_view path) { return origin + std::string(path); };
    return "<img src=\"" + at("remote.png") + "\" alt=\"remote\">"
           "<img src=\"no-such-image\" onerror=\"document.getElementById('marker').textContent"
           " = '" + std::string(kScriptRan) + "'; new Image().src = '" + at("onerror") + "';\">"
           "<svg><image href=\"" + at("svg.png") + "\"/></svg>"
           "<a href=\"javascript:document.title='pwned'\" id=\"link\">a link</a>"
           "<form action=\"" + at("form") + "\"><input name=q></form>"
           "<meta http-equiv=\"refresh\" content=\"0; url=" + at("refresh") + "\">";
}
// clang-format on

// ------------------------------------------------------------------------ the server

// mail_server with its web inbox on an ephemeral loopback port.
struct Inbox {
    TestMailServer mail;
    std::string url;  // "http://127.0.0.1:PORT/"
};

Inbox start_inbox() {
    TestMailServer mail = start_mail_server({"--web", "127.0.0.1:0"});
    const std::uint16_t port = web_inbox_port(mail.process, Deadline(kIo));
    if (port == 0) throw std::runtime_error("mail_server --web announced no web inbox");
    return Inbox{std::move(mail), "http://127.0.0.1:" + std::to_string(port) + "/"};
}

// Sends with mail_client to the inbox's SMTP port: `message` (an RFC 5322 file) as it is, or
// mail_client's own composition from `args`.
void send_with_mail_client(const Inbox& inbox, std::vector<std::string> args) {
    std::vector<std::string> all = {
        "--server", inbox.mail.process.endpoint(), "--tls", "none", "--helo", "client.example",
        "-q"};
    all.insert(all.end(), args.begin(), args.end());
    const Finished sent = run(bin_path("mail_client"), all, {}, kIo);
    ASSERT_TRUE(sent.status.ok()) << sent.status << ": " << sent.err << inbox.mail.process.log();
}

void send_message(const Inbox& inbox, const std::string& message) {
    const TempDir dir;
    const auto file = dir.write_file("message.eml", message);
    send_with_mail_client(inbox, {"--from", "sender@example.org", "--to", "student@example.org",
                                  "--message", file.string()});
}

// ------------------------------------------------------------------------ in the page

// A JavaScript string literal of `text` (for the expressions below).
std::string js_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

// The href of the first link in the page whose own text, or its row's, holds `text`; "" when none.
std::string link_to(BrowserPage& page, std::string_view text) {
    const JsonValue href = page.evaluate(
        "(() => { const want = " + js_string(text) +
            ";"
            " for (const a of document.querySelectorAll('a[href]')) {"
            "   const row = a.closest('tr, li, article, section') || a;"
            "   if (a.textContent.includes(want) || row.textContent.includes(want)) return a.href;"
            " } return ''; })()",
        Deadline(kBrowserStep));
    return href.is_string() ? href.as_string() : "";
}

// The iframes of the page's document (with their documents, when rendered).
std::vector<const JsonValue*> iframes_in(const JsonValue& document) {
    return elements_named(document, "IFRAME");
}

// Whether an iframe's sandbox attribute is there and lets no script run.
bool sandboxed_without_scripts(const JsonValue& iframe) {
    const auto sandbox = attribute(iframe, "sandbox");
    return sandbox && sandbox->find("allow-scripts") == std::string::npos;
}

// The text of the hostile mail's marker paragraph (the first under `node`), "" when none.
std::string marker_text(const JsonValue& node) {
    for (const JsonValue* p : elements_named(node, "P")) {
        if (attribute(*p, "id") == "marker") return text_of(*p);
    }
    return {};
}

// ------------------------------------------------------------------------ the fixture

// Chromium's options for a browser whose iframes stay in the page's process, so that the page's
// DOM, read over the DevTools protocol, holds their documents too (what the sandbox and the CSP
// enforce does not depend on the process an iframe runs in).
const std::vector<std::string> kFramesInProcess = {"--disable-site-isolation-trials",
                                                   "--disable-features=IsolateSandboxedIframes"};

class MailInboxBrowser : public ::testing::Test {
  protected:
    void SetUp() override {
        chromium_ = find_tool("chromium");
        if (chromium_.empty()) GTEST_SKIP() << "needs chromium (Debian package chromium)";
    }

    std::string chromium_;
};

TEST_F(MailInboxBrowser, ShowsAMultipartMessageAndDownloadsItsAttachment) {
    Inbox inbox = start_inbox();
    send_message(inbox, multipart_message());

    DevToolsBrowser chromium(chromium_, kFramesInProcess);
    BrowserPage page(chromium, Deadline(kBrowserStep));
    page.navigate(inbox.url, Deadline(kBrowserStep));

    // The list shows the subject decoded, and the sender's decoded name or address.
    const std::string list = text_of(page.document(Deadline(kBrowserStep)));
    EXPECT_NE(list.find(kSubject), std::string::npos) << list;
    EXPECT_EQ(list.find("=?utf-8?"), std::string::npos)
        << "an encoded-word shown as it is: " << list;
    EXPECT_TRUE(list.find("Jörg Tester") != std::string::npos ||
                list.find("joerg@example.org") != std::string::npos)
        << list;

    // Its link leads to the message page.
    const std::string message_url = link_to(page, kSubject);
    ASSERT_FALSE(message_url.empty()) << "no link to the message in the list: " << list;
    ASSERT_TRUE(message_url.starts_with(inbox.url)) << message_url;
    page.navigate(message_url, Deadline(kBrowserStep));
    const JsonValue document = page.document(Deadline(kBrowserStep));
    const std::string shown = text_of(document);
    EXPECT_NE(shown.find(kSubject), std::string::npos) << shown;
    EXPECT_NE(shown.find(kAttachmentName), std::string::npos) << "the attachment is not listed";

    // The HTML part is rendered, inside a sandboxed iframe that may run no script.
    const auto frames = iframes_in(document);
    ASSERT_FALSE(frames.empty()) << "no iframe on the message page: " << shown;
    const auto html_frame = std::find_if(frames.begin(), frames.end(), [](const JsonValue* f) {
        return f->has("contentDocument") &&
               text_of((*f)["contentDocument"]).find(kHtmlHeadline) != std::string::npos;
    });
    ASSERT_NE(html_frame, frames.end()) << "the HTML part is rendered in no iframe: " << shown;
    EXPECT_TRUE(sandboxed_without_scripts(**html_frame)) << (*html_frame)->dump();
    EXPECT_FALSE(elements_named((**html_frame)["contentDocument"], "H1").empty())
        << "the HTML part was shown as text, not rendered";

    // The attachment, downloaded the way a user does (a click on its link), comes byte for
    // byte under its own name.
    const auto downloads = chromium.download_dir();
    std::string behavior = R"({"behavior":"allow","eventsEnabled":true,"downloadPath":)";
    behavior += net::json_string(downloads.string()) + "}";
    chromium.call("Browser.setDownloadBehavior", behavior, Deadline(kBrowserStep));
    const JsonValue clicked = page.evaluate(
        "(() => { for (const a of document.querySelectorAll('a[href]')) {"
        "   if (a.textContent.includes(" +
            js_string(kAttachmentName) + ")) { a.click(); return a.href; } } return ''; })()",
        Deadline(kBrowserStep));
    ASSERT_TRUE(clicked.is_string() && !clicked.as_string().empty())
        << "no link to the attachment: " << shown;
    const auto begun = chromium.wait_event("Browser.downloadWillBegin", "", Deadline(kBrowserStep));
    ASSERT_TRUE(begun) << "no download began for " << clicked.as_string();
    EXPECT_EQ((*begun)["suggestedFilename"].as_string(), kAttachmentName);
    const std::string guid = (*begun)["guid"].as_string();
    const auto done = chromium.wait_event(
        "Browser.downloadProgress", "", Deadline(kBrowserStep), [&](const JsonValue& p) {
            return p["guid"].as_string() == guid && p["state"].as_string() != "inProgress";
        });
    ASSERT_TRUE(done) << "the download did not end";
    ASSERT_EQ((*done)["state"].as_string(), "completed") << done->dump();
    EXPECT_EQ(read_file(downloads / (*begun)["suggestedFilename"].as_string()), attachment_bytes());
}

TEST_F(MailInboxBrowser, NewMailShowsInAnOpenListWithinASecond) {
    Inbox inbox = start_inbox();
    send_message(inbox, multipart_message());

    DevToolsBrowser chromium(chromium_, {});
    BrowserPage page(chromium, Deadline(kBrowserStep));
    page.navigate(inbox.url, Deadline(kBrowserStep));
    // The list has subscribed to new mail once its event stream is answered.
    const auto stream = chromium.wait_event(
        "Network.responseReceived", page.session(), Deadline(kBrowserStep),
        [](const JsonValue& p) { return p["type"].as_string() == "EventSource"; });
    ASSERT_TRUE(stream) << "the list page opened no event stream";
    EXPECT_EQ((*stream)["response"]["status"].as_number(), 200) << stream->dump();

    // mail_client composes the second message itself (its non-ASCII subject RFC 2047-encoded).
    constexpr std::string_view kSecond = "Zweite Nachricht – schon da?";
    // An observer watches the page for its subject from before the message is sent (installed by
    // one evaluation, awaited by the next).
    const JsonValue installed = page.evaluate(
        "window.newMailShown = new Promise(resolve => {"
        "  const want = " +
            js_string(kSecond) +
            ";"
            "  const shown = () => document.body.innerText.includes(want);"
            "  if (shown()) return resolve('before it was sent');"
            "  const observer = new MutationObserver(() => {"
            "    if (shown()) { observer.disconnect(); resolve('shown'); } });"
            "  observer.observe(document.documentElement,"
            "                   {subtree: true, childList: true, characterData: true});"
            "  setTimeout(() => resolve('not shown in 10 s'), 10000);"
            "}), 'watching'",
        Deadline(kBrowserStep));
    ASSERT_EQ(installed.as_string(), "watching");
    send_with_mail_client(inbox, {"--from", "second@example.org", "--to", "student@example.org",
                                  "--subject", std::string(kSecond), "--body", "Live.\n"});
    const auto sent = Clock::now();  // its 250 came: the message is stored and indexed
    const JsonValue outcome = page.evaluate("window.newMailShown", Deadline(kBrowserStep));
    const auto took = Clock::now() - sent;
    ASSERT_EQ(outcome.as_string(), "shown");
    EXPECT_LT(took, kLiveUpdate) << "the list showed the new message only after "
                                 << std::chrono::duration_cast<milliseconds>(took).count() << " ms";
    // Nothing was reloaded: the first message is still listed on the same page.
    EXPECT_NE(text_of(page.document(Deadline(kBrowserStep))).find(kSubject), std::string::npos);
}

// Sends a hostile mail (hostile_message() with `body`) to a fresh inbox, opens it in the browser,
// on its message page and on its own, and checks that no script ran and nothing was fetched from
// `origin`. Returns how many of the mail's requests the browser blocked.
int open_hostile_mail(const std::string& chromium_path, ScriptedOrigin& origin,
                      const std::string& body) {
    Inbox inbox = start_inbox();
    send_message(inbox, hostile_message(origin.url(), body));

    DevToolsBrowser chromium(chromium_path, kFramesInProcess);
    BrowserPage page(chromium, Deadline(kBrowserStep));
    page.navigate(inbox.url, Deadline(kBrowserStep));
    const std::string message_url = link_to(page, "Harmless newsletter");
    EXPECT_FALSE(message_url.empty()) << text_of(page.document(Deadline(kBrowserStep)));
    if (message_url.empty()) return 0;
    page.navigate(message_url, Deadline(kBrowserStep));
    EXPECT_NE(page.evaluate("document.title", Deadline(kBrowserStep)).as_string(), "pwned");

    // The mail is shown in a sandboxed iframe, and its marker is as the mail wrote it.
    const JsonValue document = page.document(Deadline(kBrowserStep));
    const auto frames = iframes_in(document);
    const auto mail_frame = std::find_if(frames.begin(), frames.end(), [](const JsonValue* f) {
        return f->has("contentDocument") &&
               text_of((*f)["contentDocument"]).find(kMarker) != std::string::npos;
    });
    EXPECT_NE(mail_frame, frames.end()) << "the HTML mail is rendered in no iframe, or its"
                                        << " marker changed: " << text_of(document);
    if (mail_frame == frames.end()) return 0;
    EXPECT_TRUE(sandboxed_without_scripts(**mail_frame)) << (*mail_frame)->dump();
    EXPECT_EQ(marker_text((**mail_frame)["contentDocument"]), kMarker);

    // The same HTML opened on its own, as a top-level page, where only the response's CSP stands
    // between the mail and the browser (when the iframe loads it by URL rather than srcdoc).
    if (const auto src = attribute(**mail_frame, "src"); src && !src->empty()) {
        const std::string direct = src->starts_with("http") ? *src : inbox.url + src->substr(1);
        page.navigate(direct, Deadline(kBrowserStep));
        EXPECT_EQ(marker_text(page.document(Deadline(kBrowserStep))), kMarker) << direct;
        EXPECT_NE(page.evaluate("document.title", Deadline(kBrowserStep)).as_string(), "pwned");
    }

    // Every request for the origin that the pages made was blocked by the browser before it left
    // (Chromium's own record: a round trip first, so that every event sent before its answer has
    // been read; a blocked request's failure follows its start).
    page.evaluate("1", Deadline(kBrowserStep));
    const std::string port = ":" + std::to_string(origin.port()) + "/";
    int blocked = 0;
    while (const auto sent = chromium.wait_event("Network.requestWillBeSent", page.session(),
                                                 Deadline::after(0ms), [&](const JsonValue& p) {
                                                     return p["request"]["url"].as_string().find(
                                                                port) != std::string::npos;
                                                 })) {
        const std::string id = (*sent)["requestId"].as_string();
        const auto failed = chromium.wait_event(
            "Network.loadingFailed", page.session(), Deadline(kIo),
            [&](const JsonValue& p) { return p["requestId"].as_string() == id; });
        EXPECT_TRUE(failed && failed->has("blockedReason"))
            << "the browser did not block " << (*sent)["request"]["url"].as_string() << ": "
            << (failed ? failed->dump() : "no failure");
        ++blocked;
    }
    // And the origin saw no request.
    for (const auto& request : origin.requests())
        ADD_FAILURE() << "the origin was asked: " << request;
    return blocked;
}

TEST_F(MailInboxBrowser, HtmlMailRunsNoScriptAndFetchesNothing) {
    // The origin answers 404 to anything; what counts is that nothing asks.
    ScriptedOrigin origin(std::string("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    const int blocked = open_hostile_mail(chromium_, origin, hostile_body(origin.url()));
    // The mail's style sheet, background and image at least were tried and refused, in the
    // iframe and on their own: the test saw what it meant to.
    EXPECT_GE(blocked, 6);
    EXPECT_EQ(origin.connections(), 0);
}

// A remote iframe inside the mail is refused by the view's CSP (frame-src falls back to
// default-src 'none') and never asked for, but Chromium opens a TCP connection to its host
// first (no request is sent on it): for a real host, a DNS lookup and a connection that tell the
// sender the mail was opened. The inbox renames the element (mail_html.hpp), so none is opened.
TEST_F(MailInboxBrowser, HtmlMailWithARemoteIframeOpensNoConnection) {
    ScriptedOrigin origin(std::string("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    open_hostile_mail(chromium_, origin,
                      "<iframe src=\"" + origin.url("/frame.html") + "\"></iframe>");
    EXPECT_EQ(origin.connections(), 0);
}

}  // namespace
}  // namespace net::test
