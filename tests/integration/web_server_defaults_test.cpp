// web_server's defaults a new user meets: media types from /etc/mime.types (or --mime-types
// FILE), hidden names neither served nor listed (unless --hidden, /.well-known aside), and
// 501 for unknown methods beside 405 for the known ones. Driven by curl (which can send a path
// as it is written) and by raw sockets and nc (which can send any method).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/static_site.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"
#include "tests/support/web_server_session.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = kWebIo;

// curl's "<status> <content type>" for `target`, sent as written (--path-as-is: no "." or ".."
// folded by curl itself).
std::string curl_status_and_type(const std::string& curl, const ServerProcess& server,
                                 const std::string& target) {
    const Finished result =
        run(curl,
            {"-sS", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code} %{content_type}",
             "http://" + server.endpoint() + target},
            {}, kIo);
    EXPECT_TRUE(result.status.ok()) << target << ": " << result.err;
    return result.out;
}

// ------------------------------------------------------------------------ media types

TEST(WebServerMediaTypes, DebiansTypesForLabFiles) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    if (!std::filesystem::exists("/etc/mime.types")) {
        GTEST_SKIP() << "needs /etc/mime.types (Debian package media-types)";
    }
    StaticSite site;
    const std::vector<std::pair<std::string, std::string>> types = {
        {"lab.py", "text/x-python; charset=utf-8"},
        {"ping.c", "text/x-csrc; charset=utf-8"},
        {"run.sh", "text/x-sh; charset=utf-8"},
        {"fix.diff", "text/x-diff; charset=utf-8"},
        {"trace.pcap", "application/vnd.tcpdump.pcap"},
        {"report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        // The built-in table wins for what browsers check.
        {"app.js", "text/javascript; charset=utf-8"},
        {"mod.mjs", "text/javascript; charset=utf-8"},
        {"index.html", "text/html; charset=utf-8"},
        {"code.wasm", "application/wasm"},
        {"blob.unknownext", "application/octet-stream"},
    };
    for (const auto& [name, type] : types)
        site.add_file(name, "x\n");
    ServerProcess server = start_web_server(site, {"-q"});
    for (const auto& [name, type] : types) {
        EXPECT_EQ(curl_status_and_type(curl, server, "/" + name), "200 " + type) << name;
    }
}

TEST(WebServerMediaTypes, MimeTypesOptionNamesAnotherFile) {
    StaticSite site;
    const TempDir dir;
    const auto file = dir.write_file("my.types",
                                     "# lab types\n"
                                     "text/x-lab lab LAB2\n"
                                     "application/x-capture cap\n"
                                     "application/octet-stream js\n");  // js stays exact
    for (const char* name : {"a.lab", "b.lab2", "c.cap", "d.js", "e.py"})
        site.add_file(name, "x");
    ServerProcess server = start_web_server(site, {"-q", "--mime-types", file.string()});
    EXPECT_EQ(get(server, "/a.lab").header("Content-Type"), "text/x-lab; charset=utf-8");
    EXPECT_EQ(get(server, "/b.lab2").header("Content-Type"), "text/x-lab; charset=utf-8");
    EXPECT_EQ(get(server, "/c.cap").header("Content-Type"), "application/x-capture");
    EXPECT_EQ(get(server, "/d.js").header("Content-Type"), "text/javascript; charset=utf-8");
    // Only that file: /etc/mime.types is not read as well.
    EXPECT_EQ(get(server, "/e.py").header("Content-Type"), "application/octet-stream");
}

TEST(WebServerMediaTypes, UnreadableMimeTypesFileExits66) {
    const StaticSite site;
    const TempDir dir;
    for (const std::string& path : {dir.file("missing.types").string(), dir.path().string()}) {
        SCOPED_TRACE(path);
        const Finished result =
            run(bin_path("web_server"),
                {"-p", "0", "-r", site.root().string(), "--mime-types", path}, {}, 30s);
        EXPECT_EQ(result.status, ExitStatus::exit_code(66)) << result.err;
        EXPECT_EQ(result.out, "");
        EXPECT_TRUE(result.err.starts_with("web_server: ")) << result.err;
        EXPECT_NE(result.err.find(path), std::string::npos) << result.err;
        EXPECT_EQ(split_lines(result.err).size(), 1u) << result.err;
    }
}

// ------------------------------------------------------------------------ hidden names

// A project folder with what must not leak, and what may be seen.
StaticSite project_site() {
    StaticSite site;
    site.add_file("index.txt", "public\n");
    site.add_file(".env", "SECRET=1\n");
    site.add_file(".git/config", "[core]\n");
    site.add_file("sub/.htpasswd", "user:hash\n");
    site.add_file("sub/ok.txt", "ok\n");
    site.add_file(".well-known/security.txt", "Contact: mailto:a@example.org\n");
    site.add_file(".well-known/.hidden", "no\n");
    return site;
}

// Every spelling of a hidden name we know: plain, encoded, behind dot segments.
const std::vector<std::string> kHiddenTargets = {
    "/.env",
    "/%2eenv",
    "/%2Eenv",
    "/./.env",
    "/sub/../.env",
    "/.git/config",
    "/.git/",
    "/.git",
    "/%2egit/config",
    "/%2Egit/%63onfig",
    "/a/../.git/config",
    "/sub/.%2e/.git/config",
    "/sub/%2e%2e/.env",
    "/sub/%2E./.env",
    "//.env",
    "/.env?x=1",
    "/sub/.htpasswd",
    "/sub/%2ehtpasswd",
    "/.well-known/.hidden",
    "/.well-known/%2ehidden",
};

TEST(WebServerHidden, HiddenNamesAre404HoweverSpelled) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    const StaticSite site = project_site();
    ServerProcess server = start_web_server(site, {"-q"});
    for (const auto& target : kHiddenTargets) {
        const std::string got = curl_status_and_type(curl, server, target);
        EXPECT_TRUE(got.starts_with("404 ")) << target << " -> " << got;
    }
    // The same targets on a raw connection, with nothing folded by any client.
    for (const auto& target : kHiddenTargets) {
        const HttpResponse response = get(server, target);
        EXPECT_EQ(response.status, 404) << target;
        EXPECT_EQ(response.body.find("SECRET"), std::string::npos) << target;
    }
    EXPECT_EQ(get(server, "/index.txt").body, "public\n");
    EXPECT_EQ(get(server, "/sub/ok.txt").body, "ok\n");
}

TEST(WebServerHidden, ListingsLeaveHiddenNamesOut) {
    const StaticSite site = project_site();
    ServerProcess server = start_web_server(site, {"-q"});
    const HttpResponse root = get(server, "/");
    ASSERT_EQ(root.status, 200);
    EXPECT_NE(root.body.find("index.txt"), std::string::npos);
    for (const char* name : {".env", ".git", ".well-known"})
        EXPECT_EQ(root.body.find(name), std::string::npos) << name;
    const HttpResponse sub = get(server, "/sub/");
    EXPECT_NE(sub.body.find("ok.txt"), std::string::npos);
    EXPECT_EQ(sub.body.find(".htpasswd"), std::string::npos);
    const HttpResponse well_known = get(server, "/.well-known/");
    ASSERT_EQ(well_known.status, 200);
    EXPECT_NE(well_known.body.find("security.txt"), std::string::npos);
    EXPECT_EQ(well_known.body.find(".hidden"), std::string::npos);
}

TEST(WebServerHidden, WellKnownIsServed) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    const StaticSite site = project_site();
    ServerProcess server = start_web_server(site, {"-q"});
    EXPECT_EQ(curl_status_and_type(curl, server, "/.well-known/security.txt"),
              "200 text/plain; charset=utf-8");
    EXPECT_EQ(curl_status_and_type(curl, server, "/%2ewell-known/security.txt"),
              "200 text/plain; charset=utf-8");
    EXPECT_EQ(get(server, "/.well-known/security.txt").body, "Contact: mailto:a@example.org\n");
}

TEST(WebServerHidden, HiddenOptionServesAndListsThem) {
    TOPDOWN_REQUIRE_TOOL(curl, "curl", "curl");
    const StaticSite site = project_site();
    ServerProcess server = start_web_server(site, {"-q", "--hidden"});
    for (const std::string target : {"/.env", "/%2eenv", "/sub/../.env", "/.git/config",
                                     "/sub/.htpasswd", "/.well-known/.hidden"}) {
        EXPECT_TRUE(curl_status_and_type(curl, server, target).starts_with("200 ")) << target;
    }
    EXPECT_EQ(get(server, "/.env").body, "SECRET=1\n");
    const HttpResponse root = get(server, "/");
    EXPECT_NE(root.body.find(".env"), std::string::npos);
    EXPECT_NE(root.body.find(".git/"), std::string::npos);
    // Still never above ROOT.
    EXPECT_EQ(get(server, "/../.env").status, 403);
}

// ------------------------------------------------------------------------ methods

TEST(WebServerMethods, UnknownMethodsGet501) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site, {"-q"});
    HttpConnection conn = connect_to(server);
    for (const char* method : {"get", "Get", "head", "BREW", "PROPFIND", "MKCOL", "GETS"}) {
        SCOPED_TRACE(method);
        conn.send(http_request(method, "/hello.txt"), Deadline(kIo));
        const HttpResponse response = conn.read_response(Deadline(kIo));
        EXPECT_EQ(response.status, 501);
        EXPECT_FALSE(response.header("Allow").has_value());
        EXPECT_TRUE(response.header("Content-Type").value_or("").starts_with("text/html"));
    }
    // The connection goes on.
    conn.send(http_request("GET", "/hello.txt"), Deadline(kIo));
    EXPECT_EQ(conn.read_response(Deadline(kIo)).body, "hello\n");
}

TEST(WebServerMethods, KnownMethodsAStaticServerDoesNotDoGet405WithAllow) {
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site, {"-q"});
    HttpConnection conn = connect_to(server);
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "TRACE", "OPTIONS"}) {
        SCOPED_TRACE(method);
        conn.send(http_request(method, "/hello.txt"), Deadline(kIo));
        const HttpResponse response = conn.read_response(Deadline(kIo));
        EXPECT_EQ(response.status, 405);
        EXPECT_EQ(response.header("Allow"), "GET, HEAD");
    }
    // CONNECT's target is an authority ("host:port"): the method still decides first.
    conn.send("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n", Deadline(kIo));
    const HttpResponse connect = conn.read_response(Deadline(kIo));
    EXPECT_EQ(connect.status, 405);
    EXPECT_EQ(connect.header("Allow"), "GET, HEAD");
}

TEST(WebServerMethods, NetcatSeesTheStatusLines) {
    TOPDOWN_REQUIRE_OPENBSD_NC(nc);
    StaticSite site;
    site.add_file("hello.txt", "hello\n");
    ServerProcess server = start_web_server(site, {"-q"});
    const Finished result =
        run(nc, {"-N", server.connect_host(), server.port_string()},
            "get /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
            "DELETE /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            kIo);
    EXPECT_EQ(result.status, ExitStatus::exit_code(0)) << result.err;
    EXPECT_TRUE(result.out.starts_with("HTTP/1.1 501 Not Implemented\r\n")) << result.out;
    EXPECT_NE(result.out.find("HTTP/1.1 405 Method Not Allowed\r\n"), std::string::npos)
        << result.out;
}

}  // namespace
}  // namespace net::test
