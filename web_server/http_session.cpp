// One connection's requests, in order: read a head, answer it, skip its body, repeat.
#include "http_session.hpp"

#include <algorithm>
#include <ctime>

#include "common/http_reuse.hpp"
#include "http_service.hpp"

namespace web {
namespace {

// A request body we would only throw away: up to this much is read and skipped so the connection
// stays usable; a larger one gets 413 and the connection ends.
constexpr std::uint64_t kMaxDiscardedBody = 1024 * 1024;
// How much of a malformed request's first line goes to the access log.
constexpr std::size_t kMaxLoggedLine = 200;

std::string first_line_of(std::string_view bytes) {
    const auto end = std::min(bytes.find_first_of("\r\n"), kMaxLoggedLine);
    return std::string(bytes.substr(0, std::min(end, bytes.size())));
}

}  // namespace

void HttpSession::on_data(net::TcpConnection&) {
    process();
}

void HttpSession::process() {
    for (;;) {
        switch (state_) {
            case State::kClosing:
                conn_.input().consume_all();  // nothing more will be answered
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
bool HttpSession::read_head() {
    net::Buffer& input = conn_.input();
    if (input.empty()) return false;
    const auto now = service_.loop().now();
    if (!head_started_) head_started_ = now;
    const auto& limits = service_.options().limits;
    const std::string_view bytes = input.view();
    // Only parse once the blank line is here (or the limits are passed): a client trickling a
    // head byte by byte must not make us parse it again for every byte.
    const auto end = net::http::find_head_end(bytes, scanned_ > 3 ? scanned_ - 3 : 0);
    if (!end && bytes.size() <= limits.max_head_bytes && bytes.size() <= limits.max_request_line) {
        scanned_ = bytes.size();
        if (now - *head_started_ >= service_.options().timeout)
            send_error(408, first_line_of(bytes));
        return false;
    }
    const auto result = net::http::parse_request_head(bytes, limits);
    if (result.kind == net::http::HeadKind::kNeedMore) {
        scanned_ = bytes.size();
        if (now - *head_started_ >= service_.options().timeout)
            send_error(408, first_line_of(bytes));
        return false;
    }
    if (result.kind == net::http::HeadKind::kError) {
        send_error(static_cast<int>(result.error.status), first_line_of(bytes));
        return false;
    }
    input.consume(result.consumed);
    head_started_.reset();
    scanned_ = 0;
    respond(result.head);
    return true;
}

// Reads and drops the body of the request just answered; true once it is all gone.
bool HttpSession::discard_body() {
    net::Buffer& input = conn_.input();
    if (body_kind_ == net::http::BodyKind::kLength) {
        const auto n = std::min<std::uint64_t>(body_left_, input.readable_bytes());
        input.consume(static_cast<std::size_t>(n));
        body_left_ -= n;
        if (body_left_ > 0) return false;
    } else if (body_kind_ == net::http::BodyKind::kChunked) {
        const auto result = chunked_.decode(input.view(), nullptr);
        input.consume(result.consumed);
        if (result.error || chunked_.body_bytes() > kMaxDiscardedBody) {
            // The response is already out; the framing is lost, so the connection ends.
            state_ = State::kClosing;
            conn_.shutdown_write();
            return false;
        }
        if (!result.done) return false;
    }
    body_kind_ = net::http::BodyKind::kNone;
    state_ = State::kReadingHead;
    return true;
}

void HttpSession::respond(const net::http::Request& request) {
    keep_alive_ = net::http::may_reuse({.request = {.asks_to_close = !request.keep_alive},
                                        .response = {.asks_to_close = service_.draining()}});
    body_kind_ = request.body;
    body_left_ = request.content_length;
    chunked_ = {};
    if (request.body == net::http::BodyKind::kLength &&
        request.content_length > kMaxDiscardedBody) {
        body_kind_ = net::http::BodyKind::kNone;
        send(error_response(413, true), &request, {});
        return;
    }
    // A request with a body gets its answer (405) at once; the body is skipped afterwards.
    Response response = service_.files().handle(request, &service_.cache(), service_.loop().now());
    if (body_kind_ != net::http::BodyKind::kNone &&
        request.headers.has_token("Expect", "100-continue")) {
        // The client waits for "100 Continue" before sending its body, and we never ask for it:
        // it may never come, so end the connection after this answer (RFC 9110 10.1.1).
        response.close = true;
        body_kind_ = net::http::BodyKind::kNone;
    }
    send(std::move(response), &request, {});
    if (state_ == State::kReadingHead && body_kind_ != net::http::BodyKind::kNone) {
        state_ = State::kDiscardingBody;
    }
}

void HttpSession::send(Response response, const net::http::Request* request,
                       std::string_view raw_line) {
    static const net::http::Version kDefaultVersion{1, 1};
    const auto& version = request != nullptr ? request->version : kDefaultVersion;
    const bool head_only = request != nullptr && request->method == "HEAD";
    const bool closing = !net::http::may_reuse(
        {.request = {.asks_to_close = !keep_alive_, .complete = request != nullptr},
         .response = {.asks_to_close = response.close}});
    std::string head = serialize_head(response, version, !closing, service_.date());

    std::uint64_t body_bytes = 0;
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

    if (closing) {
        state_ = State::kClosing;
        conn_.shutdown_write();  // FIN after the response; the peer's remaining bytes are drained
    } else if (response.file && conn_.output_bytes() > 0) {
        // One file at a time: later requests wait for this one to be out.
        state_ = State::kWaitingForOutput;
        conn_.pause_reading();
    }
}

void HttpSession::on_high_water(net::TcpConnection&) {
    // Never an unbounded queue: later requests wait until the output drains.
    if (state_ == State::kClosing) return;
    state_ = State::kWaitingForOutput;
    conn_.pause_reading();
}

void HttpSession::log_access(int status, std::uint64_t body_bytes,
                             const net::http::Request* request, std::string_view raw_line) {
    AccessRecord record;
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
    service_.log_access(std::move(record));
}

void HttpSession::send_error(int status, std::string_view raw_line) {
    keep_alive_ = false;
    send(error_response(status, true), nullptr, raw_line);
}

void HttpSession::on_drained(net::TcpConnection&) {
    if (state_ == State::kWaitingForOutput) {
        state_ =
            body_kind_ != net::http::BodyKind::kNone ? State::kDiscardingBody : State::kReadingHead;
        conn_.resume_reading();
        process();
    }
    finish_if_done();
}

void HttpSession::on_peer_closed(net::TcpConnection&) {
    peer_closed_ = true;
    finish_if_done();
}

// Ends the connection once nothing more can come: the peer has closed (or the server is
// stopping) and every answer has been written.
void HttpSession::finish_if_done() {
    if (state_ == State::kClosing || conn_.closed()) return;
    const bool idle = state_ == State::kReadingHead && conn_.output_bytes() == 0;
    if (peer_closed_ && state_ != State::kWaitingForOutput) {
        state_ = State::kClosing;
        conn_.shutdown_write();
    } else if (service_.draining() && idle) {
        // Between responses: whatever input is left is an unfinished head (complete ones were
        // answered), and the server is stopping, so it will not be waited for.
        conn_.close();
    }
}

void HttpSession::on_idle(net::TcpConnection&) {
    if (state_ == State::kReadingHead && !conn_.input().empty() && conn_.output_bytes() == 0) {
        send_error(408, first_line_of(conn_.input().view()));  // a head that never finished
        return;
    }
    conn_.close();
}

void HttpSession::on_server_stopping(net::TcpConnection&) {
    finish_if_done();
}

}  // namespace web
