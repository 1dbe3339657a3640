// Directory listing pages: a valid HTML5 document, sorted rows, escaped names, working links.
#include "web_server/directory_listing.hpp"
#include "common/percent_encoding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "web_server/request_path.hpp"

namespace web {
namespace {

constexpr std::time_t kWhen = 1795580078;  // 2026-11-25 04:14:38 UTC

std::size_t count_of(const std::string& text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

// The hrefs of the page's links, in order (still HTML-escaped).
std::vector<std::string> hrefs(const std::string& page) {
    std::vector<std::string> out;
    const std::string_view marker = "<a href=\"";
    for (auto at = page.find(marker); at != std::string::npos; at = page.find(marker, at + 1)) {
        const auto start = at + marker.size();
        out.push_back(page.substr(start, page.find('"', start) - start));
    }
    return out;
}

TEST(DirectoryListingTest, IsACompleteHtml5Document) {
    const auto page = render_directory_listing("/docs/", {{"a.txt", false, 10, kWhen}});
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n")) << page;
    EXPECT_NE(page.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(page.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(page.find("<title>Index of /docs/</title>"), std::string::npos);
    EXPECT_NE(page.find("<h1>Index of /docs/</h1>"), std::string::npos);
    EXPECT_NE(page.find("<style>"), std::string::npos);
    EXPECT_NE(page.find("<th>Name</th>"), std::string::npos);
    EXPECT_NE(page.find(">Size</th>"), std::string::npos);
    EXPECT_NE(page.find("<th>Modified</th>"), std::string::npos);
    EXPECT_TRUE(page.ends_with("</html>\n"));
    // Balanced elements.
    for (const std::string tag :
         {"html", "head", "body", "table", "thead", "tbody", "title", "style", "h1"}) {
        EXPECT_EQ(count_of(page, "<" + tag), count_of(page, "</" + tag + ">")) << tag;
    }
    EXPECT_EQ(count_of(page, "<tr>"), count_of(page, "</tr>"));
    EXPECT_EQ(count_of(page, "<a "), count_of(page, "</a>"));
}

TEST(DirectoryListingTest, ParentLinkExceptAtRoot) {
    const auto root = render_directory_listing("/", {{"a", false, 1, kWhen}});
    EXPECT_EQ(root.find("../"), std::string::npos);
    const auto sub = render_directory_listing("/docs/", {{"a", false, 1, kWhen}});
    ASSERT_FALSE(hrefs(sub).empty());
    EXPECT_EQ(hrefs(sub).front(), "../");
}

TEST(DirectoryListingTest, DirectoriesFirstThenFilesByByteOrder) {
    const auto page = render_directory_listing("/", {{"b.txt", false, 1, kWhen},
                                                     {"Zdir", true, 0, kWhen},
                                                     {"a.txt", false, 1, kWhen},
                                                     {"adir", true, 0, kWhen},
                                                     {"B.txt", false, 1, kWhen},
                                                     {"\xc3\xa9.txt", false, 1, kWhen},
                                                     {"_x", false, 1, kWhen}});
    const std::vector<std::string> expected = {"Zdir/", "adir/", "B.txt",     "_x",
                                               "a.txt", "b.txt", "%C3%A9.txt"};
    EXPECT_EQ(hrefs(page), expected);
}

TEST(DirectoryListingTest, DotEntriesAreNotListed) {
    const auto page = render_directory_listing(
        "/d/", {{".", true, 0, kWhen}, {"..", true, 0, kWhen}, {".hidden", false, 1, kWhen}});
    const std::vector<std::string> expected = {"../", ".hidden"};
    EXPECT_EQ(hrefs(page), expected);
}

TEST(DirectoryListingTest, NamesAreEscapedAndLinksEncoded) {
    const auto page = render_directory_listing("/", {{"a b&c<d>.txt", false, 1, kWhen},
                                                     {"100%.txt", false, 1, kWhen},
                                                     {"#x", false, 1, kWhen},
                                                     {"?q", false, 1, kWhen},
                                                     {"javascript:alert(1)", false, 1, kWhen},
                                                     {"\"><script>x</script>", false, 1, kWhen},
                                                     {"it's", true, 0, kWhen}});
    // Displayed names: escaped text.
    EXPECT_NE(page.find(">a b&amp;c&lt;d&gt;.txt</a>"), std::string::npos);
    EXPECT_NE(page.find(">100%.txt</a>"), std::string::npos);
    EXPECT_NE(page.find(">#x</a>"), std::string::npos);
    EXPECT_NE(page.find(">?q</a>"), std::string::npos);
    EXPECT_NE(page.find(">&quot;&gt;&lt;script&gt;x&lt;/script&gt;</a>"), std::string::npos);
    EXPECT_NE(page.find(">it&#39;s/</a>"), std::string::npos);
    EXPECT_EQ(page.find("<script>"), std::string::npos);
    // Links: relative, one segment each, resolving to exactly the name.
    const std::vector<std::string> expected = {"it%27s/",
                                               "%22%3E%3Cscript%3Ex%3C%2Fscript%3E",
                                               "%23x",
                                               "100%25.txt",
                                               "%3Fq",
                                               "a%20b%26c%3Cd%3E.txt",
                                               "javascript%3Aalert%281%29"};
    const auto links = hrefs(page);
    EXPECT_EQ(links, expected);
    for (const auto& link : links) {
        EXPECT_EQ(link.find_first_of("#?:<>\"' "), std::string::npos) << link;
        const auto decoded = net::percent_decode(link);
        ASSERT_TRUE(decoded) << link;
    }
    EXPECT_EQ(net::percent_decode(links[3]), "100%.txt");
    EXPECT_EQ(net::percent_decode(links[4]), "?q");
    EXPECT_EQ(net::percent_decode(links[5]), "a b&c<d>.txt");
}

TEST(DirectoryListingTest, TitleIsEscaped) {
    const auto page = render_directory_listing("/<b>&/", {});
    EXPECT_NE(page.find("<title>Index of /&lt;b&gt;&amp;/</title>"), std::string::npos);
    EXPECT_EQ(page.find("<b>"), std::string::npos);
}

TEST(DirectoryListingTest, DirectoryLinksAndNamesEndInSlash) {
    const auto page = render_directory_listing("/", {{"sub dir", true, 4096, kWhen}});
    EXPECT_NE(page.find("<a href=\"sub%20dir/\">sub dir/</a>"), std::string::npos) << page;
    // Directories show no size.
    EXPECT_EQ(page.find("4.0 KiB"), std::string::npos);
}

TEST(DirectoryListingTest, DatesInUtc) {
    const auto page = render_directory_listing("/", {{"a", false, 1, kWhen}, {"b", false, 1, 0}});
    EXPECT_NE(page.find("2026-11-25 04:14"), std::string::npos);
    EXPECT_NE(page.find("1970-01-01 00:00"), std::string::npos);
}

TEST(DirectoryListingTest, HumanReadableSizes) {
    const std::vector<std::pair<std::uint64_t, std::string>> cases = {
        {0, ">0 B<"},
        {1, ">1 B<"},
        {1023, ">1023 B<"},
        {1024, ">1.0 KiB<"},
        {1536, ">1.5 KiB<"},
        {10 * 1024 - 1, ">10.0 KiB<"},
        {1024 * 1024 - 1, ">1.0 MiB<"},  // 1023.999 KiB rounds up to the next unit
        {1024 * 1024, ">1.0 MiB<"},
        {5ULL * 1024 * 1024 * 1024 + 512ULL * 1024 * 1024, ">5.5 GiB<"},
        {3ULL << 40, ">3.0 TiB<"},
        {UINT64_MAX, ">16.0 EiB<"},
    };
    for (const auto& [size, text] : cases) {
        const auto page = render_directory_listing("/", {{"f", false, size, kWhen}});
        EXPECT_NE(page.find(text), std::string::npos) << size << " " << text;
    }
}

TEST(DirectoryListingTest, EmptyDirectory) {
    const auto page = render_directory_listing("/empty/", {});
    EXPECT_EQ(hrefs(page), std::vector<std::string>{"../"});
    EXPECT_TRUE(page.ends_with("</html>\n"));
}

}  // namespace
}  // namespace web
