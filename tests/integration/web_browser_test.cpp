// web_server as a real browser sees it: headless Chromium loads the demo site (www/), renders it
// with its stylesheet and picture, follows a directory listing's link, and shows the 404 page;
// through web_proxy too, whose cache answers a second browser without asking web_server again.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/cli_expectations.hpp"
#include "tests/support/devtools_browser.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/source_tree.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kIo = 20s;
// Chromium takes 1 to 20 s to start on a busy machine; far slower under emulation.
constexpr auto kBrowserTimeout = 120s;

// One headless Chromium run, in a process group of its own so that its helper processes end
// with it. Returns what it wrote on stdout; fails the test when it does not finish in time.
class Browser {
  public:
    explicit Browser(std::string path) : path_(std::move(path)) {}

    std::string run(std::vector<std::string> args) {
        const TempDir profile;
        std::vector<std::string> all = headless_chromium_flags(profile.file("profile"));
        all.insert(all.end(), args.begin(), args.end());
        // Files, not pipes: a helper process that outlives the browser must not hold our read open.
        Process chromium = Process::start(path_, all,
                                          {.in = Redirect::null(),
                                           .out = Redirect::file(profile.file("stdout")),
                                           .err = Redirect::file(profile.file("stderr")),
                                           .new_session = true});
        const pid_t group = chromium.pid();
        const auto status = chromium.wait(kBrowserTimeout);
        ::kill(-group, SIGKILL);  // the helpers left in its group, if any (never anyone else's)
        chromium.kill();
        std::string err;
        try {
            err = read_file(profile.file("stderr"));
        } catch (const std::exception&) {
        }
        if (!status) {
            ADD_FAILURE() << "chromium did not finish within the deadline; its stderr: " << err;
            return {};
        }
        EXPECT_TRUE(status->ok()) << *status << "; its stderr: " << err;
        return read_file(profile.file("stdout"));
    }

  private:
    std::string path_;
};

std::string html_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

// The hrefs of a listing's rows, and the text of each link.
std::vector<std::pair<std::string, std::string>> links_in(const std::string& html) {
    static const std::regex kLink(R"re(<a href="([^"]*)">([^<]*)</a>)re");
    std::vector<std::pair<std::string, std::string>> links;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), kLink);
         it != std::sregex_iterator(); ++it) {
        links.emplace_back((*it)[1], (*it)[2]);
    }
    return links;
}

// The www/ site served by web_server, and Chromium; skips when either is missing.
class WebBrowser : public ::testing::Test {
  protected:
    void SetUp() override {
        chromium_ = find_tool("chromium");
        if (chromium_.empty()) GTEST_SKIP() << "needs chromium (Debian package chromium)";
        www_ = source_path("www");
        ASSERT_TRUE(std::filesystem::exists(www_ / "index.html")) << "no " << www_ / "index.html";
        server_.emplace(ServerProcess::start("web_server", {"-r", www_.string(), "-q"}));
    }

    [[nodiscard]] std::string url(std::string_view path) const {
        return "http://" + server_->endpoint() + std::string(path);
    }

    std::string chromium_;
    std::filesystem::path www_;
    std::optional<ServerProcess> server_;
};

TEST_F(WebBrowser, RendersTheHomePage) {
    Browser browser(chromium_);
    const std::string dom = browser.run({"--dump-dom", url("/")});
    EXPECT_NE(dom.find("It works"), std::string::npos) << dom.substr(0, 2000);
    EXPECT_NE(dom.find("<title>topdown-net web_server</title>"), std::string::npos);
}

TEST_F(WebBrowser, BrowsesThroughWebProxy) {
    // --allow: what else Chromium asks for (update and time services) is refused without a
    // DNS lookup, so nothing leaves the machine.
    ServerProcess proxy = ServerProcess::start("web_proxy", {"--allow-host", "127.0.0.1"});
    Browser browser(chromium_);
    // Chromium goes direct to loopback addresses unless told not to ("<-loopback>").
    const std::string dom =
        browser.run({"--proxy-server=http://" + proxy.endpoint(), "--proxy-bypass-list=<-loopback>",
                     "--dump-dom", url("/")});
    EXPECT_NE(dom.find("It works"), std::string::npos) << dom.substr(0, 2000);
    // The page and its stylesheet came through the proxy (stopped, it has logged every request).
    EXPECT_EQ(proxy.stop(SIGTERM), ExitStatus::exit_code(0));
    EXPECT_NE(proxy.log().find("\"GET " + url("/") + " HTTP/1.1\" 200 "), std::string::npos)
        << proxy.log();
    EXPECT_NE(proxy.log().find(".css HTTP/1.1\" 200 "), std::string::npos) << proxy.log();
    // Whatever else it asked for was refused.
    for (const auto& line : split_lines(proxy.log())) {
        if (line.find(" " + url("/")) == std::string::npos) {
            EXPECT_NE(line.find("\" 403 - "), std::string::npos) << line;
            EXPECT_NE(line.find(" \"This proxy does not go to "), std::string::npos) << line;
        }
    }
}

// The lines of a proxy log about `target` (the log names the absolute-form target).
std::vector<std::string> log_lines_for(const std::string& log, const std::string& target) {
    std::vector<std::string> lines;
    for (auto& line : split_lines(log)) {
        if (line.find("\"GET " + target + " HTTP/") != std::string::npos) {
            lines.push_back(std::move(line));
        }
    }
    return lines;
}

// Whether `text` ends with `suffix` (the proxy log's note closes each line).
bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// How many times `text` holds `needle`.
std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

TEST_F(WebBrowser, SecondBrowserIsServedFromTheProxysCache) {
    // web_server sends Last-Modified but no Cache-Control, so the proxy gives its responses a
    // heuristic lifetime of 10% of their age (RFC 9111 4.2.2), at most a day: files written just
    // now would be stale at once. A copy of www/ last modified ten days ago stays fresh for a day.
    const TempDir site;
    const auto root = site.file("www");
    std::filesystem::copy(www_, root, std::filesystem::copy_options::recursive);
    const auto ten_days_ago =
        std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 10);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) std::filesystem::last_write_time(entry.path(), ten_days_ago);
    }
    const auto access_log = site.file("access.log");
    ServerProcess origin = ServerProcess::start(
        "web_server", {"-r", root.string(), "--access-log", access_log.string()});
    const std::string page = "http://" + origin.endpoint() + "/";
    const std::string stylesheet = page + "style.css";

    ServerProcess proxy = ServerProcess::start("web_proxy", {"--allow-host", "127.0.0.1"});
    // Each run has a profile of its own (an empty browser cache); the NetLog records the response
    // headers Chromium received, which --dump-dom does not show.
    const TempDir net_logs;
    const auto load = [&](const std::string& net_log) {
        Browser browser(chromium_);
        const std::string dom = browser.run(
            {"--proxy-server=http://" + proxy.endpoint(), "--proxy-bypass-list=<-loopback>",
             "--log-net-log=" + net_logs.file(net_log).string(), "--dump-dom", page});
        EXPECT_NE(dom.find("It works"), std::string::npos) << dom.substr(0, 2000);
    };

    load("first.json");
    // The proxy stores a response before it logs it: once both lines are there, both are stored.
    const Deadline deadline(kIo);
    ASSERT_TRUE(wait_for_log(proxy, "\"GET " + page + " HTTP/1.1\" 200 ", deadline)) << proxy.log();
    ASSERT_TRUE(wait_for_log(proxy, "\"GET " + stylesheet + " HTTP/1.1\" 200 ", deadline))
        << proxy.log();
    const std::string first_log = proxy.log();
    for (const auto& target : {page, stylesheet}) {
        const auto lines = log_lines_for(first_log, target);
        ASSERT_EQ(lines.size(), 1u) << first_log;
        EXPECT_TRUE(ends_with(lines[0], "\"MISS, stored\"")) << lines[0];
    }

    load("second.json");
    // Stopped, the proxy has logged every exchange of the second load.
    EXPECT_EQ(proxy.stop(SIGTERM), ExitStatus::exit_code(0));
    const std::string second_log = proxy.log().substr(first_log.size());
    for (const auto& target : {page, stylesheet}) {
        const auto lines = log_lines_for(second_log, target);
        ASSERT_FALSE(lines.empty()) << target << " was not asked for again:\n" << second_log;
        for (const auto& line : lines)
            EXPECT_TRUE(ends_with(line, "\"HIT\"")) << line;
    }

    // What Chromium received: first the origin's responses, forwarded and stored; then the
    // stored ones (RFC 9211 Cache-Status), at least the page's and the stylesheet's.
    const std::string first_net = read_file(net_logs.file("first.json"));
    const std::string second_net = read_file(net_logs.file("second.json"));
    EXPECT_GE(
        occurrences(first_net, "Cache-Status: web_proxy; fwd=uri-miss; fwd-status=200; stored"),
        2u);
    EXPECT_EQ(occurrences(first_net, "Cache-Status: web_proxy; hit"), 0u);
    EXPECT_GE(occurrences(second_net, "Cache-Status: web_proxy; hit"), 2u);
    EXPECT_EQ(occurrences(second_net, "Cache-Status: web_proxy; fwd="), 0u);

    // The origin was asked once for each, by the first load.
    EXPECT_EQ(origin.stop(SIGTERM), ExitStatus::exit_code(0));
    const std::string origin_log = read_file(access_log);
    EXPECT_EQ(occurrences(origin_log, "\"GET / HTTP/1.1\""), 1u) << origin_log;
    EXPECT_EQ(occurrences(origin_log, "\"GET /style.css HTTP/1.1\""), 1u) << origin_log;
}

TEST_F(WebBrowser, ScreenshotShowsThePageWithItsStylesheet) {
    TOPDOWN_REQUIRE_TOOL(python3, "python3", "python3");
    const TempDir out;
    const auto shot = out.file("home.png");
    Browser browser(chromium_);
    browser.run(
        {"--hide-scrollbars", "--window-size=1024,768", "--screenshot=" + shot.string(), url("/")});
    ASSERT_TRUE(std::filesystem::exists(shot)) << "no screenshot";
    EXPECT_GT(std::filesystem::file_size(shot), 10'000u) << "a nearly empty picture";

    // Decode the PNG (zlib, the five row filters) and count colours: the size, how many distinct
    // colours, the share of the most common one, and how many pixels have the colours that only
    // style.css gives (its page background #f6f8fa and its accent #1f6feb).
    constexpr std::string_view kPngStats = R"py(
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, header = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR": header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT": idat += body
    pos += 12 + length
width, height, depth, colour, _, _, interlace = header
assert depth == 8 and colour in (2, 6) and interlace == 0, header
bpp = 3 if colour == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
previous, colours = bytearray(stride), {}
for y in range(height):
    kind = raw[y * (stride + 1)]
    row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if kind == 1:
        for i in range(bpp, stride): row[i] = (row[i] + row[i - bpp]) & 255
    elif kind == 2:
        row = bytearray((a + b) & 255 for a, b in zip(row, previous))
    elif kind == 3:
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + ((left + previous[i]) >> 1)) & 255
    elif kind == 4:
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b, c = previous[i], (previous[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        key = bytes(row[x:x + 3])
        colours[key] = colours.get(key, 0) + 1
    previous = row
print(width, height, len(colours), max(colours.values()),
      colours.get(bytes.fromhex("f6f8fa"), 0), colours.get(bytes.fromhex("1f6feb"), 0))
)py";
    const Finished stats =
        net::test::run(python3, {"-c", std::string(kPngStats), shot.string()}, {}, 60s);
    ASSERT_TRUE(stats.status.ok()) << stats.err;
    std::istringstream fields(stats.out);
    long width = 0, height = 0, distinct = 0, most = 0, paper = 0, accent = 0;
    fields >> width >> height >> distinct >> most >> paper >> accent;
    EXPECT_EQ(width, 1024);
    EXPECT_EQ(height, 768);
    EXPECT_GE(distinct, 50) << "hardly any colours: no text drawn";
    EXPECT_LT(most, width * height * 9 / 10) << "one colour fills the picture: blank";
    EXPECT_GT(paper, width * height / 4) << "style.css's background is missing";
    EXPECT_GE(accent, 1000) << "style.css's accent colour is missing";
}

TEST_F(WebBrowser, FollowsALinkOfTheDirectoryListing) {
    Browser browser(chromium_);
    const std::string listing = browser.run({"--dump-dom", url("/files/")});
    EXPECT_NE(listing.find("Index of /files/"), std::string::npos) << listing.substr(0, 2000);

    const auto links = links_in(listing);
    std::map<std::string, std::string> href_of;  // link text -> href
    for (const auto& [href, text] : links)
        href_of[text] = href;
    for (const char* name : {"../", "chapter-2/", "notes.txt", "ports.json"}) {
        EXPECT_TRUE(href_of.contains(name)) << name << " is not listed";
    }
    // The name with a space and an ampersand: shown escaped, linked percent-encoded.
    ASSERT_TRUE(href_of.contains("read me &amp; more.md")) << listing;
    const std::string& escaped = href_of["read me &amp; more.md"];
    EXPECT_EQ(escaped.find(' '), std::string::npos) << escaped;
    const HttpResponse readme =
        http_exchange(server_->connect_host(), server_->port(),
                      http_request("GET", "/files/" + escaped), Deadline(kIo));
    EXPECT_EQ(readme.status, 200);
    EXPECT_EQ(readme.body, read_file(www_ / "files" / "read me & more.md"));

    // Follow one link the way the browser resolves it: relative to /files/.
    ASSERT_TRUE(href_of.contains("notes.txt"));
    const std::string notes_dom =
        browser.run({"--dump-dom", url("/files/" + href_of["notes.txt"])});
    const std::string notes = read_file(www_ / "files" / "notes.txt");
    const std::string first_line = notes.substr(0, notes.find('\n'));
    EXPECT_NE(notes_dom.find(html_escape(first_line)), std::string::npos) << notes_dom;
    EXPECT_NE(notes_dom.find(html_escape("the server answers 304 Not Modified")), std::string::npos)
        << notes_dom;
}

TEST_F(WebBrowser, ShowsTheSites404Page) {
    Browser browser(chromium_);
    const std::string dom = browser.run({"--dump-dom", url("/no-such-page.html")});
    EXPECT_NE(dom.find("404: nothing here"), std::string::npos) << dom.substr(0, 2000);
}

}  // namespace
}  // namespace net::test
