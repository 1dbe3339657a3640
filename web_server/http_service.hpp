// HttpService: web_server on one event loop: common/'s HTTP sessions answered from the files.
#pragma once

#include <chrono>

#include "common/http_loop_service.hpp"
#include "file_cache.hpp"
#include "static_files.hpp"

namespace web {

using net::AccessRecord;

struct ServiceOptions {
    std::chrono::milliseconds timeout{30'000};  // keep-alive idle timeout -> close
    net::http::RequestDeadlines deadlines;      // how slowly a head (-> 408) or body may come
    net::http::Limits limits;
};

// One loop's share of web_server: what the loop's sessions share, plus the small-file cache.
// Loop thread only.
class HttpService final : public net::http::HttpLoopService {
  public:
    HttpService(net::EventLoop& loop, const StaticFiles& files, net::SharedOutput* log,
                const ServiceOptions& options);

    net::http::ServerResponse respond(const net::http::Request& request,
                                      net::TcpConnection& conn) override;

  private:
    const StaticFiles& files_;
    FileCache cache_;
};

}  // namespace web
