// HttpService: one loop's share of web_server.
#include "http_service.hpp"

namespace web {

HttpService::HttpService(net::EventLoop& loop, const StaticFiles& files, net::SharedOutput* log,
                         const ServiceOptions& options)
    : HttpLoopService(loop, log,
                      {.timeout = options.timeout,
                       .deadlines = options.deadlines,
                       .limits = options.limits,
                       .server = std::string(server_name())}),
      files_(files) {}

net::http::ServerResponse HttpService::respond(const net::http::Request& request,
                                               net::TcpConnection&) {
    return files_.handle(request, &cache_, loop().now());
}

}  // namespace web
