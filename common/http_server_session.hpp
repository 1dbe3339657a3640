// ServerSession: one connection's HTTP/1.1 state machine, for any server whose answers come
// from an HttpLoopService. Requests are answered in order (pipelining), bodies are read and
// thrown away so the next request is found, and a response being sent from a file holds the
// next one back until it is out. A head or a body that comes too slowly (RequestDeadlines) is
// cut on a timer of the loop, whether bytes still trickle in or none come at all. A streaming
// response (Server-Sent Events) keeps the connection for the service's writes until it ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "event_loop.hpp"
#include "http_chunked.hpp"
#include "http_request.hpp"
#include "http_server_response.hpp"
#include "min_rate.hpp"
#include "tcp_connection.hpp"

namespace net::http {

class HttpLoopService;

// A ConnectionHandler: every call comes from the connection, on its loop's thread.
class ServerSession final : public net::ConnectionHandler {
  public:
    ServerSession(HttpLoopService& service, net::TcpConnection& conn)
        : service_(service), conn_(conn) {}
    ~ServerSession() override;
    ServerSession(const ServerSession&) = delete;
    ServerSession& operator=(const ServerSession&) = delete;

    void on_data(net::TcpConnection&) override;  // bytes arrived
    // Unsent output passed the high-water mark: later pipelined requests wait for it.
    void on_high_water(net::TcpConnection&) override;
    void on_drained(net::TcpConnection&) override;  // everything queued was written
    void on_idle(net::TcpConnection&) override;     // no traffic for the timeout
    // The client sent FIN: answer what is complete, then close.
    void on_peer_closed(net::TcpConnection&) override;
    // The server is stopping: close now if between requests, else after this response.
    void on_server_stopping(net::TcpConnection&) override;
    void on_close(net::TcpConnection&) override;  // the phase timer stops with the connection

  private:
    using Clock = net::EventLoop::Clock;

    enum class State {
        kReadingHead,       // waiting for (the rest of) a request head
        kDiscardingBody,    // reading a request body we will not use
        kWaitingForOutput,  // a large response is being written; later requests wait
        kClosing,           // the last response is queued; FIN follows it, then a short linger
        kStreaming,         // a stream's head is out; the service writes the rest, input dropped
    };

    void process();
    bool read_head();
    bool discard_body();
    void start_body();
    // The last response is queued: FIN once it is out, then linger (RFC 9112 9.6): what the
    // client still sends is read and dropped, a little and briefly, so our close does not
    // reset the connection before it has read the response.
    void begin_closing();
    void start_linger();
    // The phase timer: one per session, at the current phase's deadline (head, body or
    // linger). It is re-armed when it fires early because bytes earned more time.
    [[nodiscard]] std::optional<Clock::time_point> deadline() const;
    void arm_timer();
    void on_timer();
    void respond(const net::http::Request& request);
    // Queues `response`; `request` is null for errors found before a request was parsed, whose
    // raw first line (`raw_line`) goes to the access log instead.
    void send(ServerResponse response, const net::http::Request* request,
              std::string_view raw_line);
    void send_error(int status, std::string_view raw_line);
    void log_access(int status, std::uint64_t body_bytes, const net::http::Request* request,
                    std::string_view raw_line);
    void finish_if_done();

    HttpLoopService& service_;
    net::TcpConnection& conn_;
    State state_ = State::kReadingHead;
    bool head_started_ = false;     // a byte of the next head has come
    net::RateDeadline head_;        // since that byte
    std::size_t head_counted_ = 0;  // bytes of the current head counted in head_
    std::size_t scanned_ = 0;       // bytes of the current head already searched for its end
    net::http::BodyKind body_kind_ = net::http::BodyKind::kNone;
    std::uint64_t body_left_ = 0;
    net::http::ChunkedDecoder chunked_;
    net::RateDeadline body_;  // since the body began to be read
    bool lingering_ = false;  // kClosing, and the response is out
    Clock::time_point linger_until_{};
    std::uint64_t lingered_ = 0;  // bytes dropped while closing
    net::EventLoop::TimerId timer_ = 0;
    Clock::time_point timer_at_{};
    bool keep_alive_ = true;
    bool peer_closed_ = false;
};

}  // namespace net::http
