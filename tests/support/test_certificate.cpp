// Self-signed test certificates through the OpenSSL API (what `openssl req -x509` does).
#include "tests/support/test_certificate.hpp"

#include <stdexcept>

#ifdef TOPDOWN_TEST_HAVE_OPENSSL
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#endif

namespace net::test {

#ifdef TOPDOWN_TEST_HAVE_OPENSSL
namespace {

constexpr long kValidBeforeSeconds = 60 * 60;    // an hour of clock skew is fine
constexpr long kValidForSeconds = 24 * 60 * 60;  // longer than any test run

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<&X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free>>;

[[noreturn]] void fail(const std::string& what) {
    std::array<char, 256> reason{};
    ERR_error_string_n(ERR_get_error(), reason.data(), reason.size());
    ERR_clear_error();
    throw std::runtime_error("make_test_certificate: " + what + ": " + reason.data());
}

void add_extension(X509* cert, X509V3_CTX* context, int nid, const std::string& value) {
    const ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str()));
    if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) fail("extension " + value);
}

void write_pem(const std::filesystem::path& path, const auto& write) {
    const BioPtr file(BIO_new_file(path.c_str(), "w"));
    if (!file || write(file.get()) != 1) fail("cannot write " + path.string());
}

}  // namespace

TestCertificate make_test_certificate(const std::filesystem::path& directory,
                                      const std::string& host_name) {
    ERR_clear_error();
    const KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) fail("P-256 key");

    const CertPtr cert(X509_new());
    if (!cert) fail("X509_new");
    X509_set_version(cert.get(), X509_VERSION_3);
    // A random serial: two certificates for one name must not look like the same one.
    std::random_device random;
    const std::uint64_t serial = (std::uint64_t{random()} << 31) ^ random();
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kValidBeforeSeconds);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidForSeconds);
    X509_set_pubkey(cert.get(), key.get());

    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(host_name.c_str());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1) fail("CN");
    X509_set_issuer_name(cert.get(), name);  // self-signed: it is its own issuer

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), &context, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), &context, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), &context, NID_subject_alt_name,
                  "DNS:" + host_name + ",IP:127.0.0.1,IP:::1");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("X509_sign");

    TestCertificate files{directory / (host_name + ".crt.pem"),
                          directory / (host_name + ".key.pem")};
    write_pem(files.cert_file, [&](BIO* out) { return PEM_write_bio_X509(out, cert.get()); });
    write_pem(files.key_file, [&](BIO* out) {
        return PEM_write_bio_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    return files;
}

#else

TestCertificate make_test_certificate(const std::filesystem::path&, const std::string&) {
    throw std::runtime_error("make_test_certificate: built without OpenSSL");
}

#endif

}  // namespace net::test
