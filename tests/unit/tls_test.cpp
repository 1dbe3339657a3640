// TLS sessions joined through memory (no sockets): handshake, data both ways, certificate and
// name checks, garbage, close_notify; then BlockingStream over a socketpair with deadlines.
// Certificates are made at test time. Every test skips when the build has no OpenSSL.
#include "common/tls.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "common/buffer.hpp"
#include "common/fd.hpp"
#include "common/socket.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certificate.hpp"

namespace net::tls {

// Readable names in failure messages (static: each test file may define its own).
[[maybe_unused]] static void PrintTo(Status status, std::ostream* out) {
    static constexpr const char* kNames[] = {"kOk", "kWantMore", "kClosed", "kFailed"};
    *out << kNames[static_cast<int>(status)];
}

namespace {

using namespace std::chrono_literals;

// Long enough never to fire on a loaded machine; only there so a bug fails instead of hanging.
constexpr auto kPatience = 20s;
// Ciphertext exchanges: a handshake takes two or three, so this only stops a loop that is stuck.
constexpr int kMaxRounds = 64;
constexpr std::size_t kFourMiB = 4 * 1024 * 1024;
constexpr const char* kHost = "mail.example.test";
constexpr const char* kOtherHost = "other.example.test";

// Deterministic bytes that are not a repeating short pattern.
std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 generator(seed);
    std::string bytes(size, '\0');
    for (char& byte : bytes)
        byte = static_cast<char>(generator() & 0xff);
    return bytes;
}

// The message of the TlsError that `action` throws, or "" when it throws none.
std::string tls_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const TlsError& e) {
        return e.what();
    }
    return "";
}

// A client and a server session joined by memory.
struct Link {
    Link(Session client_session, Session server_session)
        : client(std::move(client_session)), server(std::move(server_session)) {}

    Session client;
    Session server;
    Buffer client_received;  // plaintext the client decrypted
    Buffer server_received;
    Status client_status = Status::kWantMore;  // of the last pump()
    Status server_status = Status::kWantMore;

    // Pumps both sides and carries their ciphertext across until neither has anything more to
    // send. False when that did not happen within kMaxRounds.
    bool shuttle() {
        for (int round = 0; round < kMaxRounds; ++round) {
            client_status = client.pump(client_received);
            server_status = server.pump(server_received);
            const std::string to_server = client.take_output();
            const std::string to_client = server.take_output();
            if (to_server.empty() && to_client.empty()) return true;
            server.feed(to_server);
            client.feed(to_client);
        }
        return false;
    }
};

class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!available()) GTEST_SKIP() << "built without OpenSSL (Debian package libssl-dev)";
        certificate_ = test::make_test_certificate(dir_.path(), kHost);
    }

    [[nodiscard]] std::string cert_file() const { return certificate_.cert_file.string(); }
    [[nodiscard]] std::string key_file() const { return certificate_.key_file.string(); }
    [[nodiscard]] Context server_context() const {
        return Context::server(cert_file(), key_file());
    }
    // A client that trusts our self-signed certificate and nothing else.
    [[nodiscard]] Context trusting_client() const {
        return Context::client({.ca_file = cert_file(), .verify = true});
    }

    // A client of `client_context` asking for `server_name`, and a server with our certificate.
    [[nodiscard]] Link link(const Context& client_context,
                            const std::string& server_name = kHost) const {
        return Link{Session(client_context, Role::kClient, server_name),
                    Session(server_context(), Role::kServer)};
    }
    [[nodiscard]] Link established() const {
        Link l = link(trusting_client());
        EXPECT_TRUE(l.shuttle());
        EXPECT_TRUE(l.client.handshake_done()) << l.client.error();
        EXPECT_TRUE(l.server.handshake_done()) << l.server.error();
        return l;
    }

    test::TempDir dir_;
    test::TestCertificate certificate_;
};

TEST_F(TlsTest, HandshakeThroughMemory) {
    Link l = link(trusting_client());
    EXPECT_FALSE(l.client.handshake_done());
    EXPECT_EQ(l.client.description(), "");
    Buffer plaintext;
    EXPECT_EQ(l.client.pump(plaintext), Status::kWantMore);  // ClientHello out, waiting
    EXPECT_FALSE(l.client.take_output().empty());
    EXPECT_EQ(l.server.pump(plaintext), Status::kWantMore);  // nothing from the client yet

    l = link(trusting_client());
    ASSERT_TRUE(l.shuttle());
    EXPECT_TRUE(l.client.handshake_done()) << l.client.error();
    EXPECT_TRUE(l.server.handshake_done()) << l.server.error();
    EXPECT_FALSE(l.client.failed());
    EXPECT_FALSE(l.server.failed());
    EXPECT_EQ(l.client.error(), "");
    EXPECT_TRUE(l.client_received.empty());
    EXPECT_TRUE(l.server_received.empty());
}

TEST_F(TlsTest, DescriptionNamesVersionAndCipher) {
    const Link l = established();
    const std::string description = l.client.description();
    EXPECT_TRUE(description.starts_with("TLSv1.")) << description;
    EXPECT_NE(description.find(' '), std::string::npos) << description;  // then the cipher
    EXPECT_EQ(l.server.description(), description);
}

TEST_F(TlsTest, SessionTakesTheRoleOfItsContext) {
    Link l{Session(trusting_client(), kHost), Session(server_context())};
    ASSERT_TRUE(l.shuttle());
    EXPECT_TRUE(l.client.handshake_done()) << l.client.error();
    EXPECT_TRUE(l.server.handshake_done()) << l.server.error();
}

TEST_F(TlsTest, DataBothWays) {
    Link l = established();
    l.client.write("EHLO client.example\r\n");
    const std::string record = l.client.take_output();
    EXPECT_EQ(record.find("EHLO"), std::string::npos);  // encrypted on the wire
    l.server.feed(record);
    EXPECT_EQ(l.server.pump(l.server_received), Status::kOk);
    EXPECT_EQ(l.server_received.view(), "EHLO client.example\r\n");
    EXPECT_EQ(l.server.pump(l.server_received), Status::kWantMore);  // nothing more yet

    l.server.write("250-mail.example.test\r\n");
    l.server.write("250 STARTTLS\r\n");
    ASSERT_TRUE(l.shuttle());
    EXPECT_EQ(l.client_received.view(), "250-mail.example.test\r\n250 STARTTLS\r\n");
}

TEST_F(TlsTest, FourMebibytesEachWay) {
    Link l = established();
    const std::string up = random_bytes(kFourMiB, 1);
    const std::string down = random_bytes(kFourMiB, 2);
    l.client.write(up);
    l.server.write(down);
    ASSERT_TRUE(l.shuttle());
    ASSERT_EQ(l.server_received.readable_bytes(), up.size());
    ASSERT_EQ(l.client_received.readable_bytes(), down.size());
    EXPECT_TRUE(l.server_received.view() == up);
    EXPECT_TRUE(l.client_received.view() == down);
    EXPECT_FALSE(l.client.failed());
    EXPECT_FALSE(l.server.failed());
}

TEST_F(TlsTest, WriteBeforeTheHandshakeIsSentAfterIt) {
    Link l = link(trusting_client());
    l.client.write("EHLO early\r\n");
    l.server.write("220 early\r\n");
    Buffer ignored;
    l.client.pump(ignored);
    const std::string hello = l.client.take_output();
    EXPECT_EQ(hello.find("EHLO"), std::string::npos);  // never in the clear
    l.server.feed(hello);
    ASSERT_TRUE(l.shuttle());
    EXPECT_EQ(l.server_received.view(), "EHLO early\r\n");
    EXPECT_EQ(l.client_received.view(), "220 early\r\n");
}

// Ciphertext arriving a byte at a time (the worst a socket can do) still makes whole plaintext.
TEST_F(TlsTest, CiphertextOneByteAtATime) {
    Link l = link(trusting_client());
    const std::string line = "MAIL FROM:<a@example.test>\r\n";
    l.client.write(line);
    for (int round = 0; round < kMaxRounds; ++round) {
        l.client.pump(l.client_received);
        l.server.pump(l.server_received);
        const std::string to_server = l.client.take_output();
        const std::string to_client = l.server.take_output();
        if (to_server.empty() && to_client.empty()) break;
        for (const char byte : to_server) {
            l.server.feed({&byte, 1});
            ASSERT_NE(l.server.pump(l.server_received), Status::kFailed) << l.server.error();
        }
        for (const char byte : to_client) {
            l.client.feed({&byte, 1});
            ASSERT_NE(l.client.pump(l.client_received), Status::kFailed) << l.client.error();
        }
    }
    EXPECT_TRUE(l.client.handshake_done());
    EXPECT_EQ(l.server_received.view(), line);
}

TEST_F(TlsTest, ServerNameMismatchFails) {
    Link l = link(trusting_client(), kOtherHost);
    ASSERT_TRUE(l.shuttle());
    EXPECT_EQ(l.client_status, Status::kFailed);
    EXPECT_TRUE(l.client.failed());
    EXPECT_FALSE(l.client.handshake_done());
    EXPECT_NE(l.client.error().find("hostname mismatch"), std::string::npos) << l.client.error();
    EXPECT_NE(l.client.error().find(kOtherHost), std::string::npos) << l.client.error();
    // The client's alert reaches the server, which fails too.
    EXPECT_TRUE(l.server.failed());
    EXPECT_FALSE(l.server.error().empty());
    // A failed session stays failed.
    Buffer plaintext;
    EXPECT_EQ(l.client.pump(plaintext), Status::kFailed);
}

TEST_F(TlsTest, AddressIsCheckedAgainstIpSubjectAltName) {
    Link matching = link(trusting_client(), "127.0.0.1");
    ASSERT_TRUE(matching.shuttle());
    EXPECT_TRUE(matching.client.handshake_done()) << matching.client.error();

    Link other = link(trusting_client(), "127.0.0.2");
    ASSERT_TRUE(other.shuttle());
    EXPECT_TRUE(other.client.failed());
    EXPECT_NE(other.client.error().find("IP address mismatch"), std::string::npos)
        << other.client.error();
}

TEST_F(TlsTest, SystemStoreRefusesSelfSignedCertificate) {
    Link l = link(Context::client({}));
    ASSERT_TRUE(l.shuttle());
    EXPECT_TRUE(l.client.failed());
    EXPECT_FALSE(l.client.handshake_done());
    EXPECT_NE(l.client.error().find("certificate verify failed"), std::string::npos)
        << l.client.error();
    EXPECT_NE(l.client.error().find("self"), std::string::npos) << l.client.error();
}

TEST_F(TlsTest, VerifyOffAcceptsAnyCertificateAndName) {
    const Context lenient = Context::client({.ca_file = "", .verify = false});
    EXPECT_FALSE(lenient.verifies());
    for (const std::string name : {kOtherHost, ""}) {
        Link l = link(lenient, name);
        ASSERT_TRUE(l.shuttle());
        EXPECT_TRUE(l.client.handshake_done()) << name << ": " << l.client.error();
    }
}

TEST_F(TlsTest, SessionArgumentsAreChecked) {
    const Context client = trusting_client();
    EXPECT_TRUE(client.verifies());
    EXPECT_EQ(client.role(), Role::kClient);
    // Verifying without a name would accept any certificate a CA ever signed.
    EXPECT_NE(tls_error_of([&] { Session s(client, Role::kClient); }), "");
    EXPECT_NE(tls_error_of([&] { Session s(client, Role::kServer); }), "");
    EXPECT_NE(tls_error_of([&] { Session s(server_context(), Role::kClient, kHost); }), "");
}

// Whatever a client sends instead of a ClientHello ends in kFailed with a reason, never a
// crash or a loop.
TEST_F(TlsTest, GarbageMakesTheServerFail) {
    const Context context = server_context();
    const std::string inputs[] = {
        "GET / HTTP/1.1\r\nHost: mail.example.test\r\n\r\n",
        "EHLO client.example\r\n",
        std::string(64, '\xff'),
        std::string("\x16\x03\x01\x00\x05hello", 10),  // a handshake record holding junk
        std::string(5, '\0'),
    };
    for (const std::string& input : inputs) {
        Session server(context, Role::kServer);
        server.feed(input);
        Buffer plaintext;
        EXPECT_EQ(server.pump(plaintext), Status::kFailed) << input;
        EXPECT_TRUE(server.failed());
        EXPECT_FALSE(server.error().empty());
        EXPECT_TRUE(plaintext.empty());
        (void)server.take_output();  // an alert, maybe
        server.feed(input);
        EXPECT_EQ(server.pump(plaintext), Status::kFailed);
    }
    // Random bytes may look like the start of a long record; more of them fails it soon.
    for (unsigned seed = 1; seed <= 32; ++seed) {
        Session server(context, Role::kServer);
        Buffer plaintext;
        Status status = Status::kWantMore;
        for (unsigned chunk = 0; chunk < 16 && status != Status::kFailed; ++chunk) {
            server.feed(random_bytes(4096, seed * 100 + chunk));
            status = server.pump(plaintext);
            EXPECT_NE(status, Status::kOk);
        }
        EXPECT_EQ(status, Status::kFailed) << "seed " << seed;
        EXPECT_FALSE(server.error().empty());
    }
}

TEST_F(TlsTest, TamperedRecordFails) {
    Link l = established();
    l.client.write("RCPT TO:<b@example.test>\r\n");
    std::string record = l.client.take_output();
    ASSERT_FALSE(record.empty());
    record.back() = static_cast<char>(record.back() ^ 0x01);
    l.server.feed(record);
    EXPECT_EQ(l.server.pump(l.server_received), Status::kFailed);
    EXPECT_FALSE(l.server.error().empty());
    EXPECT_TRUE(l.server_received.empty());
}

TEST_F(TlsTest, MissingCertificateFileIsNamed) {
    const std::string missing = dir_.file("missing.pem").string();
    const std::string error = tls_error_of([&] { (void)Context::server(missing, key_file()); });
    EXPECT_NE(error.find("cannot read certificate " + missing), std::string::npos) << error;
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;

    const std::string folder = dir_.path().string();
    const std::string directory = tls_error_of([&] { (void)Context::server(folder, key_file()); });
    EXPECT_NE(directory.find("Is a directory"), std::string::npos) << directory;

    const std::string no_key = tls_error_of([&] { (void)Context::server(cert_file(), missing); });
    EXPECT_NE(no_key.find("private key " + missing), std::string::npos) << no_key;

    const std::string no_ca = tls_error_of([&] { (void)Context::client({.ca_file = missing}); });
    EXPECT_NE(no_ca.find("CA file " + missing), std::string::npos) << no_ca;
}

TEST_F(TlsTest, KeyThatDoesNotMatchTheCertificateIsRefused) {
    const auto other = test::make_test_certificate(dir_.path(), kOtherHost);
    const std::string error =
        tls_error_of([&] { (void)Context::server(cert_file(), other.key_file.string()); });
    EXPECT_NE(error.find(other.key_file.string()), std::string::npos) << error;
    EXPECT_NE(error.find("does not match"), std::string::npos) << error;
}

TEST_F(TlsTest, FileThatIsNotPemIsRefused) {
    const std::string junk = dir_.write_file("junk.pem", "not a certificate\n").string();
    const std::string error = tls_error_of([&] { (void)Context::server(junk, key_file()); });
    EXPECT_NE(error.find("cannot load certificate " + junk), std::string::npos) << error;
    const std::string ca = tls_error_of([&] { (void)Context::client({.ca_file = junk}); });
    EXPECT_NE(ca.find("cannot load CA file " + junk), std::string::npos) << ca;
}

TEST_F(TlsTest, CloseNotifyIsSeenAndTheOtherWayStaysOpen) {
    Link l = established();
    l.client.write("QUIT\r\n");
    l.client.close();
    l.client.write("dropped after close\r\n");
    ASSERT_TRUE(l.shuttle());
    EXPECT_EQ(l.server_status, Status::kClosed);
    EXPECT_TRUE(l.server.peer_closed());
    EXPECT_FALSE(l.server.failed());
    EXPECT_EQ(l.server_received.view(), "QUIT\r\n");
    EXPECT_FALSE(l.client.peer_closed());

    // The server still answers, then closes its side too.
    l.server.write("221 bye\r\n");
    l.server.close();
    ASSERT_TRUE(l.shuttle());
    EXPECT_EQ(l.client_received.view(), "221 bye\r\n");
    EXPECT_EQ(l.client_status, Status::kClosed);
    EXPECT_TRUE(l.client.peer_closed());
    EXPECT_EQ(l.server.pump(l.server_received), Status::kClosed);  // and stays so
}

TEST_F(TlsTest, CloseBeforeTheHandshakeComesAfterIt) {
    Link l = link(trusting_client());
    l.client.write("QUIT\r\n");
    l.client.close();
    ASSERT_TRUE(l.shuttle());
    EXPECT_TRUE(l.client.handshake_done());
    EXPECT_EQ(l.server_received.view(), "QUIT\r\n");
    EXPECT_TRUE(l.server.peer_closed());
}

// --- BlockingStream over a socketpair ------------------------------------------------------

struct SocketPair {
    Fd client;
    Fd server;
};

SocketPair make_socketpair() {
    int fds[2] = {-1, -1};
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    return {Fd(fds[0]), Fd(fds[1])};
}

// Runs `body` on its own thread; join() rethrows whatever it threw.
class PeerThread {
  public:
    explicit PeerThread(std::function<void()> body)
        : thread_([this, body = std::move(body)] {
              try {
                  body();
              } catch (...) {
                  error_ = std::current_exception();
              }
          }) {}
    PeerThread(const PeerThread&) = delete;
    PeerThread& operator=(const PeerThread&) = delete;
    ~PeerThread() {
        if (thread_.joinable()) thread_.join();
    }
    void join() {
        thread_.join();
        if (error_) std::rethrow_exception(error_);
    }

  private:
    std::exception_ptr error_;
    std::thread thread_;  // last: it starts once error_ exists
};

// Reads until `into` holds at least `size` bytes; false if the peer closed first.
bool read_at_least(BlockingStream& stream, Buffer& into, std::size_t size,
                   const Deadline& deadline) {
    while (into.readable_bytes() < size) {
        if (stream.read_some(into, deadline) == 0) return false;
    }
    return true;
}

TEST_F(TlsTest, BlockingStreamsTalkOverASocketpair) {
    SocketPair pair = make_socketpair();
    set_nonblocking(pair.server.get());  // one side of each kind
    const std::string up = random_bytes(kFourMiB, 3);
    const std::string down = random_bytes(kFourMiB, 4);
    const Context context = server_context();
    std::string server_got;

    PeerThread server([&] {
        const Deadline deadline(kPatience);
        BlockingStream stream(pair.server.get(), Session(context, Role::kServer));
        stream.handshake(deadline);
        stream.write_all("220 ready\r\n", deadline);
        Buffer in;
        if (!read_at_least(stream, in, up.size(), deadline)) throw TlsError("closed early");
        server_got = in.take(up.size());
        stream.write_all(down, deadline);
        stream.close(deadline);
        // The client's close_notify ends the conversation.
        if (stream.read_some(in, deadline) != 0) throw TlsError("data after the message");
    });

    const Deadline deadline(kPatience);
    BlockingStream client(pair.client.get(), Session(trusting_client(), Role::kClient, kHost));
    client.handshake(deadline);
    EXPECT_TRUE(client.session().description().starts_with("TLSv1."));
    Buffer in;
    ASSERT_TRUE(read_at_least(client, in, 11, deadline));
    EXPECT_EQ(in.take(11), "220 ready\r\n");
    client.write_all(up, deadline);
    ASSERT_TRUE(read_at_least(client, in, down.size(), deadline));
    EXPECT_EQ(client.read_some(in, deadline), 0U);  // the server's close_notify
    EXPECT_TRUE(client.session().peer_closed());
    client.close(deadline);
    server.join();
    EXPECT_TRUE(in.view() == down);
    EXPECT_TRUE(server_got == up);
}

// A server whose caller already read the start of the ClientHello (pipelined behind STARTTLS).
TEST_F(TlsTest, BlockingStreamTakesBytesAlreadyReceived) {
    SocketPair pair = make_socketpair();
    const Context context = server_context();
    PeerThread server([&] {
        const Deadline deadline(kPatience);
        if (!wait_readable(pair.server.get(), kPatience)) throw TlsError("no ClientHello");
        std::string early(3, '\0');  // a record header's worth; the rest stays in the socket
        const IoResult got = net::read_some(pair.server.get(), early);
        if (got.status != IoStatus::kOk) throw TlsError("read failed");
        early.resize(got.bytes);
        BlockingStream stream(pair.server.get(), Session(context, Role::kServer), early);
        stream.write_all("220 ready\r\n", deadline);  // runs the handshake first
        stream.close(deadline);
    });

    const Deadline deadline(kPatience);
    BlockingStream client(pair.client.get(), Session(trusting_client(), Role::kClient, kHost));
    Buffer in;
    ASSERT_TRUE(read_at_least(client, in, 11, deadline));  // runs the handshake first
    EXPECT_EQ(in.view(), "220 ready\r\n");
    server.join();
}

TEST_F(TlsTest, BlockingHandshakeTimesOutWhenThePeerNeverAnswers) {
    SocketPair pair = make_socketpair();  // nobody reads or writes pair.server
    BlockingStream client(pair.client.get(), Session(trusting_client(), Role::kClient, kHost));
    const auto start = Clock::now();
    const auto deadline = Deadline::at(start + 200ms);
    try {
        client.handshake(deadline);
        FAIL() << "handshake() returned without a peer";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ETIMEDOUT) << e.what();
    }
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 3s);  // the deadline, plus scheduling on a busy machine
}

TEST_F(TlsTest, BlockingReadTimesOutThenCloseEndsThePeer) {
    SocketPair pair = make_socketpair();
    const Context context = server_context();
    PeerThread server([&] {
        const Deadline deadline(kPatience);
        BlockingStream stream(pair.server.get(), Session(context, Role::kServer));
        stream.handshake(deadline);
        Buffer in;  // says nothing; waits for the client's close_notify
        if (stream.read_some(in, deadline) != 0) throw TlsError("unexpected data");
    });
    BlockingStream client(pair.client.get(), Session(trusting_client(), Role::kClient, kHost));
    client.handshake(Deadline(kPatience));
    Buffer in;
    const auto start = Clock::now();
    try {
        (void)client.read_some(in, Deadline::at(start + 200ms));
        FAIL() << "read_some() returned though the server says nothing";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ETIMEDOUT) << e.what();
    }
    EXPECT_GE(Clock::now() - start, 200ms);
    client.close(Deadline(kPatience));
    server.join();
}

TEST_F(TlsTest, BlockingHandshakeFailureThrowsTlsErrorOnBothSides) {
    SocketPair pair = make_socketpair();
    const Context context = server_context();
    std::string server_error;
    PeerThread server([&] {
        BlockingStream stream(pair.server.get(), Session(context, Role::kServer));
        server_error = tls_error_of([&] { stream.handshake(Deadline(kPatience)); });
    });
    BlockingStream client(pair.client.get(), Session(trusting_client(), Role::kClient, kOtherHost));
    const std::string error = tls_error_of([&] { client.handshake(Deadline(kPatience)); });
    EXPECT_NE(error.find("hostname mismatch"), std::string::npos) << error;
    server.join();
    EXPECT_FALSE(server_error.empty());  // the client's alert
}

TEST_F(TlsTest, PeerClosingMidHandshakeThrowsTlsError) {
    SocketPair pair = make_socketpair();
    PeerThread peer([&] {
        if (!wait_readable(pair.server.get(), kPatience)) throw TlsError("no ClientHello");
        // Reads the ClientHello first: closing with unread bytes would be a reset instead.
        Buffer hello;
        (void)net::read_into(hello, pair.server.get());
        pair.server.reset();  // then hangs up without a word
    });
    BlockingStream client(pair.client.get(), Session(trusting_client(), Role::kClient, kHost));
    const std::string error = tls_error_of([&] { client.handshake(Deadline(kPatience)); });
    EXPECT_NE(error.find("closed"), std::string::npos) << error;
    peer.join();
}

}  // namespace
}  // namespace net::tls
