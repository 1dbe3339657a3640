// ProxyService: one loop's share of web_proxy.
#include "proxy_service.hpp"

#include "proxy_session.hpp"

namespace web_proxy {

ProxyService::ProxyService(net::EventLoop& loop, const ProxySettings& settings,
                           net::WorkerPool& lookups, const net::Logger& log)
    : loop_(loop),
      settings_(settings),
      log_(log),
      pool_(loop, settings.pool),
      upstreams_(loop),
      connector_(loop, lookups) {}

std::shared_ptr<net::ConnectionHandler> ProxyService::make_handler(net::TcpConnection& conn) {
    return std::make_shared<ProxySession>(*this, conn);
}

void ProxyService::stopping() {
    stopping_ = true;
    pool_.stop();
}

}  // namespace web_proxy
