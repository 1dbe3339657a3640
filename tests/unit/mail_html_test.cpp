#include "mail_html.hpp"

#include <gtest/gtest.h>

namespace {

using mail::inert_html;

TEST(InertHtml, RenamesElementsThatReachTheNetworkByThemselves) {
    EXPECT_EQ(inert_html("<iframe src=\"http://x/\"></iframe>"),
              "<x-iframe src=\"http://x/\"></x-iframe>");
    EXPECT_EQ(inert_html("<LINK rel=preconnect href=//x>"), "<x-LINK rel=preconnect href=//x>");
    EXPECT_EQ(inert_html("<meta http-equiv=refresh><base href=http://x/>"),
              "<x-meta http-equiv=refresh><x-base href=http://x/>");
    EXPECT_EQ(inert_html("<object data=a><embed src=b><frameset><frame src=c>"),
              "<x-object data=a><x-embed src=b><x-frameset><x-frame src=c>");
    EXPECT_EQ(inert_html("<video poster=p><source src=s><track src=t></video><audio/>"),
              "<x-video poster=p><x-source src=s><x-track src=t></x-video><x-audio/>");
    EXPECT_EQ(inert_html("<iframe\tsrc=a><iframe\nsrc=b><iframe/src=c>"),
              "<x-iframe\tsrc=a><x-iframe\nsrc=b><x-iframe/src=c>");
}

TEST(InertHtml, LeavesEverythingElseAsItIs) {
    const std::string mail =
        "<html><head><style>p{color:red}</style></head><body><p>a < b, i<frames>"
        "<img src=\"cid:logo\"><a href=\"https://example.org/\">link</a><linked>"
        "<!-- x --> <iframes> < iframe> <1frame></body></html>";
    EXPECT_EQ(inert_html(mail), mail);
    EXPECT_EQ(inert_html(""), "");
    EXPECT_EQ(inert_html("<"), "<");
    EXPECT_EQ(inert_html("</"), "</");
    EXPECT_EQ(inert_html("<iframe"), "<x-iframe");
}

TEST(InertHtml, TagsAnywhereAreFound) {
    // In a comment or an attribute value the rename only changes text.
    EXPECT_EQ(inert_html("<!--<iframe>--><p title=\"<link>\">"),
              "<!--<x-iframe>--><p title=\"<x-link>\">");
    EXPECT_EQ(inert_html("<<iframe>"), "<<x-iframe>");
}

}  // namespace

namespace {

std::optional<std::string> known(std::string_view id) {
    if (id == "logo@example.org") return "data:image/png;base64,AAAA";
    if (id == "a b") return "data:image/gif;base64,BBBB";
    return std::nullopt;
}

TEST(InlineCidImages, ReplacesTheUrlsOfImagesTheMailCarries) {
    EXPECT_EQ(mail::inline_cid_images("<img src=\"cid:logo@example.org\">", known),
              "<img src=\"data:image/png;base64,AAAA\">");
    EXPECT_EQ(mail::inline_cid_images("<img src='CID:logo@example.org' alt=x>", known),
              "<img src='data:image/png;base64,AAAA' alt=x>");
    EXPECT_EQ(mail::inline_cid_images("<img src=cid:logo@example.org>", known),
              "<img src=data:image/png;base64,AAAA>");
    EXPECT_EQ(mail::inline_cid_images("<td style=\"background:url(cid:a%20b)\">", known),
              "<td style=\"background:url(data:image/gif;base64,BBBB)\">");
    EXPECT_EQ(mail::inline_cid_images("<img src=\"cid:a%20b\"><img src=\"cid:a%20b\">", known),
              "<img src=\"data:image/gif;base64,BBBB\"><img src=\"data:image/gif;base64,BBBB\">");
}

TEST(InlineCidImages, LeavesTextAndUnknownIdsAlone) {
    const std::string html =
        "<p>cid:logo@example.org</p><img src=\"cid:other\"><img src=\"cid:\">"
        "<a href=\"x\">acid:logo@example.org</a>cid:";
    EXPECT_EQ(mail::inline_cid_images(html, known), html);
    EXPECT_EQ(mail::inline_cid_images("", known), "");
    EXPECT_EQ(mail::inline_cid_images("=cid:logo@example.org", known),
              "=data:image/png;base64,AAAA");
}

}  // namespace
