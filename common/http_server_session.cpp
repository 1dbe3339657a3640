// One connection's requests, in order: read a head, answer it, skip its body, repeat.
#include "http_server_session.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <utility>

#include "http_loop_service.hpp"
#include "http_reuse.hpp"

namespace net::http {
namespace {

using namespace std::chrono_literals;

// A request body we would only throw away (the servers take no uploads): up to this much is read
// and skipped so the connection stays usable; a larger declared one gets 413 and the connection
// ends, and a chunked one that grows past it ends the connection after its answer.
constexpr std::uint64_t kMaxDiscardedBody = 64 * 1024;
// Closing after the last response, what the client still sends is read and dropped up to this
// much, for this long at most, then the connection closes (RFC 9112 9.6; Apache lingers 2 s).
constexpr std::uint64_t kMaxLingerBytes = 64 * 1024;
constexpr auto kLingerTime = 2s;
// What a streaming client sends is dropped, up to this much; then its connection ends.
constexpr std::uint64_t kMaxStreamInput = 64 * 1024;
// How much of a malformed request's first line goes to the access log.
constexpr std::size_t kMaxLoggedLine = 200;

std::string first_line_of(std::string_view bytes) {
    const auto end = std::min(bytes.find_first_of("\r\n"), kMaxLoggedLine);
    return std::string(bytes.substr(0, std::min(end, bytes.size())));
}

}  // namespace

ServerSession::~ServerSession() {
    if (timer_ != 0) service_.loop().cancel(timer_);
}

void ServerSession::on_data(net::TcpConnection&) {
    process();
}

void ServerSession::process() {
    for (;;) {
        switch (state_) {
            case State::kClosing:
                // Nothing more will be answered: dropped, up to the linger's limit.
                lingered_ += conn_.input().readable_bytes();
                conn_.input().consume_all();
                if (lingered_ > kMaxLingerBytes) conn_.close();
                return;
            case State::kStreaming:
                lingered_ += conn_.input().readable_bytes();
                conn_.input().consume_all();
                if (lingered_ > kMaxStreamInput) conn_.close();
                return;
            case State::kWaitingForOutput:
                return;
            case State::kDiscardingBody:
                if (!discard_body()) return;
                break;
            case State::kReadingHead:
                if (!read_head()) return;
                break;
        }
    }
}

// Parses the next head once all of it is here; false when there is nothing more to do now.
bool ServerSession::read_head() {
    net::Buffer& input = conn_.input();
    if (input.empty()) return false;
    const auto now = service_.loop().now();
    if (!head_started_) {
        head_started_ = true;
        head_ = net::RateDeadline(service_.settings().deadlines.head, now);
        head_counted_ = 0;
    }
    const auto& limits = service_.settings().limits;
    const std::string_view bytes = input.view();
    head_.received(bytes.size() - head_counted_);
    head_counted_ = bytes.size();
    // Only parse once the blank line is here (or the limits are passed): a client trickling a
    // head byte by byte must not make us parse it again for every byte.
    const auto end = net::http::find_head_end(bytes, scanned_ > 3 ? scanned_ - 3 : 0);
    std::optional<net::http::HeadResult<net::http::Request>> result;
    if (end || bytes.size() > limits.max_head_bytes || bytes.size() > limits.max_request_line) {
        result = net::http::parse_request_head(bytes, limits);
    }
    if (!result || result->kind == net::http::HeadKind::kNeedMore) {
        scanned_ = bytes.size();
        if (head_.expired(now)) {
            send_error(408, first_line_of(bytes));
        } else {
            arm_timer();
        }
        return false;
    }
    if (result->kind == net::http::HeadKind::kError) {
        send_error(static_cast<int>(result->error.status), first_line_of(bytes));
        return false;
    }
    input.consume(result->consumed);
    head_started_ = false;
    scanned_ = 0;
    respond(result->head);
    return true;
}

// Reads and drops the body of the request just answered; true once it is all gone.
bool ServerSession::discard_body() {
    net::Buffer& input = conn_.input();
    if (body_kind_ == net::http::BodyKind::kLength) {
        const auto n = std::min<std::uint64_t>(body_left_, input.readable_bytes());
        input.consume(static_cast<std::size_t>(n));
        body_.received(n);
        body_left_ -= n;
        if (body_left_ > 0) return false;
    } else if (body_kind_ == net::http::BodyKind::kChunked) {
        const auto result = chunked_.decode(input.view(), nullptr);
        input.consume(result.consumed);
        body_.received(result.consumed);
        if (result.error || chunked_.body_bytes() > kMaxDiscardedBody) {
            // The response is already out; the framing is lost (or the body is more than we
            // skip), so the connection ends.
            begin_closing();
            return false;
        }
        if (!result.done) return false;
    }
    body_kind_ = net::http::BodyKind::kNone;
    state_ = State::kReadingHead;
    return true;
}

// The body of the request just answered begins to be read: its own deadline from now.
void ServerSession::start_body() {
    state_ = State::kDiscardingBody;
    body_ = net::RateDeadline(service_.settings().deadlines.body, service_.loop().now());
    arm_timer();
}

void ServerSession::respond(const net::http::Request& request) {
    keep_alive_ = net::http::may_reuse({.request = {.asks_to_close = !request.keep_alive},
                                        .response = {.asks_to_close = service_.draining()}});
    body_kind_ = request.body;
    body_left_ = request.content_length;
    chunked_ = {};
    if (request.body == net::http::BodyKind::kLength &&
        request.content_length > kMaxDiscardedBody) {
        body_kind_ = net::http::BodyKind::kNone;
        send(error_response(413, service_.settings().server, true), &request, {});
        return;
    }
    // A request with a body gets its answer (405) at once; the body is skipped afterwards.
    ServerResponse response = service_.respond(request, conn_);
    if (body_kind_ != net::http::BodyKind::kNone &&
        request.headers.has_token("Expect", "100-continue")) {
        // The client waits for "100 Continue" before sending its body, and we never ask for it:
        // it may never come, so end the connection after this answer (RFC 9110 10.1.1).
        response.close = true;
        body_kind_ = net::http::BodyKind::kNone;
    }
    send(std::move(response), &request, {});
    if (state_ == State::kReadingHead && body_kind_ != net::http::BodyKind::kNone) start_body();
}

void ServerSession::send(ServerResponse response, const net::http::Request* request,
                         std::string_view raw_line) {
    static const net::http::Version kDefaultVersion{1, 1};
    const auto& version = request != nullptr ? request->version : kDefaultVersion;
    const bool head_only = request != nullptr && request->method == "HEAD";
    const bool closing = !net::http::may_reuse(
        {.request = {.asks_to_close = !keep_alive_, .complete = request != nullptr},
         .response = {.asks_to_close = response.close}});
    std::string head =
        serialize_head(response, version, !closing, service_.date(), service_.settings().server);

    std::uint64_t body_bytes = 0;
    if (response.stream && !head_only) {
        // The head now; the service writes the body as it comes, until the connection ends.
        conn_.send(head);
        if (service_.logging()) log_access(response.status, 0, request, raw_line);
        state_ = State::kStreaming;
        lingered_ = 0;
        service_.stream_opened(conn_);
        return;
    }
    if (head_only || response.status == 304) {
        conn_.send(head);
    } else if (response.file) {
        conn_.set_cork(true);  // the head and the first of the file in one packet
        conn_.send(head);
        conn_.send_file(response.file, response.file_offset, response.file_length);
        conn_.set_cork(false);
        body_bytes = response.file_length;
    } else {
        head += response.body;  // head and a small body leave in one write
        conn_.send(head);
        body_bytes = response.body.size();
    }

    if (service_.logging()) log_access(response.status, body_bytes, request, raw_line);

    if (closing || response.stream) {
        begin_closing();
    } else if (response.file && conn_.output_bytes() > 0) {
        // One file at a time: later requests wait for this one to be out.
        state_ = State::kWaitingForOutput;
        conn_.pause_reading();
    }
}

void ServerSession::on_high_water(net::TcpConnection&) {
    // A stream's reader that does not keep up is cut: its events would pile up without bound.
    if (state_ == State::kStreaming) {
        conn_.close();
        return;
    }
    // Never an unbounded queue: later requests wait until the output drains.
    if (state_ == State::kClosing) return;
    state_ = State::kWaitingForOutput;
    conn_.pause_reading();
}

void ServerSession::log_access(int status, std::uint64_t body_bytes,
                               const net::http::Request* request, std::string_view raw_line) {
    net::AccessRecord record;
    record.client = conn_.peer().host();
    record.when = std::time(nullptr);
    record.status = status;
    record.body_bytes = body_bytes;
    if (request != nullptr) {
        record.request_line = request->method + " " + request->target + " HTTP/" +
                              std::to_string(request->version.major) + "." +
                              std::to_string(request->version.minor);
        if (const auto referer = request->headers.get("Referer"))
            record.referer = std::string(*referer);
        if (const auto agent = request->headers.get("User-Agent"))
            record.user_agent = std::string(*agent);
    } else {
        record.request_line = raw_line.empty() ? "-" : std::string(raw_line);
    }
    service_.log_access(record);
}

void ServerSession::send_error(int status, std::string_view raw_line) {
    keep_alive_ = false;
    send(error_response(status, service_.settings().server, true), nullptr, raw_line);
}

void ServerSession::on_drained(net::TcpConnection&) {
    if (state_ == State::kClosing) {
        if (!lingering_) start_linger();
        return;
    }
    if (state_ == State::kWaitingForOutput) {
        if (body_kind_ != net::http::BodyKind::kNone) {
            start_body();
        } else {
            state_ = State::kReadingHead;
        }
        conn_.resume_reading();
        process();
    }
    finish_if_done();
}

void ServerSession::on_peer_closed(net::TcpConnection&) {
    peer_closed_ = true;
    finish_if_done();
}

// Ends the connection once nothing more can come: the peer has closed (or the server is
// stopping) and every answer has been written.
void ServerSession::finish_if_done() {
    if (state_ == State::kClosing || conn_.closed()) return;
    if (state_ == State::kStreaming) {
        // A stream has no end of its own: it ends with the client or the server.
        if (peer_closed_ || service_.draining()) conn_.close();
        return;
    }
    const bool idle = state_ == State::kReadingHead && conn_.output_bytes() == 0;
    if (peer_closed_ && state_ != State::kWaitingForOutput) {
        begin_closing();
    } else if (service_.draining() && idle) {
        // Between responses: whatever input is left is an unfinished head (complete ones were
        // answered), and the server is stopping, so it will not be waited for.
        conn_.close();
    }
}

void ServerSession::on_idle(net::TcpConnection&) {
    if (state_ == State::kStreaming) {
        service_.stream_idle(conn_);
        return;
    }
    if (state_ == State::kReadingHead && !conn_.input().empty() && conn_.output_bytes() == 0) {
        send_error(408, first_line_of(conn_.input().view()));  // a head that never finished
        return;
    }
    conn_.close();
}

void ServerSession::on_server_stopping(net::TcpConnection&) {
    finish_if_done();
}

void ServerSession::on_close(net::TcpConnection&) {
    if (timer_ != 0) service_.loop().cancel(std::exchange(timer_, 0));
    if (state_ == State::kStreaming) service_.stream_closed(conn_);
}

void ServerSession::begin_closing() {
    state_ = State::kClosing;
    conn_.shutdown_write();  // FIN once the response is out
    if (conn_.closed()) return;
    if (conn_.output_bytes() > 0) {
        // Until the response is out nothing more is read: what the client sends cannot keep the
        // connection open, and the idle timeout cuts a client that stops reading.
        conn_.pause_reading();
    } else {
        start_linger();
    }
}

void ServerSession::start_linger() {
    lingering_ = true;
    linger_until_ = service_.loop().now() + kLingerTime;
    conn_.resume_reading();
    arm_timer();
}

std::optional<ServerSession::Clock::time_point> ServerSession::deadline() const {
    std::optional<Clock::time_point> due;
    switch (state_) {
        case State::kReadingHead:
            if (head_started_) due = head_.deadline();
            break;
        case State::kDiscardingBody:
            due = body_.deadline();
            break;
        case State::kClosing:
            if (lingering_) due = linger_until_;
            break;
        case State::kWaitingForOutput:  // the idle timeout watches a client that stops reading
        case State::kStreaming:
            break;
    }
    if (due == Clock::time_point::max()) due.reset();
    return due;
}

void ServerSession::arm_timer() {
    const auto due = deadline();
    if (!due) return;  // a timer still armed finds nothing to do when it fires
    if (timer_ != 0) {
        if (timer_at_ <= *due) return;  // it fires first and re-arms for the rest
        service_.loop().cancel(timer_);
    }
    timer_at_ = *due;
    timer_ = service_.loop().run_at(*due, [this] { on_timer(); });
}

void ServerSession::on_timer() {
    timer_ = 0;
    if (conn_.closed()) return;
    const auto due = deadline();
    if (!due) return;
    if (service_.loop().now() < *due) {
        arm_timer();  // bytes came since it was armed and earned more time
        return;
    }
    switch (state_) {
        case State::kReadingHead:  // a head too slow: 408, then close
            send_error(408, first_line_of(conn_.input().view()));
            break;
        case State::kDiscardingBody:  // a body too slow: its answer is out already
        case State::kClosing:         // the linger is over
            conn_.close();
            break;
        case State::kWaitingForOutput:
        case State::kStreaming:
            break;
    }
}

}  // namespace net::http
