// HttpService: web_server on one event loop.
#pragma once

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include "common/access_log.hpp"
#include "common/batched_output.hpp"
#include "common/event_loop.hpp"
#include "common/http_head.hpp"
#include "common/request_deadlines.hpp"
#include "common/server_group.hpp"
#include "file_cache.hpp"
#include "static_files.hpp"

namespace web {

using net::AccessRecord;

struct ServiceOptions {
    std::chrono::milliseconds timeout{30'000};  // keep-alive idle timeout -> close
    net::http::RequestDeadlines deadlines;      // how slowly a head (-> 408) or body may come
    net::http::Limits limits;
};

// One loop's share of web_server: an HttpSession per connection, and what the loop's sessions
// share (the small-file cache, the access-log buffer, the Date header). Loop thread only.
class HttpService final : public net::LoopService {
  public:
    HttpService(net::EventLoop& loop, const StaticFiles& files, net::SharedOutput* log,
                ServiceOptions options);

    std::shared_ptr<net::ConnectionHandler> make_handler(net::TcpConnection& conn) override;
    void stopping() override { draining_ = true; }
    void drained() override;

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
    net::EventLoop& loop_;
    const StaticFiles& files_;
    std::unique_ptr<net::LoopOutput> log_;  // null with -q
    ServiceOptions options_;
    FileCache cache_;
    std::time_t date_second_ = -1;
    std::string date_text_;
    bool draining_ = false;
};

}  // namespace web
