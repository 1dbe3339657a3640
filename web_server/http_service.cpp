// HttpService: one loop's share of web_server.
#include "http_service.hpp"

#include "common/http_date.hpp"
#include "http_session.hpp"

namespace web {

HttpService::HttpService(net::EventLoop& loop, const StaticFiles& files, net::SharedOutput* log,
                         ServiceOptions options)
    : loop_(loop),
      files_(files),
      log_(log ? std::make_unique<net::LoopOutput>(loop, *log) : nullptr),
      options_(options) {}

std::shared_ptr<net::ConnectionHandler> HttpService::make_handler(net::TcpConnection& conn) {
    return std::make_shared<HttpSession>(*this, conn);
}

void HttpService::drained() {
    if (log_ != nullptr) log_->flush();
}

const std::string& HttpService::date() {
    const std::time_t now = std::time(nullptr);
    if (now != date_second_) {
        date_second_ = now;
        date_text_ = net::http::format_http_date(now);
    }
    return date_text_;
}

void HttpService::log_access(AccessRecord record) {
    if (log_ != nullptr) log_->buffer() += format_access_log_line(record);
}

}  // namespace web
