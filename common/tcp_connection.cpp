// TcpConnection: the byte-moving half of every TCP program in the suite, both directions.
#include "tcp_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "io.hpp"
#include "socket.hpp"

namespace net {
namespace {

constexpr std::size_t kKeepIdleBuffer = 16 * 1024;  // larger buffers are freed when emptied
// One sendfile(2) call at most; the loop moves on to other connections after each wake-up's worth.
constexpr std::size_t kSendfileChunk = 1024 * 1024;

}  // namespace

// ---------------------------------------------------------------------------- ConnectionHandler

void ConnectionHandler::on_peer_closed(TcpConnection& conn) {
    conn.shutdown_write();
}

void ConnectionHandler::on_high_water(TcpConnection& conn) {
    conn.pause_reading();
}

void ConnectionHandler::on_drained(TcpConnection& conn) {
    conn.resume_reading();
}

void ConnectionHandler::on_idle(TcpConnection& conn) {
    conn.close();
}

void ConnectionHandler::on_server_stopping(TcpConnection& conn) {
    conn.close();
}

// ---------------------------------------------------------------------------- TcpConnection

TcpConnection::TcpConnection(EventLoop& loop, Fd fd, SocketAddress peer, std::uint64_t id,
                             ConnectionOwner& owner, const HandlerFactory& make_handler,
                             ConnectionOptions options)
    : loop_(loop), fd_(std::move(fd)), peer_(peer), id_(id), owner_(owner), options_(options) {
    handler_ = make_handler(*this);
    if (!handler_) throw std::logic_error("TcpConnection: the handler factory made no handler");
}

const SocketAddress& TcpConnection::local() const {
    if (!local_) {
        try {
            local_ = local_address(fd_.get());
        } catch (const std::system_error&) {
            local_ = SocketAddress{};  // reset by the peer already: no address to tell
        }
    }
    return *local_;
}

TcpConnection::~TcpConnection() {
    if (fd_ && loop_.watching(fd_.get())) loop_.remove(fd_.get());
    if (idle_timer_ != 0) loop_.cancel(idle_timer_);
}

void TcpConnection::start() {
    loop_.assert_in_loop_thread();
    interest_ = EPOLLIN | EPOLLRDHUP;
    loop_.add(fd_.get(), interest_, [this](std::uint32_t events) { handle_events(events); });
    touch();
    arm_idle_timer();
    handler_->on_open(*this);
}

void TcpConnection::handle_events(std::uint32_t events) {
    if ((events & EPOLLERR) != 0) {  // a reset or an ICMP error: nothing more can be done
        close();
        return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0 && reading_ && !peer_closed_) {
        handle_read();
    }
    if (state_ == State::kClosed) return;
    if ((events & EPOLLOUT) != 0) handle_write();
    if (state_ == State::kClosed) return;
    // Both directions are shut and we no longer read: nothing more can happen on it.
    if ((events & EPOLLHUP) != 0 && (!reading_ || peer_closed_)) close();
}

void TcpConnection::handle_read() {
    const auto result = net::read_into(input_, fd_.get());
    switch (result.status) {
        case IoStatus::kOk:
            touch();
            handler_->on_data(*this);
            // A streaming peer keeps its large buffer (no allocation per read); one that has
            // gone back to small reads gives the memory back.
            if (state_ != State::kClosed && result.bytes < kKeepIdleBuffer) {
                input_.shrink_if_empty(kKeepIdleBuffer);
            }
            break;
        case IoStatus::kClosed:
            peer_closed_ = true;
            if (state_ == State::kShuttingDown && !output_pending()) {
                close();  // we already sent FIN; now the peer has too
                return;
            }
            handler_->on_peer_closed(*this);
            if (state_ != State::kClosed) update_interest();
            break;
        case IoStatus::kWouldBlock:
            break;
        case IoStatus::kError:
            close();
            break;
    }
}

void TcpConnection::handle_write() {
    if (!output_.empty()) {
        const auto result = net::write_from(output_, fd_.get());
        if (result.status == IoStatus::kError) {
            close();
            return;
        }
        if (result.status == IoStatus::kOk) touch();
        if (!output_.empty()) return;
    }
    if (file_ != nullptr && !write_file()) return;
    if (output_pending()) {
        update_interest();
        return;
    }
    output_.shrink_if_empty(kKeepIdleBuffer);
    above_mark_ = false;
    if (close_when_written_) {
        close();
        return;
    }
    handler_->on_drained(*this);
    if (state_ == State::kClosed) return;
    if (state_ == State::kShuttingDown && !output_pending()) {
        if (peer_closed_) {
            close();
            return;
        }
        ::shutdown(fd_.get(), SHUT_WR);
    }
    update_interest();
}

void TcpConnection::send(std::string_view bytes) {
    loop_.assert_in_loop_thread();
    if (state_ != State::kOpen || bytes.empty()) return;
    if (file_ != nullptr) {
        after_file_.append(bytes);  // in order: after the file being sent
        check_high_water();
        return;
    }
    if (output_.empty()) {
        // Write directly first; only what the kernel did not take is buffered.
        const auto result = write_some(fd_.get(), bytes);
        if (result.status == IoStatus::kError) {
            close();
            return;
        }
        if (result.status == IoStatus::kOk) bytes.remove_prefix(result.bytes);
        if (bytes.empty()) return;
    }
    output_.append(bytes);
    update_interest();
    check_high_water();
}

void TcpConnection::send_file(std::shared_ptr<const Fd> file, std::uint64_t offset,
                              std::uint64_t length) {
    if (state_ != State::kOpen || length == 0) return;
    if (file_ != nullptr) {
        // One file at a time; callers send the next after on_drained. Never silently reorder.
        throw std::logic_error("TcpConnection::send_file while a file is pending");
    }
    file_ = std::move(file);
    file_offset_ = offset;
    file_remaining_ = length;
    if (output_.empty()) {
        write_file();  // straight away, like send(): most of a small file leaves now
        if (state_ == State::kClosed) return;
    }
    update_interest();
    check_high_water();
}

void TcpConnection::check_high_water() {
    if (above_mark_ || state_ == State::kClosed || !above_high_water()) return;
    above_mark_ = true;
    handler_->on_high_water(*this);
}

// sendfile(2) until the file is out or the socket is full. Then the bytes queued behind the file
// become ordinary output.
bool TcpConnection::write_file() {
    while (file_remaining_ > 0) {
        auto offset = static_cast<off_t>(file_offset_);
        const auto chunk =
            static_cast<std::size_t>(std::min<std::uint64_t>(file_remaining_, kSendfileChunk));
        const ssize_t n = ::sendfile(fd_.get(), file_->get(), &offset, chunk);
        if (n > 0) {
            file_offset_ += static_cast<std::uint64_t>(n);
            file_remaining_ -= static_cast<std::uint64_t>(n);
            touch();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        // n == 0: the file shrank under us; anything else is a real error. Either way the
        // response cannot be completed as promised: close rather than send a short body.
        close();
        return false;
    }
    file_.reset();
    if (!after_file_.empty()) std::swap(output_, after_file_);
    after_file_.consume_all();
    if (!output_.empty()) {
        const auto result = net::write_from(output_, fd_.get());
        if (result.status == IoStatus::kError) {
            close();
            return false;
        }
    }
    return true;
}

void TcpConnection::set_cork(bool on) {
    if (state_ == State::kClosed) return;
    const int value = on ? 1 : 0;
    // Best effort: without it the response is still right, only in more packets.
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
}

void TcpConnection::shutdown_write() {
    if (state_ != State::kOpen) return;
    state_ = State::kShuttingDown;
    if (output_pending()) return;  // handle_write() finishes the job once the output is out
    if (peer_closed_) {
        close();
        return;
    }
    ::shutdown(fd_.get(), SHUT_WR);
    update_interest();
}

void TcpConnection::close_after_write() {
    if (state_ != State::kOpen) return;
    if (!output_pending()) {
        close();
        return;
    }
    close_when_written_ = true;
    pause_reading();
}

void TcpConnection::close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    loop_.remove(fd_.get());
    if (idle_timer_ != 0) {
        loop_.cancel(idle_timer_);
        idle_timer_ = 0;
    }
    handler_->on_close(*this);
    owner_.connection_closed(*this);
}

void TcpConnection::pause_reading() {
    if (!reading_) return;
    reading_ = false;
    update_interest();
}

void TcpConnection::resume_reading() {
    if (reading_) return;
    reading_ = true;
    update_interest();
}

void TcpConnection::update_interest() {
    if (state_ == State::kClosed) return;
    std::uint32_t wanted = 0;
    if (reading_ && !peer_closed_) wanted |= EPOLLIN | EPOLLRDHUP;
    if (output_pending()) wanted |= EPOLLOUT;
    if (wanted != interest_) {
        interest_ = wanted;
        loop_.modify(fd_.get(), wanted);
    }
}

void TcpConnection::touch() {
    last_active_ = loop_.now();
}

// One timer per connection, re-armed lazily: activity only updates last_active_, and the timer
// re-arms itself for the remainder when it fires early. O(log n) per timeout period, not per read.
void TcpConnection::arm_idle_timer() {
    const auto timeout = options_.idle_timeout;
    if (timeout.count() <= 0) return;
    idle_timer_ = loop_.run_at(last_active_ + timeout, [this, timeout] {
        idle_timer_ = 0;
        if (state_ == State::kClosed) return;
        if (loop_.now() - last_active_ < timeout) {
            arm_idle_timer();
            return;
        }
        handler_->on_idle(*this);
        if (state_ != State::kClosed && idle_timer_ == 0) {
            touch();
            arm_idle_timer();
        }
    });
}

// ---------------------------------------------------------------------------- ConnectionSet

ConnectionSet::~ConnectionSet() {
    *alive_ = false;
    close_all();
    open_.clear();
    closed_.clear();
}

TcpConnection& ConnectionSet::add(Fd fd, SocketAddress peer, const HandlerFactory& make_handler,
                                  ConnectionOptions options) {
    const auto id = next_id_++;
    auto conn = std::make_unique<TcpConnection>(loop_, std::move(fd), peer, id, *this, make_handler,
                                                options);
    TcpConnection& ref = *conn;
    open_.emplace(id, std::move(conn));
    ref.start();
    return ref;
}

void ConnectionSet::close_all() {
    for_each([](TcpConnection& conn) { conn.close(); });
}

// The connection leaves the table now (so counts and limits are exact) but its object lives
// until the current batch of events is over: its own handler may still be on the stack.
void ConnectionSet::connection_closed(TcpConnection& conn) {
    const auto it = open_.find(conn.id());
    if (it == open_.end()) return;
    closed_.push_back(std::move(it->second));
    open_.erase(it);
    if (closed_.size() == 1) {
        loop_.defer([this, alive = std::weak_ptr<bool>(alive_)] {
            if (const auto still = alive.lock(); still && *still) closed_.clear();
        });
    }
    if (on_closed_) on_closed_();
}

}  // namespace net
