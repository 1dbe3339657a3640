// The HTML both web programs write: escaping, and the error page.
#include "common/html.hpp"

#include <gtest/gtest.h>

#include <string>

namespace net {
namespace {

TEST(HtmlEscapeTest, EscapesTheFive) {
    EXPECT_EQ(html_escape("a b&c<d>.txt"), "a b&amp;c&lt;d&gt;.txt");
    EXPECT_EQ(html_escape("\"'"), "&quot;&#39;");
    EXPECT_EQ(html_escape("<script>alert('x')</script>"),
              "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
    EXPECT_EQ(html_escape(""), "");
    EXPECT_EQ(html_escape("plain \xc3\xa9"), "plain \xc3\xa9");
}

TEST(HtmlErrorPageTest, TitleHeadingSentenceAndSignature) {
    EXPECT_EQ(html_error_page(502, "no answer from <example.org>", "web_proxy/1.0"),
              "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>502 Bad Gateway"
              "</title></head>\n<body><h1>502 Bad Gateway</h1>\n<p>no answer from "
              "&lt;example.org&gt;</p>\n<hr><address>web_proxy/1.0</address></body></html>\n");
}

}  // namespace
}  // namespace net
