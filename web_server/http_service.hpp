// HttpService: web_server on one event loop. It owns the loop's TcpServer, gives every
// connection an HttpSession, and keeps the loop's access-log buffer and Date cache.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "access_log.hpp"
#include "common/batched_output.hpp"
#include "common/event_loop.hpp"
#include "common/http_message.hpp"
#include "common/tcp_server.hpp"
#include "file_cache.hpp"
#include "static_files.hpp"

namespace web {

struct ServiceOptions {
    std::chrono::milliseconds timeout{30'000};  // request-head and keep-alive idle timeout -> 408
    std::size_t max_connections = 0;            // per loop; 0: no limit
    net::http::Limits limits;
};

class HttpSession;

// Everything on one loop's thread, except begin_drain() which may be posted from anywhere.
class HttpService {
  public:
    HttpService(net::EventLoop& loop, std::shared_ptr<net::Fd> listener, const StaticFiles& files,
                net::SharedOutput* log, ServiceOptions options);
    ~HttpService();

    // Graceful stop: no new connections, idle ones closed now, busy ones after their response.
    // `on_empty` runs (on this loop) once no connection is left.
    void begin_drain(std::function<void()> on_empty);

    [[nodiscard]] std::size_t connection_count() const { return server_->connection_count(); }

    // For sessions.
    [[nodiscard]] const StaticFiles& files() const { return files_; }
    [[nodiscard]] FileCache& cache() { return cache_; }
    [[nodiscard]] const ServiceOptions& options() const { return options_; }
    [[nodiscard]] bool draining() const { return draining_; }
    [[nodiscard]] net::EventLoop& loop() { return loop_; }
    // The current IMF-fixdate, formatted at most once a second.
    const std::string& date();
    void log_access(AccessRecord record);
    [[nodiscard]] bool logging() const { return log_ != nullptr; }

  private:
    void session_closed();
    void report_if_empty();

    net::EventLoop& loop_;
    const StaticFiles& files_;
    std::unique_ptr<net::LoopOutput> log_;  // null with -q
    ServiceOptions options_;
    std::unique_ptr<net::TcpServer> server_;
    FileCache cache_;
    std::time_t date_second_ = -1;
    std::string date_text_;
    bool draining_ = false;
    std::function<void()> on_empty_;
    bool reported_empty_ = false;
    std::size_t sessions_ = 0;
};

}  // namespace web
