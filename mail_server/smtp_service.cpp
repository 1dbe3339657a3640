// One loop's share of mail_server: an SmtpConnection per client, and the loop's transcript.
#include "smtp_service.hpp"

#include "smtp_connection.hpp"

namespace mail {
namespace {

constexpr std::chrono::hours kHousekeepingInterval{1};

}  // namespace

SmtpService::SmtpService(net::EventLoop& loop, ServiceShared& shared)
    : loop_(loop),
      shared_(shared),
      transcript_(shared.transcript != nullptr && shared.verbosity != Verbosity::kQuiet
                      ? std::make_unique<net::LoopOutput>(loop, *shared.transcript)
                      : nullptr) {
    if (shared_.store != nullptr && !shared_.housekeeping_taken.exchange(true)) {
        schedule_housekeeping(std::chrono::milliseconds{0});
    }
}

void SmtpService::schedule_housekeeping(net::EventLoop::Clock::duration delay) {
    loop_.run_after(delay, [this] {
        // The disk work runs on a storage thread; the logger is safe from any thread.
        shared_.store->remove_leftovers(
            [log = shared_.log, where = shared_.store->description()](const Leftovers& result) {
                if (log == nullptr) return;
                if (!result.error.empty()) log->error(where + ": " + result.error);
                if (result.removed > 0) {
                    log->info(where + ": removed " + std::to_string(result.removed) +
                              " file(s) left in tmp/ by deliveries cut off over 36 hours ago");
                }
            });
        schedule_housekeeping(kHousekeepingInterval);
    });
}

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
