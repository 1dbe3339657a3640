// DevToolsBrowser: headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ended by a NUL byte, the browser reading on its
// descriptor 3 and writing on 4), for tests that must act in a page after it has loaded: run a
// script in it, wait for a change it makes, read an iframe's document, download a file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "tests/support/deadline.hpp"
#include "tests/support/json_value.hpp"
#include "tests/support/temp_dir.hpp"

namespace net::test {

// The flags every test browser runs with: headless, no sandbox (root in CI), nothing that talks
// to the network by itself (QUIC, background updates, sync), its profile in `profile`.
std::vector<std::string> headless_chromium_flags(const std::filesystem::path& profile);

// One Chromium with a profile of its own (removed at the end), in a process group of its own
// that the destructor kills and reaps. Move-only; one thread at a time.
class DevToolsBrowser {
  public:
    // Starts `chromium` headless with `extra_args`; ready for calls at once (the browser reads
    // the pipe when it is up). Throws std::system_error when it cannot be started.
    DevToolsBrowser(const std::string& chromium, const std::vector<std::string>& extra_args);
    DevToolsBrowser(const DevToolsBrowser&) = delete;
    DevToolsBrowser& operator=(const DevToolsBrowser&) = delete;
    ~DevToolsBrowser();

    // Sends a command (`params`: a JSON object's text) to the browser, or to the page attached
    // as `session`; returns its id for result().
    std::uint64_t send(std::string_view method, std::string_view params = "{}",
                       std::string_view session = {});
    // The result of command `id`. Throws std::runtime_error with the protocol's error, or when
    // the deadline passes or the browser ends first.
    JsonValue result(std::uint64_t id, const Deadline& deadline);
    // send() then result().
    JsonValue call(std::string_view method, std::string_view params, const Deadline& deadline,
                   std::string_view session = {});

    // The params of the first event called `method` from `session` ("" for the browser's own)
    // for which `match` holds, kept from earlier reads or read now; it is taken off the queue.
    // nullopt when none came by the deadline (or the browser ended).
    std::optional<JsonValue> wait_event(
        std::string_view method, std::string_view session, const Deadline& deadline,
        const std::function<bool(const JsonValue&)>& match = nullptr);
    // Drops the events called `method` from `session` read so far (before an action whose own
    // such event a test waits for).
    void drop_events(std::string_view method, std::string_view session);

    // What the browser wrote on stderr so far (for failure messages).
    [[nodiscard]] std::string log() const;
    // A folder in the browser's temp dir, made on first use, for downloads.
    [[nodiscard]] std::filesystem::path download_dir() const;

  private:
    // Reads what the browser sent until one more message is complete, keeping responses and
    // events; false at the deadline or at EOF.
    bool read_message(const Deadline& deadline);

    TempDir dir_;
    pid_t pid_ = -1;
    Fd to_browser_;
    Fd from_browser_;
    std::string input_;  // bytes read, not yet a whole message
    std::deque<JsonValue> events_;
    std::vector<JsonValue> responses_;
    std::uint64_t next_id_ = 1;
    bool ended_ = false;
};

// One tab: a page target attached with a session of its own (flattened into the browser's pipe).
class BrowserPage {
  public:
    // Opens about:blank in a new tab and enables the Page, Runtime and Network domains.
    BrowserPage(DevToolsBrowser& browser, const Deadline& deadline);

    [[nodiscard]] const std::string& session() const { return session_; }
    DevToolsBrowser& browser() { return browser_; }

    // Loads `url` and waits for its load event (after its subresources and iframes). Throws
    // std::runtime_error when the navigation fails or the deadline passes.
    void navigate(const std::string& url, const Deadline& deadline);
    // Sends Runtime.evaluate for `expression` (a promise is awaited), result by value; returns
    // the command's id for value_of(), so that the test can act while it runs.
    std::uint64_t start_evaluate(std::string_view expression);
    // The value that evaluation produced; throws with the exception when the script threw.
    JsonValue value_of(std::uint64_t id, const Deadline& deadline);
    // Both at once.
    JsonValue evaluate(std::string_view expression, const Deadline& deadline);
    // The whole document, iframes' documents included (DOM.getDocument, pierce), as JSON.
    JsonValue document(const Deadline& deadline);

  private:
    DevToolsBrowser& browser_;
    std::string session_;
};

// The text of every node under `node` (a DOM.getDocument node), iframes' documents included,
// in document order, joined by single spaces (a script's or style sheet's text included): what
// a test searches for a rendered word.
std::string text_of(const JsonValue& node);
// The nodes under `node` with the element name `name` ("IFRAME"), in document order.
std::vector<const JsonValue*> elements_named(const JsonValue& node, std::string_view name);
// An attribute of an element node, or nullopt.
std::optional<std::string> attribute(const JsonValue& element, std::string_view name);

}  // namespace net::test
