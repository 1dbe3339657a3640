// One loop's share of mail_server: an SmtpConnection per client, and the loop's transcript.
#include "smtp_service.hpp"

#include "smtp_connection.hpp"

namespace mail {

SmtpService::SmtpService(net::EventLoop& loop, ServiceShared& shared)
    : loop_(loop),
      shared_(shared),
      transcript_(shared.transcript != nullptr && shared.verbosity != Verbosity::kQuiet
                      ? std::make_unique<net::LoopOutput>(loop, *shared.transcript)
                      : nullptr) {}

std::shared_ptr<net::ConnectionHandler> SmtpService::make_handler(net::TcpConnection& conn) {
    return std::make_shared<SmtpConnection>(*this, conn);
}

void SmtpService::drained() {
    if (transcript_) transcript_->flush();
}

void SmtpService::report_orphan(const StoreResult& result, const std::string& summary) {
    if (!result.stored) {
        shared_.log->error(summary + ": not stored: " + result.error);
    } else if (transcript_) {
        transcript_->buffer() +=
            summary + ", stored in " + result.location + " (its client had gone)\n";
    }
}

}  // namespace mail
