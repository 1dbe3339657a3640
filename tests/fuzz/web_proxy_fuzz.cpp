// libFuzzer target for web_proxy's pure core. The input is read four times: as a client's
// request head (parse_request_head, then plan_request: what goes upstream must be a clean,
// complete head), as a server's bytes (ResponseRelay, fed whole and in two pieces: the split must
// not change a byte of what the client gets), as a chunked request body (RequestBodyRelay: what
// goes to the server is framing the decoder reads back whole), and as a response head the cache
// rules judge, store and serve (ages and lifetimes in range, served bytes inside the body). A
// broken promise is a crash.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/fnv1a.hpp"
#include "common/http_request.hpp"
#include "common/http_response.hpp"
#include "tests/fuzz/check.hpp"
#include "web_proxy/cache_rules.hpp"
#include "web_proxy/message_relay.hpp"
#include "web_proxy/proxy_rules.hpp"

namespace {

using net::http::Version;

using fuzz::check;

const web_proxy::Identity kSelf{"proxy.fuzz:8888"};

// For reading back what the proxy wrote: its own fields (Via, Connection) may take a head past
// the limits the original was held to.
net::http::Limits generous_limits() {
    net::http::Limits limits;
    limits.max_request_line = std::size_t{1} << 20;
    limits.max_head_bytes = std::size_t{1} << 20;
    limits.max_headers = 1000;
    return limits;
}

// Every line of `head` ends in CRLF, none holds another CR or LF, and a blank line ends it.
void check_clean_head(std::string_view head) {
    check(head.ends_with("\r\n\r\n"));
    std::string_view rest = head.substr(0, head.size() - 2);  // without the blank line
    while (!rest.empty()) {
        const auto crlf = rest.find("\r\n");
        check(crlf != std::string_view::npos && crlf > 0);
        const auto line = rest.substr(0, crlf);
        check(line.find_first_of("\r\n") == std::string_view::npos);
        rest.remove_prefix(crlf + 2);
    }
}

void check_forward(const net::http::Request& request, const web_proxy::Forward& forward) {
    const std::string_view head = forward.head;
    check_clean_head(head);
    // Request line in origin-form ("*" only for OPTIONS, RFC 9112 3.2.4), always HTTP/1.1.
    check(head.starts_with(request.method + " /") ||
          (request.method == "OPTIONS" && head.starts_with("OPTIONS * ")));
    check(head.substr(0, head.find("\r\n")).ends_with(" HTTP/1.1"));
    check(!forward.destination.host.empty() && forward.destination.port != 0);
    check(head.ends_with(" (web_proxy)\r\n\r\n"));  // our Via, last

    // The upstream server reads the same message: same method and framing, one Host, and no
    // hop-by-hop field: the server connection may carry the next request.
    const auto again = net::http::parse_request_head(head, generous_limits());
    check(again.kind == net::http::HeadKind::kComplete);
    check(again.consumed == head.size());
    const auto& sent = again.head;
    check(sent.method == request.method);
    check(sent.version == (Version{1, 1}));
    check(sent.body == request.body && sent.content_length == request.content_length);
    check(sent.headers.count("Host") == 1);
    check(sent.headers.count("Connection") == 0);
    for (const char* name :
         {"Keep-Alive", "Proxy-Connection", "TE", "Upgrade", "Proxy-Authorization"}) {
        check(sent.headers.count(name) == 0);
    }
    check(web_proxy::passed_through(sent.headers, kSelf));
}

void fuzz_request(std::string_view bytes) {
    const auto head = net::http::parse_request_head(bytes);
    if (head.kind != net::http::HeadKind::kComplete) return;
    const auto plan = web_proxy::plan_request(head.head, kSelf);
    if (const auto* refusal = std::get_if<web_proxy::Refusal>(&plan)) {
        check(refusal->status >= 400 && refusal->status <= 599);
        check(!refusal->detail.empty());
        const auto page = web_proxy::error_response(refusal->status, refusal->detail, false);
        check(page.starts_with("HTTP/1.1 " + std::to_string(refusal->status) + " "));
    } else if (const auto* tunnel = std::get_if<web_proxy::Tunnel>(&plan)) {
        check(head.head.method == "CONNECT");
        check(!tunnel->destination.host.empty() && tunnel->destination.port != 0);
    } else {
        check(head.head.method != "CONNECT");
        check_forward(head.head, std::get<web_proxy::Forward>(plan));
    }
}

// What a relay did with the server's bytes, to compare two feedings.
struct Outcome {
    std::string to_client;
    web_proxy::ResponseRelay::State state;
    bool started;
    bool keep_alive;
    int status;
    std::uint64_t body_bytes;
    std::string error;
    friend bool operator==(const Outcome&, const Outcome&) = default;
};

struct Client {
    std::string method;
    Version version;
    bool keep_alive;
};

Outcome relay(std::string_view bytes, std::size_t split, const Client& client, bool close) {
    web_proxy::ResponseRelay relay(client.method, client.version, client.keep_alive, kSelf);
    std::string to_client;
    relay.feed(bytes.substr(0, split), to_client);
    if (split < bytes.size()) relay.feed(bytes.substr(split), to_client);
    if (close) relay.server_closed();
    using State = web_proxy::ResponseRelay::State;
    // Nothing reaches the client before a final head, and it starts with one of ours.
    if (!to_client.empty()) check(to_client.starts_with("HTTP/1.1 "));
    // Before the final response starts: no final head read yet, or a chunked body's head held
    // back until its first data; nothing of it is in to_client.
    if (!relay.started()) check(relay.state() != State::kDone);
    if (relay.state() == State::kFailed) check(!relay.error().empty());
    if (close) check(relay.state() == State::kDone || relay.state() == State::kFailed);
    return {to_client,      relay.state(),      relay.started(), relay.keep_alive(),
            relay.status(), relay.body_bytes(), relay.error()};
}

// A finished relay's bytes, read back as the client reads them (RFC 9112 6.3): the interim
// heads, then one final head whose own framing ends exactly where the bytes end.
void check_client_view(const Outcome& outcome, const Client& client) {
    std::string_view rest = outcome.to_client;
    net::http::Response final_head;
    while (true) {
        const auto parsed = net::http::parse_response_head(rest, client.method, generous_limits());
        check(parsed.kind == net::http::HeadKind::kComplete);
        rest.remove_prefix(parsed.consumed);
        if (parsed.head.status >= 200) {
            final_head = parsed.head;
            break;
        }
        check(client.version.minor >= 1);  // no 1xx to HTTP/1.0 clients (RFC 9110 15.2)
    }
    check(rest.empty() || final_head.body != net::http::BodyKind::kNone);
    check(final_head.status == outcome.status);
    check(final_head.headers.has_token("Connection", "close") == !outcome.keep_alive);
    switch (final_head.body) {
        case net::http::BodyKind::kNone:
            check(rest.empty());
            break;
        case net::http::BodyKind::kLength:
            check(rest.size() == final_head.content_length);
            break;
        case net::http::BodyKind::kChunked: {
            check(client.version.minor >= 1);  // chunked only for HTTP/1.1 (RFC 9112 7.1)
            net::http::ChunkedDecoder decoder;
            const auto decoded = decoder.decode(rest, nullptr);
            check(decoded.done && decoded.consumed == rest.size());
            break;
        }
        case net::http::BodyKind::kUntilClose:
            check(!outcome.keep_alive);
            break;
    }
}

void fuzz_response(std::string_view bytes) {
    const std::uint64_t hash = net::fnv1a(bytes);
    const std::size_t split = static_cast<std::size_t>(hash % (bytes.size() + 1));
    static const char* const kMethods[] = {"GET", "HEAD", "POST", "CONNECT"};
    const Client client{kMethods[(hash >> 32) % 4], Version{1, static_cast<int>((hash >> 40) % 2)},
                        ((hash >> 48) & 1) != 0};
    for (const bool close : {false, true}) {
        const auto whole = relay(bytes, bytes.size(), client, close);
        check(relay(bytes, split, client, close) == whole);
        if (whole.state == web_proxy::ResponseRelay::State::kDone) check_client_view(whole, client);
    }
    // Byte by byte, for inputs small enough to keep the run fast.
    if (bytes.size() <= 512) {
        web_proxy::ResponseRelay one(client.method, client.version, client.keep_alive, kSelf);
        std::string to_client;
        for (std::size_t i = 0; i < bytes.size(); ++i)
            one.feed(bytes.substr(i, 1), to_client);
        const auto whole = relay(bytes, bytes.size(), client, false);
        check(to_client == whole.to_client && one.state() == whole.state &&
              one.body_bytes() == whole.body_bytes);
    }
}

// What a RequestBodyRelay sent for a chunked body fed in two pieces.
struct Reframed {
    std::string out;
    std::size_t consumed = 0;
    bool error = false;
    bool done = false;
};

Reframed reframe(std::string_view bytes, std::size_t split) {
    web_proxy::RequestBodyRelay body(net::http::BodyKind::kChunked, 0);
    Reframed result;
    std::string pending(bytes.substr(0, split));
    for (const auto piece : {std::string_view(), bytes.substr(split)}) {
        pending.append(piece);
        const auto step = body.take(pending, result.out);
        result.consumed += step.consumed;
        result.error = result.error || step.error;
        pending.erase(0, step.consumed);
    }
    result.done = body.done();
    return result;
}

// The input as a chunked request body: however it is split, the server gets the same data, in
// framing the decoder reads back exactly (all of it, ending where the body ends), and the same
// verdict on where the body ends or that it is malformed.
void fuzz_request_body(std::string_view bytes) {
    const std::size_t split = static_cast<std::size_t>(net::fnv1a(bytes) % (bytes.size() + 1));
    const auto whole = reframe(bytes, bytes.size());
    const auto halves = reframe(bytes, split);
    check(whole.error == halves.error && whole.done == halves.done);
    if (!whole.error) check(whole.consumed == halves.consumed);
    std::array<std::string, 2> data;
    for (std::size_t i = 0; i < 2; ++i) {
        const Reframed& result = i == 0 ? whole : halves;
        net::http::ChunkedDecoder decoder;
        const auto decoded = decoder.decode(result.out, &data[i]);
        check(!decoded.error && decoded.consumed == result.out.size());
        check(decoded.done == result.done);
    }
    // After an error the pieces differ in how much went out before it; never in what.
    if (!whole.error) check(data[0] == data[1]);
}

// The cache rules on a response head, its fields doubling as the request's (so Range,
// If-None-Match and Cache-Control request directives are fuzzed too).
void fuzz_cache(std::string_view bytes) {
    namespace cache = web_proxy::cache;
    const auto head = net::http::parse_response_head(bytes, "GET");
    if (head.kind != net::http::HeadKind::kComplete) return;
    net::http::Request request;
    request.method = "GET";
    request.target = "http://fuzz.test/x";
    request.headers = head.head.headers;
    (void)cache::storable(request, head.head);
    const auto stored_headers = cache::storable_headers(head.head.headers);
    for (const char* name : {"Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "TE"})
        check(stored_headers.count(name) == 0);
    constexpr std::time_t kNow = 1'800'000'000;
    const cache::StoredResponse stored{head.head.status, head.head.reason, stored_headers, kNow,
                                       kNow + 1};
    const auto decision =
        cache::decide_reuse(stored, cache::parse_request_directives(request.headers), kNow + 9);
    check(decision.age >= 0 && decision.age <= cache::kMaxDeltaSeconds);
    check(decision.lifetime >= 0 && decision.lifetime <= cache::kMaxDeltaSeconds);
    const std::uint64_t body_size = bytes.size() - head.consumed;
    const auto served = cache::serve_stored(request, stored, body_size, decision.age, false);
    check(served.body_offset + served.body_length <= body_size);
    check(served.headers.count("Age") == 1);
    const auto updated = cache::updated_headers(stored.headers, head.head.headers);
    check(updated.get("Content-Length") == stored.headers.get("Content-Length"));
    (void)cache::variant_matches(cache::selecting_headers(stored.headers, request.headers),
                                 stored.headers, request.headers);
    (void)cache::invalidated_keys(request, head.head);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    fuzz_request(bytes);
    fuzz_response(bytes);
    fuzz_request_body(bytes);
    fuzz_cache(bytes);
    return 0;
}
