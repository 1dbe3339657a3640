// libFuzzer target for mail_server's Session: arbitrary client bytes, cut into arbitrary reads,
// with the store and TLS answering at once. Checks the session's promises, so a broken one is
// a crash: replies are whole well-formed lines, message data comes in whole CRLF lines, every
// message begun is either stored or discarded exactly once, and the input it keeps is bounded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail_server/smtp_session.hpp"
#include "tests/fuzz/check.hpp"

namespace {

using fuzz::check;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

class Checker final : public mail::SessionEvents {
  public:
    void send(std::string_view replies) override {
        check(!closed);  // nothing goes out after the session closed the connection
        check(replies.ends_with("\r\n"));
        std::size_t start = 0;
        while (start < replies.size()) {
            const auto end = replies.find("\r\n", start);
            check(end != std::string_view::npos);
            const auto line = replies.substr(start, end - start);
            check(line.size() >= 4 && line[0] >= '2' && line[0] <= '5' && is_digit(line[1]) &&
                  is_digit(line[2]) && (line[3] == ' ' || line[3] == '-'));
            start = end + 2;
        }
    }
    void transcript(mail::Direction, std::string_view line) override {
        check(line.find("\r\n") == std::string_view::npos);
    }
    void begin_message(const mail::Envelope& envelope, std::string_view) override {
        check(!open);
        check(!envelope.recipients.empty());
        open = true;
        size = 0;
    }
    void message_data(std::string_view lines) override {
        check(open);
        check(lines.ends_with("\r\n"));
        size += lines.size();
    }
    void end_message(const mail::MessageInfo& info) override {
        check(open);
        check(info.size <= max_size);
        open = false;
        ++ended;
    }
    void discard_message() override {
        check(open);
        open = false;
    }
    void start_tls() override { tls_wanted = true; }
    void close() override { closed = true; }

    bool open = false;
    bool tls_wanted = false;
    bool closed = false;
    std::size_t size = 0;
    std::size_t ended = 0;
    std::uint64_t max_size = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // The first byte picks the configuration, the second how big each read is.
    const std::uint8_t flags = data[0];
    const std::size_t read_size = 1 + data[1] % 64;
    std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);

    mail::SessionConfig config;
    config.hostname = "fuzz.test";
    config.max_message_bytes = (flags & 1) != 0 ? 64 : 4096;
    config.max_recipients = 1 + (flags >> 1) % 4;
    config.starttls = (flags & 8) != 0;
    if ((flags & 16) != 0) config.credentials = {{"user", "pass"}};
    config.allow_insecure_auth = (flags & 32) != 0;
    if ((flags & 64) != 0) config.domains = {"example.org"};
    config.transcript_data = (flags & 128) != 0;
    config.clock = [] { return std::time_t{0}; };

    Checker checker;
    checker.max_size = config.max_message_bytes;
    mail::Session session(config, mail::ClientInfo{.number = 1, .address = "::1", .id_prefix = "F"},
                          checker);
    session.start();
    net::Buffer input;
    bool store_ok = true;
    while (!bytes.empty() && session.state() != mail::Session::State::kClosed) {
        const auto piece = bytes.substr(0, read_size);
        bytes.remove_prefix(piece.size());
        input.append(piece);
        session.receive(input);
        while (session.state() == mail::Session::State::kStoring) {
            session.message_stored(
                mail::StoreResult{.stored = store_ok, .location = "", .error = ""});
            store_ok = !store_ok;
            session.receive(input);
        }
        if (session.state() == mail::Session::State::kStartingTls) {
            check(checker.tls_wanted);
            session.tls_started("TLSv1.3 FUZZ");
            session.receive(input);
        }
        // Nothing grows without bound: a command line is at most an AUTH line, a data line is
        // dropped once it is over the limit.
        check(input.readable_bytes() <= mail::kMaxAuthLine + read_size);
    }
    if (session.state() == mail::Session::State::kReceivingData) {
        session.peer_closed();
        check(!checker.open);
    }
    return 0;
}
