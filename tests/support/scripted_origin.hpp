// ScriptedOrigin: an HTTP origin server for proxy tests whose answer is a function of the
// request, and read_request(), one request read off a socket the way a server reads it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/scripted_tcp_server.hpp"

namespace net::test {

// One request as a server reads it: the head up to the blank line, then (unless `head_only`)
// Content-Length bytes or chunks up to the last one (a test's bodies have no trailers).
std::string read_request(int fd, const Deadline& deadline, bool head_only = false);

// A scripted origin server: its answer is a function of the request (the request's bytes in,
// the response's out), or one fixed reply; it keeps each request it read and counts its
// connections, and may hold every answer back until the test says go. One connection at a time,
// each served until the proxy closes it (or after one request, with close_after): a proxy test
// that needs one pooled connection for every request runs the proxy with one loop (-t 1).
struct OriginOptions {
    bool close_after = false;  // close each connection after its first answer
    std::shared_future<void> go{};
};

class ScriptedOrigin {
  public:
    using Answer = std::function<std::string(const std::string& request)>;

    explicit ScriptedOrigin(Answer answer, OriginOptions options = {});
    // `reply` to every request; by default the connection closes after the first.
    explicit ScriptedOrigin(std::string reply, bool close_after = true);

    [[nodiscard]] std::uint16_t port() const { return server_.port(); }
    [[nodiscard]] std::string url(std::string_view path = "/") const {
        return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
    }
    // Connections accepted so far.
    [[nodiscard]] int connections() const { return connections_.load(); }
    std::vector<std::string> requests();

  private:
    std::mutex mutex_;
    std::vector<std::string> requests_;
    std::atomic<int> connections_{0};
    ScriptedTcpServer server_;  // last: its thread starts once the rest exists
};

}  // namespace net::test
