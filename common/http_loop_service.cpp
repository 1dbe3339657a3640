// HttpLoopService: what one loop's HTTP sessions share.
#include "http_loop_service.hpp"

#include "http_date.hpp"
#include "http_server_session.hpp"

namespace net::http {

HttpLoopService::HttpLoopService(EventLoop& loop, SharedOutput* log, ServerSettings settings)
    : loop_(loop),
      log_(log ? std::make_unique<LoopOutput>(loop, *log) : nullptr),
      settings_(std::move(settings)) {}

std::shared_ptr<ConnectionHandler> HttpLoopService::make_handler(TcpConnection& conn) {
    return std::make_shared<ServerSession>(*this, conn);
}

void HttpLoopService::drained() {
    if (log_ != nullptr) log_->flush();
}

void HttpLoopService::stream_idle(TcpConnection& conn) {
    conn.close();
}

const std::string& HttpLoopService::date() {
    const std::time_t now = std::time(nullptr);
    if (now != date_second_) {
        date_second_ = now;
        date_text_ = format_http_date(now);
    }
    return date_text_;
}

void HttpLoopService::log_access(const AccessRecord& record) {
    if (log_ != nullptr) log_->buffer() += format_access_log_line(record);
}

}  // namespace net::http
