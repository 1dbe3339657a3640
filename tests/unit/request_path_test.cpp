// Request targets to paths under the root: decoding, dot segments, and every traversal trick.
#include "web_server/request_path.hpp"
#include "common/percent_encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace web {
namespace {

// The relative path a target maps to; fails the test when it is refused.
std::string relative(std::string_view target, PathRules rules = {}) {
    const auto result = parse_request_path(target, rules);
    EXPECT_TRUE(result.path) << target;
    return result.path ? result.path->relative : "<refused>";
}

bool trailing(std::string_view target) {
    const auto result = parse_request_path(target);
    EXPECT_TRUE(result.path) << target;
    return result.path && result.path->trailing_slash;
}

// The error for a target that must be refused.
std::optional<PathError> error_of(std::string_view target) {
    const auto result = parse_request_path(target);
    if (result.path) return std::nullopt;
    return result.error;
}

TEST(RequestPathPercentTest, Decodes) {
    EXPECT_EQ(net::percent_decode("a%20b"), "a b");
    EXPECT_EQ(net::percent_decode("%41%62%7e%7E"), "Ab~~");
    EXPECT_EQ(net::percent_decode("%00"), std::string(1, '\0'));
    EXPECT_EQ(net::percent_decode("%ff%FF"), "\xff\xff");
    EXPECT_EQ(net::percent_decode("%2525"), "%25");  // decoded once only
    EXPECT_EQ(net::percent_decode("a+b"), "a+b");    // '+' is not a space in a path
    EXPECT_EQ(net::percent_decode(""), "");
    EXPECT_EQ(net::percent_decode("\xc3\xa9"), "\xc3\xa9");
}

TEST(RequestPathPercentTest, RefusesMalformedEscapes) {
    for (const std::string text :
         {"%", "%4", "a%", "a%4", "%zz", "%g0", "%0g", "%%41", "% 41", "%-1", "%+1", "%\xc3\xa9"}) {
        EXPECT_EQ(net::percent_decode(text), std::nullopt) << text;
    }
}

TEST(RequestPathPercentTest, EncodesAllButUnreservedAndSlash) {
    EXPECT_EQ(percent_encode_path("/a b/c"), "/a%20b/c");
    EXPECT_EQ(percent_encode_path("AZaz09-._~/"), "AZaz09-._~/");
    EXPECT_EQ(percent_encode_path("a b&c<d>.txt"), "a%20b%26c%3Cd%3E.txt");
    EXPECT_EQ(percent_encode_path("100%.txt"), "100%25.txt");
    EXPECT_EQ(percent_encode_path("#x?q=1;a:b@c"), "%23x%3Fq%3D1%3Ba%3Ab%40c");
    EXPECT_EQ(percent_encode_path("\"'\\+,!$()*[]{}|^`"),
              "%22%27%5C%2B%2C%21%24%28%29%2A%5B%5D%7B%7D%7C%5E%60");
    EXPECT_EQ(percent_encode_path(std::string("\0\x01\x7f\x80\xff", 5)), "%00%01%7F%80%FF");
    EXPECT_EQ(percent_encode_path("\xc3\xa9"), "%C3%A9");
    EXPECT_EQ(percent_encode_path(""), "");
}

TEST(RequestPathPercentTest, EncodeThenDecodeRoundTrips) {
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    EXPECT_EQ(net::percent_decode(percent_encode_path(all)), all);
}

TEST(RequestPathTest, OriginForm) {
    EXPECT_EQ(relative("/"), "");
    EXPECT_EQ(relative("/index.html"), "index.html");
    EXPECT_EQ(relative("/docs/a%20b.txt"), "docs/a b.txt");
    EXPECT_EQ(relative("/docs/a%20b.txt?x=1"), "docs/a b.txt");
    EXPECT_EQ(relative("/a?b/../../../etc/passwd"), "a");  // the query is not the path
    EXPECT_EQ(relative("/a#frag/../.."), "a");
    EXPECT_EQ(relative("/a%3Fb"), "a?b");  // an encoded '?' is part of the name
    EXPECT_EQ(relative("/a%23b"), "a#b");
    EXPECT_EQ(relative("/%C3%A9t%C3%A9"), "\xc3\xa9t\xc3\xa9");
    EXPECT_EQ(relative("/a+b"), "a+b");
    EXPECT_EQ(relative("/?"), "");
    EXPECT_EQ(relative("/...", {.hidden = true}), "...");
    EXPECT_EQ(relative("/..a/a..", {.hidden = true}), "..a/a..");
    EXPECT_EQ(relative("/.hidden", {.hidden = true}), ".hidden");
    EXPECT_EQ(relative("/%2525"), "%25");
}

TEST(RequestPathTest, DotSegmentsAndEmptySegments) {
    EXPECT_EQ(relative("/./a/./b/."), "a/b");
    EXPECT_EQ(relative("/a/b/../c"), "a/c");
    EXPECT_EQ(relative("/a/b/../../c"), "c");
    EXPECT_EQ(relative("/a/.."), "");
    EXPECT_EQ(relative("/a/../"), "");
    EXPECT_EQ(relative("//a///b//"), "a/b");
    EXPECT_EQ(relative("/a/%2e/b"), "a/b");
    EXPECT_EQ(relative("/a/%2e%2e/b"), "b");
    EXPECT_EQ(relative("/a/%2E%2E/b"), "b");
    EXPECT_EQ(relative("/a/.%2e/b"), "b");
    EXPECT_EQ(relative("/a/%2e./b"), "b");
}

TEST(RequestPathTest, TrailingSlash) {
    EXPECT_TRUE(trailing("/"));
    EXPECT_TRUE(trailing("/docs/"));
    EXPECT_TRUE(trailing("/docs//"));
    EXPECT_TRUE(trailing("/docs/?x"));
    EXPECT_TRUE(trailing("/docs/#x"));
    EXPECT_TRUE(trailing("/a/../"));
    EXPECT_FALSE(trailing("/docs"));
    EXPECT_FALSE(trailing("/docs?x/"));
    EXPECT_FALSE(trailing("/docs/."));  // the decoded path ends in '.', not '/'
    EXPECT_FALSE(trailing("/a/b/.."));
    EXPECT_TRUE(trailing("http://h"));  // absolute-form with an empty path means "/"
}

TEST(RequestPathTest, AbsoluteForm) {
    EXPECT_EQ(relative("http://example.com/a/b"), "a/b");
    EXPECT_EQ(relative("HTTP://example.com/a"), "a");
    EXPECT_EQ(relative("hTtP://example.com:8080/a%20b?x"), "a b");
    EXPECT_EQ(relative("https://example.com/a"), "a");
    EXPECT_EQ(relative("http://[::1]:8080/a"), "a");
    EXPECT_EQ(relative("http://example.com"), "");
    EXPECT_EQ(relative("http://example.com?x=/etc"), "");
    EXPECT_EQ(relative("http://example.com/"), "");
    EXPECT_EQ(error_of("http://example.com/../etc/passwd"), PathError::kForbidden);
}

TEST(RequestPathTest, NotOriginOrAbsoluteFormIs400) {
    for (const std::string target : {
             "",
             "*",
             "index.html",
             "example.com:443",           // authority-form
             "../etc/passwd",             //
             "./a",                       //
             "%2f",                       //
             "%2Fetc/passwd",             //
             "\\etc\\passwd",             //
             "ftp://example.com/a",       // other schemes
             "file:///etc/passwd",        //
             "http:/example.com/a",       //
             "http:example.com/a",        //
             "http//example.com/a",       //
             "http:///etc/passwd",        // empty host
             "http://:80/a",              //
             "http://user@example.com/",  // userinfo
             "http://user:pw@host/a",     //
             "httpx://example.com/a",     //
             " /a",                       //
         }) {
        EXPECT_EQ(error_of(target), PathError::kBadRequest) << target;
    }
}

TEST(RequestPathTest, MalformedEscapeIs400) {
    for (const std::string target : {"/a%", "/a%2", "/a%zz", "/%%2e%2e", "/a/%g0/b", "/%/"}) {
        EXPECT_EQ(error_of(target), PathError::kBadRequest) << target;
    }
}

// Every way we know to climb out of ROOT or to smuggle a separator: each must be refused with
// 403, or land safely inside the root as shown.
TEST(RequestPathTest, TraversalTable) {
    struct Case {
        std::string target;
        std::optional<std::string> relative;  // nullopt: 403
    };
    const Case cases[] = {
        // Plain and encoded "..".
        {"/..", std::nullopt},
        {"/../", std::nullopt},
        {"/../etc/passwd", std::nullopt},
        {"/a/../../etc/passwd", std::nullopt},
        {"/a/b/../../../etc", std::nullopt},
        {"/./../etc", std::nullopt},
        {"//../etc", std::nullopt},
        {"/a//../..//..", std::nullopt},
        {"/%2e%2e/etc/passwd", std::nullopt},
        {"/%2E%2E/etc/passwd", std::nullopt},
        {"/.%2e/etc/passwd", std::nullopt},
        {"/%2e./etc/passwd", std::nullopt},
        {"/a/%2e%2e/%2e%2e/etc", std::nullopt},
        {"/..?x", std::nullopt},
        {"/..#x", std::nullopt},
        {"http://h/../etc/passwd", std::nullopt},
        {"http://h/%2e%2e/etc/passwd", std::nullopt},
        // Encoded separators: a decoded '/' or '\' would make a new segment after the checks.
        {"/%2f", std::nullopt},
        {"/%2F", std::nullopt},
        {"/..%2f..%2fetc%2fpasswd", std::nullopt},
        {"/a%2f..%2f..%2fetc", std::nullopt},
        {"/%2e%2e%2fetc%2fpasswd", std::nullopt},
        {"/%2e%2e%2Fetc", std::nullopt},
        {"/a/%2F/b", std::nullopt},
        {"/%5c", std::nullopt},
        {"/%5C", std::nullopt},
        {"/..%5c..%5cetc%5cpasswd", std::nullopt},
        {"/%2e%2e%5cetc", std::nullopt},
        {"/a\\..\\..\\etc", std::nullopt},  // raw backslash (the parser lets it through)
        {"/..\\", std::nullopt},
        // NUL: truncates the name at the system call.
        {"/index.html%00.txt", std::nullopt},
        {"/%00", std::nullopt},
        {"/a/%00/../..", std::nullopt},
        {"/..%00/", std::nullopt},
        // Double encoding decodes once only: a literal name, harmless.
        {"/%252e%252e/etc/passwd", "%2e%2e/etc/passwd"},
        {"/%252f", "%2f"},
        {"/%25%32%65%25%32%65/x", "%2e%2e/x"},
        // Overlong UTF-8 and full-width dots are just bytes on Linux, never "..".
        {"/%c0%ae%c0%ae/etc", "\xc0\xae\xc0\xae/etc"},
        {"/%e0%80%ae%e0%80%ae/etc", "\xe0\x80\xae\xe0\x80\xae/etc"},
        {"/%ef%bc%8e%ef%bc%8e/etc", "\xef\xbc\x8e\xef\xbc\x8e/etc"},
        {"/%u002e%u002e/etc", std::nullopt},  // IIS %u: malformed escape (checked below: 400)
        // Near misses that are plain names.
        {"/...", "..."},
        {"/....", "...."},
        {"/.. ", ".. "},
        {"/%20..", " .."},
        {"/..%20", ".. "},
        {"/a/..b", "a/..b"},
        {"/a/b..", "a/b.."},
        {"/.../..", ""},
        // Climbing and coming back down stays inside, as long as it never goes above the root.
        {"/a/../b", "b"},
        {"/a/b/../../c/", "c"},
        {"/a/./../b/./c/..", "b"},
        {"/a/..//b", "b"},
        {"/a/%2e%2e/b", "b"},
        {"/./", ""},
        {"/.", ""},
        {"/a/.", "a"},
        {"/a/..", ""},
        {"/a/b/c/../../..", ""},
        {"/a/b/c/../../../..", std::nullopt},
        // Semicolons and colons are name bytes here (no path parameters, no drive letters).
        {"/..;/etc", "..;/etc"},
        {"/a;/../..", std::nullopt},
        {"/C:/Windows", "C:/Windows"},
        {"/a:b", "a:b"},
    };
    // Hidden names allowed: this table is about staying beneath ROOT ("..." is a plain name).
    for (const auto& c : cases) {
        const auto result = parse_request_path(c.target, {.hidden = true});
        if (c.target == "/%u002e%u002e/etc") {
            EXPECT_EQ(error_of(c.target), PathError::kBadRequest);
            continue;
        }
        if (!c.relative) {
            EXPECT_FALSE(result.path) << c.target << " -> " << result.path->relative;
            EXPECT_EQ(result.error, PathError::kForbidden) << c.target;
            continue;
        }
        ASSERT_TRUE(result.path) << c.target;
        EXPECT_EQ(result.path->relative, *c.relative) << c.target;
    }
}

TEST(RequestPathTest, RelativeNeverEscapes) {
    // Whatever comes out: no leading '/', no empty, "." or ".." segment, no '\' or NUL.
    const std::string pieces[] = {"a", ".", "..", "%2e", "%2e%2e", "", "%2f", "%5c", "%00", "b c"};
    for (const auto& p1 : pieces) {
        for (const auto& p2 : pieces) {
            for (const auto& p3 : pieces) {
                const std::string target = "/" + p1 + "/" + p2 + "/" + p3;
                const auto result = parse_request_path(target);
                if (!result.path) continue;
                const std::string& rel = result.path->relative;
                EXPECT_FALSE(rel.starts_with('/')) << target;
                EXPECT_EQ(rel.find('\\'), std::string::npos) << target;
                EXPECT_EQ(rel.find('\0'), std::string::npos) << target;
                EXPECT_EQ(rel.find("//"), std::string::npos) << target;
                std::string_view rest = rel;
                while (!rest.empty()) {
                    const auto slash = rest.find('/');
                    const auto segment = rest.substr(0, slash);
                    EXPECT_NE(segment, "..") << target;
                    EXPECT_NE(segment, ".") << target;
                    EXPECT_FALSE(segment.empty()) << target;
                    if (slash == std::string_view::npos) break;
                    rest.remove_prefix(slash + 1);
                }
            }
        }
    }
}

TEST(RequestPathHiddenTest, HiddenNamesAre404HoweverSpelled) {
    for (const std::string_view target : {"/.env",
                                          "/.git/config",
                                          "/a/.git/config",
                                          "/a/b/.htpasswd",
                                          "/%2eenv",
                                          "/%2Eenv",
                                          "/a/%2e%67it/config",
                                          "/./.env",
                                          "/a/../.git/config",
                                          "/a/.%2e/.env",
                                          "/a/%2e./.env",
                                          "/a/%2E%2E/.env",
                                          "//.env",
                                          "/.env/",
                                          "/.env?x",
                                          "/...",
                                          "/..a/b",
                                          "/a/b..c/.x",
                                          "http://host/.env",
                                          "/.well-known/.secret",
                                          "/.well-known/a/.x",
                                          "/a/.well-known/x",
                                          "/.Well-Known/x",
                                          "/.well-knownx/y"}) {
        EXPECT_EQ(error_of(target), PathError::kHidden) << target;
    }
}

TEST(RequestPathHiddenTest, NamesThatOnlyContainADotAreServed) {
    EXPECT_EQ(relative("/a.b/c."), "a.b/c.");
    EXPECT_EQ(relative("/a../b"), "a../b");
    // A hidden name resolved away by ".." is never opened: what is left is served.
    EXPECT_EQ(relative("/.git/../index.html"), "index.html");
    EXPECT_EQ(relative("/a/.%2e/b"), "b");
}

TEST(RequestPathHiddenTest, WellKnownIsServedAsTheFirstSegmentOnly) {
    EXPECT_EQ(relative("/.well-known/acme-challenge/token"), ".well-known/acme-challenge/token");
    EXPECT_EQ(relative("/.well-known/security.txt"), ".well-known/security.txt");
    EXPECT_EQ(relative("/.well-known"), ".well-known");
    EXPECT_EQ(relative("/.well-known/"), ".well-known");
    EXPECT_EQ(relative("/%2ewell-known/x"), ".well-known/x");
    EXPECT_EQ(relative("/a/../.well-known/x"), ".well-known/x");
}

TEST(RequestPathHiddenTest, AllowedWithTheRule) {
    const PathRules hidden{.hidden = true};
    EXPECT_EQ(relative("/.env", hidden), ".env");
    EXPECT_EQ(relative("/a/../.git/config", hidden), ".git/config");
    EXPECT_EQ(relative("/.well-known/.secret", hidden), ".well-known/.secret");
    // Other refusals do not change.
    EXPECT_EQ(parse_request_path("/../.env", hidden).error, PathError::kForbidden);
    EXPECT_EQ(parse_request_path("/.env%2fx", hidden).error, PathError::kForbidden);
    EXPECT_EQ(parse_request_path("/.env%zz", hidden).error, PathError::kBadRequest);
}

}  // namespace
}  // namespace web
