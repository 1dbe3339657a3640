// udp_ping: the book's UDP Pinger client. Sends pings over UDP (step 1), waits at most a timeout
// for each reply (step 2), prints each round-trip time or "Request timed out" (step 3), and ends
// with ping's statistics (the assignment's min/max/average RTT and loss rate).
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "common/address.hpp"
#include "common/cli.hpp"
#include "common/signals.hpp"
#include "common/socket.hpp"
#include "ping_message.hpp"
#include "ping_stats.hpp"
#include "probe_tracker.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultPort = "12000";  // the book's server port
constexpr std::uint64_t kDefaultCount = 10;    // "send 10 pings"
constexpr auto kDefaultInterval = 1s;
constexpr auto kDefaultTimeout = 1s;        // "wait up to one second for a reply"
constexpr std::uint64_t kDefaultSize = 56;  // ping's default payload size
constexpr std::size_t kMaxDatagram = 65507;
// Flood mode, as ping -f: the next ping goes when the reply arrives, or after this at the latest
// ("as fast as they come back or one hundred times per second, whichever is more").
constexpr auto kFloodInterval = 10ms;
// After each ping, look for its reply without sleeping for this long: a loopback or LAN reply is
// caught the moment it lands, without a scheduler wake-up (which is what sockperf does). Then
// poll() sleeps as usual, so a slow or lost reply costs no CPU.
constexpr auto kSpinForReply = 200us;

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "udp_ping",
         .synopsis = "[-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] [-w DEADLINE] [-f] [-q] "
                     "[--json] [-4|-6] HOST [PORT]",
         .description = "Sends 'Ping <seq> <time>' datagrams to a UDP echo server (default port "
                        "12000) and reports\nthe round-trip times and losses in ping's format. "
                        "Exit status: 0 if any reply came, 1 if none, 2 on error.",
         .options = {
             {"count", 'c', "COUNT", "pings to send (default 10; 0: until interrupted)"},
             {"interval", 'i', "SEC", "time between pings (default 1)"},
             {"timeout", 'W', "SEC", "how long to wait for each reply (default 1)"},
             {"size", 's', "SIZE", "datagram size in bytes, padded (default 56)"},
             {"deadline", 'w', "SEC", "stop after this long, whatever the count"},
             {"flood", 'f', "", "send the next ping as soon as the reply (or timeout) comes"},
             {"quiet", 'q', "", "only the summary"},
             {"json", 0, "", "one JSON document with every probe and the summary"},
             {"ipv4", '4', "", "IPv4 only"},
             {"ipv6", '6', "", "IPv6 only"},
         }});
}

struct Options {
    std::string host;
    std::string port = kDefaultPort;
    std::uint64_t count = kDefaultCount;
    Clock::duration interval = kDefaultInterval;
    Clock::duration timeout = kDefaultTimeout;
    std::size_t size = kDefaultSize;
    std::optional<Clock::duration> deadline;
    bool flood = false;
    bool quiet = false;
    bool json = false;
    int family = AF_UNSPEC;
};

Options parse_options(const net::Args& args) {
    const auto& words = args.positionals();
    if (words.empty()) throw net::UsageError("missing HOST");
    Options options;
    const net::Target target = net::parse_target(words, {"", kDefaultPort});
    options.host = target.host;
    options.port = target.port;
    options.count = args.uint_or("count", kDefaultCount, 0, 1'000'000'000);
    options.interval = args.seconds_or("interval", kDefaultInterval, 1ms, 3600s);
    options.timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 3600s);
    options.size = args.uint_or("size", kDefaultSize, 0, kMaxDatagram);
    if (args.has("deadline"))
        options.deadline = args.seconds_or("deadline", 0ms, 1ms, 86400s * 365);
    options.flood = args.has("flood");
    if (options.flood && !args.has("interval")) options.interval = kFloodInterval;
    options.quiet = args.has("quiet");
    options.json = args.has("json");
    if (args.has("ipv4") && args.has("ipv6")) throw net::UsageError("-4 and -6 exclude each other");
    if (args.has("ipv4")) options.family = AF_INET;
    if (args.has("ipv6")) options.family = AF_INET6;
    return options;
}

double wall_clock_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void print(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

std::string format_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", ms);
    return text;
}

// Everything one run records, for the text lines, the summary and --json.
struct ProbeRecord {
    std::uint64_t seq;
    std::string status = "timeout";  // "reply", "timeout"
    double rtt_ms = 0;
    bool late = false;  // a reply came after the timeout
    double late_rtt_ms = 0;
};

class Pinger {
  public:
    Pinger(Options options, net::Fd sock, std::string target)
        : options_(std::move(options)),
          sock_(std::move(sock)),
          target_(std::move(target)),
          tracker_(options_.timeout) {}

    int run(net::TerminationSignals& signals);

  private:
    void send_ping(Clock::time_point now);
    bool read_replies();  // true when at least one datagram was read
    void spin_for_reply();
    void report_timeouts(Clock::time_point now);
    [[nodiscard]] bool finished(Clock::time_point now) const;
    [[nodiscard]] int poll_timeout_ms(Clock::time_point now) const;
    std::string json() const;
    // Per-probe lines are shown unless -q, --json or -f asked for less.
    [[nodiscard]] bool verbose() const {
        return !options_.quiet && !options_.json && !options_.flood;
    }
    void line(const std::string& text) const {
        if (verbose()) print(text + "\n");
    }

    Options options_;
    net::Fd sock_;
    std::string target_;
    ping::ProbeTracker tracker_;
    ping::PingStats stats_;
    std::vector<ProbeRecord> records_;
    std::uint64_t next_seq_ = 1;
    bool latest_answered_ = false;  // the last ping sent has its reply (flood sends the next)
    std::uint64_t foreign_ = 0;
    std::vector<char> datagram_ = std::vector<char>(65536);  // one receive buffer, reused
    Clock::time_point start_;
    Clock::time_point next_send_;
};

void Pinger::send_ping(Clock::time_point now) {
    const auto seq = next_seq_++;
    std::string message = ping::format_ping(seq, wall_clock_seconds(), options_.size);
    // The RTT starts here, after the message is built: only the network's time is measured.
    const auto sent_at = Clock::now();
    // ECONNREFUSED reports an ICMP error caused by an earlier ping; this one may still go.
    if (::send(sock_.get(), message.data(), message.size(), 0) < 0 && errno != ECONNREFUSED) {
        throw std::system_error(errno, std::generic_category(), "send");
    }
    tracker_.sent(seq, std::move(message), sent_at);
    latest_answered_ = false;
    stats_.add_sent();
    records_.push_back({seq});
    if (options_.flood && !options_.quiet && !options_.json) print(".");
    if (options_.flood) {
        next_send_ = now + options_.interval;  // at the latest; a reply sends the next sooner
    } else {
        // On schedule, like ping: a lost reply never delays the next ping.
        next_send_ += options_.interval;
        if (next_send_ < now) next_send_ = now;
    }
}

void Pinger::spin_for_reply() {
    const auto until = Clock::now() + kSpinForReply;
    while (tracker_.waiting() && !read_replies() && Clock::now() < until) {
    }
}

bool Pinger::read_replies() {
    auto& datagram = datagram_;
    bool got = false;
    for (;;) {
        const ssize_t n = ::recv(sock_.get(), datagram.data(), datagram.size(), MSG_DONTWAIT);
        const auto now = Clock::now();
        if (n < 0) {
            if (errno == EINTR || errno == ECONNREFUSED) continue;  // ICMP: counted as a loss
            return got;
        }
        got = true;
        const std::string_view bytes(datagram.data(), static_cast<std::size_t>(n));
        const auto result = tracker_.receive(bytes, now);
        // Built only when it will be printed: a flood of 20,000 pings needs none of it.
        const std::string prefix = verbose() ? std::to_string(n) + " bytes from " + target_ +
                                                   ": seq=" + std::to_string(result.seq) +
                                                   " time=" + format_ms(result.rtt_ms) + " ms"
                                             : std::string();
        switch (result.kind) {
            case ping::ReplyKind::kReply:
                if (result.seq + 1 == next_seq_) latest_answered_ = true;
                stats_.add_rtt(result.rtt_ms);
                records_[result.seq - 1].status = "reply";
                records_[result.seq - 1].rtt_ms = result.rtt_ms;
                line(prefix);
                if (options_.flood && !options_.quiet && !options_.json) print("\b \b");
                break;
            case ping::ReplyKind::kLate:
                records_[result.seq - 1].late = true;
                records_[result.seq - 1].late_rtt_ms = result.rtt_ms;
                line(
                    prefix + " (late: after the " +
                    format_ms(std::chrono::duration<double, std::milli>(options_.timeout).count()) +
                    " ms timeout, not counted)");
                break;
            case ping::ReplyKind::kDuplicate:
                stats_.add_duplicate();
                line(prefix + " (DUP!)");
                break;
            case ping::ReplyKind::kForeign:
                ++foreign_;
                line("ignored " + std::to_string(n) + " bytes from " + target_ +
                     ": not a reply to this run");
                break;
        }
    }
}

void Pinger::report_timeouts(Clock::time_point now) {
    for (const auto seq : tracker_.expire(now))
        line("Request timed out: seq=" + std::to_string(seq));
}

bool Pinger::finished(Clock::time_point now) const {
    if (options_.deadline && now - start_ >= *options_.deadline) return true;
    const bool all_sent = options_.count != 0 && next_seq_ > options_.count;
    return all_sent && !tracker_.waiting();
}

int Pinger::poll_timeout_ms(Clock::time_point now) const {
    std::optional<Clock::time_point> wake = tracker_.next_deadline();
    const bool more = options_.count == 0 || next_seq_ <= options_.count;
    if (more) {
        const auto send_at = options_.flood && latest_answered_ ? now : next_send_;
        if (!wake || send_at < *wake) wake = send_at;
    }
    if (options_.deadline && (!wake || start_ + *options_.deadline < *wake))
        wake = start_ + *options_.deadline;
    if (!wake) return -1;
    if (*wake <= now) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count());
}

int Pinger::run(net::TerminationSignals& signals) {
    start_ = next_send_ = Clock::now();
    if (!options_.json && !options_.quiet) {
        line("UDP PING " + target_ + ": " + std::to_string(options_.size) + " bytes of data.");
    }
    bool interrupted = false;
    for (;;) {
        auto now = Clock::now();
        report_timeouts(now);
        if (finished(now)) break;
        const bool more = options_.count == 0 || next_seq_ <= options_.count;
        const bool due = now >= next_send_ || (options_.flood && latest_answered_);
        if (more && due) {
            send_ping(now);
            spin_for_reply();
            continue;
        }
        std::array<pollfd, 2> fds{{{sock_.get(), POLLIN, 0}, {signals.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), poll_timeout_ms(now)) < 0 && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if ((fds[0].revents & (POLLIN | POLLERR)) != 0) read_replies();
        if (fds[1].revents != 0 && signals.take() != 0) {
            interrupted = true;  // Ctrl-C: the summary still comes, as with ping
            break;
        }
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
    if (options_.flood && !options_.quiet && !options_.json) print("\n");
    if (options_.json) {
        print(json());
    } else {
        print((interrupted || !options_.quiet ? std::string("\n") : std::string()) +
              ping::format_summary(target_, stats_, elapsed.count()));
    }
    return stats_.received() > 0 ? 0 : 1;
}

std::string Pinger::json() const {
    const auto number = [](double value) { return format_ms(value); };
    std::string out = "{\"target\": \"" + target_ +
                      "\", \"size\": " + std::to_string(options_.size) + ", \"probes\": [";
    for (std::size_t i = 0; i < records_.size(); ++i) {
        const auto& r = records_[i];
        out += (i == 0 ? "" : ", ");
        out += "{\"seq\": " + std::to_string(r.seq) + ", \"status\": \"" + r.status + "\"";
        if (r.status == "reply") out += ", \"rtt_ms\": " + number(r.rtt_ms);
        if (r.late) out += ", \"late_rtt_ms\": " + number(r.late_rtt_ms);
        out += "}";
    }
    out += "], \"summary\": {\"transmitted\": " + std::to_string(stats_.transmitted()) +
           ", \"received\": " + std::to_string(stats_.received()) +
           ", \"duplicates\": " + std::to_string(stats_.duplicates()) +
           ", \"foreign\": " + std::to_string(foreign_) +
           ", \"loss_percent\": " + number(stats_.loss_percent());
    if (stats_.received() > 0) {
        out += ", \"min_ms\": " + number(stats_.min()) + ", \"avg_ms\": " + number(stats_.avg()) +
               ", \"max_ms\": " + number(stats_.max()) + ", \"mdev_ms\": " + number(stats_.mdev()) +
               ", \"p50_ms\": " + number(stats_.percentile(50)) +
               ", \"p90_ms\": " + number(stats_.percentile(90)) +
               ", \"p99_ms\": " + number(stats_.percentile(99));
    }
    out += "}}\n";
    return out;
}

int run(const net::Args& args) {
    Options options = parse_options(args);
    net::TerminationSignals signals;
    net::Fd sock;
    std::string target;
    try {
        const auto addresses =
            net::resolve(options.host, options.port,
                         {.transport = net::Transport::kUdp, .family = options.family});
        sock = net::connect_udp(addresses.front());
        target = addresses.front().to_string();
    } catch (const net::ResolveError& e) {
        throw net::FatalError(2, e.what());
    } catch (const std::system_error& e) {
        throw net::FatalError(2, e.what());
    }
    Pinger pinger(std::move(options), std::move(sock), target);
    return pinger.run(signals);
}

}  // namespace

int main(int argc, char** argv) {
    const int status = net::run_main(argc, argv, command_line(), run);
    // ping's convention: 0 some reply, 1 none, 2 an error; a bad command line stays 64 (EX_USAGE)
    // like every program of the suite.
    return status == 0 || status == 1 || status == net::kExitUsage ? status : 2;
}
