// Content-Type by extension: the common web types, charset on text, octet-stream otherwise.
#include "common/media_types.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace net {
namespace {

TEST(MediaTypesTest, CommonWebTypes) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"index.html", "text/html; charset=utf-8"},
        {"old.htm", "text/html; charset=utf-8"},
        {"style.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"module.mjs", "text/javascript; charset=utf-8"},
        {"data.json", "application/json; charset=utf-8"},
        {"app.js.map", "application/json; charset=utf-8"},
        {"logo.svg", "image/svg+xml; charset=utf-8"},
        {"a.png", "image/png"},
        {"a.jpg", "image/jpeg"},
        {"a.jpeg", "image/jpeg"},
        {"a.gif", "image/gif"},
        {"a.webp", "image/webp"},
        {"a.avif", "image/avif"},
        {"favicon.ico", "image/vnd.microsoft.icon"},
        {"a.bmp", "image/bmp"},
        {"a.wasm", "application/wasm"},
        {"notes.txt", "text/plain; charset=utf-8"},
        {"README.md", "text/markdown; charset=utf-8"},
        {"table.csv", "text/csv; charset=utf-8"},
        {"feed.xml", "application/xml; charset=utf-8"},
        {"paper.pdf", "application/pdf"},
        {"a.zip", "application/zip"},
        {"a.gz", "application/gzip"},
        {"a.tar", "application/x-tar"},
        {"a.mp4", "video/mp4"},
        {"a.webm", "video/webm"},
        {"a.ogg", "audio/ogg"},
        {"a.mp3", "audio/mpeg"},
        {"a.wav", "audio/wav"},
        {"a.flac", "audio/flac"},
        {"a.woff", "font/woff"},
        {"a.woff2", "font/woff2"},
        {"a.ttf", "font/ttf"},
        {"a.otf", "font/otf"},
        {"a.eot", "application/vnd.ms-fontobject"},
        {"site.webmanifest", "application/manifest+json; charset=utf-8"},
        {"letter.doc", "application/msword"},
        // mail_client's attachments are base64, which message/rfc822 may not be (RFC 2046 5.2.1).
        {"forwarded.eml", "application/octet-stream"},
    };
    for (const auto& [name, type] : cases)
        EXPECT_EQ(content_type_for(name), type) << name;
}

TEST(MediaTypesTest, ExtensionIsCaseInsensitive) {
    EXPECT_EQ(content_type_for("INDEX.HTML"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("Photo.JpG"), "image/jpeg");
    EXPECT_EQ(content_type_for("font.WOFF2"), "font/woff2");
}

TEST(MediaTypesTest, LastExtensionCounts) {
    EXPECT_EQ(content_type_for("archive.tar.gz"), "application/gzip");
    EXPECT_EQ(content_type_for("page.html.txt"), "text/plain; charset=utf-8");
    EXPECT_EQ(content_type_for("a.b.c.png"), "image/png");
}

TEST(MediaTypesTest, UnknownOrMissingIsOctetStream) {
    const std::vector<std::string> names = {"",           "Makefile",
                                            "file.",      "file.unknownext",
                                            "file.htmlx", "file.ht",
                                            "file.h tml", ".bashrc",
                                            ".html",      "..",
                                            "a.js.",      "file." + std::string(100, 'x'),
                                            "x.\xc3\xa9", std::string("x.html\0", 7)};
    for (const auto& name : names) {
        EXPECT_EQ(content_type_for(name), "application/octet-stream") << name;
    }
}

TEST(MediaTypesTest, OnlyTheFileNamePartCounts) {
    EXPECT_EQ(content_type_for("docs/index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("dir.html/README"), "application/octet-stream");
    EXPECT_EQ(content_type_for("dir.d/.hidden"), "application/octet-stream");
    EXPECT_EQ(content_type_for("dir/.config.json"), "application/json; charset=utf-8");
}

TEST(MediaTypesTest, TextTypesCarryCharsetOthersDoNot) {
    for (const std::string name :
         {"a.html", "a.css", "a.txt", "a.csv", "a.md", "a.js", "a.json", "a.svg", "a.xml"}) {
        EXPECT_NE(content_type_for(name).find("; charset=utf-8"), std::string_view::npos) << name;
    }
    for (const std::string name : {"a.png", "a.pdf", "a.zip", "a.mp4", "a.woff2", "a.wasm"}) {
        EXPECT_EQ(content_type_for(name).find("charset"), std::string_view::npos) << name;
    }
}

// ------------------------------------------------------------------ mime.types and MediaTypes

std::vector<std::pair<std::string, std::string>> entries_of(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& entry : parse_mime_types(text))
        out.emplace_back(entry.type, entry.extension);
    return out;
}

using Entries = std::vector<std::pair<std::string, std::string>>;

TEST(MimeTypesFileTest, OneEntryPerExtensionInOrder) {
    EXPECT_EQ(
        entries_of("text/x-python\t\t\t\tpy\ntext/x-diff  diff patch\n"),
        (Entries{{"text/x-python", "py"}, {"text/x-diff", "diff"}, {"text/x-diff", "patch"}}));
}

TEST(MimeTypesFileTest, CommentsBlankLinesAndTypesWithoutExtensions) {
    const std::string_view text =
        "# This is a comment. text/plain txt\n"
        "\n"
        "   \t\n"
        "application/x-nothing\n"  // a type with no extension: nothing
        "text/x-c c # C source\n"  // a comment after the extensions
        "  image/png\tpng  \r\n"   // leading blanks, a CRLF line end
        "#text/x-sh sh\n"
        "text/last last";  // no final newline
    EXPECT_EQ(entries_of(text),
              (Entries{{"text/x-c", "c"}, {"image/png", "png"}, {"text/last", "last"}}));
}

TEST(MimeTypesFileTest, LinesWithoutATypeAndOddExtensionsAreSkipped) {
    EXPECT_EQ(entries_of("notatype ext\n/x ext\ntext/ ext\ntext/a/b ext\na;b/c ext\n"), Entries{});
    EXPECT_EQ(entries_of("text/x-ok good a/b \x01 ok2\n"),
              (Entries{{"text/x-ok", "good"}, {"text/x-ok", "ok2"}}));
    EXPECT_EQ(entries_of(""), Entries{});
    EXPECT_EQ(entries_of(std::string_view("text/x-nul a\0b\n", 14)), Entries{});
}

TEST(MimeTypesFileTest, ExtensionsKeepTheirCaseAndDuplicates) {
    EXPECT_EQ(entries_of("image/x-A PNGX\nimage/x-b pngx\n"),
              (Entries{{"image/x-A", "PNGX"}, {"image/x-b", "pngx"}}));
}

TEST(MediaTypesTest, TextTypesFromAFileGetCharset) {
    for (const std::string_view type :
         {"text/x-python", "TEXT/plain", "application/json", "application/javascript",
          "application/xml", "application/ld+json", "image/svg+xml", "application/atom+XML"}) {
        EXPECT_TRUE(is_text_type(type)) << type;
    }
    for (const std::string_view type :
         {"application/x-sh", "application/octet-stream", "image/png", "application/jsonx",
          "application/vnd.tcpdump.pcap", "textual/x", "application/xmlx"}) {
        EXPECT_FALSE(is_text_type(type)) << type;
    }
}

TEST(MediaTypesTest, FileTypesAddToTheBuiltInTable) {
    const MediaTypes types(
        "text/x-python py\n"
        "application/vnd.tcpdump.pcap pcap cap\n"
        "application/x-sh sh\n"
        "text/x-sh sh\n");  // the later line wins, as in python's mimetypes
    EXPECT_EQ(types.type_for("lab.py"), "text/x-python; charset=utf-8");
    EXPECT_EQ(types.type_for("dir/trace.PCAP"), "application/vnd.tcpdump.pcap");
    EXPECT_EQ(types.type_for("run.sh"), "text/x-sh; charset=utf-8");
    EXPECT_EQ(types.type_for("logo.png"), "image/png");  // the built-in table still answers
    EXPECT_EQ(types.type_for("a.unknown"), "application/octet-stream");
    EXPECT_EQ(types.type_for("Makefile"), "application/octet-stream");
    EXPECT_EQ(types.type_for(".py"), "application/octet-stream");
    EXPECT_EQ(types.type_for("a." + std::string(40, 'p')), "application/octet-stream");
}

TEST(MediaTypesTest, TheWebsExactTypesWinOverTheFile) {
    const MediaTypes types(
        "application/x-javascript js mjs\n"
        "text/html html htm\n"
        "application/octet-stream wasm svg png css json txt\n"
        "audio/x-wav wav\n"
        "text/x-markdown md\n");
    EXPECT_EQ(types.type_for("a.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(types.type_for("a.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(types.type_for("a.html"), "text/html; charset=utf-8");
    EXPECT_EQ(types.type_for("a.wasm"), "application/wasm");
    EXPECT_EQ(types.type_for("a.svg"), "image/svg+xml; charset=utf-8");
    EXPECT_EQ(types.type_for("a.png"), "image/png");
    EXPECT_EQ(types.type_for("a.css"), "text/css; charset=utf-8");
    EXPECT_EQ(types.type_for("a.json"), "application/json; charset=utf-8");
    EXPECT_EQ(types.type_for("a.txt"), "text/plain; charset=utf-8");
    // The rest of the built-in table is only a fallback: the file's own answer wins.
    EXPECT_EQ(types.type_for("a.wav"), "audio/x-wav");
    EXPECT_EQ(types.type_for("a.md"), "text/x-markdown; charset=utf-8");
}

TEST(MediaTypesTest, WithoutAFileItIsTheBuiltInTable) {
    const MediaTypes types;
    for (const std::string name :
         {"a.html", "a.JS", "x/y.woff2", "a.md", "a.wav", "a.py", "a.eml", ".bashrc", "a.", ""}) {
        EXPECT_EQ(types.type_for(name), content_type_for(name)) << name;
    }
}

TEST(MediaTypesTest, DebiansFileWhenPresent) {
    std::ifstream file("/etc/mime.types");
    if (!file) GTEST_SKIP() << "needs /etc/mime.types (apt-get install media-types)";
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    const MediaTypes types(text);
    EXPECT_GT(types.size(), 1000u);
    EXPECT_EQ(types.type_for("a.py"), "text/x-python; charset=utf-8");
    EXPECT_EQ(types.type_for("a.c"), "text/x-csrc; charset=utf-8");
    EXPECT_EQ(types.type_for("a.diff"), "text/x-diff; charset=utf-8");
    EXPECT_EQ(types.type_for("a.pcap"), "application/vnd.tcpdump.pcap");
    EXPECT_EQ(types.type_for("a.js"), "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace net
