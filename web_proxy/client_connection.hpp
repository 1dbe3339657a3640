// ClientConnection: one browser (or curl) connection, served by a thread of its own: read a
// request, forward it or open a tunnel, relay the answer, and again while the client keeps the
// connection open. Every wait is a poll() bounded by the idle timeout and watching the proxy's
// stop descriptors; the protocol decisions are proxy_rules' and message_relay's.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/address.hpp"
#include "common/fd.hpp"
#include "common/http_request.hpp"
#include "common/log.hpp"
#include "proxy_rules.hpp"

namespace web_proxy {

struct ProxySettings {
    Identity self;
    Policy policy;
    std::chrono::milliseconds idle_timeout{60'000};     // no byte either way for this long: close
    std::chrono::milliseconds connect_timeout{10'000};  // connecting upstream (not the lookup)
};

// Descriptors that become readable when the proxy stops: `drain` first (connections between
// requests close, an exchange under way goes on), `abort` after the grace period (everything
// closes).
struct StopFds {
    int drain = -1;
    int abort = -1;
};

class ClientConnection {
  public:
    ClientConnection(net::Fd client, net::SocketAddress peer, const ProxySettings& settings,
                     StopFds stop, const net::Logger& log);

    // Serves the connection until the client leaves, a timeout, an error or the proxy stops.
    // Never throws.
    void run() noexcept;

  private:
    enum class Next { kAnotherRequest, kClose };

    void serve();
    std::optional<net::http::Request> read_request();
    Next refuse(const net::http::Request& request, int status, std::string_view detail);
    Next forward(const net::http::Request& request, const Forward& plan);
    void tunnel(const net::http::Request& request, const Tunnel& plan);
    // Connects to `destination`; on failure sends the client an error page (502 or 504) and
    // returns nullopt.
    std::optional<net::Fd> connect_upstream(const net::http::Request& request,
                                            const Destination& destination);
    // Closes the client side gracefully: see the definition.
    void linger_close();
    // Writes all of `bytes` to the client within the idle timeout; false when it cannot.
    bool send_to_client(std::string_view bytes);
    void log_exchange(const net::http::Request& request, int status, std::uint64_t bytes,
                      std::string_view note = {}) const;

    net::Fd client_;
    net::SocketAddress peer_;
    const ProxySettings& settings_;
    StopFds stop_;
    const net::Logger& log_;
    std::string from_client_;  // read from the client, not yet used
    // Where reads land. Left uninitialised: a page the kernel never writes to is never touched,
    // so an idle connection costs little memory.
    static constexpr std::size_t kReadChunk = 64 * 1024;
    std::unique_ptr<char[]> read_buffer_;
    std::span<char> buffer() { return {read_buffer_.get(), kReadChunk}; }
};

}  // namespace web_proxy
