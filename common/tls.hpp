// TLS for the mail programs (STARTTLS, RFC 3207; implicit TLS, RFC 8314), over OpenSSL when the
// build found it. Sans-I/O: a Session turns ciphertext into plaintext and back through memory
// buffers, so the same code serves an epoll loop and a blocking client (BlockingStream). Built
// without OpenSSL, available() is false and every entry point throws TlsError saying so; the
// programs compile unchanged either way.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "buffer.hpp"
#include "socket.hpp"

namespace net::tls {

// Whether this build has TLS at all (false: built without OpenSSL).
bool available();

// A TLS failure in one line: "cannot read certificate cert.pem: No such file or directory",
// "certificate verify failed: hostname mismatch (server name mx.example)".
class TlsError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// How a client checks the server's certificate.
struct ClientOptions {
    std::string ca_file;  // PEM file of trusted CAs; empty: the system's default store
    bool verify = true;   // false: accept any certificate and name (local test servers only)
};

// Which end of the handshake a Session plays.
enum class Role { kClient, kServer };

// Certificates, keys and settings shared by many sessions; TLS 1.2 or later. Immutable once
// built, so thread-safe: copies are cheap handles sharing one OpenSSL context, and sessions on
// several threads may be made from it at once.
class Context {
  public:
    // A server's PEM certificate (chain) and private key; throws TlsError naming the file when
    // one cannot be read or the key does not match the certificate.
    static Context server(const std::string& cert_file, const std::string& key_file);
    // A client's trust settings; throws TlsError when ca_file cannot be loaded.
    static Context client(const ClientOptions& options);

    [[nodiscard]] Role role() const;
    // Whether sessions check the peer's certificate and name (a client with verify = true).
    [[nodiscard]] bool verifies() const;

  private:
    struct Impl;  // the OpenSSL context, defined by the implementation
    explicit Context(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
    friend class Session;
};

// What Session::pump() achieved. In every case, send take_output() to the peer next.
enum class Status {
    kOk,        // the handshake completed, or plaintext was appended, in this call
    kWantMore,  // neither: feed() more ciphertext from the peer
    kClosed,    // the peer sent close_notify (plaintext before it was appended first)
    kFailed,    // handshake or record error: error() says why; the connection must go
};

// One TLS connection, sans-I/O: bytes from the peer go in with feed(), pump() runs the handshake
// and decrypts, write() encrypts, and take_output() gives the ciphertext to send (handshake
// records and alerts included). No socket inside, only memory buffers. Not thread-safe: owned by
// one connection on one thread. A moved-from Session may only be destroyed or assigned to.
class Session {
  public:
    // For a client, `server_name` is sent as SNI (unless it is an IP address) and, when the
    // context verifies, checked against the certificate (then it must not be empty). Ignored
    // for a server. Throws TlsError when `role` is not the context's.
    Session(const Context& context, Role role, std::string server_name = {});
    // The same, in the context's own role.
    explicit Session(const Context& context, std::string server_name = {});
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    // Bytes received from the peer, in order; ignored once failed or closed.
    void feed(std::string_view ciphertext);
    // Drives the handshake and appends every byte that can be decrypted to `plaintext`.
    Status pump(Buffer& plaintext);
    // Encrypts `plaintext`; before the handshake completes it is queued and sent right after.
    // Dropped once failed() or after close().
    void write(std::string_view plaintext);
    // Moves the pending ciphertext to `out`; false when there was none.
    bool take_output(Buffer& out);
    [[nodiscard]] std::string take_output();
    // Queues close_notify after everything written so far (after the handshake if it is not
    // done yet). Does not wait for the peer's.
    void close();

    [[nodiscard]] bool handshake_done() const;
    [[nodiscard]] bool failed() const;
    // One line on why it failed ("wrong version number"); empty unless failed().
    [[nodiscard]] const std::string& error() const;
    // The peer sent close_notify.
    [[nodiscard]] bool peer_closed() const;
    // "TLSv1.3 TLS_AES_256_GCM_SHA384", for a Received: header; empty before the handshake.
    [[nodiscard]] std::string description() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// A Session over a connected socket, for blocking clients: every call waits with poll() up to
// a deadline on the monotonic clock. Works on blocking and non-blocking sockets alike (sends
// never block past the deadline). Throws TlsError when TLS fails or the peer closes mid-way,
// std::system_error with ETIMEDOUT when the deadline passes, and std::system_error for socket
// errors. Doesn't own the descriptor. Not thread-safe: one thread at a time.
class BlockingStream {
  public:
    // `already_received`: ciphertext the caller read from `fd` before handing it over (a server
    // whose client pipelined its ClientHello behind STARTTLS). A client passes nothing: plaintext
    // buffered after the 220 to STARTTLS is an injection (CVE-2011-0411) and must be dropped.
    BlockingStream(int fd, Session session, std::string_view already_received = {});

    void handshake(const Deadline& deadline);
    // Appends at least one byte of plaintext to `into` and returns how many; 0 when the peer
    // sent close_notify. A peer closing the socket without close_notify throws TlsError.
    std::size_t read_some(Buffer& into, const Deadline& deadline);
    // Encrypts and sends every byte (running the handshake first if it is not done). Does not
    // read meanwhile: the peer must not be blocked writing to us (true of SMTP's turns).
    void write_all(std::string_view plaintext, const Deadline& deadline);
    // Sends close_notify; does not wait for the peer's.
    void close(const Deadline& deadline);

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] Session& session() { return session_; }
    [[nodiscard]] const Session& session() const { return session_; }

  private:
    Status pump(Buffer& plaintext);
    // Sends everything the session has for the peer.
    void flush(const Deadline& deadline, const char* doing);
    // Waits for one read's worth of ciphertext and feeds it to the session.
    void receive(const Deadline& deadline, const char* doing);
    // Sends the session's alert if the socket takes it at once, then throws its error.
    [[noreturn]] void fail();

    int fd_;
    Session session_;
    Buffer plaintext_;  // decrypted while handshaking or writing, not yet read
    Buffer incoming_;   // one read's worth of ciphertext on its way to the session
    Buffer outgoing_;   // ciphertext the socket has not taken yet
};

}  // namespace net::tls
