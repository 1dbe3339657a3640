// Body framing and response relaying.
#include "message_relay.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace web_proxy {

using net::http::BodyKind;

// ---------------------------------------------------------------------------- BodyCursor

BodyCursor::BodyCursor(BodyKind kind, std::uint64_t length, bool decode_chunks)
    : kind_(kind),
      remaining_(kind == BodyKind::kLength ? length : 0),
      decode_chunks_(decode_chunks),
      done_(kind == BodyKind::kNone || (kind == BodyKind::kLength && length == 0)) {}

BodyCursor::Step BodyCursor::take(std::string_view bytes, std::string& out) {
    Step step;
    if (done_) return step;
    switch (kind_) {
        case BodyKind::kNone:
            break;
        case BodyKind::kLength: {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
            out.append(bytes.substr(0, n));
            remaining_ -= n;
            raw_bytes_ += n;
            done_ = remaining_ == 0;
            step.consumed = n;
            break;
        }
        case BodyKind::kChunked: {
            const auto result = chunked_.decode(bytes, decode_chunks_ ? &out : nullptr);
            if (!decode_chunks_) out.append(bytes.substr(0, result.consumed));
            step.consumed = result.consumed;
            step.error = result.error;
            done_ = result.done;
            break;
        }
        case BodyKind::kUntilClose:
            out.append(bytes);
            raw_bytes_ += bytes.size();
            step.consumed = bytes.size();
            break;
    }
    return step;
}

std::uint64_t BodyCursor::body_bytes() const {
    return kind_ == BodyKind::kChunked ? chunked_.body_bytes() : raw_bytes_;
}

// ---------------------------------------------------------------------------- RequestBodyRelay

RequestBodyRelay::RequestBodyRelay(BodyKind kind, std::uint64_t length)
    : chunked_(kind == BodyKind::kChunked), cursor_(kind, length, chunked_) {}

RequestBodyRelay::Step RequestBodyRelay::take(std::string_view bytes, std::string& out) {
    if (failed_ || cursor_.done()) return {};
    if (!chunked_) return cursor_.take(bytes, out);
    data_.clear();
    const auto step = cursor_.take(bytes, data_);
    if (step.error) {
        failed_ = true;
        return step;
    }
    if (!data_.empty()) {
        std::array<char, 16> size{};  // 64 bits in hex
        const auto end = std::to_chars(size.data(), size.data() + size.size(), data_.size(), 16);
        out.append(size.data(), end.ptr);
        out += "\r\n";
        out += data_;
        out += "\r\n";
    }
    if (cursor_.done()) out += "0\r\n\r\n";
    return step;
}

// ---------------------------------------------------------------------------- ResponseRelay

ResponseRelay::ResponseRelay(std::string request_method, net::http::Version client_version,
                             bool client_keep_alive, Identity self)
    : method_(std::move(request_method)),
      client_version_(client_version),
      client_keep_alive_(client_keep_alive),
      self_(std::move(self)) {}

void ResponseRelay::feed(std::string_view bytes, std::string& to_client) {
    if (bytes.empty()) return;
    received_any_ = true;
    if (state_ == State::kHead) {
        feed_head(bytes, to_client);
    } else if (state_ == State::kBody) {
        feed_body(bytes, to_client);
    } else if (state_ == State::kDone) {
        overran_ = true;
    }
}

void ResponseRelay::feed_head(std::string_view bytes, std::string& to_client) {
    head_.append(bytes);
    while (state_ == State::kHead) {
        const auto parsed = net::http::parse_response_head(head_, method_);
        if (parsed.kind == net::http::HeadKind::kNeedMore) return;
        if (parsed.kind == net::http::HeadKind::kError) {
            fail(parsed.error.reason);
            return;
        }
        response_ = parsed.head;
        const std::string rest = head_.substr(parsed.consumed);
        head_.clear();
        if (response_.status < 200) {
            // Interim responses: 101 would switch protocols, which the proxy never asked for
            // (it drops Upgrade); the others go on to HTTP/1.1 clients (RFC 9110 15.2).
            if (response_.status == 101) {
                fail("101 Switching Protocols without an Upgrade");
                return;
            }
            if (++interim_responses_ > kMaxInterimResponses) {
                fail("too many interim responses");
                return;
            }
            if (client_version_.minor >= 1) {
                to_client += client_response_head(response_, self_, client_version_, {});
            }
            head_ = rest;
            continue;
        }
        framing_ = client_framing(response_, client_version_, client_keep_alive_);
        body_ = BodyCursor(response_.body, response_.content_length, framing_.dechunk);
        state_ = body_.done() ? State::kDone : State::kBody;
        held_ = client_response_head(response_, self_, client_version_, framing_);
        if (head_hook_) {
            auto decision = head_hook_(response_);
            held_.insert(held_.size() - 2, decision.extra_fields);  // before the blank line
            capture_ = decision.capture;
            capture_limit_ = decision.capture_limit;
            withhold_ = decision.withhold;
        }
        if (response_.body != net::http::BodyKind::kChunked || state_ == State::kDone) {
            start(to_client);
        }
        if (!rest.empty()) feed_body(rest, to_client);
    }
}

void ResponseRelay::feed_body(std::string_view bytes, std::string& to_client) {
    std::string& target = withhold_ ? withheld_bytes_ : started_ ? to_client : held_;
    const auto before = target.size();
    const auto step = body_.take(bytes, target);
    if (capture_ && !step.error) {
        capture(bytes.substr(0, step.consumed), std::string_view(target).substr(before));
    }
    withheld_bytes_.clear();
    // The first data byte starts the response even when the framing fails later in the same
    // bytes: what the client gets must not depend on how the server's bytes were split.
    if (!started_ && (body_.body_bytes() > 0 || (!step.error && body_.done()))) {
        start(to_client);
    }
    if (step.error) {
        fail("malformed chunked body");
    } else if (body_.done()) {
        state_ = State::kDone;
        overran_ = step.consumed < bytes.size();
    }
}

void ResponseRelay::start(std::string& to_client) {
    if (!withhold_) to_client += held_;
    held_.clear();
    started_ = true;
}

void ResponseRelay::capture(std::string_view raw, std::string_view appended) {
    // Relayed with its chunked framing, the body's data comes from a decoder of our own;
    // otherwise what went on is the data.
    if (response_.body == net::http::BodyKind::kChunked && !framing_.dechunk) {
        (void)capture_decoder_.decode(raw, &captured_);
    } else {
        captured_.append(appended);
    }
    if (captured_.size() > capture_limit_) {
        capture_ = false;
        captured_.clear();
        captured_.shrink_to_fit();
    }
}

void ResponseRelay::server_closed() {
    if (state_ == State::kBody && body_.until_close()) {
        state_ = State::kDone;
    } else if (state_ == State::kHead || state_ == State::kBody) {
        fail(state_ == State::kHead ? "the server closed the connection without a response"
                                    : "the server closed the connection in the middle of the body");
    }
}

void ResponseRelay::fail(std::string why) {
    state_ = State::kFailed;
    held_.clear();
    error_ = std::move(why);
}

}  // namespace web_proxy
