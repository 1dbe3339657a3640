// web_server: the book's Web server assignment. Accept a browser's connection, parse its HTTP
// request, find the requested file, send it preceded by headers, or 404 Not Found when it does
// not exist: for many clients at once, on one event loop per core.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "common/cli.hpp"
#include "common/log.hpp"
#include "common/media_types.hpp"
#include "common/request_deadlines.hpp"
#include "common/resource_limits.hpp"
#include "common/server_group.hpp"
#include "common/signals.hpp"
#include "http_service.hpp"
#include "root_directory.hpp"
#include "static_files.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 8080;
constexpr auto kDefaultTimeout = 30s;
constexpr std::uint64_t kDefaultMaxConnections = 10'000;
constexpr auto kDrainTimeout = 10s;  // on SIGTERM, responses in flight get this long to finish
constexpr std::size_t kReservedDescriptors = 64;  // files, logs, listeners: beyond connections

net::CommandLine command_line() {
    auto options = net::listen_options(kDefaultPort);
    options.insert(
        options.end(),
        {
            {"root", 'r', "ROOT", "the folder to serve (default .)"},
            {"no-listing", 0, "", "403 for directories without index.html instead of a listing"},
            {"hidden", 0, "", "serve and list names beginning with '.' (default: 404, unlisted)"},
            {"mime-types", 0, "FILE",
             "media types by extension from FILE (default /etc/mime.types when it exists)"},
            {"access-log", 0, "FILE",
             "write the access log (Combined Log Format) to FILE; "
             "- is stdout (the default)"},
            {"timeout", 0, "SEC",
             "keep-alive timeout, and the time a request head or body gets (default 30)"},
            {"min-rate", 0, "BYTES",
             "each BYTES of a head or body earn it a second more (default 500; 0: none)"},
            {"max-conns", 0, "N", "connections at once (default 10000)"},
            {"quiet", 'q', "", "no access log; errors only"},
        });
    return net::CommandLine(
        {.name = "web_server",
         .synopsis = "[-b ADDR] [-p PORT] [-r ROOT] [-t THREADS] [--no-listing] [--hidden] "
                     "[--mime-types FILE] [--access-log FILE|-] [--timeout SEC] [--min-rate BYTES] "
                     "[--max-conns N] [-q]",
         .description = "Serves the files under ROOT over HTTP/1.1 (GET and HEAD), with directory "
                        "listings,\nranges, conditional requests and keep-alive. The first line on "
                        "stdout is the URL it serves.",
         .options = std::move(options)});
}

web::RootDirectory open_root(const std::string& path) {
    try {
        return web::RootDirectory(path);
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitNoInput, e.what());
    }
}

// The text of a mime.types file. Bounded: Debian's is 74 KiB, so 16 MiB is no real file.
constexpr std::size_t kMaxMimeTypesBytes = 16 * 1024 * 1024;
constexpr std::string_view kSystemMimeTypes = "/etc/mime.types";

// Reads `path` whole; nullopt (errno set) when it cannot be opened or read, or is too large.
std::optional<std::string> read_text_file(const std::string& path) {
    const net::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string text;
    char chunk[64 * 1024];
    while (true) {
        const auto n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) return text;
        if (text.size() + static_cast<std::size_t>(n) > kMaxMimeTypesBytes) {
            errno = EFBIG;
            return std::nullopt;
        }
        text.append(chunk, static_cast<std::size_t>(n));
    }
}

// The media types: --mime-types FILE (which must be readable), else /etc/mime.types when it
// is there (Debian's media-types package), else the built-in table alone.
net::MediaTypes load_media_types(const net::Args& args) {
    if (const auto path = args.value("mime-types")) {
        const auto text = read_text_file(*path);
        if (!text) {
            throw net::FatalError(net::kExitNoInput,
                                  "cannot read media types " + *path + ": " + std::strerror(errno));
        }
        return net::MediaTypes(*text);
    }
    const auto text = read_text_file(std::string(kSystemMimeTypes));
    return net::MediaTypes(text ? *text : std::string());
}

// Where the access log goes: stdout unless --access-log FILE, nowhere with -q.
net::Fd open_access_log(const net::Args& args) {
    if (args.has("quiet")) return {};
    return net::open_log_file_at_start(args.value_or("access-log", "-"), "access log");
}

int serve(const net::Args& args) {
    net::reject_stray_arguments(args, "-r");
    const auto log = net::Logger::queued(
        "web_server", args.has("quiet") ? net::LogLevel::kError : net::LogLevel::kInfo);
    const auto listen = net::listen_spec(args, kDefaultPort);
    const std::string root_path = args.value_or("root", ".");
    const auto timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 86400s);
    const auto min_rate = args.uint_or("min-rate", net::http::kDefaultMinRate, 0, 1'000'000'000);
    auto max_connections = args.uint_or("max-conns", kDefaultMaxConnections, 1, 10'000'000);

    // Connections must never take the descriptors needed to open the files they ask for: cap
    // them below the limit, so an overload sheds new connections instead of failing requests.
    const auto descriptors = net::raise_open_file_limit();
    const auto usable = descriptors > 2 * kReservedDescriptors ? descriptors - kReservedDescriptors
                                                               : descriptors / 2;
    if (max_connections > usable) {
        if (args.has("max-conns"))
            log.warning("--max-conns " + std::to_string(max_connections) + " lowered to " +
                        std::to_string(usable) + ": only " + std::to_string(descriptors) +
                        " open files are allowed");
        max_connections = usable;
    }

    const web::RootDirectory root = open_root(root_path);
    const net::MediaTypes types = load_media_types(args);
    const web::StaticFiles files(
        root, types, {.listing = !args.has("no-listing"), .hidden = args.has("hidden")});
    net::Fd log_fd = open_access_log(args);
    const bool access_log = static_cast<bool>(log_fd);
    net::SharedOutput sink(std::move(log_fd), "web_server");

    // Before any thread starts, so all inherit the mask. SIGHUP reopens the access log.
    net::TerminationSignals signals(net::Hangup::kDeliver);
    const web::ServiceOptions options{.timeout = timeout,
                                      .deadlines = net::http::request_deadlines(timeout, min_rate),
                                      .limits = {}};
    net::ServerGroup server(
        {.listen = listen,
         .server = {.connection = {.idle_timeout = timeout},
                    .max_connections = static_cast<std::size_t>(max_connections)},
         .grace_period = kDrainTimeout,
         .on_hangup =
             [&] {
                 if (access_log) net::reopen_log_file(sink, args.value_or("access-log", "-"), log);
             }},
        [&](net::EventLoop& loop) {
            return std::make_unique<web::HttpService>(loop, files, access_log ? &sink : nullptr,
                                                      options);
        });
    net::announce("web_server: serving " + root_path + " at http://" +
                  server.address().to_string() + "/");
    server.run(signals);
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
