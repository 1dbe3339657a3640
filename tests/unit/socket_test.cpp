// Socket helpers, on loopback and socketpairs only: listening, connecting, UDP, the IoResult
// statuses of read_some/write_some, write_all against a concurrent reader, and bounded waits.
#include "common/socket.hpp"
#include "tests/support/pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <ostream>
#include <set>
#include <string>
#include <system_error>
#include <thread>

namespace net {

// Readable names in failure messages (static: each test file may define its own).
[[maybe_unused]] static void PrintTo(IoStatus status, std::ostream* out) {
    static constexpr const char* kNames[] = {"kOk", "kWouldBlock", "kClosed", "kError"};
    *out << kNames[static_cast<int>(status)];
}

namespace {

using test::make_pipe;
using test::Pipe;

using namespace std::chrono_literals;

// Long enough never to fire on a loaded machine; only there so a bug fails instead of hanging.
constexpr auto kPatience = 5s;

struct SocketPair {
    Fd a;
    Fd b;
};

SocketPair make_socketpair(int flags = 0) {
    int fds[2] = {-1, -1};
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0, fds), 0);
    return {Fd(fds[0]), Fd(fds[1])};
}

bool is_nonblocking(int fd) {
    return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

int int_option(int fd, int level, int name) {
    int value = -1;
    socklen_t len = sizeof value;
    EXPECT_EQ(::getsockopt(fd, level, name, &value, &len), 0);
    return value;
}

// Accepts one connection on a (non-blocking) listener, waiting at most kPatience.
Fd accept_one(int listener) {
    if (!wait_readable(listener, kPatience)) return Fd();
    return Fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

// Reads until `n` bytes, the end of the stream or the deadline, whichever comes first.
std::string read_bytes(int fd, std::size_t n) {
    const auto deadline = Clock::now() + kPatience;
    std::string data;
    std::array<char, 4096> chunk{};
    while (data.size() < n) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms || !wait_readable(fd, left)) break;
        const auto result = read_some(fd, chunk);
        if (result.status != IoStatus::kOk) break;
        data.append(chunk.data(), result.bytes);
    }
    return data;
}

// A port on 127.0.0.1 that is bound but not listening: connecting to it is refused, and no
// other process can start listening on it while the returned socket lives.
std::pair<Fd, std::string> closed_tcp_port() {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_TRUE(fd.valid());
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&in), sizeof in), 0);
    const auto port = local_address(fd.get()).port();
    return {std::move(fd), std::to_string(port)};
}

// Whether this machine has IPv6 on loopback at all (some containers do not).
bool ipv6_available() {
    const Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return false;
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_loopback;
    return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&in6), sizeof in6) == 0;
}

std::string pattern(std::size_t size) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        data[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
    return data;
}

// ---------------------------------------------------------------------------- listen_tcp

TEST(ListenTcpTest, PortZeroTakesAnEphemeralPort) {
    const BoundSocket bound = listen_tcp("127.0.0.1", "0");
    ASSERT_TRUE(bound.fd.valid());
    EXPECT_EQ(bound.address.family(), AF_INET);
    EXPECT_EQ(bound.address.host(), "127.0.0.1");
    EXPECT_NE(bound.address.port(), 0);
    EXPECT_EQ(bound.address, local_address(bound.fd.get()));
    EXPECT_TRUE(is_nonblocking(bound.fd.get()));
    EXPECT_NE(int_option(bound.fd.get(), SOL_SOCKET, SO_REUSEADDR), 0);
    EXPECT_NE(int_option(bound.fd.get(), SOL_SOCKET, SO_ACCEPTCONN), 0);
}

TEST(ListenTcpTest, ListensOnAGivenAddress) {
    if (!ipv6_available()) GTEST_SKIP() << "no IPv6 on this machine";
    const BoundSocket bound = listen_tcp(resolve("::1", "0").front());
    EXPECT_EQ(bound.address.family(), AF_INET6);
    EXPECT_EQ(bound.address.host(), "::1");
    EXPECT_NE(bound.address.port(), 0);
    EXPECT_TRUE(is_nonblocking(bound.fd.get()));
}

TEST(ListenTcpTest, PortInUseThrowsNamingTheAddress) {
    const BoundSocket first = listen_tcp("127.0.0.1", "0");
    const std::string port = std::to_string(first.address.port());
    try {
        (void)listen_tcp("127.0.0.1", port);
        FAIL() << "a second listener on port " << port << " was allowed";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::address_in_use);
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + port), std::string::npos) << e.what();
    }
}

TEST(ListenTcpTest, DualStackAcceptsIpv4) {
    if (!ipv6_available()) GTEST_SKIP() << "no IPv6 on this machine";
    const BoundSocket bound = listen_tcp("::", "0");
    ASSERT_EQ(bound.address.family(), AF_INET6);
    const std::string port = std::to_string(bound.address.port());

    const Connected client = connect_tcp("127.0.0.1", port, kPatience);
    const Fd server = accept_one(bound.fd.get());
    ASSERT_TRUE(server.valid());

    // The v4-mapped peer prints as plain IPv4.
    EXPECT_EQ(peer_address(server.get()).host(), "127.0.0.1");
    EXPECT_EQ(peer_address(server.get()).to_string(), local_address(client.fd.get()).to_string());
}

TEST(ListenTcpTest, ASecondListenerOnTheSamePortFailsWithAddressInUse) {
    const BoundSocket first = listen_tcp("127.0.0.1", "0");
    const std::string port = std::to_string(first.address.port());
    EXPECT_EQ(int_option(first.fd.get(), SOL_SOCKET, SO_REUSEPORT), 0);
    try {
        const BoundSocket second = listen_tcp("127.0.0.1", port);
        ADD_FAILURE() << "a second listener joined port " << port;
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), EADDRINUSE);
        EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + port),
                  std::string::npos)
            << e.what();
    }
}

// ---------------------------------------------------------------------------- connect_tcp

TEST(ConnectTcpTest, ConnectsAndReturnsABlockingSocket) {
    const BoundSocket bound = listen_tcp("127.0.0.1", "0");
    const std::string port = std::to_string(bound.address.port());

    const Connected client = connect_tcp("127.0.0.1", port, kPatience);
    ASSERT_TRUE(client.fd.valid());
    EXPECT_EQ(client.peer, bound.address);
    EXPECT_EQ(peer_address(client.fd.get()), bound.address);
    EXPECT_FALSE(is_nonblocking(client.fd.get()));

    const Fd server = accept_one(bound.fd.get());
    ASSERT_TRUE(server.valid());
    EXPECT_EQ(peer_address(server.get()), local_address(client.fd.get()));

    write_all(client.fd.get(), "hello");
    EXPECT_EQ(read_bytes(server.get(), 5), "hello");
    write_all(server.get(), "HELLO");
    EXPECT_EQ(read_bytes(client.fd.get(), 5), "HELLO");
}

TEST(ConnectTcpTest, ClosedPortThrowsConnectionRefused) {
    const auto [reserved, port] = closed_tcp_port();
    try {
        (void)connect_tcp("127.0.0.1", port, kPatience);
        FAIL() << "connected to a port nobody listens on";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + port), std::string::npos) << e.what();
    }
}

TEST(ConnectTcpTest, UnknownHostThrowsResolveError) {
    EXPECT_THROW((void)connect_tcp("nosuchhost.invalid", "80", kPatience), ResolveError);
}

// ---------------------------------------------------------------------------- UDP

TEST(UdpTest, BindAndConnectRoundTrip) {
    const BoundSocket server = bind_udp("127.0.0.1", "0");
    ASSERT_TRUE(server.fd.valid());
    EXPECT_NE(server.address.port(), 0);
    EXPECT_EQ(server.address.host(), "127.0.0.1");
    EXPECT_EQ(int_option(server.fd.get(), SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    EXPECT_TRUE(is_nonblocking(server.fd.get()));

    const Fd client = connect_udp(server.address);
    ASSERT_TRUE(client.valid());
    EXPECT_EQ(peer_address(client.get()), server.address);

    const auto sent = write_some(client.get(), std::string_view("ping"));
    ASSERT_EQ(sent.status, IoStatus::kOk);
    EXPECT_EQ(sent.bytes, 4U);

    ASSERT_TRUE(wait_readable(server.fd.get(), kPatience));
    std::array<char, 64> datagram{};
    SocketAddress from;
    socklen_t from_len = from.capacity();
    const auto n =
        ::recvfrom(server.fd.get(), datagram.data(), datagram.size(), 0, from.get_mut(), &from_len);
    ASSERT_EQ(n, 4);
    from.set_size(from_len);
    EXPECT_EQ(std::string_view(datagram.data(), 4), "ping");
    EXPECT_EQ(from, local_address(client.get()));

    ASSERT_EQ(::sendto(server.fd.get(), "PING", 4, 0, from.get(), from.size()), 4);
    ASSERT_TRUE(wait_readable(client.get(), kPatience));
    const auto reply = read_some(client.get(), datagram);
    ASSERT_EQ(reply.status, IoStatus::kOk);
    EXPECT_EQ(std::string_view(datagram.data(), reply.bytes), "PING");
}

TEST(UdpTest, DualStackReceivesFromIpv4) {
    if (!ipv6_available()) GTEST_SKIP() << "no IPv6 on this machine";
    const BoundSocket server = bind_udp("::", "0");
    ASSERT_EQ(server.address.family(), AF_INET6);
    const auto v4 =
        resolve("127.0.0.1", std::to_string(server.address.port()), {.transport = Transport::kUdp});
    const Fd client = connect_udp(v4.front());

    ASSERT_EQ(write_some(client.get(), std::string_view("x")).status, IoStatus::kOk);
    ASSERT_TRUE(wait_readable(server.fd.get(), kPatience));
    std::array<char, 16> datagram{};
    const auto got = read_some(server.fd.get(), datagram);
    ASSERT_EQ(got.status, IoStatus::kOk);
    EXPECT_EQ(got.bytes, 1U);
}

TEST(UdpTest, ConnectedSocketReportsRefusedPort) {
    // Bind, note the port, close: nothing listens there now.
    SocketAddress target;
    {
        const BoundSocket gone = bind_udp("127.0.0.1", "0");
        target = gone.address;
    }
    const Fd client = connect_udp(target);
    ASSERT_EQ(write_some(client.get(), std::string_view("anyone?")).status, IoStatus::kOk);
    ASSERT_TRUE(wait_readable(client.get(), kPatience));  // the ICMP error wakes it
    set_nonblocking(client.get());
    std::array<char, 16> datagram{};
    const auto result = read_some(client.get(), datagram);
    EXPECT_EQ(result.status, IoStatus::kError);
    EXPECT_EQ(result.error, ECONNREFUSED);
}

// ---------------------------------------------------------------------------- options

TEST(SocketOptionsTest, SetNonblockingTurnsOnAndOff) {
    const SocketPair pair = make_socketpair();
    EXPECT_FALSE(is_nonblocking(pair.a.get()));
    set_nonblocking(pair.a.get());
    EXPECT_TRUE(is_nonblocking(pair.a.get()));
    set_nonblocking(pair.a.get(), true);  // idempotent
    EXPECT_TRUE(is_nonblocking(pair.a.get()));
    set_nonblocking(pair.a.get(), false);
    EXPECT_FALSE(is_nonblocking(pair.a.get()));
}

TEST(SocketOptionsTest, SetNodelay) {
    const BoundSocket bound = listen_tcp("127.0.0.1", "0");
    const Connected client =
        connect_tcp("127.0.0.1", std::to_string(bound.address.port()), kPatience);
    set_nodelay(client.fd.get());
    EXPECT_NE(int_option(client.fd.get(), IPPROTO_TCP, TCP_NODELAY), 0);
    set_nodelay(client.fd.get(), false);
    EXPECT_EQ(int_option(client.fd.get(), IPPROTO_TCP, TCP_NODELAY), 0);
}

TEST(SocketOptionsTest, ErrorsOnABadDescriptorThrow) {
    EXPECT_THROW(set_nonblocking(-1), std::system_error);
    EXPECT_THROW((void)local_address(-1), std::system_error);
    EXPECT_THROW((void)peer_address(-1), std::system_error);
}

// ---------------------------------------------------------------------------- read_some /
// write_some

TEST(ReadSomeTest, ReadsWhatIsThere) {
    const SocketPair pair = make_socketpair();
    ASSERT_EQ(::write(pair.b.get(), "abc", 3), 3);
    std::array<char, 16> into{};
    const auto result = read_some(pair.a.get(), into);
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, 3U);
    EXPECT_EQ(std::string_view(into.data(), result.bytes), "abc");
}

TEST(ReadSomeTest, FinIsClosed) {
    const SocketPair pair = make_socketpair();
    ASSERT_EQ(::write(pair.b.get(), "z", 1), 1);
    ASSERT_EQ(::shutdown(pair.b.get(), SHUT_WR), 0);
    std::array<char, 16> into{};
    EXPECT_EQ(read_some(pair.a.get(), into).bytes, 1U);  // the data first
    const auto result = read_some(pair.a.get(), into);
    EXPECT_EQ(result.status, IoStatus::kClosed);
    EXPECT_EQ(result.bytes, 0U);
}

TEST(ReadSomeTest, EmptyNonblockingSocketWouldBlock) {
    const SocketPair pair = make_socketpair(SOCK_NONBLOCK);
    std::array<char, 16> into{};
    const auto result = read_some(pair.a.get(), into);
    EXPECT_EQ(result.status, IoStatus::kWouldBlock);
    EXPECT_EQ(result.bytes, 0U);
}

TEST(ReadSomeTest, BadDescriptorIsAnError) {
    std::array<char, 16> into{};
    const auto result = read_some(-1, into);
    EXPECT_EQ(result.status, IoStatus::kError);
    EXPECT_EQ(result.error, EBADF);
}

TEST(WriteSomeTest, WritesToSocketsAndPipes) {
    const SocketPair pair = make_socketpair();
    auto result = write_some(pair.a.get(), std::string_view("hello"));
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, 5U);
    EXPECT_EQ(read_bytes(pair.b.get(), 5), "hello");

    const Pipe pipe = make_pipe();
    result = write_some(pipe.write_end.get(), std::string_view("pipe"));
    EXPECT_EQ(result.status, IoStatus::kOk);
    EXPECT_EQ(result.bytes, 4U);
    EXPECT_EQ(read_bytes(pipe.read_end.get(), 4), "pipe");
}

TEST(WriteSomeTest, FullNonblockingSocketWouldBlock) {
    const SocketPair pair = make_socketpair(SOCK_NONBLOCK);
    const std::string chunk(64 * 1024, 'x');
    IoResult result;
    std::size_t written = 0;
    for (int i = 0; i < 100000; ++i) {  // bounded: the kernel buffer is far smaller
        result = write_some(pair.a.get(), chunk);
        if (result.status != IoStatus::kOk) break;
        written += result.bytes;
    }
    EXPECT_EQ(result.status, IoStatus::kWouldBlock);
    EXPECT_EQ(result.bytes, 0U);
    EXPECT_GT(written, 0U);
    EXPECT_FALSE(wait_writable(pair.a.get(), 10ms));
}

TEST(WriteSomeTest, ClosedPeerIsEpipeWithoutSigpipe) {
    SocketPair pair = make_socketpair();
    pair.b.reset();
    // A SIGPIPE here would kill the test binary: MSG_NOSIGNAL must be used.
    const auto result = write_some(pair.a.get(), std::string_view("x"));
    EXPECT_EQ(result.status, IoStatus::kError);
    EXPECT_EQ(result.error, EPIPE);
}

// ---------------------------------------------------------------------------- write_all

// Writes `data` with write_all while another thread reads it back; the reader gives up (and
// closes its end, so write_all fails instead of waiting forever) after kPatience of silence.
std::string write_all_through(Fd writer, Fd reader, const std::string& data) {
    std::string received;
    std::jthread drain([&received, fd = std::move(reader), total = data.size()] {
        std::array<char, 64 * 1024> chunk{};
        while (received.size() < total) {
            if (!wait_readable(fd.get(), kPatience)) break;
            const auto result = read_some(fd.get(), chunk);
            if (result.status != IoStatus::kOk) break;
            received.append(chunk.data(), result.bytes);
        }
    });
    EXPECT_NO_THROW(write_all(writer.get(), data));
    drain.join();
    return received;
}

TEST(WriteAllTest, SeveralMebibytesThroughANonblockingSocketPair) {
    SocketPair pair = make_socketpair();
    set_nonblocking(pair.a.get());  // write_all must wait for room, not fail with EAGAIN
    const std::string data = pattern(6 * 1024 * 1024);
    const std::string received = write_all_through(std::move(pair.a), std::move(pair.b), data);
    EXPECT_EQ(received.size(), data.size());
    EXPECT_TRUE(received == data) << "the bytes arrived changed or out of order";
}

TEST(WriteAllTest, ThroughABlockingPipe) {
    Pipe pipe = make_pipe();
    const std::string data = pattern(1024 * 1024);
    const std::string received =
        write_all_through(std::move(pipe.write_end), std::move(pipe.read_end), data);
    EXPECT_EQ(received.size(), data.size());
    EXPECT_TRUE(received == data);
}

TEST(WriteAllTest, ClosedPeerThrows) {
    SocketPair pair = make_socketpair();
    pair.b.reset();
    try {
        write_all(pair.a.get(), "lost");
        FAIL() << "write_all to a closed peer returned";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::broken_pipe) << e.what();
    }
}

// ---------------------------------------------------------------------------- waits

TEST(WaitTest, ReadableTimesOutWithFalse) {
    const SocketPair pair = make_socketpair();
    const auto start = Clock::now();
    EXPECT_FALSE(wait_readable(pair.a.get(), 50ms));
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 50ms);  // the monotonic deadline, not sooner
    EXPECT_LT(elapsed, kPatience);
}

TEST(WaitTest, ZeroTimeoutPolls) {
    const SocketPair pair = make_socketpair();
    EXPECT_FALSE(wait_readable(pair.a.get(), 0ms));
    ASSERT_EQ(::write(pair.b.get(), "x", 1), 1);
    EXPECT_TRUE(wait_readable(pair.a.get(), 0ms));
}

TEST(WaitTest, ReadableWhenDataArrives) {
    const SocketPair pair = make_socketpair();
    ASSERT_EQ(::write(pair.b.get(), "x", 1), 1);
    EXPECT_TRUE(wait_readable(pair.a.get(), kPatience));
}

TEST(WaitTest, ReadableWhenThePeerHangsUp) {
    SocketPair pair = make_socketpair();
    pair.b.reset();
    EXPECT_TRUE(wait_readable(pair.a.get(), kPatience));
}

TEST(WaitTest, ReadableFromAnotherThread) {
    const SocketPair pair = make_socketpair();
    std::jthread writer([fd = pair.b.get()] { EXPECT_EQ(::write(fd, "x", 1), 1); });
    EXPECT_TRUE(wait_readable(pair.a.get(), kPatience));
}

TEST(WaitTest, WritableUntilFull) {
    const SocketPair pair = make_socketpair(SOCK_NONBLOCK);
    EXPECT_TRUE(wait_writable(pair.a.get(), 0ms));
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 100000; ++i) {
        if (write_some(pair.a.get(), chunk).status != IoStatus::kOk) break;
    }
    const auto start = Clock::now();
    EXPECT_FALSE(wait_writable(pair.a.get(), 20ms));
    EXPECT_LT(Clock::now() - start, kPatience);
}

}  // namespace
}  // namespace net
