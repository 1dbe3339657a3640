// The ping loop: send on schedule, catch replies (spinning briefly, then sleeping in poll), report
// timeouts, print the summary.
#include "udp_ping/pinger.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <utility>

#include "common/address.hpp"
#include "common/blocking.hpp"
#include "common/socket.hpp"
#include "udp_ping/icmp_error.hpp"
#include "udp_ping/ping_message.hpp"

namespace ping {
namespace {

using namespace std::chrono_literals;

// Datagrams read in one go at most, so a flood cannot keep the loop from its timers.
constexpr int kMaxDatagramsPerRead = 256;

// After each ping, look for its reply without sleeping for this long: a loopback or LAN reply is
// caught the moment it lands, without a scheduler wake-up (which is what sockperf does). Then
// poll() sleeps as usual, so a slow or lost reply costs no CPU.
constexpr auto kSpinForReply = 200us;

double wall_clock_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void print(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// Asks the kernel to queue each ICMP error with its type, code and sender, instead of only
// failing the next call with ECONNREFUSED (ip(7) and ipv6(7): IP_RECVERR, IPV6_RECVERR).
void enable_icmp_errors(int fd) {
    const int on = 1;
    const bool v6 = net::local_address(fd).family() == AF_INET6;
    if (::setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &on, sizeof on) !=
        0) {
        throw std::system_error(errno, std::generic_category(), "setsockopt(IP_RECVERR)");
    }
}

// The error in one IP_RECVERR/IPV6_RECVERR control message.
IcmpError icmp_error_of(const cmsghdr& control) {
    const auto* data = CMSG_DATA(&control);
    sock_extended_err ee{};
    std::memcpy(&ee, data, sizeof ee);
    IcmpError error;
    error.family = ee.ee_origin == SO_EE_ORIGIN_ICMP6 ? IcmpFamily::kIcmpV6 : IcmpFamily::kIcmpV4;
    error.local = ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6;
    error.type = ee.ee_type;
    error.code = ee.ee_code;
    error.info = ee.ee_info;
    if (error.local) error.local_reason = std::strerror(static_cast<int>(ee.ee_errno));
    // The sender's address follows the structure (SO_EE_OFFENDER); AF_UNSPEC when unknown.
    const std::size_t room = control.cmsg_len - CMSG_LEN(sizeof ee);
    if (room >= sizeof(sockaddr_in)) {
        sockaddr_storage offender{};
        std::memcpy(&offender, data + sizeof ee, std::min(room, sizeof offender));
        if (offender.ss_family == AF_INET || offender.ss_family == AF_INET6) {
            error.from = net::SocketAddress(reinterpret_cast<const sockaddr*>(&offender),
                                            static_cast<socklen_t>(std::min(room, sizeof offender)))
                             .host();
        }
    }
    return error;
}

std::string format_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", ms);
    return text;
}

}  // namespace

Pinger::Pinger(PingOptions options, net::Fd sock, std::string target)
    : options_(std::move(options)),
      sock_(std::move(sock)),
      target_(std::move(target)),
      tracker_(options_.timeout) {
    enable_icmp_errors(sock_.get());
}

void Pinger::line(const std::string& text) const {
    if (verbose()) print(text + "\n");
}

void Pinger::send_ping(Clock::time_point now) {
    const auto seq = next_seq_++;
    std::string message = format_ping(seq, wall_clock_seconds(), options_.size);
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
    for (int i = 0; i < kMaxDatagramsPerRead; ++i) {
        const ssize_t n = ::recv(sock_.get(), datagram.data(), datagram.size(), MSG_DONTWAIT);
        const auto now = Clock::now();
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return got;
            // Any other error is an ICMP error (ECONNREFUSED: port unreachable) or a local one
            // reported here once; the error queue says which ping it was about.
            if (errno != EINTR) read_errors();
            continue;
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
            case ReplyKind::kReply:
                if (result.seq + 1 == next_seq_) latest_answered_ = true;
                stats_.add_rtt(result.rtt_ms);
                records_[result.seq - 1].status = "reply";
                records_[result.seq - 1].rtt_ms = result.rtt_ms;
                line(prefix);
                if (options_.flood && !options_.quiet && !options_.json) print("\b \b");
                break;
            case ReplyKind::kLate:
                records_[result.seq - 1].late = true;
                records_[result.seq - 1].late_rtt_ms = result.rtt_ms;
                line(
                    prefix + " (late: after the " +
                    format_ms(std::chrono::duration<double, std::milli>(options_.timeout).count()) +
                    " ms timeout, not counted)");
                break;
            case ReplyKind::kDuplicate:
                stats_.add_duplicate();
                line(prefix + " (DUP!)");
                break;
            case ReplyKind::kForeign:
                // One line for the first, then one a second for the rest: a flood of strangers
                // must not flood the terminal too.
                report_ignored(now);
                if (ignored_.add(now)) {
                    line("ignored " + std::to_string(n) + " bytes from " + target_ +
                         ": not a reply to this run");
                }
                break;
        }
    }
    return got;
}

void Pinger::read_errors() {
    for (int i = 0; i < kMaxDatagramsPerRead; ++i) {
        std::array<char, 2048> returned{};  // the start of the ping the error is about
        alignas(cmsghdr) std::array<char, 512> control{};
        iovec iov{returned.data(), returned.size()};
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        const ssize_t n = ::recvmsg(sock_.get(), &message, MSG_ERRQUEUE | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // EAGAIN: the queue is empty
        }
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
            const bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
            const bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
            if (!v4 && !v6) continue;
            const IcmpError error = icmp_error_of(*c);
            const auto seq = tracker_.fail({returned.data(), static_cast<std::size_t>(n)});
            if (!seq) continue;  // about a ping already timed out or answered
            stats_.add_error();
            records_[*seq - 1].status = "error";
            records_[*seq - 1].error = describe_icmp(error);
            line(format_icmp_line(error, *seq));
        }
    }
}

void Pinger::report_ignored(Clock::time_point now) {
    if (const auto summary = ignored_.due(now)) line(*summary);
}

void Pinger::report_timeouts(Clock::time_point now) {
    for (const auto seq : tracker_.expire(now))
        line("Request timed out: seq=" + std::to_string(seq));
    report_ignored(now);
}

bool Pinger::finished(Clock::time_point now) const {
    if (now >= stop_.when()) return true;
    const bool all_sent = !more_to_send();
    return all_sent && !tracker_.waiting();
}

net::Deadline Pinger::wake_deadline(Clock::time_point now) const {
    Clock::time_point wake = stop_.when();  // never(): the latest time_point
    if (const auto timeout = tracker_.next_deadline()) wake = std::min(wake, *timeout);
    if (const auto summary = ignored_.next_due()) wake = std::min(wake, *summary);
    if (more_to_send()) {
        wake = std::min(wake, options_.flood && latest_answered_ ? now : next_send_);
    }
    return net::Deadline::at(wake);
}

int Pinger::run(net::TerminationSignals& signals) {
    start_ = next_send_ = Clock::now();
    stop_ =
        options_.deadline ? net::Deadline::at(start_ + *options_.deadline) : net::Deadline::never();
    if (!options_.json && !options_.quiet) {
        line("UDP PING " + target_ + ": " + std::to_string(options_.size) + " bytes of data.");
    }
    bool interrupted = false;
    for (;;) {
        auto now = Clock::now();
        report_timeouts(now);
        if (finished(now)) break;
        const bool due = now >= next_send_ || (options_.flood && latest_answered_);
        if (more_to_send() && due) {
            send_ping(now);
            spin_for_reply();
            continue;
        }
        std::array<pollfd, 2> fds{{{sock_.get(), POLLIN, 0}, {signals.fd(), POLLIN, 0}}};
        net::wait_any(fds, wake_deadline(now));
        if ((fds[0].revents & POLLERR) != 0) read_errors();
        if ((fds[0].revents & (POLLIN | POLLERR)) != 0) read_replies();
        if (fds[1].revents != 0 && signals.take() != 0) {
            interrupted = true;  // Ctrl-C: the summary still comes, as with ping
            break;
        }
    }
    if (const auto summary = ignored_.flush()) line(*summary);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
    if (options_.flood && !options_.quiet && !options_.json) print("\n");
    if (options_.json) {
        print(json());
    } else {
        print((interrupted || !options_.quiet ? std::string("\n") : std::string()) +
              format_summary(target_, stats_, elapsed.count()));
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
        if (r.status == "error") out += ", \"error\": \"" + r.error + "\"";
        if (r.late) out += ", \"late_rtt_ms\": " + number(r.late_rtt_ms);
        out += "}";
    }
    out += "], \"summary\": {\"transmitted\": " + std::to_string(stats_.transmitted()) +
           ", \"received\": " + std::to_string(stats_.received()) +
           ", \"duplicates\": " + std::to_string(stats_.duplicates()) +
           ", \"errors\": " + std::to_string(stats_.errors()) +
           ", \"foreign\": " + std::to_string(ignored_.total()) +
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

}  // namespace ping
