// Content-Type by extension: the common web types, charset on text, octet-stream otherwise.
#include "common/media_types.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace net
