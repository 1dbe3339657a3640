// web_proxy: the book's multi-threaded web proxy as one a browser can use. It listens (step 1),
// takes each client on one of its event-loop threads (step 2), reads the request and sends it on
// to the server it names with the proxy's own head (steps 3-4), relays the answer (step 5), and
// opens CONNECT tunnels for HTTPS.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/batched_output.hpp"
#include "common/cli.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "common/resource_limits.hpp"
#include "common/server_group.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "common/worker_pool.hpp"
#include "proxy_rules.hpp"
#include "proxy_service.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 8888;  // the book's proxy, and tinyproxy's default
constexpr std::uint64_t kDefaultMaxClients = 1000;
constexpr std::uint64_t kDefaultMaxPerClient = 256;
constexpr std::uint64_t kDefaultCacheMiB = 64;
// Descriptors a client may need besides its own (its server connection), and those the process
// needs whatever the clients (listener, loops, timers, lookups, logs); each loop's pool of idle
// server connections (PoolOptions::max_idle) comes on top.
constexpr std::uint64_t kDescriptorsPerClient = 1;
constexpr std::uint64_t kReservedDescriptors = 64;
// How long a stopping proxy lets exchanges under way finish before it closes them.
constexpr auto kShutdownGrace = 5s;
// Threads for name lookups (getaddrinfo blocks; the loops never call it).
constexpr std::size_t kLookupThreads = 4;

net::CommandLine command_line() {
    auto options = net::listen_options(kDefaultPort);
    options.insert(
        options.end(),
        {
            {"timeout", 0, "SEC", "close a connection quiet this long either way (default 60)"},
            {"connect-timeout", 0, "SEC",
             "give up looking up and connecting to a server after this long "
             "(default 10)"},
            {"allow-client", 0, "CIDR",
             "serve clients from this network (repeatable; default 127.0.0.0/8 and ::1)"},
            {"allow-host", 0, "HOST",
             "go only to this host, or *.domain (repeatable; default: anywhere)"},
            {"connect-ports", 0, "LIST", "ports CONNECT may reach (default 443)"},
            {"http-ports", 0, "LIST",
             "ports http:// requests may reach (default 80,443,1025-65535)"},
            {"max-clients", 0, "N", "client connections at once; more get 503 (default 1000)"},
            {"max-per-client", 0, "N", "connections at once from one client address (default 256)"},
            {"cache-size", 0, "MB", "memory for the shared cache (default 64; 0 turns it off)"},
            {"cache-max-object", 0, "KB",
             "larger responses are relayed, not stored (default 1024)"},
            {"access-log", 0, "FILE",
             "write the access log to FILE (reopened on SIGHUP); - is stdout (default: stderr, "
             "with the other messages)"},
            {"quiet", 'q', "", "print errors only, no access log"},
            {"verbose", 'v', "", "also log connects and tunnels closing"},
        });
    return net::CommandLine(
        {.name = "web_proxy",
         .synopsis = "[-b ADDR] [-p PORT] [-t THREADS] [--allow-client CIDR]... "
                     "[--allow-host HOST]... [--connect-ports LIST] [--http-ports LIST] "
                     "[--timeout SEC] [--connect-timeout SEC] [--max-clients N] "
                     "[--max-per-client N] [--cache-size MB] [--cache-max-object KB] "
                     "[--access-log FILE|-] [-q | -v]",
         .description = "An HTTP/1.1 forward proxy: point a browser (or curl -x) at it. It "
                        "forwards http:// requests\nand tunnels HTTPS with CONNECT, on one event "
                        "loop per core. The first line on stdout is the\naddress it bound; a line "
                        "a request goes to stderr.",
         .options = std::move(options)});
}

// The page a client over --max-clients gets as it is closed.
std::string over_limit_reply() {
    return web_proxy::error_response(
        503, "The proxy is serving as many clients as it may; try again shortly.", false);
}

int serve(const net::Args& args) {
    net::reject_stray_arguments(args);
    const auto log = net::Logger::queued(
        "web_proxy", net::Logger::level_from_flags(args.has("quiet"), args.count("verbose")));
    const auto listen = net::listen_spec(args, kDefaultPort);
    auto max_clients = args.uint_or("max-clients", kDefaultMaxClients, 1, 1'000'000);
    web_proxy::ProxySettings settings{
        .self = {},
        .policy = {.allowed_hosts = args.values("allow-host")},
        .clients = web_proxy::ClientPolicy::parse(args.values("allow-client")),
        .ports = {.connect = web_proxy::PortList::parse(args.value_or("connect-ports", "443")),
                  .http =
                      web_proxy::PortList::parse(args.value_or("http-ports", "80,443,1025-65535"))},
        .max_per_client = static_cast<std::size_t>(
            args.uint_or("max-per-client", kDefaultMaxPerClient, 1, 1'000'000)),
        .listen = {},
        .idle_timeout = args.seconds_or("timeout", 60s, 1ms, 86400s),
        .connect_timeout = args.seconds_or("connect-timeout", 10s, 1ms, 3600s),
        .buffer_limit = 256 * 1024,
        .cache_max_object =
            static_cast<std::size_t>(args.uint_or("cache-max-object", 1024, 1, 1024 * 1024)) * 1024,
        .pool = {}};
    const auto cache_mib = args.uint_or("cache-size", kDefaultCacheMiB, 0, 1024 * 1024);

    net::ignore_sigpipe();
    // Each client may need a server connection beside its own, and each loop keeps some idle
    // ones: the client limit leaves room for them, so a proxy short of descriptors turns
    // clients away with 503 instead of failing their requests with 502.
    const auto fitted = web_proxy::fit_clients_to_descriptors(
        max_clients, net::raise_open_file_limit(), kDescriptorsPerClient,
        kReservedDescriptors + listen.threads * settings.pool.max_idle);
    if (fitted.max_clients == 0) throw net::FatalError(net::kExitOsErr, fitted.note);
    if (!fitted.note.empty()) log.warning(fitted.note);
    max_clients = fitted.max_clients;
    const auto access_path = args.value("access-log");
    std::optional<net::SharedOutput> access_log;
    if (access_path && !args.has("quiet"))
        access_log.emplace(net::open_log_file_at_start(*access_path, "access log"), "web_proxy");
    // Before any thread starts, so all inherit the mask. SIGHUP reopens the access log.
    net::TerminationSignals signals(net::Hangup::kDeliver);
    std::optional<web_proxy::cache::CacheStore> store;
    if (cache_mib > 0) {
        store.emplace(web_proxy::cache::StoreLimits{
            .capacity_bytes = static_cast<std::size_t>(cache_mib) * 1024 * 1024,
            .max_object_bytes = settings.cache_max_object + 64 * 1024});
    }
    web_proxy::ProxyShared shared(store ? &*store : nullptr);
    // A lookup still under way when the proxy stops is left to end alone: getaddrinfo cannot
    // be interrupted, and a second signal means now.
    net::WorkerPool lookups(kLookupThreads, net::WorkerPool::AtExit::kAbandon);
    net::ServerGroup server({.listen = listen,
                             .server = {.connection = {.idle_timeout = settings.idle_timeout,
                                                       .high_water_mark = settings.buffer_limit},
                                        .max_connections = static_cast<std::size_t>(max_clients),
                                        .over_limit_reply = over_limit_reply()},
                             .grace_period = kShutdownGrace,
                             .on_hangup =
                                 [&] {
                                     if (access_log) {
                                         net::reopen_log_file(*access_log, *access_path, log);
                                     }
                                 }},
                            [&](net::EventLoop& loop) {
                                return std::make_unique<web_proxy::ProxyService>(
                                    loop, settings, shared, lookups, log,
                                    access_log ? &*access_log : nullptr);
                            });
    settings.self.received_by =
        net::local_host_name() + ":" + std::to_string(server.address().port());
    settings.listen = {.bound = server.address(), .local = net::local_interface_addresses()};
    net::announce("web_proxy: listening on " + server.address().to_string());
    server.run(signals);
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
