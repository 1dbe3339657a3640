// TLS for the mail programs (STARTTLS, RFC 3207; implicit TLS, RFC 8314), over OpenSSL when the
// build found it. Sans-I/O: a Session turns ciphertext into plaintext and back through memory
// buffers, so the same code serves an epoll loop and a blocking client. Built without OpenSSL,
// available() is false and constructing a Context throws TlsError saying so.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "buffer.hpp"

namespace net::tls {

// Whether this build has TLS at all.
bool available();

class TlsError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ClientOptions {
    std::string ca_file;  // PEM file of trusted CAs; empty: the system's default store
    bool verify = true;   // false: accept any certificate (local test servers only)
};

enum class Role { kClient, kServer };

// Certificates, keys and settings shared by many sessions. Immutable once built, so
// thread-safe; copies share the same OpenSSL context.
class Context {
  public:
    // A server's PEM certificate (chain) and private key; checks they match. TLS 1.2 or later.
    static Context server(const std::string& cert_file, const std::string& key_file);
    static Context client(const ClientOptions& options);

    [[nodiscard]] Role role() const { return role_; }
    [[nodiscard]] bool verifies() const { return verify_; }
    [[nodiscard]] void* native() const { return context_.get(); }  // the SSL_CTX

  private:
    Context(std::shared_ptr<void> context, Role role, bool verify)
        : context_(std::move(context)), role_(role), verify_(verify) {}
    std::shared_ptr<void> context_;
    Role role_;
    bool verify_;
};

enum class Status {
    kOk,      // progress made (or nothing to do); feed more when it arrives
    kClosed,  // the peer sent close_notify
    kFailed,  // handshake or record error: error() says why; the connection must go
};

// One TLS connection. Not thread-safe. Bytes from the peer go in with feed(); pump() runs the
// handshake and decrypts; take_output() gives what must be sent to the peer, handshake records
// included. write() encrypts (before the handshake completes, plaintext waits for it).
class Session {
  public:
    // For a client, `server_name` is sent as SNI and, when the context verifies, checked
    // against the certificate.
    Session(const Context& context, std::string server_name = {});
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    ~Session();

    void feed(std::string_view ciphertext);
    Status pump(Buffer& plaintext);
    void write(std::string_view plaintext);
    // Moves pending ciphertext to `out`; false when there was none.
    bool take_output(Buffer& out);
    // Queues close_notify.
    void close();

    [[nodiscard]] bool handshake_done() const;
    [[nodiscard]] bool failed() const;
    [[nodiscard]] bool peer_closed() const;
    [[nodiscard]] const std::string& error() const;
    // "TLSv1.3 TLS_AES_256_GCM_SHA384"; empty before the handshake.
    [[nodiscard]] std::string description() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace net::tls
