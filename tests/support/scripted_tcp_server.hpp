// ScriptedTcpServer: a TCP peer on 127.0.0.1 that runs the test's own code on each connection
// (reset it, stall, answer garbage...), for testing clients against a misbehaving server.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "common/fd.hpp"
#include "common/socket.hpp"

namespace net::test {

// Accepts connections one at a time on its own thread and hands each to `handler` (which must
// bound its own waits with Deadlines). The destructor stops accepting and joins the thread.
class ScriptedTcpServer {
  public:
    using Handler = std::function<void(Fd connection)>;

    explicit ScriptedTcpServer(Handler handler, const std::string& host = "127.0.0.1");
    ScriptedTcpServer(const ScriptedTcpServer&) = delete;
    ScriptedTcpServer& operator=(const ScriptedTcpServer&) = delete;
    ~ScriptedTcpServer();

    [[nodiscard]] std::uint16_t port() const { return listener_.address.port(); }
    // Connections handled to the end so far.
    [[nodiscard]] int handled() const { return handled_.load(); }

  private:
    void serve();

    BoundSocket listener_;
    Fd stop_read_;
    Fd stop_write_;
    Handler handler_;
    std::atomic<int> handled_{0};
    std::jthread thread_;  // last: starts after everything above exists
};

}  // namespace net::test
