// The conventions every program of the suite shares, checked on the real binaries: an unknown
// host exits 68 (EX_NOHOST), -V is --version, --help fits 80 columns, and the start-up errors
// users trip on (port in use, port below 1024, a stray argument) come with a hint.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/socket.hpp"
#include "tests/support/cli_expectations.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tools.hpp"

namespace net::test {
namespace {

constexpr const char* kUnknownHost = "nosuchhost.invalid";  // RFC 2606: never resolves

const std::vector<std::string> kServers = {"tcp_server", "udp_server", "udp_ping_server",
                                           "web_server", "web_proxy",  "mail_server"};

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

// The options a server needs besides -p to start without touching the working folder.
std::vector<std::string> server_args(const std::string& server, std::vector<std::string> args) {
    if (server == "mail_server") args.emplace_back("--no-store");
    return args;
}

TEST(CliConventions, PortInUseSaysSoAndSuggestsPortZero) {
    // One port taken for TCP and UDP alike, so every server finds it in use.
    const BoundSocket tcp = listen_tcp("127.0.0.1", "0");
    const BoundSocket udp = bind_udp("127.0.0.1", std::to_string(tcp.address.port()));
    const std::string port = std::to_string(tcp.address.port());
    for (const auto& server : kServers) {
        SCOPED_TRACE(server);
        const Finished result =
            run(bin_path(server), server_args(server, {"-p", port}), {}, seconds(30));
        EXPECT_EQ(result.status, ExitStatus::exit_code(69)) << result.err;
        const auto lines = split_lines(result.err);
        ASSERT_EQ(lines.size(), 1U) << result.err;
        EXPECT_TRUE(lines[0].starts_with(server + ": cannot ")) << result.err;
        EXPECT_TRUE(lines[0].ends_with(
            ":" + port +
            ": Address already in use (is another server on it? -p 0 picks a free port)"))
            << result.err;
    }
}

// The lowest port an unprivileged process may bind (net.ipv4.ip_unprivileged_port_start).
int unprivileged_port_start() {
    std::ifstream file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    int port = 1024;
    file >> port;
    return port;
}

TEST(CliConventions, PrivilegedPortNamesTheCapabilityToGrant) {
    if (unprivileged_port_start() <= 80) GTEST_SKIP() << "port 80 is not privileged here";
    // As root the bind would succeed: run the server as nobody instead (util-linux's setpriv).
    const bool root = ::geteuid() == 0;
    const std::string setpriv = root ? find_tool("setpriv") : std::string();
    if (root && setpriv.empty())
        GTEST_SKIP() << "needs setpriv to drop root (Debian package util-linux)";
    for (const auto& server : kServers) {
        SCOPED_TRACE(server);
        std::vector<std::string> args = server_args(server, {"-p", "80"});
        std::string program = bin_path(server).string();
        if (root) {
            args.insert(args.begin(), {"--reuid=65534", "--regid=65534", "--clear-groups",
                                       bin_path(server).string()});
            program = setpriv;
        }
        const Finished result = run(program, args, {}, seconds(30));
        EXPECT_EQ(result.status, ExitStatus::exit_code(77)) << result.err;  // EX_NOPERM
        const auto lines = split_lines(result.err);
        ASSERT_EQ(lines.size(), 1U) << result.err;
        EXPECT_TRUE(lines[0].ends_with(
            ":80: Permission denied (ports below 1024 need a capability: sudo setcap "
            "cap_net_bind_service=+ep $(command -v " +
            server + "), or a port above 1023)"))
            << result.err;
    }
}

// `server ARG` is a usage error (64) whose message says which option ARG was probably meant for.
void expect_stray_argument_hint(const std::string& server, const std::string& argument,
                                const std::string& hint, const std::filesystem::path& cwd = {}) {
    SCOPED_TRACE(server + " " + argument);
    ProcessOptions options;
    std::vector<std::string> args{argument};
    const Finished result = [&] {
        if (cwd.empty()) return run(bin_path(server), args, {}, seconds(30), options);
        // Run from `cwd`, where `argument` names a folder: through sh, as a user would type it.
        return run("/bin/sh",
                   {"-c", "cd \"$1\" && exec \"$2\" \"$3\"", "sh", cwd.string(),
                    bin_path(server).string(), argument},
                   {}, seconds(30), options);
    }();
    EXPECT_EQ(result.status, ExitStatus::exit_code(64)) << result.err;
    EXPECT_TRUE(result.err.starts_with(server + ": unexpected argument '" + argument +
                                       "' (did you mean " + hint + "?)\n"))
        << result.err;
}

TEST(CliConventions, StrayArgumentToAServerSaysWhichOptionItWasMeantFor) {
    for (const auto& server : kServers) {
        expect_stray_argument_hint(server, "8000", "-p 8000");
        expect_stray_argument_hint(server, "0.0.0.0", "-b 0.0.0.0");
        expect_stray_argument_hint(server, "[::1]:8000", "-b ::1 -p 8000");
    }
    const TempDir dir;
    std::filesystem::create_directory(dir.file("www"));
    expect_stray_argument_hint("web_server", "www", "-r www", dir.path());
    expect_stray_argument_hint("mail_server", "www", "--maildir www", dir.path());
    // No folder option: a folder is just an unexpected argument.
    SCOPED_TRACE("tcp_server www");
    const Finished plain = run("/bin/sh",
                               {"-c", "cd \"$1\" && exec \"$2\" www", "sh", dir.path().string(),
                                bin_path("tcp_server").string()},
                               {}, seconds(30));
    EXPECT_EQ(plain.status, ExitStatus::exit_code(64)) << plain.err;
    EXPECT_TRUE(plain.err.starts_with("tcp_server: unexpected argument 'www'\n")) << plain.err;
}

}  // namespace
}  // namespace net::test
