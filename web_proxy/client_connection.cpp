// One client connection: requests forwarded, CONNECT tunnels, and every wait bounded.
#include "client_connection.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <span>
#include <system_error>
#include <utility>
#include <variant>

#include "common/blocking.hpp"
#include "common/deadline.hpp"
#include "common/http_reuse.hpp"
#include "common/socket.hpp"
#include "message_relay.hpp"

namespace web_proxy {
namespace {

using net::Deadline;
using net::IoStatus;
using net::http::Request;

// Bytes waiting for a slow reader, per direction, before the other side is no longer read:
// memory per connection stays bounded however fast the sender is.
constexpr std::size_t kBufferCap = 256 * 1024;
// How long a closing connection keeps reading what the client still sends (see linger_close).
constexpr auto kLinger = std::chrono::seconds(2);

enum class Wake { kReady, kTimeout, kStopped };

// Waits until something in `fds` is ready or `deadline` passes; the last entry is a stop
// descriptor, whose readiness wins.
Wake wait(std::span<pollfd> fds, const Deadline& deadline) {
    if (net::wait_any(fds, deadline) == 0) return Wake::kTimeout;
    return fds.back().revents != 0 ? Wake::kStopped : Wake::kReady;
}

// A pollfd that poll() ignores when there is nothing to wait for on it.
pollfd watch(int fd, short events) {
    return {events != 0 ? fd : -1, events, 0};
}

bool readable(const pollfd& p) {
    return (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}
bool writable(const pollfd& p) {
    return (p.revents & (POLLOUT | POLLHUP | POLLERR)) != 0;
}

// Moves what the body cursor takes of `from` (the bytes at its front) to `to`.
bool take_body(BodyCursor& body, std::string& from, std::string& to) {
    const auto step = body.take(from, to);
    from.erase(0, step.consumed);
    return !step.error;
}

std::string destination_text(const Destination& destination) {
    const bool v6 = destination.host.find(':') != std::string::npos;
    return (v6 ? "[" + destination.host + "]" : destination.host) + ":" +
           std::to_string(destination.port);
}

// Whether the client connection may carry another request after a refusal: the request's body
// is never read, so only a request without one is complete.
bool reusable_after_refusal(const Request& request) {
    return net::http::may_reuse(
        {.request = {.asks_to_close = !request.keep_alive,
                     .complete = request.body == net::http::BodyKind::kNone}});
}

}  // namespace

ClientConnection::ClientConnection(net::Fd client, net::SocketAddress peer,
                                   const ProxySettings& settings, StopFds stop,
                                   const net::Logger& log)
    : client_(std::move(client)),
      peer_(peer),
      settings_(settings),
      stop_(stop),
      log_(log),
      read_buffer_(std::make_unique_for_overwrite<char[]>(kReadChunk)) {}

void ClientConnection::run() noexcept {
    try {
        serve();
        linger_close();
    } catch (const std::exception& e) {
        log_.warning(peer_.to_string() + " " + e.what());
    }
}

void ClientConnection::linger_close() {
    // RFC 9112 9.6: closing with unread bytes from the client would send an RST, which may
    // destroy the error response before the client reads it. So: our FIN first, then what the
    // client still sends is read and dropped until its FIN, for kLinger at most (none once the
    // proxy is stopping).
    ::shutdown(client_.get(), SHUT_WR);
    const Deadline deadline(kLinger);
    for (;;) {
        std::array<pollfd, 2> fds{watch(client_.get(), POLLIN), pollfd{stop_.drain, POLLIN, 0}};
        if (wait(fds, deadline) != Wake::kReady) return;
        const auto got = net::read_some(client_.get(), buffer());
        if (got.status == IoStatus::kClosed || got.status == IoStatus::kError) return;
    }
}

void ClientConnection::serve() {
    for (;;) {
        const auto request = read_request();
        if (!request) return;
        const Plan plan = plan_request(*request, settings_.self, settings_.policy);
        if (const auto* refusal = std::get_if<Refusal>(&plan)) {
            if (refuse(*request, refusal->status, refusal->detail) == Next::kClose) return;
        } else if (const auto* tunnel_plan = std::get_if<Tunnel>(&plan)) {
            tunnel(*request, *tunnel_plan);
            return;
        } else if (forward(*request, std::get<Forward>(plan)) == Next::kClose) {
            return;
        }
    }
}

std::optional<Request> ClientConnection::read_request() {
    const Deadline deadline(settings_.idle_timeout);
    for (;;) {
        if (!from_client_.empty()) {
            auto head = net::http::parse_request_head(from_client_);
            if (head.kind == net::http::HeadKind::kComplete) {
                from_client_.erase(0, head.consumed);
                return std::move(head.head);
            }
            if (head.kind == net::http::HeadKind::kError) {
                const int status = static_cast<int>(head.error.status);
                log_.info(peer_.to_string() + " bad request: " + head.error.reason + " -> " +
                          std::to_string(status));
                send_to_client(error_response(
                    status, "The request was malformed: " + head.error.reason + ".", false));
                return std::nullopt;
            }
        }
        // Between requests the proxy may stop at once; in the middle of one, only when it must.
        std::array<pollfd, 2> fds{
            watch(client_.get(), POLLIN),
            pollfd{from_client_.empty() ? stop_.drain : stop_.abort, POLLIN, 0}};
        const Wake wake = wait(fds, deadline);
        if (wake == Wake::kTimeout && !from_client_.empty()) {
            send_to_client(error_response(408, "The request took too long to arrive.", false));
        }
        if (wake != Wake::kReady) return std::nullopt;
        const auto got = net::read_some(client_.get(), buffer());
        if (got.status == IoStatus::kOk) {
            from_client_.append(read_buffer_.get(), got.bytes);
        } else if (got.status != IoStatus::kWouldBlock) {
            return std::nullopt;  // the client left (or reset) between requests
        }
    }
}

ClientConnection::Next ClientConnection::refuse(const Request& request, int status,
                                                std::string_view detail) {
    const bool keep_alive = reusable_after_refusal(request);
    log_exchange(request, status, 0, detail);
    if (!send_to_client(error_response(status, detail, keep_alive))) return Next::kClose;
    return keep_alive ? Next::kAnotherRequest : Next::kClose;
}

std::optional<net::Fd> ClientConnection::connect_upstream(const Request& request,
                                                          const Destination& destination) {
    int status = 502;
    std::string detail;
    try {
        auto connected = net::connect_tcp(destination.host, std::to_string(destination.port),
                                          settings_.connect_timeout);
        net::set_nonblocking(connected.fd.get());
        net::set_nodelay(connected.fd.get());
        return std::move(connected.fd);
    } catch (const net::ResolveError& e) {
        detail = "The proxy cannot find the host " + destination.host + ".";
    } catch (const std::system_error& e) {
        if (e.code() == std::errc::timed_out) {
            status = 504;
            detail =
                "No answer from " + destination_text(destination) + " within the connect timeout.";
        } else {
            detail = "The proxy could not connect to " + destination_text(destination) + ": " +
                     e.code().message() + ".";
        }
    }
    refuse(request, status, detail);
    return std::nullopt;
}

ClientConnection::Next ClientConnection::forward(const Request& request, const Forward& plan) {
    auto upstream = connect_upstream(request, plan.destination);
    if (!upstream) return reusable_after_refusal(request) ? Next::kAnotherRequest : Next::kClose;
    const int client_fd = client_.get();
    const int upstream_fd = upstream->get();

    std::string to_upstream = plan.head;
    BodyCursor request_body(request.body, request.content_length);
    if (!take_body(request_body, from_client_, to_upstream)) {
        return refuse(request, 400, "The request's chunked body is malformed.");
    }
    ResponseRelay relay(request.method, request.version, request.keep_alive, settings_.self);
    std::string to_client;
    bool upstream_takes_more = true;  // false once a write failed: the server stopped reading
    const auto fail = [&](int status, const std::string& detail) {
        if (!relay.started()) {
            log_exchange(request, status, 0, detail);
            send_to_client(error_response(status, detail, false));
        } else {
            log_exchange(request, relay.status(), relay.body_bytes(), "cut short: " + detail);
        }
        return Next::kClose;
    };

    Deadline deadline(settings_.idle_timeout);
    for (;;) {
        const auto state = relay.state();
        if (state == ResponseRelay::State::kFailed) {
            return fail(502, "The server at " + destination_text(plan.destination) +
                                 " sent a broken response: " + relay.error() + ".");
        }
        if (state == ResponseRelay::State::kDone && to_client.empty()) break;
        const bool read_client =
            !request_body.done() && upstream_takes_more && to_upstream.size() < kBufferCap;
        const bool read_upstream =
            state != ResponseRelay::State::kDone && to_client.size() < kBufferCap;
        const bool write_upstream = upstream_takes_more && !to_upstream.empty();
        std::array<pollfd, 3> fds{
            watch(client_fd, static_cast<short>((read_client ? POLLIN : 0) |
                                                (to_client.empty() ? 0 : POLLOUT))),
            watch(upstream_fd, static_cast<short>((read_upstream ? POLLIN : 0) |
                                                  (write_upstream ? POLLOUT : 0))),
            pollfd{stop_.abort, POLLIN, 0}};
        const Wake wake = wait(fds, deadline);
        if (wake == Wake::kStopped) return fail(503, "The proxy is shutting down.");
        if (wake == Wake::kTimeout) {
            return fail(504, "No answer from " + destination_text(plan.destination) + " in time.");
        }

        if (write_upstream && writable(fds[1])) {
            const auto sent = net::write_some(upstream_fd, to_upstream);
            if (sent.status == IoStatus::kOk) {
                to_upstream.erase(0, sent.bytes);
            } else if (sent.status != IoStatus::kWouldBlock) {
                // It may still answer (a 413, say): keep reading, stop sending.
                upstream_takes_more = false;
                to_upstream.clear();
            }
        }
        if (read_upstream && readable(fds[1])) {
            const auto got = net::read_some(upstream_fd, buffer());
            if (got.status == IoStatus::kOk) {
                relay.feed(std::string_view(read_buffer_.get(), got.bytes), to_client);
            } else if (got.status == IoStatus::kClosed) {
                relay.server_closed();
            } else if (got.status == IoStatus::kError) {
                return fail(502, "The connection to " + destination_text(plan.destination) +
                                     " failed: " + std::generic_category().message(got.error) +
                                     ".");
            }
        }
        if (read_client && readable(fds[0])) {
            const auto got = net::read_some(client_fd, buffer());
            if (got.status == IoStatus::kOk) {
                from_client_.append(read_buffer_.get(), got.bytes);
                if (!take_body(request_body, from_client_, to_upstream)) {
                    return fail(400, "The request's chunked body is malformed.");
                }
            } else if (got.status != IoStatus::kWouldBlock) {
                log_exchange(request, 0, 0, "the client left before sending the whole body");
                return Next::kClose;
            }
        }
        if (!to_client.empty() && writable(fds[0])) {
            const auto sent = net::write_some(client_fd, to_client);
            if (sent.status == IoStatus::kOk) {
                to_client.erase(0, sent.bytes);
            } else if (sent.status != IoStatus::kWouldBlock) {
                log_exchange(request, relay.status(), relay.body_bytes(), "the client left");
                return Next::kClose;
            }
        }
        deadline = Deadline(settings_.idle_timeout);
    }
    log_exchange(request, relay.status(), relay.body_bytes());
    // A request body the server did not wait for is still on its way: the request is not
    // complete. The response side is the head the client got, Connection as relay decided.
    const bool reuse = net::http::may_reuse(
        {.request = {.asks_to_close = !request.keep_alive, .complete = request_body.done()},
         .response = {.asks_to_close = !relay.keep_alive(),
                      .complete = relay.state() == ResponseRelay::State::kDone}});
    return reuse ? Next::kAnotherRequest : Next::kClose;
}

void ClientConnection::tunnel(const Request& request, const Tunnel& plan) {
    auto upstream = connect_upstream(request, plan.destination);
    if (!upstream) return;
    log_exchange(request, 200, 0, "tunnel open");
    if (!send_to_client("HTTP/1.1 200 Connection established\r\n\r\n")) return;
    const int client_fd = client_.get();
    const int upstream_fd = upstream->get();

    // Each direction: bytes read and not yet written, whether its source has ended, whether
    // its destination has been told (shutdown SHUT_WR).
    struct Direction {
        int from;
        int to;
        std::string pending;
        bool ended = false;
        bool shut = false;
        std::uint64_t bytes = 0;
    };
    std::array<Direction, 2> directions{Direction{client_fd, upstream_fd, std::move(from_client_)},
                                        Direction{upstream_fd, client_fd, {}}};
    from_client_.clear();
    Deadline deadline(settings_.idle_timeout);
    for (;;) {
        for (auto& d : directions) {
            if (d.ended && d.pending.empty() && !d.shut) {
                ::shutdown(d.to, SHUT_WR);
                d.shut = true;
            }
        }
        if (directions[0].shut && directions[1].shut) break;
        std::array<short, 2> events{};  // for client_fd, upstream_fd
        for (std::size_t i = 0; i < 2; ++i) {
            auto& d = directions[i];
            if (!d.ended && d.pending.size() < kBufferCap) events[i] |= POLLIN;
            if (!d.pending.empty()) events[1 - i] |= POLLOUT;
        }
        // An idle tunnel closes as soon as the proxy stops; one with bytes in flight, at the end.
        const bool idle = directions[0].pending.empty() && directions[1].pending.empty();
        std::array<pollfd, 3> fds{watch(client_fd, events[0]), watch(upstream_fd, events[1]),
                                  pollfd{idle ? stop_.drain : stop_.abort, POLLIN, 0}};
        if (wait(fds, deadline) != Wake::kReady) break;
        bool failed = false;
        for (std::size_t i = 0; i < 2 && !failed; ++i) {
            auto& d = directions[i];
            if ((events[i] & POLLIN) != 0 && readable(fds[i])) {
                const auto got = net::read_some(d.from, buffer());
                if (got.status == IoStatus::kOk) {
                    d.pending.append(read_buffer_.get(), got.bytes);
                    d.bytes += got.bytes;
                } else if (got.status == IoStatus::kClosed) {
                    d.ended = true;
                } else if (got.status == IoStatus::kError) {
                    failed = true;
                }
            }
            if (!d.pending.empty() && writable(fds[1 - i])) {
                const auto sent = net::write_some(d.to, d.pending);
                if (sent.status == IoStatus::kOk) {
                    d.pending.erase(0, sent.bytes);
                } else if (sent.status != IoStatus::kWouldBlock) {
                    failed = true;
                }
            }
        }
        if (failed) break;
        deadline = Deadline(settings_.idle_timeout);
    }
    log_.debug(peer_.to_string() + " CONNECT " + request.target +
               " closed: " + std::to_string(directions[0].bytes) + " bytes up, " +
               std::to_string(directions[1].bytes) + " bytes down");
}

bool ClientConnection::send_to_client(std::string_view bytes) {
    const Deadline deadline(settings_.idle_timeout);
    while (!bytes.empty()) {
        const auto sent = net::write_some(client_.get(), bytes);
        if (sent.status == IoStatus::kOk) {
            bytes.remove_prefix(sent.bytes);
            continue;
        }
        if (sent.status != IoStatus::kWouldBlock) return false;
        std::array<pollfd, 2> fds{watch(client_.get(), POLLOUT), pollfd{stop_.abort, POLLIN, 0}};
        if (wait(fds, deadline) != Wake::kReady) return false;
    }
    return true;
}

void ClientConnection::log_exchange(const Request& request, int status, std::uint64_t bytes,
                                    std::string_view note) const {
    if (!log_.enabled(net::LogLevel::kInfo)) return;
    std::string line = peer_.to_string() + " " + request.method + " " + request.target + " " +
                       (status != 0 ? std::to_string(status) : std::string("-")) + " " +
                       std::to_string(bytes);
    if (!note.empty()) {
        line += " (";
        line.append(note);
        line += ")";
    }
    log_.info(line);
}

}  // namespace web_proxy
