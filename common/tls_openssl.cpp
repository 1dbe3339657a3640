// TLS over OpenSSL with memory BIOs: the socket never reaches OpenSSL, only bytes do.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "common/tls.hpp"

namespace net::tls {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;  // one TLS record's worth of plaintext

// The reason of the oldest queued OpenSSL error ("wrong version number"), or `fallback`.
std::string openssl_reason(std::string_view fallback) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return std::string(fallback);
    if (const char* reason = ERR_reason_error_string(code)) return reason;
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    return text.data();
}

// A readable file, or a TlsError naming it and errno ("No such file or directory").
void check_readable(const std::string& what, const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "r");
    if (file == nullptr) {
        throw TlsError("cannot read " + what + " " + path + ": " + std::strerror(errno));
    }
    std::fclose(file);
}

std::shared_ptr<void> new_context(const SSL_METHOD* method) {
    SSL_CTX* raw = SSL_CTX_new(method);
    if (raw == nullptr) throw TlsError("cannot create a TLS context: " + openssl_reason("?"));
    std::shared_ptr<void> context(raw, [](void* p) { SSL_CTX_free(static_cast<SSL_CTX*>(p)); });
    SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
    return context;
}

bool is_ip_address(const std::string& name) {
    std::array<unsigned char, 16> address{};
    return ::inet_pton(AF_INET, name.c_str(), address.data()) == 1 ||
           ::inet_pton(AF_INET6, name.c_str(), address.data()) == 1;
}

}  // namespace

bool available() {
    return true;
}

Context Context::server(const std::string& cert_file, const std::string& key_file) {
    check_readable("certificate", cert_file);
    check_readable("private key", key_file);
    auto context = new_context(TLS_server_method());
    auto* ctx = static_cast<SSL_CTX*>(context.get());
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
        throw TlsError("cannot load certificate " + cert_file + ": " + openssl_reason("not PEM"));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        throw TlsError("cannot load private key " + key_file + ": " + openssl_reason("not PEM"));
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        throw TlsError("private key " + key_file + " does not match certificate " + cert_file);
    }
    return Context(std::move(context), Role::kServer, false);
}

Context Context::client(const ClientOptions& options) {
    auto context = new_context(TLS_client_method());
    auto* ctx = static_cast<SSL_CTX*>(context.get());
    ERR_clear_error();
    if (options.verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (options.ca_file.empty()) {
            if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
                throw TlsError("cannot load the system's CA store: " + openssl_reason("?"));
            }
        } else {
            check_readable("CA file", options.ca_file);
            if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
                throw TlsError("cannot load CA file " + options.ca_file + ": " +
                               openssl_reason("not PEM"));
            }
        }
    }
    return Context(std::move(context), Role::kClient, options.verify);
}

struct Session::State {
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{nullptr, SSL_free};
    BIO* in = nullptr;   // owned by ssl: ciphertext from the peer
    BIO* out = nullptr;  // owned by ssl: ciphertext for the peer
    std::string early;   // plaintext written before the handshake completed
    std::string error;
    bool failed = false;
    bool closed = false;

    Status fail(std::string_view fallback) {
        failed = true;
        const long verify = SSL_get_verify_result(ssl.get());
        if (verify != X509_V_OK) {
            ERR_clear_error();
            error =
                std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
        } else {
            error = openssl_reason(fallback);
        }
        return Status::kFailed;
    }

    bool write_now(std::string_view plaintext) {
        while (!plaintext.empty()) {
            ERR_clear_error();
            const int chunk = static_cast<int>(std::min<std::size_t>(plaintext.size(), INT_MAX));
            const int n = SSL_write(ssl.get(), plaintext.data(), chunk);
            if (n <= 0) {
                fail("write failed");
                return false;
            }
            plaintext.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
};

Session::Session(const Context& context, std::string server_name)
    : state_(std::make_unique<State>()) {
    auto* ctx = static_cast<SSL_CTX*>(context.native());
    state_->ssl.reset(SSL_new(ctx));
    if (!state_->ssl) throw TlsError("cannot create a TLS session: " + openssl_reason("?"));
    SSL* ssl = state_->ssl.get();
    state_->in = BIO_new(BIO_s_mem());
    state_->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(state_->in, -1);  // an empty input means "wait", not "EOF"
    SSL_set_bio(ssl, state_->in, state_->out);
    if (context.role() == Role::kServer) {
        SSL_set_accept_state(ssl);
        return;
    }
    SSL_set_connect_state(ssl);
    if (server_name.empty()) return;
    if (!is_ip_address(server_name)) SSL_set_tlsext_host_name(ssl, server_name.c_str());
    if (!context.verifies()) return;
    if (is_ip_address(server_name)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str());
    } else {
        SSL_set1_host(ssl, server_name.c_str());
    }
}

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void Session::feed(std::string_view ciphertext) {
    while (!ciphertext.empty()) {
        const int chunk = static_cast<int>(std::min<std::size_t>(ciphertext.size(), INT_MAX));
        const int n = BIO_write(state_->in, ciphertext.data(), chunk);
        if (n <= 0) return;
        ciphertext.remove_prefix(static_cast<std::size_t>(n));
    }
}

Status Session::pump(Buffer& plaintext) {
    State& s = *state_;
    if (s.failed) return Status::kFailed;
    if (s.closed) return Status::kClosed;
    SSL* ssl = s.ssl.get();
    if (!SSL_is_init_finished(ssl)) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl);
        if (r != 1) {
            const int reason = SSL_get_error(ssl, r);
            if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return Status::kOk;
            return s.fail("handshake failed");
        }
        if (!s.early.empty() && !s.write_now(std::exchange(s.early, {}))) return Status::kFailed;
    }
    while (true) {
        plaintext.ensure_writable(kReadChunk);
        const auto space = plaintext.writable_span();
        ERR_clear_error();
        const int n = SSL_read(ssl, space.data(),
                               static_cast<int>(std::min<std::size_t>(space.size(), INT_MAX)));
        if (n > 0) {
            plaintext.commit(static_cast<std::size_t>(n));
            continue;
        }
        const int reason = SSL_get_error(ssl, n);
        if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return Status::kOk;
        if (reason == SSL_ERROR_ZERO_RETURN) {
            s.closed = true;
            return Status::kClosed;
        }
        return s.fail("read failed");
    }
}

void Session::write(std::string_view plaintext) {
    State& s = *state_;
    if (s.failed) return;
    if (!SSL_is_init_finished(s.ssl.get())) {
        s.early.append(plaintext);
        return;
    }
    s.write_now(plaintext);
}

bool Session::take_output(Buffer& out) {
    const std::size_t pending = BIO_ctrl_pending(state_->out);
    if (pending == 0) return false;
    out.ensure_writable(pending);
    const int n = BIO_read(state_->out, out.writable_span().data(), static_cast<int>(pending));
    if (n <= 0) return false;
    out.commit(static_cast<std::size_t>(n));
    return true;
}

void Session::close() {
    if (state_->failed || !SSL_is_init_finished(state_->ssl.get())) return;
    ERR_clear_error();
    SSL_shutdown(state_->ssl.get());
    ERR_clear_error();
}

bool Session::handshake_done() const {
    return SSL_is_init_finished(state_->ssl.get()) == 1;
}
bool Session::failed() const {
    return state_->failed;
}
bool Session::peer_closed() const {
    return state_->closed;
}
const std::string& Session::error() const {
    return state_->error;
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

}  // namespace net::tls
