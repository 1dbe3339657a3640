// StaticFiles on a real folder: what methods, hidden names and media types get, without a socket.
#include "web_server/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace web {
namespace {

TEST(MethodStatusTest, GetAndHeadAreServed) {
    EXPECT_EQ(method_status("GET"), 0);
    EXPECT_EQ(method_status("HEAD"), 0);
}

TEST(MethodStatusTest, KnownMethodsAStaticServerDoesNotDoAre405) {
    for (const std::string_view method :
         {"POST", "PUT", "DELETE", "PATCH", "CONNECT", "TRACE", "OPTIONS"}) {
        EXPECT_EQ(method_status(method), 405) << method;
    }
}

TEST(MethodStatusTest, UnknownOrWrongCaseMethodsAre501) {
    for (const std::string_view method : {"get", "Get", "head", "post", "BREW", "PROPFIND", "MKCOL",
                                          "GETS", "GE", "", "G\xc3\xa9T"}) {
        EXPECT_EQ(method_status(method), 501) << method;
    }
}

// A folder with hidden and plain names, served by a StaticFiles with the options given.
class StaticFilesTest : public ::testing::Test {
  protected:
    StaticFilesTest() {
        dir_.write_file("index.txt", "plain\n");
        dir_.write_file("lab.py", "print('hi')\n");
        dir_.write_file(".env", "SECRET=1\n");
        std::filesystem::create_directories(dir_.file(".git"));
        dir_.write_file(".git/config", "[core]\n");
        std::filesystem::create_directories(dir_.file(".well-known"));
        dir_.write_file(".well-known/security.txt", "Contact: x\n");
        dir_.write_file(".well-known/.secret", "no\n");
        std::filesystem::create_directories(dir_.file("sub"));
        dir_.write_file("sub/.htpasswd", "x\n");
        dir_.write_file("sub/shown.txt", "y\n");
    }

    Response get(std::string target, StaticFilesOptions options = {}) const {
        const RootDirectory root(dir_.path().string());
        const StaticFiles files(root, types_, options);
        net::http::Request request;
        request.method = "GET";
        request.target = std::move(target);
        return files.handle(request);
    }
    static std::string header(const Response& response, std::string_view name) {
        for (const auto& [key, value] : response.headers)
            if (key == name) return value;
        return {};
    }

    net::test::TempDir dir_;
    net::MediaTypes types_{"text/x-python py\n"};
};

TEST_F(StaticFilesTest, HiddenNamesAre404AndUnlisted) {
    for (const char* target : {"/.env", "/.git/config", "/.git/", "/sub/.htpasswd",
                               "/.well-known/.secret", "/%2eenv", "/sub/..%2f.env"}) {
        const int status = get(target).status;
        EXPECT_TRUE(status == 404 || status == 403) << target << ": " << status;
        EXPECT_NE(status, 200) << target;
    }
    EXPECT_EQ(get("/.env").status, 404);
    EXPECT_EQ(get("/sub/../.git/config").status, 404);
    const Response root = get("/");
    ASSERT_EQ(root.status, 200);
    EXPECT_EQ(root.body.find(".env"), std::string::npos);
    EXPECT_EQ(root.body.find(".git"), std::string::npos);
    EXPECT_EQ(root.body.find(".well-known"), std::string::npos);
    EXPECT_NE(root.body.find("lab.py"), std::string::npos);
    const Response sub = get("/sub/");
    EXPECT_EQ(sub.body.find(".htpasswd"), std::string::npos);
    EXPECT_NE(sub.body.find("shown.txt"), std::string::npos);
}

TEST_F(StaticFilesTest, WellKnownIsServed) {
    const Response response = get("/.well-known/security.txt");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "Contact: x\n");
    EXPECT_EQ(get("/.well-known").status, 301);
}

TEST_F(StaticFilesTest, HiddenOptionServesAndListsThem) {
    const StaticFilesOptions hidden{.listing = true, .hidden = true};
    EXPECT_EQ(get("/.env", hidden).body, "SECRET=1\n");
    EXPECT_EQ(get("/.git/config", hidden).status, 200);
    EXPECT_EQ(get("/.well-known/.secret", hidden).status, 200);
    const Response root = get("/", hidden);
    EXPECT_NE(root.body.find(".env"), std::string::npos);
    EXPECT_NE(root.body.find(".git/"), std::string::npos);
}

TEST_F(StaticFilesTest, ContentTypeComesFromTheMediaTypesGiven) {
    EXPECT_EQ(header(get("/lab.py"), "Content-Type"), "text/x-python; charset=utf-8");
    EXPECT_EQ(header(get("/index.txt"), "Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(StaticFilesTest, MethodsGet501Or405) {
    const RootDirectory root(dir_.path().string());
    const StaticFiles files(root, types_, {});
    net::http::Request request;
    request.target = "/index.txt";
    request.method = "get";
    EXPECT_EQ(files.handle(request).status, 501);
    EXPECT_EQ(header(files.handle(request), "Allow"), "");
    request.method = "PUT";
    EXPECT_EQ(files.handle(request).status, 405);
    EXPECT_EQ(header(files.handle(request), "Allow"), "GET, HEAD");
}

}  // namespace
}  // namespace web
