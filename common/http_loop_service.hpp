// HttpLoopService: an HTTP/1.1 server on one event loop. It makes a ServerSession per
// connection and keeps what the loop's sessions share (the settings, the access-log buffer, the
// Date header); a server derives from it and answers requests in respond().
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "access_log.hpp"
#include "batched_output.hpp"
#include "event_loop.hpp"
#include "http_head.hpp"
#include "http_request.hpp"
#include "http_server_response.hpp"
#include "request_deadlines.hpp"
#include "server_group.hpp"

namespace net::http {

struct ServerSettings {
    std::chrono::milliseconds timeout{30'000};  // keep-alive idle timeout -> close
    RequestDeadlines deadlines;                 // how slowly a head (-> 408) or body may come
    Limits limits;
    std::string server = "topdown-net";  // the Server field and error pages' signature
};

// Loop thread only. The sessions it made must be gone before it is (ServerGroup frees the
// servers, and with them the connections, before the services).
class HttpLoopService : public LoopService {
  public:
    // `log` (null: no access log) is shared by every loop's service.
    HttpLoopService(EventLoop& loop, SharedOutput* log, ServerSettings settings);

    std::shared_ptr<ConnectionHandler> make_handler(TcpConnection& conn) override;
    void stopping() override { draining_ = true; }
    void drained() override;

    // The answer to `request` from `conn` (a parsed head; its body, if any, is skipped after).
    virtual ServerResponse respond(const Request& request, TcpConnection& conn) = 0;
    // A response with `stream` set has gone out on `conn` (not after HEAD): the service writes
    // its body with conn.send() until stream_closed(conn), called when the connection ends.
    virtual void stream_opened(TcpConnection& conn) { (void)conn; }
    virtual void stream_closed(TcpConnection& conn) { (void)conn; }
    // Nothing moved on a stream's connection for the idle timeout. Default: close it.
    virtual void stream_idle(TcpConnection& conn);

    // For sessions.
    [[nodiscard]] const ServerSettings& settings() const { return settings_; }
    [[nodiscard]] bool draining() const { return draining_; }
    [[nodiscard]] EventLoop& loop() { return loop_; }
    // The current IMF-fixdate, formatted at most once a second.
    const std::string& date();
    void log_access(const AccessRecord& record);
    [[nodiscard]] bool logging() const { return log_ != nullptr; }

  private:
    EventLoop& loop_;
    std::unique_ptr<LoopOutput> log_;  // null without an access log
    ServerSettings settings_;
    std::time_t date_second_ = -1;
    std::string date_text_;
    bool draining_ = false;
};

}  // namespace net::http
