// TcpConnector on a real loop over loopback: connected, refused, timed out (a listener whose
// backlog is full drops SYNs), the second address answering, lookups off the loop (one that
// fails, one that outlives the deadline), and cancellation.
#include "common/tcp_connector.hpp"

#include <gtest/gtest.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/socket.hpp"
#include "common/worker_pool.hpp"
#include "tests/support/full_listener.hpp"

namespace net {
namespace {

using namespace std::chrono_literals;

constexpr auto kPatience = 10s;  // bounds every wait of these tests

// A handler that records what arrived.
class Recorder final : public ConnectionHandler {
  public:
    void on_data(TcpConnection& conn) override {
        received += conn.input().view();
        conn.input().consume_all();
    }
    std::string received;
};

// A loop on its own thread, a connector and a set for what it opens; every step runs on the
// loop and the test waits for its result.
class TcpConnectorTest : public ::testing::Test {
  protected:
    void SetUp() override {
        thread_ = std::jthread([this] { loop_.run(); });
    }

    void TearDown() override {
        run_on_loop([this] {
            connector_.reset();
            set_.reset();
        });
        loop_.stop();
        thread_.join();
    }

    void use_resolver(Resolver resolver) {
        run_on_loop([&] { connector_ = std::make_unique<TcpConnector>(loop_, pool_, resolver); });
    }

    // Connects and waits for the callback.
    // What a connect gave, copied on the loop thread: the connection itself belongs to the loop
    // (it may close and be freed there while the test reads), so only its peer comes out.
    struct Outcome {
        TcpConnection* connection = nullptr;  // touch on the loop only (run_on_loop)
        std::optional<SocketAddress> peer;
        std::optional<ConnectError> error;
    };

    Outcome connect(ConnectRequest request) {
        auto promise = std::make_shared<std::promise<Outcome>>();
        auto future = promise->get_future();
        run_on_loop([&] {
            connector_->connect(
                std::move(request), *set_,
                [](TcpConnection&) { return std::make_shared<Recorder>(); }, {},
                [promise](ConnectResult result) {
                    Outcome outcome{.connection = result.connection,
                                    .peer = std::nullopt,
                                    .error = std::move(result.error)};
                    if (result.connection != nullptr) outcome.peer = result.connection->peer();
                    promise->set_value(std::move(outcome));
                });
        });
        if (future.wait_for(kPatience) != std::future_status::ready) {
            ADD_FAILURE() << "no callback within " << kPatience.count() << " s";
            return {};
        }
        return future.get();
    }

    void run_on_loop(const std::function<void()>& task) {
        std::promise<void> done;
        loop_.post([&] {
            task();
            done.set_value();
        });
        ASSERT_EQ(done.get_future().wait_for(kPatience), std::future_status::ready);
    }

    EventLoop loop_;
    WorkerPool pool_{2};
    std::unique_ptr<ConnectionSet> set_ = std::make_unique<ConnectionSet>(loop_);
    std::unique_ptr<TcpConnector> connector_ = std::make_unique<TcpConnector>(loop_, pool_);
    std::jthread thread_;
};

// A port on 127.0.0.1 nobody listens on (bound, then closed).
std::string closed_port() {
    const BoundSocket bound = listen_tcp("127.0.0.1", "0");
    return std::to_string(bound.address.port());
}

using test::full_listener;
using test::FullListener;

TEST_F(TcpConnectorTest, ConnectsAndTheConnectionCarriesBytes) {
    const BoundSocket server = listen_tcp("127.0.0.1", "0");
    const auto result =
        connect({.host = "127.0.0.1", .port = std::to_string(server.address.port())});
    ASSERT_NE(result.connection, nullptr) << result.error->message;
    EXPECT_FALSE(result.error);
    EXPECT_EQ(result.peer, server.address);

    // The server side accepts and writes; the connection's handler receives it.
    ASSERT_TRUE(wait_readable(server.fd.get(), kPatience));
    const Fd accepted(::accept4(server.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(accepted);
    write_all(accepted.get(), "hello");
    std::string received;
    const auto deadline = Deadline(kPatience);
    while (received != "hello" && !deadline.expired()) {
        run_on_loop(
            [&] { received = static_cast<Recorder&>(result.connection->handler()).received; });
    }
    EXPECT_EQ(received, "hello");
    run_on_loop([&] { EXPECT_EQ(set_->size(), 1U); });
}

TEST_F(TcpConnectorTest, AnAddressTheCallerRefusesIsNeverTried) {
    const BoundSocket first = listen_tcp("127.0.0.1", "0");
    const BoundSocket second = listen_tcp("127.0.0.1", "0");
    // The lookup gave two addresses; the caller may not reach the first.
    const auto result = connect(
        {.host = "two.example",
         .port = "80",
         .addresses = {first.address, second.address},
         .allow_address = [&](const SocketAddress& address) { return address != first.address; }});
    ASSERT_NE(result.connection, nullptr) << result.error->message;
    EXPECT_EQ(result.peer, second.address);
}

TEST_F(TcpConnectorTest, WhenEveryAddressIsRefusedTheErrorNamesTheFirst) {
    const BoundSocket server = listen_tcp("127.0.0.1", "0");
    const auto result = connect({.host = "127.0.0.1",
                                 .port = std::to_string(server.address.port()),
                                 .allow_address = [](const SocketAddress&) { return false; }});
    ASSERT_EQ(result.connection, nullptr);
    ASSERT_TRUE(result.error);
    EXPECT_EQ(result.error->step, ConnectStep::kRefused);
    EXPECT_EQ(result.error->error, EACCES);
    EXPECT_EQ(result.error->refused, server.address);
    // Nothing reached the listener.
    EXPECT_FALSE(wait_readable(server.fd.get(), std::chrono::milliseconds(0)));
}

TEST_F(TcpConnectorTest, ARefusedConnectNamesTheAddressAndTheError) {
    const std::string port = closed_port();
    const auto result = connect({.host = "127.0.0.1", .port = port});
    ASSERT_EQ(result.connection, nullptr);
    ASSERT_TRUE(result.error);
    EXPECT_EQ(result.error->step, ConnectStep::kConnect);
    EXPECT_EQ(result.error->error, ECONNREFUSED);
    EXPECT_EQ(result.error->message,
              "cannot connect to 127.0.0.1:" + port + ": Connection refused");
}

TEST_F(TcpConnectorTest, AConnectThatHangsTimesOutAtTheDeadline) {
    const FullListener full = full_listener();
    const auto start = std::chrono::steady_clock::now();
    const auto result = connect({.host = "127.0.0.1",
                                 .port = std::to_string(full.listener.address.port()),
                                 .timeout = 200ms});
    ASSERT_TRUE(result.error);
    EXPECT_TRUE(result.error->timed_out());
    EXPECT_EQ(result.error->step, ConnectStep::kConnect);
    EXPECT_NE(result.error->message.find("timed out connecting to 127.0.0.1:"), std::string::npos)
        << result.error->message;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
}

TEST_F(TcpConnectorTest, TheSecondAddressAnswersWhenTheFirstRefuses) {
    const BoundSocket server = listen_tcp("127.0.0.1", "0");
    const auto refusing = resolve("127.0.0.1", closed_port()).front();
    const auto result =
        connect({.host = "example.test", .port = "0", .addresses = {refusing, server.address}});
    ASSERT_NE(result.connection, nullptr) << result.error->message;
    EXPECT_EQ(result.peer, server.address);
}

TEST_F(TcpConnectorTest, AnAddressThatHangsIsLeftAfterTheAttemptTimeout) {
    const FullListener full = full_listener();
    const BoundSocket server = listen_tcp("127.0.0.1", "0");
    const auto result = connect({.host = "example.test",
                                 .port = "0",
                                 .timeout = kPatience,
                                 .attempt_timeout = 100ms,
                                 .addresses = {full.listener.address, server.address}});
    ASSERT_NE(result.connection, nullptr) << result.error->message;
    EXPECT_EQ(result.peer, server.address);
}

TEST_F(TcpConnectorTest, ALookupFailureSaysItWasTheLookup) {
    // "localhost" comes from /etc/hosts and a non-numeric port fails the lookup: no DNS asked.
    const auto result = connect({.host = "localhost", .port = "not-a-port"});
    ASSERT_TRUE(result.error);
    EXPECT_EQ(result.error->step, ConnectStep::kLookup);
    EXPECT_NE(result.error->error, 0);
}

TEST_F(TcpConnectorTest, TheLookupRunsOffTheLoopAndCountsAgainstTheDeadline) {
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> on_loop_thread{true};
    use_resolver([&, released](const std::string&, const std::string&, int) {
        on_loop_thread = loop_.in_loop_thread();
        released.wait_for(kPatience);  // a lookup that hangs
        return std::vector<SocketAddress>{};
    });
    // While the lookup hangs, the loop still runs its timers: the deadline fires.
    const auto result = connect({.host = "slow.example", .port = "80", .timeout = 100ms});
    release.set_value();
    ASSERT_TRUE(result.error);
    EXPECT_EQ(result.error->step, ConnectStep::kLookup);
    EXPECT_TRUE(result.error->timed_out());
    EXPECT_FALSE(on_loop_thread.load());
}

TEST_F(TcpConnectorTest, ACancelledAttemptNeverCallsBack) {
    const FullListener full = full_listener();
    std::atomic<int> callbacks{0};
    run_on_loop([&] {
        const auto timers = loop_.timer_count();
        const auto id = connector_->connect(
            {.host = "127.0.0.1",
             .port = std::to_string(full.listener.address.port()),
             .timeout = 50ms},
            *set_, [](TcpConnection&) { return std::make_shared<Recorder>(); }, {},
            [&](ConnectResult) { ++callbacks; });
        EXPECT_EQ(connector_->pending(), 1U);
        connector_->cancel(id);
        EXPECT_EQ(connector_->pending(), 0U);
        EXPECT_EQ(loop_.timer_count(), timers) << "the attempt's deadline timer outlived it";
    });
    run_on_loop([] {});  // the batch the attempt's first step was deferred to has run
    EXPECT_EQ(callbacks.load(), 0);
}

TEST(TcpConnectorLifetimeTest, ALookupMayOutliveTheConnectorTheLoopAndThePool) {
    // A program that stops while a lookup hangs: it destroys the connector, the pool (which
    // abandons the lookup's thread) and the loop; the lookup ends later and touches none of them.
    auto started = std::make_shared<std::promise<void>>();
    auto finished = std::make_shared<std::promise<void>>();
    std::promise<void> release;
    auto released = release.get_future().share();
    {
        EventLoop loop;
        auto pool = std::make_unique<WorkerPool>(1, WorkerPool::AtExit::kAbandon);
        auto set = std::make_unique<ConnectionSet>(loop);
        auto connector = std::make_unique<TcpConnector>(
            loop, *pool,
            [started, finished, released](const std::string&, const std::string&, int) {
                started->set_value();
                (void)released.wait_for(kPatience);
                finished->set_value();
                return std::vector<SocketAddress>{};
            });
        std::jthread thread([&loop] { loop.run(); });
        loop.post([&] {
            connector->connect(
                {.host = "slow.example", .port = "80", .timeout = 10s}, *set,
                [](TcpConnection&) { return std::make_shared<Recorder>(); }, {},
                [](ConnectResult) { ADD_FAILURE() << "called back after the end"; });
        });
        ASSERT_EQ(started->get_future().wait_for(kPatience), std::future_status::ready);
        // Torn down on the loop thread, as a program's loop service is; then the pool goes.
        loop.post([&] {
            connector.reset();
            set.reset();
            loop.stop();
        });
        thread.join();
        pool.reset();
    }
    release.set_value();
    ASSERT_EQ(finished->get_future().wait_for(kPatience), std::future_status::ready);
}

}  // namespace
}  // namespace net
