// Self-signed certificates made at test time with OpenSSL, so no key material lives in the
// repository and nothing expires in it.
#pragma once

#include <filesystem>
#include <string>

namespace net::test {

// PEM files of a certificate and its private key.
struct TestCertificate {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
};

// Makes a fresh P-256 key and a self-signed certificate for `host_name` (subject CN and
// subjectAltName DNS:host_name, IP:127.0.0.1, IP:::1; valid from an hour ago for a day) and
// writes them into `directory` as <host_name>.crt.pem and <host_name>.key.pem. A client that
// trusts cert_file (ClientOptions::ca_file) accepts it. Throws std::runtime_error on failure,
// and always when the build has no OpenSSL (check net::tls::available() first).
TestCertificate make_test_certificate(const std::filesystem::path& directory,
                                      const std::string& host_name);

}  // namespace net::test
