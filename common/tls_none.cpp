// TLS when the build has no OpenSSL: everything says so.
#include "common/tls.hpp"

namespace net::tls {
namespace {

[[noreturn]] void unavailable() {
    throw TlsError("built without OpenSSL: TLS is not available (install libssl-dev and rebuild)");
}

}  // namespace

struct Session::State {};

bool available() {
    return false;
}
Context Context::server(const std::string&, const std::string&) {
    unavailable();
}
Context Context::client(const ClientOptions&) {
    unavailable();
}

Session::Session(const Context&, std::string) {
    unavailable();
}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;
void Session::feed(std::string_view) {}
Status Session::pump(Buffer&) {
    return Status::kFailed;
}
void Session::write(std::string_view) {}
bool Session::take_output(Buffer&) {
    return false;
}
void Session::close() {}
bool Session::handshake_done() const {
    return false;
}
bool Session::failed() const {
    return true;
}
bool Session::peer_closed() const {
    return false;
}
const std::string& Session::error() const {
    static const std::string kError = "built without OpenSSL";
    return kError;
}
std::string Session::description() const {
    return {};
}

}  // namespace net::tls
