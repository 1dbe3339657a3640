// The conventions every program of the suite shares, checked on the real binaries: an unknown
// host exits 68 (EX_NOHOST), -V is --version, and --help fits 80 columns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cli_expectations.hpp"

namespace net::test {
namespace {

constexpr const char* kUnknownHost = "nosuchhost.invalid";  // RFC 2606: never resolves

const std::vector<std::string> kPrograms = {
    "tcp_server",      "tcp_client",  "udp_server",  "udp_client", "udp_ping",
    "udp_ping_server", "mail_server", "mail_client", "web_server", "web_proxy",
};

TEST(CliConventions, UnknownHostExits68InEveryClient) {
    expect_unknown_host("tcp_client", {kUnknownHost, "12000"}, kUnknownHost);
    expect_unknown_host("udp_client", {kUnknownHost, "12000"}, kUnknownHost);
    expect_unknown_host("udp_ping", {"-c", "1", kUnknownHost}, kUnknownHost);
    expect_unknown_host("mail_client",
                        {"--server", kUnknownHost, "--tls", "none", "--from", "a@example.com",
                         "--to", "b@example.com", "--body", "x"},
                        kUnknownHost);
}

TEST(CliConventions, UnknownBindAddressExits68InEveryServer) {
    for (const char* server :
         {"tcp_server", "udp_server", "udp_ping_server", "web_server", "web_proxy"}) {
        expect_unknown_host(server, {"-b", kUnknownHost, "-p", "0"}, kUnknownHost);
    }
    expect_unknown_host("mail_server", {"-b", kUnknownHost, "-p", "0", "--no-store"}, kUnknownHost);
}

TEST(CliConventions, EveryProgramTakesDashCapitalVAndSaysItsTls) {
    for (const auto& program : kPrograms)
        expect_help_and_version(program);
}

TEST(CliConventions, EveryProgramsHelpFitsEightyColumns) {
    for (const auto& program : kPrograms)
        expect_help_fits_80_columns(program);
}

}  // namespace
}  // namespace net::test
