// tcp_load: the load half of bench/tcp.sh. Opens many connections to a line server at once and
// plays ping-pong on each: send a short line, wait for the whole reply, check it, send the next.
// One thread, one epoll loop, non-blocking sockets, so the server under test is the bottleneck.
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/ascii.hpp"
#include "common/cli.hpp"
#include "common/event_loop.hpp"
#include "common/socket.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kDefaultConnections = 1000;
constexpr std::uint64_t kDefaultLines = 100;
constexpr std::uint64_t kDefaultLineBytes = 32;  // including the '\n'
constexpr std::uint64_t kMaxLineBytes = 64 * 1024;
constexpr auto kDefaultTimeout = 60s;  // the whole exchange; then unfinished connections fail
constexpr auto kConnectTimeout = 10s;  // per connection; covers a SYN retransmit or two
constexpr int kSpareDescriptors = 16;  // stdio, epoll, eventfd, resolver...

net::CommandLine command_line() {
    return net::CommandLine(
        {.name = "tcp_load",
         .synopsis = "[-c N] [-n LINES] [--line-bytes B] [--expect upper|echo] HOST PORT",
         .description =
             "Opens N connections to HOST PORT at once; on each sends LINES lines one at a time, "
             "waiting for the whole reply to each and checking it.\nPrints one result line: "
             "connections= lines= seconds= lines_per_s= errors= connect_seconds=.\nExits 0 when "
             "every reply was right, 76 when one differed, 69 when a connection failed.",
         .options = {
             {"connections", 'c', "N", "connections open at once (default 1000)"},
             {"lines", 'n', "LINES", "lines per connection (default 100)"},
             {"line-bytes", 0, "B", "bytes per line, '\\n' included (default 32)"},
             {"expect", 0, "MODE",
              "upper: replies are the line upper-cased (tcp_server); echo: the line itself"},
             {"timeout", 'W', "SEC", "give up on unfinished connections after SEC (default 60)"},
             {"hold", 0, "SEC",
              "keep the connections open SEC after printing the result (default 0)"},
         }});
}

enum class Expect { kUpper, kEcho };

struct Settings {
    std::string host;
    std::string port;
    std::size_t connections = kDefaultConnections;
    std::size_t lines = kDefaultLines;
    std::size_t line_bytes = kDefaultLineBytes;
    Expect expect = Expect::kUpper;
    std::chrono::milliseconds timeout = kDefaultTimeout;
    std::chrono::milliseconds hold = 0ms;
};

Settings parse_settings(const net::Args& args) {
    if (args.positionals().size() != 2) throw net::UsageError("expected HOST and PORT");
    Settings settings;
    settings.host = args.positionals()[0];
    settings.port = args.positionals()[1];
    if (!net::parse_port(settings.port)) {
        throw net::UsageError("invalid port '" + settings.port + "'");
    }
    settings.connections = args.uint_or("connections", kDefaultConnections, 1, 1'000'000);
    settings.lines = args.uint_or("lines", kDefaultLines, 1, 1'000'000'000);
    settings.line_bytes = args.uint_or("line-bytes", kDefaultLineBytes, 1, kMaxLineBytes);
    const auto expect = args.value_or("expect", "upper");
    if (expect == "upper") {
        settings.expect = Expect::kUpper;
    } else if (expect == "echo") {
        settings.expect = Expect::kEcho;
    } else {
        throw net::UsageError("invalid value '" + expect + "' for --expect (upper or echo)");
    }
    settings.timeout = args.seconds_or("timeout", kDefaultTimeout, 1ms, 86400s);
    settings.hold = args.seconds_or("hold", 0ms, 0ms, 3600s);
    return settings;
}

// Raises the soft descriptor limit to the hard one: a thousand sockets do not fit in the usual
// soft limit of 1024.
void raise_descriptor_limit(std::size_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        throw std::system_error(errno, std::generic_category(), "getrlimit(RLIMIT_NOFILE)");
    }
    if (limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            throw std::system_error(errno, std::generic_category(), "setrlimit(RLIMIT_NOFILE)");
        }
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
        throw net::FatalError(net::kExitOsErr, "need " + std::to_string(needed) +
                                                   " descriptors but the hard limit is " +
                                                   std::to_string(limit.rlim_cur));
    }
}

// Writes line `number` of connection `index` into `line`: lowercase letters that differ from
// line to line and connection to connection (so the server's upper-casing shows), then '\n'.
void fill_line(std::string& line, std::size_t index, std::size_t number) {
    const std::size_t letters = line.size() - 1;
    for (std::size_t i = 0; i < letters; ++i) {
        line[i] = static_cast<char>('a' + (index * 7 + number * 3 + i) % 26);
    }
    line[letters] = '\n';
}

// What the whole run shares: the loop, the settings and the tally.
struct Run {
    Run(net::EventLoop& event_loop, const Settings& run_settings)
        : loop(event_loop), settings(run_settings) {}

    net::EventLoop& loop;
    const Settings& settings;
    std::size_t lines_done = 0;
    std::size_t finished = 0;  // connections done or failed
    std::size_t failed = 0;
    bool mismatch = false;
    std::string first_error;
    net::Clock::time_point last_reply{};
};

// One connection's ping-pong. Lives on the run's loop; owns its socket.
class LoadConnection {
  public:
    enum class State { kSending, kReceiving, kDone, kFailed };

    LoadConnection(Run& run, net::Fd fd, std::size_t index)
        : run_(run),
          fd_(std::move(fd)),
          index_(index),
          line_(run.settings.line_bytes, '\0'),
          reply_(run.settings.line_bytes, '\0') {}
    LoadConnection(const LoadConnection&) = delete;
    LoadConnection& operator=(const LoadConnection&) = delete;
    ~LoadConnection() {
        if (run_.loop.watching(fd_.get())) run_.loop.remove(fd_.get());
    }

    // Starts watching the socket and sends the first line.
    void start() {
        run_.loop.add(fd_.get(), EPOLLIN, [this](std::uint32_t events) { handle_events(events); });
        interest_ = EPOLLIN;
        begin_line();
    }

    // Marks an unfinished connection failed (the run ran out of time).
    void give_up(const std::string& why) {
        if (state_ == State::kSending || state_ == State::kReceiving) fail(why);
    }

  private:
    void handle_events(std::uint32_t events) {
        if (state_ == State::kSending && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
            send_line();
        } else if (state_ == State::kReceiving) {
            receive_reply();
        }
    }

    void begin_line() {
        fill_line(line_, index_, line_number_);
        sent_ = 0;
        received_ = 0;
        state_ = State::kSending;
        send_line();
    }

    // kSending: writes what is left of the line; waits for EPOLLOUT only if the kernel is full.
    void send_line() {
        while (sent_ < line_.size()) {
            const auto io = net::write_some(fd_.get(), std::span(line_).subspan(sent_));
            if (io.status == net::IoStatus::kWouldBlock) {
                watch(EPOLLOUT);
                return;
            }
            if (io.status != net::IoStatus::kOk) {
                fail(std::string("send failed: ") + std::strerror(io.error));
                return;
            }
            sent_ += io.bytes;
        }
        state_ = State::kReceiving;
        watch(EPOLLIN);
    }

    // kReceiving: reads up to the rest of the reply; a full reply is checked, then the next line.
    void receive_reply() {
        const auto io = net::read_some(fd_.get(), std::span(reply_).subspan(received_));
        switch (io.status) {
            case net::IoStatus::kWouldBlock:
                return;
            case net::IoStatus::kClosed:
                fail("closed by the server after " + std::to_string(received_) +
                     " bytes of reply " + std::to_string(line_number_ + 1));
                return;
            case net::IoStatus::kError:
                fail(std::string("receive failed: ") + std::strerror(io.error));
                return;
            case net::IoStatus::kOk:
                break;
        }
        received_ += io.bytes;
        if (received_ < reply_.size()) return;
        if (!reply_is_right()) {
            run_.mismatch = true;
            fail("reply " + std::to_string(line_number_ + 1) + " was '" + printable(reply_) +
                 "' for '" + printable(line_) + "'");
            return;
        }
        ++run_.lines_done;
        run_.last_reply = net::Clock::now();
        if (++line_number_ == run_.settings.lines) {
            finish(State::kDone);
            return;
        }
        begin_line();
    }

    [[nodiscard]] bool reply_is_right() const {
        if (run_.settings.expect == Expect::kEcho) return reply_ == line_;
        for (std::size_t i = 0; i < line_.size(); ++i) {
            if (reply_[i] != net::to_upper_ascii(line_[i])) return false;
        }
        return true;
    }

    static std::string printable(std::string text) {
        if (!text.empty() && text.back() == '\n') text.back() = '$';
        return text;
    }

    void watch(std::uint32_t events) {
        if (events == interest_) return;
        interest_ = events;
        run_.loop.modify(fd_.get(), events);
    }

    void fail(const std::string& why) {
        if (run_.first_error.empty()) {
            run_.first_error = "connection " + std::to_string(index_ + 1) + ": " + why;
        }
        ++run_.failed;
        finish(State::kFailed);
    }

    // Stops watching; the socket stays open until the run ends (see --hold).
    void finish(State state) {
        state_ = state;
        run_.loop.remove(fd_.get());
        if (++run_.finished == run_.settings.connections) run_.loop.stop();
    }

    Run& run_;
    net::Fd fd_;
    std::size_t index_;
    State state_ = State::kSending;
    std::uint32_t interest_ = 0;
    std::size_t line_number_ = 0;  // lines answered so far
    std::string line_;             // the line being sent
    std::string reply_;            // its reply so far
    std::size_t sent_ = 0;
    std::size_t received_ = 0;
};

double seconds_between(net::Clock::time_point from, net::Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

int run_load(const net::Args& args) {
    const Settings settings = parse_settings(args);
    raise_descriptor_limit(settings.connections + kSpareDescriptors);

    net::EventLoop loop;
    Run run(loop, settings);
    std::vector<std::unique_ptr<LoadConnection>> connections;
    connections.reserve(settings.connections);

    // Every connection is established before the first line goes out, so the exchange measures
    // the server with all of them open.
    const auto connect_start = net::Clock::now();
    for (std::size_t i = 0; i < settings.connections; ++i) {
        auto connected = net::connect_tcp(settings.host, settings.port, kConnectTimeout);
        net::set_nonblocking(connected.fd.get());
        net::set_nodelay(connected.fd.get());
        connections.push_back(std::make_unique<LoadConnection>(run, std::move(connected.fd), i));
    }
    const auto start = net::Clock::now();
    run.last_reply = start;

    for (auto& connection : connections)
        connection->start();
    loop.run_after(settings.timeout, [&] {
        for (auto& connection : connections)
            connection->give_up("no reply within the timeout");
        loop.stop();
    });
    if (run.finished < settings.connections) loop.run();

    const double seconds = seconds_between(start, run.last_reply);
    const double rate = seconds > 0 ? static_cast<double>(run.lines_done) / seconds : 0.0;
    std::printf(
        "connections=%zu lines=%zu seconds=%.3f lines_per_s=%.0f errors=%zu "
        "connect_seconds=%.3f\n",
        settings.connections, run.lines_done, seconds, rate, run.failed,
        seconds_between(connect_start, start));
    std::fflush(stdout);
    // The result is out; the connections stay open a while so the server's memory can be read
    // with all of them still there.
    if (settings.hold.count() > 0) std::this_thread::sleep_for(settings.hold);
    if (run.failed == 0) return net::kExitOk;
    std::fprintf(stderr, "tcp_load: %zu of %zu connections failed; first: %s\n", run.failed,
                 settings.connections, run.first_error.c_str());
    return run.mismatch ? net::kExitProtocol : net::kExitUnavailable;
}

}  // namespace

int main(int argc, char** argv) {
    return net::run_main(argc, argv, command_line(), run_load);
}
