// The tcp_server protocol: every byte comes back, ASCII letters upper-cased.
#pragma once

#include <memory>

#include "common/log.hpp"
#include "common/server_group.hpp"
#include "common/tcp_connection.hpp"

namespace tcp {

// One connection: upper-case what arrives and send it back. A client that sends without
// reading is paused at the common high-water mark (the handler's defaults) until it reads.
class UpperCaseHandler final : public net::ConnectionHandler {
  public:
    explicit UpperCaseHandler(const net::Logger& log) : log_(log) {}

    void on_open(net::TcpConnection& conn) override;
    void on_data(net::TcpConnection& conn) override;
    void on_close(net::TcpConnection& conn) override;

  private:
    const net::Logger& log_;
};

// One loop's share of tcp_server. `log` must outlive it.
class UpperCaseService final : public net::LoopService {
  public:
    explicit UpperCaseService(const net::Logger& log) : log_(log) {}
    std::shared_ptr<net::ConnectionHandler> make_handler(net::TcpConnection&) override {
        return std::make_shared<UpperCaseHandler>(log_);
    }

  private:
    const net::Logger& log_;
};

}  // namespace tcp
