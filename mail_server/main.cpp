// mail_server: the book's mail assignment seen from the other end. It accepts SMTP
// connections, prints the dialogue with each client, and keeps every message it accepts in a
// Maildir or an mbox file, durably, before it says 250. A sink: it never relays.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "common/address.hpp"
#include "common/cli.hpp"
#include "common/log.hpp"
#include "common/resource_limits.hpp"
#include "common/server_group.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "common/tls.hpp"
#include "common/worker_pool.hpp"
#include "mail_index.hpp"
#include "maildir.hpp"
#include "mbox.hpp"
#include "message_list.hpp"
#include "message_store.hpp"
#include "session_limits.hpp"
#include "smtp_service.hpp"
#include "version.hpp"
#include "web_service.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kDefaultPort = 2525;
constexpr auto kDefaultTimeout = 300s;  // RFC 5321 4.5.3.2.7: the server waits 5 minutes
constexpr auto kDrainTimeout = 10s;     // on SIGTERM, messages being stored get this long
// Threads for the disk work, so the loops never wait on it. A Maildir commits in batches on one
// of them at a time and mbox appends take turns under the file lock: a few are plenty.
constexpr std::size_t kStorageThreads = 4;
constexpr std::size_t kReservedDescriptors = 64;  // listener, stores, logs, storage threads
constexpr std::size_t kListPage = 1000;           // --list: messages read from the index at once

net::CommandLine command_line() {
    auto options = net::listen_options(kDefaultPort);
    options.insert(
        options.end(),
        {
            {"maildir", 0, "DIR", "store messages in the Maildir DIR (default ./mail)"},
            {"mbox", 0, "FILE",
             "append messages to the mbox FILE instead (-: standard output, and the transcript "
             "goes to stderr)"},
            {"no-store", 0, "", "accept messages and keep nothing (count only)"},
            {"hostname", 0, "NAME", "the name in the greeting and Received (default: host name)"},
            {"max-size", 0, "BYTES", "largest message accepted (default 26214400)"},
            {"max-rcpt", 0, "N", "recipients per message (default 100)"},
            {"domain", 0, "D", "accept recipients in domain D only (repeatable)"},
            {"timeout", 0, "SEC", "idle client timeout, then 421 (default 300)"},
            {"tls-cert", 0, "FILE", "PEM certificate: offer STARTTLS"},
            {"tls-key", 0, "FILE", "PEM private key of --tls-cert"},
            {"auth", 0, "USER:PASS", "accept these credentials (AUTH PLAIN LOGIN; repeatable)"},
            {"allow-insecure-auth", 0, "", "offer AUTH before STARTTLS too"},
            {"log", 0, "FILE",
             "write the transcript to FILE (reopened on SIGHUP); - is stdout (the default)"},
            {"web", 0, "[ADDR:]PORT",
             "serve a read-only web inbox of the store and its JSON API on PORT (address "
             "127.0.0.1 unless given)"},
            {"quiet", 'q', "", "errors only, no transcript"},
            {"verbose", 'v', "", "the transcript shows every message line too"},
            {"list", 0, "",
             "print the stored messages, newest first, and exit: the Maildir DIR (default "
             "./mail) or the mbox FILE given as argument or by --maildir/--mbox"},
            {"json", 0, "", "with --list: print Mailpit's messages JSON instead of a table"},
        });
    const auto limits = mail::session_limit_options();
    options.insert(options.end(), limits.begin(), limits.end());
    return net::CommandLine(
        {.name = "mail_server",
         .synopsis = "[-b ADDR] [-p PORT] [-t THREADS] [--maildir DIR | --mbox FILE | --no-store] "
                     "[--hostname NAME] [--max-size BYTES] [--max-rcpt N] [--domain D]... "
                     "[--timeout SEC] [--tls-cert F --tls-key F] [--auth USER:PASS]... "
                     "[--allow-insecure-auth] [--web [ADDR:]PORT] [--log FILE|-] [-q | -v] | "
                     "--list [--json] [DIR|FILE]",
         .description =
             "An SMTP server (RFC 5321) that prints the dialogue with each client and keeps\n"
             "every message it accepts, fsynced before its 250. It never relays.",
         .options = std::move(options)});
}

// Message ids are <prefix>-<session>-<n>: the start time and pid make them unique per run.
std::string id_prefix() {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%08llX%05X",
                  static_cast<unsigned long long>(std::time(nullptr)),
                  static_cast<unsigned>(::getpid()) & 0xFFFFFu);
    return text.data();
}

std::vector<mail::Credentials> parse_credentials(const net::Args& args) {
    std::vector<mail::Credentials> credentials;
    for (const auto& entry : args.values("auth")) {
        const auto colon = entry.find(':');
        if (colon == std::string::npos || colon == 0) {
            throw net::UsageError("--auth wants USER:PASS, not '" + entry.substr(0, colon) + "'");
        }
        credentials.push_back({entry.substr(0, colon), entry.substr(colon + 1)});
    }
    return credentials;
}

std::optional<net::tls::Context> load_tls(const net::Args& args) {
    if (args.has("tls-cert") != args.has("tls-key")) {
        throw net::UsageError("--tls-cert and --tls-key go together");
    }
    if (!args.has("tls-cert")) return std::nullopt;
    if (!net::tls::available()) {
        throw net::FatalError(net::kExitUnavailable,
                              "--tls-cert: this mail_server was built without OpenSSL, so TLS "
                              "is not available (install libssl-dev and rebuild)");
    }
    try {
        return net::tls::Context::server(*args.value("tls-cert"), *args.value("tls-key"));
    } catch (const net::tls::TlsError& e) {
        throw net::FatalError(net::kExitNoInput, e.what());
    }
}

std::unique_ptr<mail::MessageStore> open_store(const net::Args& args, net::WorkerPool& pool,
                                               const std::string& hostname) {
    const int chosen = int(args.has("maildir")) + int(args.has("mbox")) + int(args.has("no-store"));
    if (chosen > 1) throw net::UsageError("choose one of --maildir, --mbox and --no-store");
    try {
        if (args.has("no-store")) return std::make_unique<mail::NullStore>();
        if (args.has("mbox")) return std::make_unique<mail::Mbox>(*args.value("mbox"), pool);
        return std::make_unique<mail::Maildir>(args.value_or("maildir", "./mail"), pool, hostname);
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitCantCreate, e.what());
    }
}

// --web [ADDR:]PORT: "8025", "0.0.0.0:8025", "[::1]:8025" (the address 127.0.0.1 unless
// given); nullopt without --web. Throws UsageError.
std::optional<net::HostPort> web_address(const net::Args& args) {
    const auto text = args.value("web");
    if (!text) return std::nullopt;
    if (args.has("no-store")) throw net::UsageError("--web shows the store: not with --no-store");
    if (args.value("mbox") == "-") {
        throw net::UsageError("--web reads the store back: not with --mbox - (standard output)");
    }
    net::HostPort where{"127.0.0.1", *text};
    if (!net::parse_port(*text)) {
        const auto split = net::split_host_port(*text);
        if (!split || split->port.empty()) {
            throw net::UsageError("--web wants [ADDR:]PORT, not '" + *text + "'");
        }
        where = *split;
        if (where.host.empty()) where.host = "127.0.0.1";
    }
    if (!net::parse_port(where.port)) {
        throw net::UsageError("invalid port '" + where.port + "' for --web (expected 0 to 65535)");
    }
    return where;
}

// Where the transcript goes: --log FILE, else stdout, or stderr when --mbox - has stdout.
net::Fd open_transcript(const std::string& path, bool stdout_taken) {
    if (path == "-" && stdout_taken) return net::Fd(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0));
    return net::open_log_file_at_start(path, "log");
}

// --list: the store named by the argument (a directory is a Maildir, a file an mbox), by
// --maildir or --mbox, or ./mail; its index printed as a table or Mailpit's JSON.
int list_messages(const net::Args& args) {
    const auto& positionals = args.positionals();
    if (positionals.size() > 1) throw net::UsageError("--list takes one DIR or FILE");
    if (args.has("no-store")) throw net::UsageError("--list and --no-store contradict");
    const int named = int(!positionals.empty()) + int(args.has("maildir")) + int(args.has("mbox"));
    if (named > 1)
        throw net::UsageError("--list reads one store: a DIR or FILE, --maildir or --mbox");
    if (args.value("mbox") == "-") throw net::UsageError("--list cannot read --mbox -");
    std::unique_ptr<mail::MailIndex> index;
    if (!positionals.empty()) {
        const std::filesystem::path path = positionals.front();
        std::error_code error;
        index = std::filesystem::is_directory(path, error) ? mail::MailIndex::for_maildir(path)
                                                           : mail::MailIndex::for_mbox(path);
    } else if (args.has("mbox")) {
        index = mail::MailIndex::for_mbox(*args.value("mbox"));
    } else {
        index = mail::MailIndex::for_maildir(args.value_or("maildir", "./mail"));
    }
    try {
        index->load();
    } catch (const std::system_error& e) {
        throw net::FatalError(net::kExitNoInput, e.what());
    }
    // A page at a time, so a big store needs no second copy of its list in memory.
    const auto write = [](const std::string& text) {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
            throw net::FatalError(net::kExitIoErr, "cannot write the list to standard output");
    };
    const bool json = args.has("json");
    const auto total = index->size();
    write(json ? mail::messages_json_start(total, total, total, 0) : mail::table_header());
    for (std::size_t start = 0; start < total; start += kListPage) {
        std::string text;
        for (const auto& summary : index->list(start, kListPage).messages) {
            if (json) {
                if (!text.empty() || start > 0) text += ',';
                mail::append_summary_json(text, summary);
            } else {
                mail::append_table_row(text, summary);
            }
        }
        write(text);
    }
    write(json ? std::string(mail::kMessagesJsonEnd) + "\n" : mail::table_footer(total));
    if (std::fflush(stdout) != 0)
        throw net::FatalError(net::kExitIoErr, "cannot write the list to standard output");
    return net::kExitOk;
}

int serve(const net::Args& args) {
    if (args.has("list")) return list_messages(args);
    if (args.has("json")) throw net::UsageError("--json goes with --list");
    net::reject_stray_arguments(args, "--maildir");
    if (args.has("quiet") && args.has("verbose")) throw net::UsageError("-q and -v contradict");
    if (args.value("mbox") == "-" && args.value("log") == "-") {
        throw net::UsageError("--mbox - and --log - cannot both have standard output");
    }
    const auto log = net::Logger::queued(
        "mail_server", args.has("quiet") ? net::LogLevel::kError : net::LogLevel::kInfo);

    auto shared = std::make_unique<mail::ServiceShared>();
    mail::SessionConfig& config = shared->session;
    config.hostname = args.value_or("hostname", net::local_host_name());
    config.max_message_bytes =
        args.uint_or("max-size", mail::kDefaultMaxMessageBytes, 1, std::uint64_t{1} << 40);
    config.max_recipients = args.uint_or("max-rcpt", mail::kDefaultMaxRecipients, 1, 1'000'000);
    config.domains = args.values("domain");
    config.credentials = parse_credentials(args);
    config.allow_insecure_auth = args.has("allow-insecure-auth");
    config.transcript_data = args.has("verbose");
    // Every option is judged before anything is created on disk.
    const auto timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 86400s);
    mail::AuthFailures auth_failures(mail::read_session_limits(args, timeout, config));
    config.auth_failures = &auth_failures;
    const auto tls = load_tls(args);
    config.starttls = tls.has_value();
    if (!config.credentials.empty() && !config.starttls && !config.allow_insecure_auth) {
        throw net::UsageError(
            "--auth needs --tls-cert and --tls-key (or --allow-insecure-auth): passwords are "
            "accepted only over TLS");
    }

    const auto listen = net::listen_spec(args, kDefaultPort);
    const auto web_at = web_address(args);
    // Each session may hold a message file besides its socket.
    const auto descriptors = net::raise_open_file_limit();
    const auto usable = descriptors > 4 * kReservedDescriptors
                            ? (descriptors - kReservedDescriptors) / 2
                            : descriptors / 4;

    // Before any thread starts, so all inherit the mask. SIGHUP reopens the --log file.
    net::TerminationSignals signals(net::Hangup::kDeliver);
    net::WorkerPool pool(kStorageThreads);
    // The web inbox's index of the store: made before the store, so it outlives the store's
    // hook into it.
    std::unique_ptr<mail::MailIndex> index;
    if (web_at) {
        index = args.has("mbox") ? mail::MailIndex::for_mbox(*args.value("mbox"))
                                 : mail::MailIndex::for_maildir(args.value_or("maildir", "./mail"));
    }
    const auto store = open_store(args, pool, config.hostname);
    // With --mbox - standard output carries the messages alone; the dialogue goes to stderr.
    const bool mbox_on_stdout = args.value("mbox") == "-";
    const auto log_path = args.value_or("log", "-");
    net::SharedOutput transcript(open_transcript(log_path, mbox_on_stdout), "mail_server");

    shared->store = store.get();
    shared->transcript = &transcript;
    shared->log = &log;
    shared->verbosity = args.has("quiet")     ? mail::Verbosity::kQuiet
                        : args.has("verbose") ? mail::Verbosity::kVerbose
                                              : mail::Verbosity::kNormal;
    shared->tls = tls ? &*tls : nullptr;
    shared->id_prefix = id_prefix();

    // The web inbox: what the store holds already, then each message as it is committed.
    std::unique_ptr<mail::WebShared> web;
    std::shared_ptr<net::Fd> web_listener;
    net::SocketAddress web_bound;
    if (index) {
        try {
            index->load();
        } catch (const std::system_error& e) {
            throw net::FatalError(net::kExitNoInput, std::string("--web: ") + e.what());
        }
        index->watch(*store);
        net::BoundSocket bound = net::listen_tcp(web_at->host, web_at->port);
        web_bound = bound.address;
        web_listener = std::make_shared<net::Fd>(std::move(bound.fd));
        web =
            std::make_unique<mail::WebShared>(*index, std::string("mail_server/") + net::kVersion);
    }
    const auto web_connections = std::make_shared<std::atomic<std::size_t>>(0);
    std::vector<mail::WebService*> web_services;

    net::ServerGroup server(
        {.listen = listen,
         .server = {.connection = {.idle_timeout = timeout},
                    .max_connections = usable,
                    .over_limit_reply = "421 4.3.2 " + config.hostname +
                                        " Too many connections, try again later\r\n"},
         .grace_period = kDrainTimeout,
         .on_hangup = [&] { net::reopen_log_file(transcript, log_path, log); }},
        [&](net::EventLoop& loop) {
            auto service = std::make_unique<mail::MailLoop>(loop, *shared, web.get(), web_listener,
                                                            web_connections);
            if (service->web() != nullptr) web_services.push_back(service->web());
            return service;
        });
    web_listener.reset();  // the loops' servers share it now: it closes when they stop accepting
    std::optional<mail::InboxEvents> events;
    if (index) events.emplace(*index, web_services);
    const std::string storing = args.has("no-store") ? "storing nothing (--no-store)"
                                                     : "storing to " + store->description();
    net::announce("mail_server: listening on " + server.address().to_string() + ", " + storing,
                  mbox_on_stdout ? stderr : stdout);
    if (web) net::announce("mail_server: web inbox on http://" + web_bound.to_string() + "/");
    server.run(signals);
    pool.wait_idle();  // every answer a storage thread still owes is posted before services go
    events.reset();    // no more news for the loops' web services, which go next
    return net::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), serve);
}
