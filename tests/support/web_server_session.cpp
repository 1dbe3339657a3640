// Shortcuts for web_server tests.
#include "tests/support/web_server_session.hpp"

#include <utility>

#include "tests/support/deadline.hpp"

namespace net::test {

ServerProcess start_web_server(const StaticSite& site, std::vector<std::string> args) {
    args.insert(args.begin(), {"-r", site.root().string()});
    return ServerProcess::start("web_server", std::move(args));
}

HttpConnection connect_to(const ServerProcess& server) {
    return HttpConnection::open(server.connect_host(), server.port(), Deadline(kWebIo));
}

HttpResponse fetch(const ServerProcess& server, std::string_view request, bool head_request) {
    return http_exchange(server.connect_host(), server.port(), request, Deadline(kWebIo),
                         head_request);
}

HttpResponse get(const ServerProcess& server, std::string_view target, std::string_view fields) {
    return fetch(server, http_request("GET", target, fields));
}

}  // namespace net::test
