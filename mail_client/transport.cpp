// The SMTP connection's bytes, plain or through TLS, each wait bounded by a deadline.
#include "mail_client/transport.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>
#include <utility>

#include "common/blocking.hpp"
#include "common/buffer.hpp"
#include "common/io.hpp"
#include "common/socket.hpp"

namespace mail_client {
namespace {

[[noreturn]] void timed_out() {
    throw std::system_error(ETIMEDOUT, std::generic_category());
}

}  // namespace

Transport::Transport(net::Fd fd, std::chrono::milliseconds timeout)
    : fd_(std::move(fd)), timeout_(timeout) {
    net::set_nonblocking(fd_.get());
}

void Transport::start_tls(const net::tls::Context& context, const std::string& server_name) {
    tls_.emplace(fd_.get(), net::tls::Session(context, server_name));
    tls_->handshake(net::Deadline(timeout_));
}

std::string Transport::tls_description() const {
    return tls_ ? tls_->session().description() : std::string{};
}

std::string Transport::read_some(const net::Deadline& deadline) {
    if (tls_) {
        net::Buffer plain;
        tls_->read_some(plain, deadline);
        return std::string(plain.view());
    }
    std::array<char, kReadChunk> chunk{};
    while (true) {
        if (deadline.expired() || !net::wait_readable(fd_.get(), deadline)) timed_out();
        const auto io = net::read_some(fd_.get(), chunk);
        if (io.status == net::IoStatus::kError) {
            throw std::system_error(io.error, std::generic_category(), "read");
        }
        if (io.status == net::IoStatus::kClosed) return {};
        if (io.status == net::IoStatus::kOk) return std::string(chunk.data(), io.bytes);
    }
}

void Transport::write_all(std::string_view bytes) {
    if (tls_) {
        while (!bytes.empty()) {
            const auto piece = bytes.substr(0, kTlsWriteChunk);
            tls_->write_all(piece, net::Deadline(timeout_));
            bytes.remove_prefix(piece.size());
        }
        return;
    }
    net::Deadline deadline(timeout_);
    while (!bytes.empty()) {
        if (deadline.expired() || !net::wait_writable(fd_.get(), deadline)) timed_out();
        const auto io = net::write_some(fd_.get(), bytes);
        if (io.status == net::IoStatus::kError) {
            throw std::system_error(io.error, std::generic_category(), "write");
        }
        if (io.bytes > 0) deadline = net::Deadline(timeout_);
        bytes.remove_prefix(io.bytes);
    }
}

std::size_t Transport::unacknowledged() const {
    int queued = 0;
    if (::ioctl(fd_.get(), SIOCOUTQ, &queued) != 0 || queued < 0) return 0;
    return static_cast<std::size_t>(queued);
}

void Transport::close() {
    try {
        if (tls_) tls_->close(net::Deadline(timeout_));
    } catch (const std::exception&) {
        // the server may be gone already; nothing is owed to it
    }
}

std::string read_reply_bytes(Transport& transport, net::Deadline& deadline,
                             std::chrono::milliseconds timeout) {
    std::size_t queued = transport.unacknowledged();
    while (true) {
        try {
            // Wake up every kDrainCheck to see whether the server is still taking our bytes.
            const net::Deadline drain_check(kDrainCheck);
            return transport.read_some(
                net::Deadline::at(std::min(deadline.when(), drain_check.when())));
        } catch (const std::system_error& e) {
            if (e.code() != std::errc::timed_out) throw;
        }
        const std::size_t now_queued = transport.unacknowledged();
        if (now_queued < queued) deadline = net::Deadline(timeout);
        queued = now_queued;
        if (deadline.expired()) timed_out();
    }
}

}  // namespace mail_client
