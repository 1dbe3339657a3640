#include "tests/support/devtools_browser.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "common/blocking.hpp"
#include "common/json.hpp"

namespace net::test {
namespace {

using namespace std::chrono_literals;

// A pipe whose two ends are above descriptor 4, so that moving them onto 3 and 4 in the child
// never lands a descriptor on itself (dup2 onto itself would keep its close-on-exec flag).
std::pair<Fd, Fd> high_pipe() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    Fd read_end(ends[0]);
    Fd write_end(ends[1]);
    const auto lift = [](Fd& fd) {
        const int high = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 10);
        if (high < 0) throw std::system_error(errno, std::generic_category(), "fcntl");
        fd.reset(high);
    };
    lift(read_end);
    lift(write_end);
    return {std::move(read_end), std::move(write_end)};
}

}  // namespace

std::vector<std::string> headless_chromium_flags(const std::filesystem::path& profile) {
    return {"--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--user-data-dir=" + profile.string()};
}

DevToolsBrowser::DevToolsBrowser(const std::string& chromium,
                                 const std::vector<std::string>& extra_args) {
    std::vector<std::string> args = headless_chromium_flags(dir_.file("profile"));
    args.insert(args.begin(), chromium);
    args.emplace_back("--remote-debugging-pipe");
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    args.emplace_back("about:blank");
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string out_path = dir_.file("stdout").string();
    const std::string err_path = dir_.file("stderr").string();

    auto [browser_reads, we_write] = high_pipe();
    auto [we_read, browser_writes] = high_pipe();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec (the test may have threads).
        ::setsid();  // a group of its own: its helper processes end with it
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int null = ::open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || null < 0 || ::dup2(null, 0) < 0 || ::dup2(out, 1) < 0 ||
            ::dup2(err, 2) < 0 || ::dup2(browser_reads.get(), 3) < 0 ||
            ::dup2(browser_writes.get(), 4) < 0) {
            ::_exit(127);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    pid_ = pid;
    to_browser_ = std::move(we_write);
    from_browser_ = std::move(we_read);
}

DevToolsBrowser::~DevToolsBrowser() {
    to_browser_.reset();  // the browser ends when its pipe closes; the kill makes sure
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);  // its group: the helpers too, never anyone else's
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

std::uint64_t DevToolsBrowser::send(std::string_view method, std::string_view params,
                                    std::string_view session) {
    const std::uint64_t id = next_id_++;
    std::string message = "{\"id\":" + std::to_string(id) + ",\"method\":";
    net::append_json_string(message, method);
    message += ",\"params\":";
    message += params;
    if (!session.empty()) {
        message += ",\"sessionId\":";
        net::append_json_string(message, session);
    }
    message += "}";
    message.push_back('\0');
    write_all(to_browser_.get(), message, Deadline::after(10s));
    return id;
}

bool DevToolsBrowser::read_message(const Deadline& deadline) {
    for (;;) {
        const auto end = input_.find('\0');
        if (end != std::string::npos) {
            JsonValue message = JsonValue::parse(std::string_view(input_).substr(0, end));
            input_.erase(0, end + 1);
            if (message.has("id")) {
                responses_.push_back(std::move(message));
            } else {
                events_.push_back(std::move(message));
            }
            return true;
        }
        if (ended_ || !wait_readable(from_browser_.get(), deadline)) return false;
        char buffer[65536];
        const ssize_t n = ::read(from_browser_.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ended_ = true;
            return false;
        }
        input_.append(buffer, static_cast<std::size_t>(n));
    }
}

JsonValue DevToolsBrowser::result(std::uint64_t id, const Deadline& deadline) {
    for (;;) {
        for (auto it = responses_.begin(); it != responses_.end(); ++it) {
            if (static_cast<std::uint64_t>((*it)["id"].as_number()) != id) continue;
            JsonValue response = std::move(*it);
            responses_.erase(it);
            if (response.has("error")) {
                throw std::runtime_error("DevTools command " + std::to_string(id) +
                                         " failed: " + response["error"].dump());
            }
            return response["result"];
        }
        if (!read_message(deadline)) {
            throw std::runtime_error("no answer from the browser to command " + std::to_string(id) +
                                     (ended_ ? " (it ended)" : " in time") + "; its log:\n" +
                                     log());
        }
    }
}

JsonValue DevToolsBrowser::call(std::string_view method, std::string_view params,
                                const Deadline& deadline, std::string_view session) {
    return result(send(method, params, session), deadline);
}

std::optional<JsonValue> DevToolsBrowser::wait_event(
    std::string_view method, std::string_view session, const Deadline& deadline,
    const std::function<bool(const JsonValue&)>& match) {
    std::size_t seen = 0;
    for (;;) {
        for (; seen < events_.size(); ++seen) {
            const JsonValue& event = events_[seen];
            const std::string from = event.has("sessionId") ? event["sessionId"].as_string() : "";
            if (event["method"].as_string() != method || from != session) continue;
            const JsonValue params = event.has("params") ? event["params"] : JsonValue();
            if (match && !match(params)) continue;
            events_.erase(events_.begin() + static_cast<std::ptrdiff_t>(seen));
            return params;
        }
        if (!read_message(deadline)) return std::nullopt;
    }
}

void DevToolsBrowser::drop_events(std::string_view method, std::string_view session) {
    std::erase_if(events_, [&](const JsonValue& event) {
        const std::string from = event.has("sessionId") ? event["sessionId"].as_string() : "";
        return event["method"].as_string() == method && from == session;
    });
}

std::string DevToolsBrowser::log() const {
    try {
        return read_file(dir_.file("stderr"));
    } catch (const std::exception&) {
        return {};
    }
}

std::filesystem::path DevToolsBrowser::download_dir() const {
    const auto dir = dir_.file("downloads");
    std::filesystem::create_directories(dir);
    return dir;
}

BrowserPage::BrowserPage(DevToolsBrowser& browser, const Deadline& deadline) : browser_(browser) {
    const JsonValue target =
        browser_.call("Target.createTarget", R"({"url":"about:blank"})", deadline);
    std::string params = "{\"targetId\":";
    net::append_json_string(params, target["targetId"].as_string());
    params += ",\"flatten\":true}";
    session_ = browser_.call("Target.attachToTarget", params, deadline)["sessionId"].as_string();
    for (const char* domain : {"Page.enable", "Runtime.enable", "Network.enable", "DOM.enable"}) {
        browser_.call(domain, "{}", deadline, session_);
    }
}

void BrowserPage::navigate(const std::string& url, const Deadline& deadline) {
    browser_.drop_events("Page.loadEventFired", session_);
    std::string params = "{\"url\":";
    net::append_json_string(params, url);
    params += "}";
    const JsonValue navigated = browser_.call("Page.navigate", params, deadline, session_);
    if (navigated.has("errorText")) {
        throw std::runtime_error("cannot load " + url + ": " + navigated["errorText"].dump());
    }
    if (!browser_.wait_event("Page.loadEventFired", session_, deadline)) {
        throw std::runtime_error("no load event for " + url + " in time");
    }
}

std::uint64_t BrowserPage::start_evaluate(std::string_view expression) {
    std::string params = "{\"expression\":";
    net::append_json_string(params, expression);
    params += ",\"returnByValue\":true,\"awaitPromise\":true}";
    return browser_.send("Runtime.evaluate", params, session_);
}

JsonValue BrowserPage::value_of(std::uint64_t id, const Deadline& deadline) {
    const JsonValue result = browser_.result(id, deadline);
    if (result.has("exceptionDetails")) {
        throw std::runtime_error("the script threw: " + result["exceptionDetails"].dump());
    }
    const JsonValue& remote = result["result"];
    return remote.has("value") ? remote["value"] : JsonValue();
}

JsonValue BrowserPage::evaluate(std::string_view expression, const Deadline& deadline) {
    return value_of(start_evaluate(expression), deadline);
}

JsonValue BrowserPage::document(const Deadline& deadline) {
    return browser_.call("DOM.getDocument", R"({"depth":-1,"pierce":true})", deadline,
                         session_)["root"];
}

namespace {

// Children, then an iframe's document (pierce puts it in contentDocument), in document order.
template <typename Visit>
void walk(const JsonValue& node, const Visit& visit) {
    visit(node);
    if (node.has("children")) {
        for (const auto& child : node["children"].as_array())
            walk(child, visit);
    }
    if (node.has("contentDocument")) walk(node["contentDocument"], visit);
}

}  // namespace

std::string text_of(const JsonValue& node) {
    std::string text;
    walk(node, [&](const JsonValue& n) {
        if (n.has("nodeType") && n["nodeType"].as_number() == 3) {  // a text node
            if (!text.empty()) text.push_back(' ');
            text += n["nodeValue"].as_string();
        }
    });
    return text;
}

std::vector<const JsonValue*> elements_named(const JsonValue& node, std::string_view name) {
    std::vector<const JsonValue*> found;
    walk(node, [&](const JsonValue& n) {
        if (n.has("nodeName") && n["nodeName"].as_string() == name) found.push_back(&n);
    });
    return found;
}

std::optional<std::string> attribute(const JsonValue& element, std::string_view name) {
    if (!element.has("attributes")) return std::nullopt;
    const auto& pairs = element["attributes"].as_array();  // name, value, name, value...
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
        if (pairs[i].as_string() == name) return pairs[i + 1].as_string();
    }
    return std::nullopt;
}

}  // namespace net::test
