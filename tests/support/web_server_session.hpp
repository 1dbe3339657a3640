// Shortcuts for web_server tests: start it on a StaticSite, and talk HTTP to it with a deadline.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/static_site.hpp"

namespace net::test {

// One exchange on loopback; generous for sanitizer builds.
inline constexpr std::chrono::seconds kWebIo{20};

// web_server serving `site`, on -p 0, with `args` after "-r ROOT".
ServerProcess start_web_server(const StaticSite& site, std::vector<std::string> args = {});
// A kept-alive connection to it.
HttpConnection connect_to(const ServerProcess& server);
// One request on a fresh connection; `head_request` when the response has no body to read.
HttpResponse fetch(const ServerProcess& server, std::string_view request,
                   bool head_request = false);
// GET `target` with extra header `fields` ("Name: value\r\n"...).
HttpResponse get(const ServerProcess& server, std::string_view target,
                 std::string_view fields = {});

}  // namespace net::test
