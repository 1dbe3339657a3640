// TcpServer/TcpConnection on loopback, in-process: the loop runs on a thread of its own and the
// test is a blocking client with a deadline on every read. Callbacks report to a Journal that the
// test thread waits on; anything else on the loop's side is read through on_loop().
#include "common/tcp_server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "common/loop_group.hpp"
#include "common/socket.hpp"

namespace net {
namespace {

using namespace std::chrono_literals;

constexpr auto kSafety = 60s;   // the loop is stopped by then whatever happens
constexpr auto kPatience = 5s;  // the longest any single expected event may take

// What the callbacks saw, in order; shared between the loop thread and the test thread.
class Journal {
  public:
    void add(std::string event) {
        const std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
        changed_.notify_all();
    }
    // Waits until `event` was recorded at least `times` times.
    bool wait_for(const std::string& event, std::size_t times = 1) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kPatience, [&] { return count_locked(event) >= times; });
    }
    std::size_t count(const std::string& event) {
        const std::lock_guard lock(mutex_);
        return count_locked(event);
    }
    std::vector<std::string> events() {
        const std::lock_guard lock(mutex_);
        return events_;
    }

  private:
    std::size_t count_locked(const std::string& event) const {
        return static_cast<std::size_t>(std::count(events_.begin(), events_.end(), event));
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> events_;
};

// How a read to the end of the stream ended.
enum class End { kEof, kReset, kError, kTimeout };

void PrintTo(End end, std::ostream* out) {
    static constexpr const char* kNames[] = {"kEof", "kReset", "kError", "kTimeout"};
    *out << kNames[static_cast<int>(end)];
}

struct Received {
    std::string data;
    End end = End::kTimeout;
};

// Reads until `n` bytes arrived, the stream ended, or kPatience passed.
std::string read_bytes(int fd, std::size_t n) {
    const auto deadline = Clock::now() + kPatience;
    std::string data;
    std::array<char, 64 * 1024> chunk{};
    while (data.size() < n) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms || !wait_readable(fd, left)) break;
        const auto result =
            read_some(fd, std::span(chunk.data(), std::min(chunk.size(), n - data.size())));
        if (result.status == IoStatus::kOk) {
            data.append(chunk.data(), result.bytes);
        } else if (result.status != IoStatus::kWouldBlock) {
            break;
        }
    }
    return data;
}

// Reads until the peer closes (or resets) the stream, or kPatience passes without a byte.
Received read_to_end(int fd) {
    Received received;
    std::array<char, 64 * 1024> chunk{};
    for (;;) {
        if (!wait_readable(fd, kPatience)) return received;  // kTimeout
        const auto result = read_some(fd, chunk);
        switch (result.status) {
            case IoStatus::kOk:
                received.data.append(chunk.data(), result.bytes);
                break;
            case IoStatus::kWouldBlock:
                break;
            case IoStatus::kClosed:
                received.end = End::kEof;
                return received;
            case IoStatus::kError:
                received.end = result.error == ECONNRESET ? End::kReset : End::kError;
                return received;
        }
    }
}

char pattern_byte(std::size_t offset) {
    return static_cast<char>((offset * 7 + offset / 251) & 0xff);
}

std::string pattern(std::size_t offset, std::size_t size) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        data[i] = pattern_byte(offset + i);
    return data;
}

void echo(TcpConnection& conn) {
    conn.send(conn.input().view());
    conn.input().consume_all();
}

// A handler made of optional functions, so each test says only what it needs; what it leaves
// out behaves as ConnectionHandler's defaults.
struct TcpCallbacks {
    std::function<void(TcpConnection&)> on_open;
    std::function<void(TcpConnection&)> on_data;
    std::function<void(TcpConnection&)> on_peer_closed;
    std::function<void(TcpConnection&)> on_high_water;
    std::function<void(TcpConnection&)> on_drained;
    std::function<void(TcpConnection&)> on_idle;
    std::function<void(TcpConnection&)> on_server_stopping;
    std::function<void(TcpConnection&)> on_close;
};

class CallbackHandler final : public ConnectionHandler {
  public:
    explicit CallbackHandler(const TcpCallbacks& callbacks) : callbacks_(callbacks) {}

    void on_open(TcpConnection& conn) override { call(callbacks_.on_open, conn); }
    void on_data(TcpConnection& conn) override { call(callbacks_.on_data, conn); }
    void on_peer_closed(TcpConnection& conn) override {
        if (!call(callbacks_.on_peer_closed, conn)) ConnectionHandler::on_peer_closed(conn);
    }
    void on_high_water(TcpConnection& conn) override {
        if (!call(callbacks_.on_high_water, conn)) ConnectionHandler::on_high_water(conn);
    }
    void on_drained(TcpConnection& conn) override {
        if (!call(callbacks_.on_drained, conn)) ConnectionHandler::on_drained(conn);
    }
    void on_idle(TcpConnection& conn) override {
        if (!call(callbacks_.on_idle, conn)) ConnectionHandler::on_idle(conn);
    }
    void on_server_stopping(TcpConnection& conn) override {
        if (!call(callbacks_.on_server_stopping, conn)) {
            ConnectionHandler::on_server_stopping(conn);
        }
    }
    void on_close(TcpConnection& conn) override { call(callbacks_.on_close, conn); }

  private:
    static bool call(const std::function<void(TcpConnection&)>& callback, TcpConnection& conn) {
        if (!callback) return false;
        callback(conn);
        return true;
    }

    const TcpCallbacks& callbacks_;  // the test's, which outlives its server
};

struct TestOptions {
    std::chrono::milliseconds idle_timeout{0};
    std::size_t max_connections = 0;
    std::string over_limit_reply{};
    std::size_t high_water_mark = kDefaultHighWaterMark;
};

class TcpServerTest : public ::testing::Test {
  protected:
    // Listens on 127.0.0.1:0 and runs the loop on its own thread.
    void start(TcpCallbacks callbacks, TestOptions options = {}) {
        BoundSocket bound = listen_tcp("127.0.0.1", "0");
        port_ = std::to_string(bound.address.port());
        callbacks_ = std::move(callbacks);
        server_ = std::make_unique<TcpServer>(
            loop_, std::make_shared<Fd>(std::move(bound.fd)),
            [this](TcpConnection&) { return std::make_shared<CallbackHandler>(callbacks_); },
            TcpServerOptions{.connection = {.idle_timeout = options.idle_timeout,
                                            .high_water_mark = options.high_water_mark},
                             .max_connections = options.max_connections,
                             .over_limit_reply = options.over_limit_reply});
        loop_.run_after(kSafety, [this] {
            safety_fired_ = true;
            loop_.stop();
        });
        thread_ = std::jthread([this] { loop_.run(); });
    }

    void TearDown() override {
        if (thread_.joinable()) {
            loop_.post([this] {
                server_.reset();  // on the loop's thread, as everything of the server
                loop_.stop();
            });
            thread_.join();
        }
        server_.reset();
        EXPECT_FALSE(safety_fired_) << "the loop was still running at the safety timer";
    }

    // Runs `task` on the loop thread and waits for it.
    bool on_loop(std::function<void()> task) {
        auto done = std::make_shared<std::promise<void>>();
        auto future = done->get_future();
        loop_.post([task = std::move(task), done] {
            task();
            done->set_value();
        });
        return future.wait_for(kPatience) == std::future_status::ready;
    }

    std::size_t connection_count() {
        std::size_t count = 0;
        EXPECT_TRUE(on_loop([&] { count = server_ ? server_->connection_count() : 0; }));
        return count;
    }

    // A closed connection is destroyed by a task it posts after on_close, so the count settles
    // a moment after the "close" event: ask the loop again until it does (or kPatience passes).
    bool connection_count_becomes(std::size_t expected) {
        const auto deadline = Clock::now() + kPatience;
        do {
            if (connection_count() == expected) return true;
        } while (Clock::now() < deadline);
        ADD_FAILURE() << "connection_count() stayed " << connection_count() << ", not " << expected;
        return false;
    }

    Fd connect() { return connect_tcp("127.0.0.1", port_, kPatience).fd; }

    // Sends `text` and expects it back.
    void expect_echo(int fd, const std::string& text) {
        write_all(fd, text);
        EXPECT_EQ(read_bytes(fd, text.size()), text);
    }

    TcpCallbacks echo_callbacks() {
        TcpCallbacks callbacks;
        callbacks.on_open = [this](TcpConnection&) { journal_.add("open"); };
        callbacks.on_data = echo;
        callbacks.on_close = [this](TcpConnection&) { journal_.add("close"); };
        return callbacks;
    }

    Journal journal_;
    EventLoop loop_;
    TcpCallbacks callbacks_;
    std::unique_ptr<TcpServer> server_;
    std::string port_;
    std::atomic<bool> safety_fired_{false};
    std::jthread thread_;
};

// ---------------------------------------------------------------------------- moving bytes

TEST_F(TcpServerTest, EchoesWhatItReceives) {
    start(echo_callbacks());
    const Fd client = connect();
    expect_echo(client.get(), "hello\n");
    expect_echo(client.get(), "second line\n");
}

TEST_F(TcpServerTest, EchoesMoreThanTheSocketBuffersHold) {
    start(echo_callbacks());
    const Fd client = connect();
    // The client only reads once it has written everything: the server must buffer the
    // output the kernel does not take and write it as the socket drains.
    const std::string data = pattern(0, 4 * 1024 * 1024);
    write_all(client.get(), data);
    const std::string back = read_bytes(client.get(), data.size());
    EXPECT_EQ(back.size(), data.size());
    EXPECT_TRUE(back == data);
}

TEST_F(TcpServerTest, ServesManyClients) {
    start(echo_callbacks());
    std::vector<Fd> clients;
    for (int i = 0; i < 20; ++i)
        clients.push_back(connect());
    for (std::size_t i = 0; i < clients.size(); ++i)
        write_all(clients[i].get(), "client " + std::to_string(i) + "\n");
    for (std::size_t i = 0; i < clients.size(); ++i) {
        const std::string expected = "client " + std::to_string(i) + "\n";
        EXPECT_EQ(read_bytes(clients[i].get(), expected.size()), expected);
    }
    EXPECT_TRUE(journal_.wait_for("open", 20));
    EXPECT_EQ(connection_count(), 20U);
}

TEST_F(TcpServerTest, SendFromOnOpen) {
    TcpCallbacks callbacks;
    callbacks.on_open = [](TcpConnection& conn) { conn.send("220 ready\r\n"); };
    start(callbacks);
    const Fd client = connect();
    EXPECT_EQ(read_bytes(client.get(), 11), "220 ready\r\n");
}

// ---------------------------------------------------------------------------- lifetime

TEST_F(TcpServerTest, OpenAndCloseCallbacks) {
    TcpCallbacks callbacks;
    callbacks.on_open = [this](TcpConnection& conn) {
        journal_.add("open " + conn.peer().to_string());
        EXPECT_GE(conn.fd(), 0);
        EXPECT_FALSE(conn.closed());
        EXPECT_FALSE(conn.peer_closed());
        EXPECT_EQ(conn.output_bytes(), 0U);
    };
    callbacks.on_close = [this](TcpConnection&) { journal_.add("close"); };
    start(callbacks);

    Fd client = connect();
    const std::string me = local_address(client.get()).to_string();
    EXPECT_TRUE(journal_.wait_for("open " + me));
    EXPECT_EQ(connection_count(), 1U);

    client.reset();
    EXPECT_TRUE(journal_.wait_for("close"));
    EXPECT_TRUE(connection_count_becomes(0));
    EXPECT_EQ(journal_.events(), (std::vector<std::string>{"open " + me, "close"}));
}

TEST_F(TcpServerTest, ConnectionIdsAreDistinct) {
    std::mutex mutex;
    std::vector<std::uint64_t> ids;
    TcpCallbacks callbacks;
    callbacks.on_open = [&](TcpConnection& conn) {
        const std::lock_guard lock(mutex);
        ids.push_back(conn.id());
        journal_.add("open");
    };
    start(callbacks);
    const Fd a = connect();
    const Fd b = connect();
    const Fd c = connect();
    ASSERT_TRUE(journal_.wait_for("open", 3));
    const std::lock_guard lock(mutex);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

TEST_F(TcpServerTest, CloseFromOnData) {
    TcpCallbacks callbacks = echo_callbacks();
    callbacks.on_data = [](TcpConnection& conn) {
        if (conn.input().view().find("quit") != std::string_view::npos) {
            conn.close();
            EXPECT_TRUE(conn.closed());
        }
    };
    start(callbacks);
    const Fd client = connect();
    write_all(client.get(), "quit\n");
    const Received received = read_to_end(client.get());
    EXPECT_NE(received.end, End::kTimeout) << "the connection stayed open";
    EXPECT_TRUE(journal_.wait_for("close"));
    EXPECT_EQ(journal_.count("close"), 1U);
    EXPECT_TRUE(connection_count_becomes(0));
}

TEST_F(TcpServerTest, ResetByThePeerClosesOnlyThatConnection) {
    start(echo_callbacks());
    const Fd survivor = connect();
    Fd rude = connect();
    expect_echo(rude.get(), "x");
    const linger abort_on_close{1, 0};  // close() sends RST
    ASSERT_EQ(
        ::setsockopt(rude.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close), 0);
    rude.reset();
    EXPECT_TRUE(journal_.wait_for("close"));
    expect_echo(survivor.get(), "still here");
    EXPECT_TRUE(connection_count_becomes(1));
}

TEST_F(TcpServerTest, CloseAllClosesEveryConnection) {
    start(echo_callbacks());
    const Fd a = connect();
    const Fd b = connect();
    ASSERT_TRUE(journal_.wait_for("open", 2));
    ASSERT_TRUE(on_loop([this] { server_->close_all(); }));
    EXPECT_NE(read_to_end(a.get()).end, End::kTimeout);
    EXPECT_NE(read_to_end(b.get()).end, End::kTimeout);
    EXPECT_EQ(journal_.count("close"), 2U);
    EXPECT_TRUE(connection_count_becomes(0));
}

TEST_F(TcpServerTest, StopAcceptingRefusesNewConnectionsButKeepsOldOnes) {
    start(echo_callbacks());
    const Fd old = connect();
    expect_echo(old.get(), "before");
    ASSERT_TRUE(on_loop([this] { server_->stop_accepting(); }));
    try {
        (void)connect();
        ADD_FAILURE() << "connected after stop_accepting()";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
    }
    expect_echo(old.get(), "after");
}

TEST_F(TcpServerTest, DestroyingTheServerClosesItsConnections) {
    start(echo_callbacks());
    const Fd client = connect();
    expect_echo(client.get(), "x");
    ASSERT_TRUE(on_loop([this] { server_.reset(); }));
    EXPECT_EQ(read_to_end(client.get()).end, End::kEof);
    EXPECT_EQ(journal_.count("close"), 1U);
}

// ---------------------------------------------------------------------------- half-close

TEST_F(TcpServerTest, PeerHalfCloseGetsItsEchoThenEof) {
    start(echo_callbacks());  // no on_peer_closed: the default shuts our side down
    const Fd client = connect();
    write_all(client.get(), "abc");
    ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
    const Received received = read_to_end(client.get());
    EXPECT_EQ(received.data, "abc");
    EXPECT_EQ(received.end, End::kEof);
    EXPECT_TRUE(journal_.wait_for("close"));
}

TEST_F(TcpServerTest, PeerHalfCloseWithALotBufferedStillGetsEverything) {
    start(echo_callbacks());
    const Fd client = connect();
    const std::string data = pattern(0, 4 * 1024 * 1024);
    write_all(client.get(), data);  // much of it waits in the server's output buffer
    ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
    const Received received = read_to_end(client.get());
    EXPECT_EQ(received.data.size(), data.size());
    EXPECT_TRUE(received.data == data);
    EXPECT_EQ(received.end, End::kEof);
    EXPECT_TRUE(journal_.wait_for("close"));
}

TEST_F(TcpServerTest, CustomPeerClosedKeepsTheConnectionWritable) {
    TcpConnection* conn = nullptr;  // loop thread only
    TcpCallbacks callbacks = echo_callbacks();
    callbacks.on_open = [&](TcpConnection& c) { conn = &c; };
    callbacks.on_peer_closed = [this](TcpConnection& c) {
        EXPECT_TRUE(c.peer_closed());
        journal_.add("peer closed");
    };
    start(callbacks);
    const Fd client = connect();
    ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
    ASSERT_TRUE(journal_.wait_for("peer closed"));
    EXPECT_FALSE(wait_readable(client.get(), 0ms)) << "closed although the callback did not";

    ASSERT_TRUE(on_loop([&] {
        ASSERT_NE(conn, nullptr);
        conn->send("late reply");
        conn->shutdown_write();
    }));
    const Received received = read_to_end(client.get());
    EXPECT_EQ(received.data, "late reply");
    EXPECT_EQ(received.end, End::kEof);
    EXPECT_TRUE(journal_.wait_for("close"));
}

TEST_F(TcpServerTest, ServerShutdownWriteStillReadsThePeer) {
    TcpCallbacks callbacks = echo_callbacks();
    callbacks.on_data = [this](TcpConnection& conn) {
        const std::string text(conn.input().view());
        conn.input().consume_all();
        journal_.add("data " + text);
        if (text == "bye") {
            conn.send("ok");
            conn.shutdown_write();
        }
    };
    start(callbacks);
    const Fd client = connect();
    write_all(client.get(), "bye");
    const Received received = read_to_end(client.get());
    EXPECT_EQ(received.data, "ok");
    EXPECT_EQ(received.end, End::kEof);

    write_all(client.get(), "more");  // our direction is still open
    EXPECT_TRUE(journal_.wait_for("data more"));
    EXPECT_EQ(journal_.count("close"), 0U);

    ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
    EXPECT_TRUE(journal_.wait_for("close"));
}

TEST_F(TcpServerTest, CloseAfterWriteSendsEverythingThenCloses) {
    TcpCallbacks callbacks = echo_callbacks();
    const std::string reply = pattern(0, 4 * 1024 * 1024) + "221 bye\r\n";
    callbacks.on_data = [reply](TcpConnection& conn) {
        conn.input().consume_all();
        conn.send(reply);  // more than the socket takes at once: some waits in the buffer
        conn.close_after_write();
    };
    start(callbacks);
    const Fd client = connect();
    write_all(client.get(), "QUIT\r\n");
    const Received received = read_to_end(client.get());
    EXPECT_EQ(received.end, End::kEof);  // closed by us, without waiting for the client's FIN
    EXPECT_EQ(received.data.size(), reply.size());
    EXPECT_TRUE(received.data == reply);
    EXPECT_TRUE(journal_.wait_for("close"));
}

// ---------------------------------------------------------------------------- limits

TEST_F(TcpServerTest, IdleTimeoutClosesAnIdleConnection) {
    start(echo_callbacks(), {.idle_timeout = 100ms});
    const auto connected_at = Clock::now();
    const Fd client = connect();
    const Received received = read_to_end(client.get());
    const auto elapsed = Clock::now() - connected_at;
    EXPECT_EQ(received.end, End::kEof);
    EXPECT_GE(elapsed, 50ms) << "closed long before the idle timeout";
    EXPECT_TRUE(journal_.wait_for("close"));
}

TEST_F(TcpServerTest, ActivityKeepsAConnectionPastTheIdleTimeout) {
    start(echo_callbacks(), {.idle_timeout = 150ms});
    const Fd client = connect();
    const auto start = Clock::now();
    for (int i = 0; i < 6; ++i) {
        // Silence shorter than the timeout, then traffic: the timer must start over each time.
        EXPECT_FALSE(wait_readable(client.get(), 50ms)) << "closed while active, round " << i;
        expect_echo(client.get(), "ping");
    }
    EXPECT_GE(Clock::now() - start, 300ms);
    EXPECT_EQ(journal_.count("close"), 0U);

    EXPECT_EQ(read_to_end(client.get()).end, End::kEof);  // and then idle: closed
}

TEST_F(TcpServerTest, OnIdleReplacesTheDefaultClose) {
    TcpCallbacks callbacks = echo_callbacks();
    callbacks.on_idle = [this](TcpConnection& conn) {
        journal_.add("idle");
        conn.send("idle\n");
    };
    start(callbacks, {.idle_timeout = 50ms});
    const Fd client = connect();
    EXPECT_EQ(read_bytes(client.get(), 10), "idle\nidle\n");
    EXPECT_EQ(journal_.count("close"), 0U);
}

TEST_F(TcpServerTest, MaxConnectionsClosesTheExtraOnes) {
    start(echo_callbacks(), {.max_connections = 1});
    Fd first = connect();
    expect_echo(first.get(), "first");

    const Fd extra = connect();  // the kernel accepts it; the server closes it at once
    const Received received = read_to_end(extra.get());
    EXPECT_NE(received.end, End::kTimeout) << "a connection over the limit stayed open";
    EXPECT_EQ(received.data, "");
    EXPECT_EQ(journal_.count("open"), 1U);
    expect_echo(first.get(), "first still works");
    EXPECT_EQ(connection_count(), 1U);

    first.reset();
    ASSERT_TRUE(journal_.wait_for("close"));
    ASSERT_TRUE(connection_count_becomes(0));
    const Fd next = connect();  // room again
    expect_echo(next.get(), "next");
    EXPECT_EQ(journal_.count("open"), 2U);
}

TEST_F(TcpServerTest, AConnectionOverTheLimitGetsTheOverLimitReply) {
    start(echo_callbacks(), {.max_connections = 1, .over_limit_reply = "421 busy\r\n"});
    const Fd first = connect();
    expect_echo(first.get(), "first");
    const Fd extra = connect();
    const Received received = read_to_end(extra.get());
    EXPECT_EQ(received.data, "421 busy\r\n");
    EXPECT_NE(received.end, End::kTimeout);
}

// Lowers RLIMIT_NOFILE so that no new descriptor can be opened, and restores it.
class DescriptorsExhausted {
  public:
    DescriptorsExhausted() {
        EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
        // The lowest free number: every number below it is in use, so with the soft limit
        // there, open/accept fail with EMFILE.
        const int lowest_free = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        EXPECT_GE(lowest_free, 0);
        ::close(lowest_free);
        rlimit lowered = saved_;
        lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
        EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    }
    DescriptorsExhausted(const DescriptorsExhausted&) = delete;
    DescriptorsExhausted& operator=(const DescriptorsExhausted&) = delete;
    ~DescriptorsExhausted() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

  private:
    rlimit saved_{};
};

TEST_F(TcpServerTest, OutOfDescriptorsShedsTheConnectionAndRecovers) {
    start(echo_callbacks());
    // The client's socket exists before the limit drops: only the server's accept needs one.
    Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(client.valid());
    const SocketAddress server_address = resolve("127.0.0.1", port_).front();
    Received received;
    {
        const DescriptorsExhausted exhausted;
        errno = 0;
        EXPECT_EQ(::open("/dev/null", O_RDONLY | O_CLOEXEC), -1);
        EXPECT_EQ(errno, EMFILE);
        ASSERT_EQ(::connect(client.get(), server_address.get(), server_address.size()), 0);
        // The server cannot keep it: it must close it (not leave it queued forever).
        received = read_to_end(client.get());
    }
    EXPECT_NE(received.end, End::kTimeout) << "the connection was neither served nor shed";
    EXPECT_EQ(journal_.count("open"), 0U);

    // Descriptors again: the server still accepts.
    const Fd next = connect();
    expect_echo(next.get(), "recovered");
}

TEST_F(TcpServerTest, ADrainTellsEveryHandlerAndReportsOnceTheLastConnectionIsGone) {
    TcpCallbacks callbacks = echo_callbacks();
    // One connection finishes its "exchange" first: it closes only when the client says bye.
    callbacks.on_server_stopping = [this](TcpConnection& conn) {
        journal_.add("stopping");
        conn.send("bye?\n");
    };
    callbacks.on_data = [](TcpConnection& conn) {
        if (conn.input().view() == "bye\n") conn.close();
        conn.input().consume_all();
    };
    start(callbacks);
    const Fd client = connect();
    ASSERT_TRUE(journal_.wait_for("open"));
    std::atomic<bool> emptied{false};
    ASSERT_TRUE(on_loop([&] { server_->begin_drain([&] { emptied = true; }); }));
    EXPECT_TRUE(journal_.wait_for("stopping"));
    EXPECT_EQ(read_bytes(client.get(), 5), "bye?\n");
    EXPECT_FALSE(emptied.load()) << "reported empty with a connection still open";
    write_all(client.get(), "bye\n");
    EXPECT_TRUE(connection_count_becomes(0));
    EXPECT_TRUE(on_loop([] {}));  // the report runs after the batch that closed the connection
    EXPECT_TRUE(emptied.load());
    // No longer accepting: a new client is refused.
    EXPECT_THROW(connect(), std::system_error);
}

TEST_F(TcpServerTest, ADrainWithNoConnectionsReportsAtOnce) {
    start(echo_callbacks());
    std::atomic<bool> emptied{false};
    ASSERT_TRUE(on_loop([&] { server_->begin_drain([&] { emptied = true; }); }));
    EXPECT_TRUE(on_loop([] {}));
    EXPECT_TRUE(emptied.load());
}

TEST_F(TcpServerTest, TheHighWaterMarkBoundsTheOutputForAClientThatDoesNotRead) {
    constexpr std::size_t kHighWater = 256 * 1024;
    constexpr std::size_t kMaxSend = 64 * 1024 * 1024;
    // Touched on the loop thread only; read through on_loop().
    std::size_t max_output = 0;
    int pauses = 0;
    int resumes = 0;
    TcpCallbacks callbacks;
    callbacks.on_data = [&](TcpConnection& conn) {
        echo(conn);
        max_output = std::max(max_output, conn.output_bytes());
    };
    // The handler's defaults pause at the mark and resume once drained; count them.
    callbacks.on_high_water = [&](TcpConnection& conn) {
        ++pauses;
        conn.pause_reading();
    };
    callbacks.on_drained = [&](TcpConnection& conn) {
        ++resumes;
        conn.resume_reading();
    };
    start(callbacks, {.high_water_mark = kHighWater});
    const Fd client = connect();
    set_nonblocking(client.get());

    // Phase 1: write and never read. Without backpressure the server would read all 64 MiB.
    std::size_t sent = 0;
    bool blocked = false;
    const auto give_up = Clock::now() + 30s;
    while (sent < kMaxSend && Clock::now() < give_up) {
        const std::string chunk = pattern(sent, 64 * 1024);
        const auto result = write_some(client.get(), chunk);
        if (result.status == IoStatus::kOk) {
            sent += result.bytes;
        } else if (result.status == IoStatus::kWouldBlock) {
            if (!wait_writable(client.get(), 1s)) {
                blocked = true;
                break;
            }
        } else {
            FAIL() << "write failed: " << result.error;
        }
    }
    EXPECT_TRUE(blocked) << "the server kept reading: " << sent << " bytes accepted";
    std::size_t output_then = 0;
    ASSERT_TRUE(on_loop([&] { output_then = max_output; }));
    int pauses_then = 0;
    ASSERT_TRUE(on_loop([&] { pauses_then = pauses; }));
    EXPECT_GT(pauses_then, 0);
    EXPECT_LE(output_then, kHighWater + 1024 * 1024) << "the output buffer kept growing";

    // Phase 2: read everything back; the server resumes as its output drains.
    std::size_t got = 0;
    std::size_t first_mismatch = std::string::npos;
    std::array<char, 64 * 1024> chunk{};
    const auto deadline = Clock::now() + 30s;
    while (got < sent && Clock::now() < deadline) {
        if (!wait_readable(client.get(), kPatience)) break;
        const auto result = read_some(client.get(), chunk);
        if (result.status == IoStatus::kWouldBlock) continue;
        if (result.status != IoStatus::kOk) break;
        for (std::size_t i = 0; i < result.bytes && first_mismatch == std::string::npos; ++i) {
            if (chunk[i] != pattern_byte(got + i)) first_mismatch = got + i;
        }
        got += result.bytes;
    }
    EXPECT_EQ(got, sent);
    EXPECT_EQ(first_mismatch, std::string::npos) << "echo differs at byte " << first_mismatch;
    int resumes_then = 0;
    ASSERT_TRUE(on_loop([&] { resumes_then = resumes; }));
    EXPECT_GT(resumes_then, 0);
}

// Several loops share one listener (EPOLLEXCLUSIVE); every connection is served by exactly one of
// them, and the listener closes only when the last server stops accepting.
TEST(TcpServerSharedListenerTest, LoopsShareOneListenerUntilTheLastStopsAccepting) {
    BoundSocket bound = listen_tcp("127.0.0.1", "0");
    const std::string port = std::to_string(bound.address.port());
    auto listener = std::make_shared<Fd>(std::move(bound.fd));
    std::weak_ptr<Fd> watch_listener = listener;

    LoopGroup loops(2);
    std::vector<std::unique_ptr<TcpServer>> servers;
    std::atomic<int> opened{0};
    TcpCallbacks callbacks;
    callbacks.on_open = [&](TcpConnection&) { ++opened; };
    callbacks.on_data = echo;
    for (std::size_t i = 0; i < loops.size(); ++i) {
        servers.push_back(std::make_unique<TcpServer>(
            loops.loop(i), listener,
            [&callbacks](TcpConnection&) { return std::make_shared<CallbackHandler>(callbacks); }));
    }
    listener.reset();  // the servers own it now
    loops.start();

    constexpr int kClients = 20;
    for (int i = 0; i < kClients; ++i) {
        const Connected client = connect_tcp("127.0.0.1", port, kPatience);
        const std::string line = "client " + std::to_string(i) + "\n";
        write_all(client.fd.get(), line);
        std::string reply;
        std::array<char, 64> chunk{};
        while (reply.size() < line.size() && wait_readable(client.fd.get(), kPatience)) {
            const auto io = read_some(client.fd.get(), chunk);
            if (io.status != IoStatus::kOk) break;
            reply.append(chunk.data(), io.bytes);
        }
        EXPECT_EQ(reply, line);
    }
    EXPECT_EQ(opened.load(), kClients);

    // The first server stops accepting: the other still serves.
    std::promise<void> first_stopped;
    loops.loop(0).post([&] {
        servers[0]->stop_accepting();
        first_stopped.set_value();
    });
    ASSERT_EQ(first_stopped.get_future().wait_for(kPatience), std::future_status::ready);
    EXPECT_FALSE(watch_listener.expired());
    EXPECT_NO_THROW(connect_tcp("127.0.0.1", port, kPatience));

    // The last one stops: the listener is closed and connections are refused.
    std::promise<void> second_stopped;
    loops.loop(1).post([&] {
        servers[1]->stop_accepting();
        second_stopped.set_value();
    });
    ASSERT_EQ(second_stopped.get_future().wait_for(kPatience), std::future_status::ready);
    EXPECT_TRUE(watch_listener.expired());
    EXPECT_THROW(connect_tcp("127.0.0.1", port, kPatience), std::system_error);

    loops.stop();
    servers.clear();
}

}  // namespace
}  // namespace net
