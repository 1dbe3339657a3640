// ScriptedUdpServer: a UDP peer on 127.0.0.1 whose every answer the test decides: drop the
// first copy of a datagram, never answer another, answer late... for testing clients' retries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/fd.hpp"
#include "common/socket.hpp"

namespace net::test {

// Runs on a thread of its own from construction to destruction (which stops and joins it).
// received() is safe from any thread; the policy runs on the server's thread.
class ScriptedUdpServer {
  public:
    // Given a datagram and how many times this exact payload has now arrived (1 for the first),
    // returns the reply to send to its sender, or nullopt to drop it.
    using Policy = std::function<std::optional<std::string>(const std::string& payload, int copy)>;

    explicit ScriptedUdpServer(Policy policy, const std::string& host = "127.0.0.1");
    ScriptedUdpServer(const ScriptedUdpServer&) = delete;
    ScriptedUdpServer& operator=(const ScriptedUdpServer&) = delete;
    ~ScriptedUdpServer();

    [[nodiscard]] std::uint16_t port() const { return socket_.address.port(); }
    // Every datagram received so far, in order.
    [[nodiscard]] std::vector<std::string> received() const;

  private:
    void serve();

    BoundSocket socket_;
    Fd stop_read_;
    Fd stop_write_;
    Policy policy_;
    mutable std::mutex mutex_;
    std::vector<std::string> received_;  // guarded by mutex_
    std::map<std::string, int> copies_;  // server thread only
    std::jthread thread_;                // last: starts after everything above exists
};

}  // namespace net::test
