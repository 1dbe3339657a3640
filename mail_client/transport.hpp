// The SMTP connection's bytes: a socket, plain or (after STARTTLS, or from the start) through
// TLS, where every read and write waits at most until a net::Deadline; and the reading of a
// reply's bytes, whose deadline is pushed back while the server is still taking our message.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/deadline.hpp"
#include "common/fd.hpp"
#include "common/tls.hpp"

namespace mail_client {

// Owns the connected socket and makes it non-blocking, so no read or write can wait past its
// deadline. Timeouts and socket errors throw std::system_error (ETIMEDOUT for a timeout); TLS
// failures throw net::tls::TlsError. Not thread-safe.
class Transport {
  public:
    // `timeout`: how long the TLS handshake, the closing alert, and each write without progress
    // may take.
    Transport(net::Fd fd, std::chrono::milliseconds timeout);

    // Runs the TLS handshake (SNI and certificate check against `server_name`); every byte
    // after it goes through TLS.
    void start_tls(const net::tls::Context& context, const std::string& server_name);
    // "TLSv1.3 TLS_AES_256_GCM_SHA384"; empty before start_tls().
    [[nodiscard]] std::string tls_description() const;

    // Some bytes, or empty when the server closed the connection. A deadline that has passed
    // ends the wait even with bytes waiting, so a server trickling bytes cannot hold us.
    std::string read_some(const net::Deadline& deadline);

    // Sends every byte. The timeout bounds the wait for progress, not the whole transfer: a
    // big message over a slow but steady link goes through; a server that stops reading
    // does not hold us.
    void write_all(std::string_view bytes);

    // Bytes we sent that the server has not acknowledged yet (the socket's send queue).
    [[nodiscard]] std::size_t unacknowledged() const;

    // Ends TLS with close_notify (when TLS runs); errors are ignored, the server may be gone.
    void close();

  private:
    static constexpr std::size_t kReadChunk = 16 * 1024;
    static constexpr std::size_t kTlsWriteChunk = 16 * 1024;  // one TLS record

    net::Fd fd_;
    std::chrono::milliseconds timeout_;
    std::optional<net::tls::BlockingStream> tls_;
};

// While a reply is awaited, how often the socket's send queue is looked at for progress.
inline constexpr std::chrono::milliseconds kDrainCheck{250};

// Some bytes of the reply being waited for. The wait is bounded by `deadline`, pushed back to
// `timeout` from now while what we sent is still draining from our socket (a slow server still
// reading the end of a big message has not had it whole yet), so only a server that stops is
// timed out. Throws std::system_error with ETIMEDOUT then.
std::string read_reply_bytes(Transport& transport, net::Deadline& deadline,
                             std::chrono::milliseconds timeout);

}  // namespace mail_client
