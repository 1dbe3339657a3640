// Bad inputs and mid-response resets for HTTP servers, checked with gtest's EXPECTs.
#include "tests/support/http_attacks.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>

#include "tests/support/socket_client.hpp"
#include "tests/support/static_site.hpp"

namespace net::test {
namespace {

constexpr auto kIo = std::chrono::seconds(20);  // one exchange on loopback
constexpr std::size_t kMiB = 1024 * 1024;

// One input of expect_each_error_or_close.
void expect_error_or_close(const std::string& host, std::uint16_t port, const BadInput& input) {
    Fd fd = connect_tcp(host, port, Deadline(kIo));
    Received got;
    if (input.cut_short) {
        send_all(fd.get(), input.bytes, Deadline(kIo));
        shutdown_write(fd.get());
        got = recv_until_eof(fd.get(), Deadline(kIo));
    } else {
        // The server may answer and close before it has all: read while sending.
        got = send_and_receive_to_eof(fd.get(), input.bytes, Deadline(kIo));
    }
    EXPECT_NE(got.end, StreamEnd::kTimeout) << "neither answered nor closed";
    if (input.status == kClosedWithoutAnswer) {
        EXPECT_EQ(got.bytes, "");
    } else if (input.status != kAnyErrorStatus) {
        EXPECT_TRUE(got.bytes.starts_with("HTTP/1.1 " + std::to_string(input.status) + " "))
            << got.bytes.substr(0, 80);
    } else {
        const auto head = parse_response_head(got.bytes.substr(0, got.bytes.find("\r\n\r\n")));
        ASSERT_TRUE(head.has_value()) << got.bytes.substr(0, 80);
        EXPECT_GE(head->status, 400);
        EXPECT_LT(head->status, 600);
    }
}

}  // namespace

std::vector<BadInput> bad_http_inputs(std::string_view origin) {
    const std::string o(origin);
    std::vector<BadInput> cases{
        {"1 MiB request line", "GET " + o + "/" + std::string(kMiB, 'a') + " HTTP/1.1\r\n\r\n",
         414},
        {"1 MiB header line",
         "GET " + o + "/ HTTP/1.1\r\nX-Big: " + std::string(kMiB, 'b') + "\r\n\r\n", 431},
        {"1 MiB without a line end", std::string(kMiB, 'c'), 414},
        {"a head cut short", "GET " + o + "/hello.txt HTTP/1.1\r\nHo", kClosedWithoutAnswer, true},
    };
    for (unsigned seed = 1; seed <= 20; ++seed) {
        // 20 KiB of noise: past the 16 KiB head limit, so it is judged whatever it holds.
        cases.push_back({"random bytes " + std::to_string(seed), pattern_bytes(20 * 1024, seed),
                         kAnyErrorStatus});
    }
    return cases;
}

void expect_each_error_or_close(const std::string& host, std::uint16_t port,
                                const std::vector<BadInput>& inputs) {
    for (const BadInput& input : inputs) {
        SCOPED_TRACE(input.name);
        ASSERT_NO_FATAL_FAILURE(expect_error_or_close(host, port, input));
    }
}

void expect_resets_mid_response_leave_no_descriptor(pid_t pid, int clients,
                                                    const std::function<HttpConnection()>& connect,
                                                    std::string_view request,
                                                    DescriptorCounts& counts) {
    const auto before = open_descriptors(pid);
    ASSERT_TRUE(before.has_value());
    counts.before = *before;
    std::vector<HttpConnection> connections;
    for (int i = 0; i < clients; ++i) {
        connections.push_back(connect());
        connections.back().send(request, Deadline(kIo));
    }
    for (auto& conn : connections) {
        EXPECT_EQ(conn.read_head(Deadline(kIo)).status, 200);
        (void)conn.read_bytes(64 * 1024, Deadline(kIo));
    }
    counts.during = open_descriptors(pid);
    for (auto& conn : connections)
        close_with_reset(conn.release());
    const auto after = wait_descriptors_at_most(pid, *before, Deadline(std::chrono::seconds(10)));
    ASSERT_TRUE(after.has_value());
    counts.after = *after;
    EXPECT_LE(*after, *before) << "descriptors left behind by reset connections";
}

}  // namespace net::test
