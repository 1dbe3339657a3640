// Attacks on an HTTP server that web_server's and web_proxy's robustness tests share: bytes no
// client should send, and clients that reset in the middle of a large response.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/robustness.hpp"

namespace net::test {

// What a bad input must get instead of a status code.
inline constexpr int kClosedWithoutAnswer = 0;
inline constexpr int kAnyErrorStatus = -1;

// Bytes no client should send, and what they must get.
struct BadInput {
    std::string name;
    std::string bytes;
    int status;              // the status expected, kClosedWithoutAnswer or kAnyErrorStatus
    bool cut_short = false;  // the client's FIN follows the bytes
};

// 1 MiB request line (414), 1 MiB header line (431), 1 MiB without a line end (414), a head cut
// short by the client's FIN (closed without an answer), and 20 KiB of noise for 20 seeds (any
// error status). `origin` goes before each target's path: "" for a server, "http://host:port" for
// a proxy.
std::vector<BadInput> bad_http_inputs(std::string_view origin);

// Sends each input on a new connection to host:port and reads until the server closes: each must
// be answered with its error or closed, never left hanging. Stops with a fatal failure when an
// error status was expected and no response head came (check with ASSERT_NO_FATAL_FAILURE).
void expect_each_error_or_close(const std::string& host, std::uint16_t port,
                                const std::vector<BadInput>& inputs);

// `clients` connections from `connect` each send `request` (for a large response), read the 200
// head and 64 KiB of the body, then reset. Expects process `pid` back to the descriptors it had
// before within 10 s; `counts` gets the figures for the report. A fatal failure when its
// descriptors cannot be counted (check with ASSERT_NO_FATAL_FAILURE).
void expect_resets_mid_response_leave_no_descriptor(pid_t pid, int clients,
                                                    const std::function<HttpConnection()>& connect,
                                                    std::string_view request,
                                                    DescriptorCounts& counts);

}  // namespace net::test
