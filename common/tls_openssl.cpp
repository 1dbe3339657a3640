// TLS over OpenSSL with memory BIOs: the socket never reaches OpenSSL, only bytes do.
#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "common/fd.hpp"
#include "common/tls.hpp"

namespace net::tls {
namespace {

constexpr std::size_t kMaxIoBytes = INT_MAX;         // OpenSSL counts bytes in an int
constexpr std::size_t kRecordBytes = 16 * 1024;      // the most plaintext one record holds
constexpr std::size_t kWriteSlice = 256 * 1024;      // BlockingStream encrypts this much a time
constexpr std::size_t kKeepBufferBytes = 64 * 1024;  // what an idle buffer may hold on to

// unique_ptr deleters that call OpenSSL's free functions.
template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<&SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<&SSL_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free>>;

int clamp_io(std::size_t bytes) {
    return static_cast<int>(std::min(bytes, kMaxIoBytes));
}

// The reason of the oldest queued OpenSSL error ("wrong version number"), or `fallback` when
// there is none; empties this thread's error queue.
std::string take_openssl_error(std::string_view fallback) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return std::string(fallback);
    if (const char* reason = ERR_reason_error_string(code)) return reason;
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    return text.data();
}

// OpenSSL's own messages for a missing file are vague ("system lib", "no start line"): check
// first, so the error reads "cannot read certificate cert.pem: No such file or directory".
void check_readable(const std::string& what, const std::string& path) {
    const Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    int error = file ? 0 : errno;
    struct stat status {};
    if (error == 0 && ::fstat(file.get(), &status) == 0 && S_ISDIR(status.st_mode)) error = EISDIR;
    if (error != 0) {
        throw TlsError("cannot read " + what + " " + path + ": " +
                       std::generic_category().message(error));
    }
}

SslCtxPtr new_context(const SSL_METHOD* method) {
    ERR_clear_error();
    SslCtxPtr context(SSL_CTX_new(method));
    if (!context) throw TlsError("cannot create a TLS context: " + take_openssl_error("?"));
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    // TLS 1.2 renegotiation is the one way SSL_write could need to read first; nobody needs it.
    SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION);
    // A write OpenSSL could not finish is retried from Session's queue, which may have moved.
    SSL_CTX_set_mode(context.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return context;
}

bool is_ip_address(const std::string& name) {
    std::array<unsigned char, 16> address{};
    return ::inet_pton(AF_INET, name.c_str(), address.data()) == 1 ||
           ::inet_pton(AF_INET6, name.c_str(), address.data()) == 1;
}

bool is_key_mismatch(unsigned long code) {
    return ERR_GET_LIB(code) == ERR_LIB_X509 &&
           (ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH ||
            ERR_GET_REASON(code) == X509_R_KEY_TYPE_MISMATCH);
}

// SSL_get_error() outcomes that only mean "feed more ciphertext" (a memory BIO never fills up,
// so WANT_WRITE does not happen; it is here for completeness).
bool wants_io(int reason) {
    return reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE;
}

[[noreturn]] void throw_timeout(const char* doing) {
    throw std::system_error(ETIMEDOUT, std::generic_category(), doing);
}

// One send() that never blocks, whatever the socket's mode: a blocking send() waits until every
// byte is queued, past any deadline.
IoResult send_now(int fd, std::string_view bytes) {
    return retry_io(IoDirection::kWrite, [&] {
        return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    });
}

}  // namespace

bool available() {
    return true;
}

struct Context::Impl {
    SslCtxPtr context;
    Role role = Role::kClient;
    bool verify = false;
};

Role Context::role() const {
    return impl_->role;
}
bool Context::verifies() const {
    return impl_->verify;
}

Context Context::server(const std::string& cert_file, const std::string& key_file) {
    check_readable("certificate", cert_file);
    check_readable("private key", key_file);
    auto impl = std::make_shared<Impl>();
    impl->context = new_context(TLS_server_method());
    impl->role = Role::kServer;
    SSL_CTX* ctx = impl->context.get();
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
        throw TlsError("cannot load certificate " + cert_file + ": " +
                       take_openssl_error("not a PEM certificate"));
    }
    const bool loaded = SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) == 1;
    if (!loaded && !is_key_mismatch(ERR_peek_error())) {
        throw TlsError("cannot load private key " + key_file + ": " +
                       take_openssl_error("not a PEM private key"));
    }
    // Loading the key compares it with the certificate already; the explicit check says so.
    if (!loaded || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        throw TlsError("private key " + key_file + " does not match certificate " + cert_file);
    }
    return Context(std::move(impl));
}

Context Context::client(const ClientOptions& options) {
    auto impl = std::make_shared<Impl>();
    impl->context = new_context(TLS_client_method());
    impl->role = Role::kClient;
    impl->verify = options.verify;
    SSL_CTX* ctx = impl->context.get();
    if (options.verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (options.ca_file.empty()) {
            if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
                throw TlsError("cannot load the system's CA store: " + take_openssl_error("?"));
            }
        } else {
            check_readable("CA file", options.ca_file);
            if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
                throw TlsError("cannot load CA file " + options.ca_file + ": " +
                               take_openssl_error("no PEM certificate in it"));
            }
        }
    }
    return Context(std::move(impl));
}

struct Session::State {
    SslPtr ssl;
    BIO* in = nullptr;   // owned by ssl: ciphertext from the peer
    BIO* out = nullptr;  // owned by ssl: ciphertext for the peer
    Buffer unsent;       // plaintext written before the handshake completed
    std::string server_name;
    std::string error;
    bool failed = false;
    bool peer_closed = false;
    bool close_requested = false;  // close() was called: close_notify after `unsent`
    bool close_sent = false;

    // Records why the session failed from OpenSSL's error queue; certificate problems get the
    // verifier's own reason ("hostname mismatch") instead of a generic one.
    Status fail(std::string_view fallback) {
        const unsigned long code = ERR_peek_error();
        if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
            ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
            ERR_clear_error();
            const long result = SSL_get_verify_result(ssl.get());
            error =
                std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
            if (result == X509_V_ERR_HOSTNAME_MISMATCH ||
                result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
                error += " (server name " + server_name + ")";
            }
        } else {
            error = take_openssl_error(fallback);
        }
        failed = true;
        return Status::kFailed;
    }

    // Encrypts as much of `plaintext` as OpenSSL takes now (all of it, unless it must read
    // first); nullopt when it failed.
    std::optional<std::size_t> encrypt(std::string_view plaintext) {
        std::size_t done = 0;
        while (done < plaintext.size()) {
            ERR_clear_error();
            const int n =
                SSL_write(ssl.get(), plaintext.data() + done, clamp_io(plaintext.size() - done));
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (wants_io(SSL_get_error(ssl.get(), n))) break;
            fail("TLS write failed");
            return std::nullopt;
        }
        return done;
    }

    // Once the handshake is done: sends what was queued, then close_notify if it was asked for.
    bool send_queued() {
        if (failed) return false;
        if (SSL_is_init_finished(ssl.get()) != 1) return true;
        if (!unsent.empty()) {
            const auto done = encrypt(unsent.view());
            if (!done) return false;
            unsent.consume(*done);
            unsent.shrink_if_empty(kKeepBufferBytes);
            if (!unsent.empty()) return true;  // retried after the next read
        }
        if (close_requested && !close_sent) {
            close_sent = true;
            ERR_clear_error();
            SSL_shutdown(ssl.get());  // queues our close_notify; the peer's may come later
            ERR_clear_error();
        }
        return true;
    }
};

Session::Session(const Context& context, Role role, std::string server_name)
    : state_(std::make_unique<State>()) {
    const Context::Impl& impl = *context.impl_;
    if (role != impl.role) {
        throw TlsError(role == Role::kServer
                           ? "a TLS server session needs a server context (certificate and key)"
                           : "a TLS client session needs a client context");
    }
    const bool client = role == Role::kClient;
    if (client && impl.verify && server_name.empty()) {
        throw TlsError("cannot verify a TLS server without its name (or turn verification off)");
    }
    ERR_clear_error();
    SslPtr ssl(SSL_new(impl.context.get()));
    BioPtr in(BIO_new(BIO_s_mem()));
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!ssl || !in || !out) {
        throw TlsError("cannot create a TLS session: " + take_openssl_error("out of memory"));
    }
    BIO_set_mem_eof_return(in.get(), -1);  // no input yet means "wait for more", not EOF
    state_->in = in.get();
    state_->out = out.get();
    SSL_set_bio(ssl.get(), in.release(), out.release());
    if (!client) {
        SSL_set_accept_state(ssl.get());
    } else {
        SSL_set_connect_state(ssl.get());
        const bool ip = is_ip_address(server_name);
        // RFC 6066 3: SNI carries host names only, never address literals.
        if (!server_name.empty() && !ip &&
            SSL_set_tlsext_host_name(ssl.get(), server_name.c_str()) != 1) {
            throw TlsError("invalid TLS server name " + server_name);
        }
        if (impl.verify) {
            int set = 0;
            if (ip) {
                set = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), server_name.c_str());
            } else {
                SSL_set_hostflags(ssl.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                set = SSL_set1_host(ssl.get(), server_name.c_str());
            }
            if (set != 1) throw TlsError("invalid TLS server name " + server_name);
        }
    }
    ERR_clear_error();
    state_->ssl = std::move(ssl);
    state_->server_name = std::move(server_name);
}

Session::Session(const Context& context, std::string server_name)
    : Session(context, context.role(), std::move(server_name)) {}

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void Session::feed(std::string_view ciphertext) {
    State& s = *state_;
    if (s.failed || s.peer_closed) return;
    while (!ciphertext.empty()) {
        const int n = BIO_write(s.in, ciphertext.data(), clamp_io(ciphertext.size()));
        if (n <= 0) {
            s.fail("out of memory for incoming TLS records");
            return;
        }
        ciphertext.remove_prefix(static_cast<std::size_t>(n));
    }
}

Status Session::pump(Buffer& plaintext) {
    State& s = *state_;
    if (s.failed) return Status::kFailed;
    if (s.peer_closed) return Status::kClosed;
    SSL* ssl = s.ssl.get();
    bool progress = false;
    if (SSL_is_init_finished(ssl) != 1) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl);
        if (r != 1) {
            if (wants_io(SSL_get_error(ssl, r))) return Status::kWantMore;
            return s.fail("TLS handshake failed");
        }
        progress = true;
    }
    if (!s.send_queued()) return Status::kFailed;
    // Every complete record in the input, so a caller never waits on the socket for bytes that
    // are already here.
    for (;;) {
        plaintext.ensure_writable(kRecordBytes);
        const auto space = plaintext.writable_span();
        ERR_clear_error();
        const int n = SSL_read(ssl, space.data(), clamp_io(space.size()));
        if (n > 0) {
            plaintext.commit(static_cast<std::size_t>(n));
            progress = true;
            continue;
        }
        const int reason = SSL_get_error(ssl, n);
        if (wants_io(reason)) break;
        if (reason == SSL_ERROR_ZERO_RETURN) {
            s.peer_closed = true;
            return Status::kClosed;
        }
        return s.fail("TLS read failed");
    }
    if (!s.send_queued()) return Status::kFailed;
    return progress ? Status::kOk : Status::kWantMore;
}

void Session::write(std::string_view plaintext) {
    State& s = *state_;
    if (s.failed || s.close_requested || plaintext.empty()) return;
    if (!s.unsent.empty() || SSL_is_init_finished(s.ssl.get()) != 1) {
        s.unsent.append(plaintext);  // keeps the order behind what is already waiting
        s.send_queued();
        return;
    }
    const auto done = s.encrypt(plaintext);
    if (done && *done < plaintext.size()) s.unsent.append(plaintext.substr(*done));
}

bool Session::take_output(Buffer& out) {
    bool any = false;
    for (;;) {
        const std::size_t pending = BIO_ctrl_pending(state_->out);
        if (pending == 0) return any;
        out.ensure_writable(std::min(pending, kMaxIoBytes));
        const int n = BIO_read(state_->out, out.writable_span().data(), clamp_io(pending));
        if (n <= 0) return any;
        out.commit(static_cast<std::size_t>(n));
        any = true;
    }
}

std::string Session::take_output() {
    std::string out;
    for (;;) {
        const std::size_t pending = BIO_ctrl_pending(state_->out);
        if (pending == 0) return out;
        const std::size_t old_size = out.size();
        out.resize(old_size + std::min(pending, kMaxIoBytes));
        const int n = BIO_read(state_->out, out.data() + old_size, clamp_io(pending));
        out.resize(old_size + static_cast<std::size_t>(std::max(n, 0)));
        if (n <= 0) return out;
    }
}

void Session::close() {
    State& s = *state_;
    if (s.failed || s.close_requested) return;
    s.close_requested = true;
    s.send_queued();
}

bool Session::handshake_done() const {
    return SSL_is_init_finished(state_->ssl.get()) == 1;
}
bool Session::failed() const {
    return state_->failed;
}
const std::string& Session::error() const {
    return state_->error;
}
bool Session::peer_closed() const {
    return state_->peer_closed;
}

std::string Session::description() const {
    if (!handshake_done()) return {};
    std::string text = SSL_get_version(state_->ssl.get());
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(state_->ssl.get())) {
        text += ' ';
        text += SSL_CIPHER_get_name(cipher);
    }
    return text;
}

BlockingStream::BlockingStream(int fd, Session session, std::string_view already_received)
    : fd_(fd), session_(std::move(session)) {
    session_.feed(already_received);
}

void BlockingStream::handshake(const Deadline& deadline) {
    for (;;) {
        pump(plaintext_);  // the server may send right behind its last handshake record
        flush(deadline, "TLS handshake");
        if (session_.handshake_done()) return;
        receive(deadline, "TLS handshake");
    }
}

std::size_t BlockingStream::read_some(Buffer& into, const Deadline& deadline) {
    if (!session_.handshake_done()) handshake(deadline);
    if (!plaintext_.empty()) {
        const std::size_t n = plaintext_.readable_bytes();
        into.append(plaintext_.view());
        plaintext_.consume_all();
        plaintext_.shrink_if_empty(kKeepBufferBytes);
        return n;
    }
    for (;;) {
        const std::size_t before = into.readable_bytes();
        const Status status = pump(into);
        flush(deadline, "TLS read");  // e.g. our answer to a TLS 1.3 KeyUpdate
        const std::size_t got = into.readable_bytes() - before;
        if (got > 0 || status == Status::kClosed) return got;
        receive(deadline, "TLS read");
    }
}

void BlockingStream::write_all(std::string_view plaintext, const Deadline& deadline) {
    if (!session_.handshake_done()) handshake(deadline);
    // A slice at a time, so a large message is not held twice in memory (plain and encrypted).
    while (!plaintext.empty()) {
        const std::string_view slice = plaintext.substr(0, kWriteSlice);
        session_.write(slice);
        if (session_.failed()) fail();
        flush(deadline, "TLS write");
        plaintext.remove_prefix(slice.size());
    }
}

void BlockingStream::close(const Deadline& deadline) {
    session_.close();
    flush(deadline, "TLS close");
}

Status BlockingStream::pump(Buffer& plaintext) {
    const Status status = session_.pump(plaintext);
    if (status == Status::kFailed) fail();
    return status;
}

void BlockingStream::flush(const Deadline& deadline, const char* doing) {
    session_.take_output(outgoing_);
    while (!outgoing_.empty()) {
        const IoResult result = send_now(fd_, outgoing_.view());
        if (result.status == IoStatus::kOk) {
            outgoing_.consume(result.bytes);
        } else if (result.status == IoStatus::kWouldBlock) {
            if (!wait_writable(fd_, deadline)) throw_timeout(doing);
        } else {
            throw std::system_error(result.error, std::generic_category(), doing);
        }
    }
    outgoing_.shrink_if_empty(kKeepBufferBytes);
}

void BlockingStream::receive(const Deadline& deadline, const char* doing) {
    if (!wait_readable(fd_, deadline)) throw_timeout(doing);
    const IoResult result = net::read_into(incoming_, fd_);
    switch (result.status) {
        case IoStatus::kOk:
            session_.feed(incoming_.view());
            incoming_.consume_all();
            return;
        case IoStatus::kWouldBlock:  // woken for nothing: the caller pumps and waits again
            return;
        case IoStatus::kClosed:
            throw TlsError(std::string(doing) +
                           ": connection closed by the peer without TLS close_notify");
        case IoStatus::kError:
            throw std::system_error(result.error, std::generic_category(), doing);
    }
}

void BlockingStream::fail() {
    // Best effort: the alert tells the peer why, but our own error is what matters.
    session_.take_output(outgoing_);
    if (!outgoing_.empty()) (void)send_now(fd_, outgoing_.view());
    outgoing_.consume_all();
    throw TlsError(session_.error());
}

}  // namespace net::tls
