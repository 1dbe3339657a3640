// TLS when the build has no OpenSSL (or -DTOPDOWN_TLS=OFF): every entry point says so. No
// Context or Session can be made, so the members past the constructors are never reached.
#include "common/tls.hpp"

namespace net::tls {
namespace {

[[noreturn]] void unavailable() {
    throw TlsError("built without OpenSSL: TLS is not available (install libssl-dev and rebuild)");
}

}  // namespace

struct Context::Impl {};
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
Role Context::role() const {
    unavailable();
}
bool Context::verifies() const {
    unavailable();
}

Session::Session(const Context&, Role, std::string) {
    unavailable();
}
Session::Session(const Context&, std::string) {
    unavailable();
}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void Session::feed(std::string_view) {
    unavailable();
}
Status Session::pump(Buffer&) {
    unavailable();
}
void Session::write(std::string_view) {
    unavailable();
}
bool Session::take_output(Buffer&) {
    unavailable();
}
std::string Session::take_output() {
    unavailable();
}
void Session::close() {
    unavailable();
}
bool Session::handshake_done() const {
    unavailable();
}
bool Session::failed() const {
    unavailable();
}
const std::string& Session::error() const {
    unavailable();
}
bool Session::peer_closed() const {
    unavailable();
}
std::string Session::description() const {
    unavailable();
}

BlockingStream::BlockingStream(int fd, Session session, std::string_view)
    : fd_(fd), session_(std::move(session)) {
    unavailable();
}
void BlockingStream::handshake(const Deadline&) {
    unavailable();
}
std::size_t BlockingStream::read_some(Buffer&, const Deadline&) {
    unavailable();
}
void BlockingStream::write_all(std::string_view, const Deadline&) {
    unavailable();
}
void BlockingStream::close(const Deadline&) {
    unavailable();
}

}  // namespace net::tls
