// TcpConnector: lookup off the loop, then a non-blocking connect per address, all on timers.
#include "tcp_connector.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <system_error>

#include "socket.hpp"

namespace net {
namespace {

// An address literal resolves without asking anyone: no need to leave the loop for it.
bool is_address_literal(const std::string& host) {
    in6_addr v6{};
    in_addr v4{};
    return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

std::vector<SocketAddress> resolve_tcp(const std::string& host, const std::string& port,
                                       int family) {
    return resolve(host, port, {.transport = Transport::kTcp, .passive = false, .family = family});
}

ConnectError lookup_error(const ResolveError& e) {
    return {.step = ConnectStep::kLookup, .error = e.gai_code(), .message = e.what()};
}

}  // namespace

struct TcpConnector::Attempt {
    AttemptId id = 0;
    ConnectRequest request;
    ConnectionSet* into = nullptr;
    HandlerFactory make_handler;
    ConnectionOptions options;
    Callback done;
    EventLoop::Clock::time_point deadline;
    EventLoop::TimerId deadline_timer = 0;
    EventLoop::TimerId attempt_timer = 0;
    bool looking_up = false;
    std::size_t next_address = 0;
    Fd socket;  // the try under way, watched for EPOLLOUT
    SocketAddress trying;
    int last_error = ETIMEDOUT;
    SocketAddress last_address;
    bool tried_any = false;                // a connect was started to some address
    std::optional<SocketAddress> refused;  // the first address allow_address refused
};

TcpConnector::TcpConnector(EventLoop& loop, WorkerPool& lookups, Resolver resolver)
    : loop_(loop),
      lookups_(lookups),
      resolver_(resolver ? std::move(resolver) : Resolver(resolve_tcp)) {
    mailbox_->loop = &loop;
}

TcpConnector::~TcpConnector() {
    {
        const std::lock_guard lock(mailbox_->mutex);
        mailbox_->loop = nullptr;
    }
    *alive_ = false;
    while (!attempts_.empty())
        finish(*attempts_.begin()->second);
}

TcpConnector::AttemptId TcpConnector::connect(ConnectRequest request, ConnectionSet& into,
                                              HandlerFactory make_handler,
                                              ConnectionOptions options, Callback done) {
    loop_.assert_in_loop_thread();
    auto attempt = std::make_unique<Attempt>();
    Attempt& a = *attempt;
    a.id = next_id_++;
    a.request = std::move(request);
    a.into = &into;
    a.make_handler = std::move(make_handler);
    a.options = options;
    a.done = std::move(done);
    a.deadline = EventLoop::Clock::now() + a.request.timeout;
    attempts_.emplace(a.id, std::move(attempt));
    a.deadline_timer = loop_.run_at(a.deadline, [this, id = a.id] { deadline_passed(id); });
    // Even an immediate answer goes out from the loop, never inside connect(): the caller may
    // not be ready for its callback yet.
    loop_.defer([this, id = a.id, alive = std::weak_ptr<bool>(alive_)] {
        const auto still = alive.lock();
        if (!still || !*still) return;
        Attempt* attempt = find(id);
        if (attempt == nullptr) return;
        if (!attempt->request.addresses.empty()) {
            try_next_address(*attempt);
        } else {
            start_lookup(*attempt);
        }
    });
    return a.id;
}

void TcpConnector::cancel(AttemptId id) {
    loop_.assert_in_loop_thread();
    if (Attempt* attempt = find(id)) finish(*attempt);
}

TcpConnector::Attempt* TcpConnector::find(AttemptId id) {
    const auto it = attempts_.find(id);
    return it == attempts_.end() ? nullptr : it->second.get();
}

void TcpConnector::start_lookup(Attempt& attempt) {
    const auto& request = attempt.request;
    if (is_address_literal(request.host)) {
        try {
            attempt.request.addresses = resolve_tcp(request.host, request.port, request.family);
        } catch (const ResolveError& e) {
            fail(attempt, lookup_error(e));
            return;
        }
        try_next_address(attempt);
        return;
    }
    attempt.looking_up = true;
    lookups_.submit([this, mailbox = mailbox_, alive = std::weak_ptr<bool>(alive_), id = attempt.id,
                     resolver = resolver_, host = request.host, port = request.port,
                     family = request.family] {
        std::vector<SocketAddress> addresses;
        std::optional<ConnectError> error;
        try {
            addresses = resolver(host, port, family);
            if (addresses.empty()) {
                error = ConnectError{.step = ConnectStep::kLookup,
                                     .error = EAI_NONAME,
                                     .message = "cannot resolve " + host + ": no address"};
            }
        } catch (const ResolveError& e) {
            error = lookup_error(e);
        } catch (const std::exception& e) {
            error =
                ConnectError{.step = ConnectStep::kLookup, .error = EAI_FAIL, .message = e.what()};
        }
        // `this` is touched only on the loop, and only while the connector lives.
        const std::lock_guard lock(mailbox->mutex);
        if (mailbox->loop == nullptr) return;  // the connector is gone
        mailbox->loop->post([this, alive, id, addresses = std::move(addresses), error]() mutable {
            const auto still = alive.lock();
            if (still && *still) lookup_done(id, std::move(addresses), std::move(error));
        });
    });
}

void TcpConnector::lookup_done(AttemptId id, std::vector<SocketAddress> addresses,
                               std::optional<ConnectError> error) {
    Attempt* found = find(id);
    if (found == nullptr) return;  // cancelled, or timed out while looking up
    Attempt& attempt = *found;
    attempt.looking_up = false;
    if (error) {
        fail(attempt, std::move(*error));
        return;
    }
    attempt.request.addresses = std::move(addresses);
    try_next_address(attempt);
}

// Starts a non-blocking connect to the next address; fails the attempt when none is left.
void TcpConnector::try_next_address(Attempt& attempt) {
    auto& addresses = attempt.request.addresses;
    while (attempt.next_address < addresses.size()) {
        const SocketAddress address = addresses[attempt.next_address++];
        if (attempt.request.allow_address && !attempt.request.allow_address(address)) {
            if (!attempt.refused) attempt.refused = address;
            continue;
        }
        attempt.tried_any = true;
        attempt.last_address = address;
        Fd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) {
            attempt.last_error = errno;
            continue;
        }
        const int rc = ::connect(fd.get(), address.get(), address.size());
        if (rc != 0 && errno != EINPROGRESS) {
            attempt.last_error = errno;
            continue;
        }
        attempt.socket = std::move(fd);
        attempt.trying = address;
        if (rc == 0) {  // connected at once (possible on loopback)
            succeed(attempt);
            return;
        }
        loop_.add(attempt.socket.get(), EPOLLOUT,
                  [this, id = attempt.id](std::uint32_t) { socket_ready(id); });
        auto until = attempt.deadline;
        if (attempt.request.attempt_timeout.count() > 0) {
            until = std::min(until, loop_.now() + attempt.request.attempt_timeout);
        }
        if (until < attempt.deadline) {
            attempt.attempt_timer =
                loop_.run_at(until, [this, id = attempt.id] { attempt_timed_out(id); });
        }
        return;
    }
    if (!attempt.tried_any && attempt.refused) {
        fail(attempt, {.step = ConnectStep::kRefused,
                       .error = EACCES,
                       .message = "not allowed to connect to " + attempt.refused->to_string(),
                       .refused = attempt.refused});
        return;
    }
    fail(attempt, {.step = ConnectStep::kConnect,
                   .error = attempt.last_error,
                   .message = "cannot connect to " + attempt.last_address.to_string() + ": " +
                              std::strerror(attempt.last_error)});
}

void TcpConnector::socket_ready(AttemptId id) {
    Attempt* attempt = find(id);
    if (attempt == nullptr) return;
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(attempt->socket.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
        error = errno;
    }
    if (error == 0) {
        succeed(*attempt);
    } else {
        abandon_try(*attempt, error);
    }
}

void TcpConnector::attempt_timed_out(AttemptId id) {
    Attempt* attempt = find(id);
    if (attempt == nullptr) return;
    attempt->attempt_timer = 0;
    abandon_try(*attempt, ETIMEDOUT);
}

void TcpConnector::abandon_try(Attempt& attempt, int error) {
    attempt.last_error = error;
    stop_watching_try(attempt);
    attempt.socket.reset();
    try_next_address(attempt);
}

void TcpConnector::stop_watching_try(Attempt& attempt) {
    if (attempt.socket && loop_.watching(attempt.socket.get())) loop_.remove(attempt.socket.get());
    if (attempt.attempt_timer != 0) loop_.cancel(std::exchange(attempt.attempt_timer, 0));
}

void TcpConnector::deadline_passed(AttemptId id) {
    Attempt* found = find(id);
    if (found == nullptr) return;
    Attempt& attempt = *found;
    attempt.deadline_timer = 0;
    if (attempt.looking_up) {
        fail(attempt, {.step = ConnectStep::kLookup,
                       .error = ETIMEDOUT,
                       .message = "timed out looking up " + attempt.request.host});
        return;
    }
    const std::string where = attempt.socket ? attempt.trying.to_string()
                                             : attempt.request.host + ":" + attempt.request.port;
    fail(attempt, {.step = ConnectStep::kConnect,
                   .error = ETIMEDOUT,
                   .message = "timed out connecting to " + where});
}

void TcpConnector::succeed(Attempt& attempt) {
    const auto finished = finish(attempt);
    try {
        set_nodelay(finished->socket.get());
    } catch (const std::system_error&) {
        // Not fatal: the connection only loses the small-write latency fix.
    }
    TcpConnection& conn = finished->into->add(std::move(finished->socket), finished->trying,
                                              finished->make_handler, finished->options);
    finished->done({.connection = &conn, .error = std::nullopt});
}

void TcpConnector::fail(Attempt& attempt, ConnectError error) {
    const auto finished = finish(attempt);
    finished->socket.reset();
    finished->done({.connection = nullptr, .error = std::move(error)});
}

std::unique_ptr<TcpConnector::Attempt> TcpConnector::finish(Attempt& attempt) {
    stop_watching_try(attempt);
    if (attempt.deadline_timer != 0) loop_.cancel(std::exchange(attempt.deadline_timer, 0));
    const auto it = attempts_.find(attempt.id);
    auto owned = std::move(it->second);
    attempts_.erase(it);
    return owned;
}

}  // namespace net
