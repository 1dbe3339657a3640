// SharedOutput under a mutex; LoopOutput flushes through a task deferred on its own loop.
#include "common/batched_output.hpp"

#include <system_error>

#include "common/socket.hpp"

namespace net {

void SharedOutput::write(std::string_view text) {
    const std::lock_guard lock(mutex_);
    try {
        write_all(fd_, text);
    } catch (const std::system_error&) {
        // The text is lost; the server goes on.
    }
}

std::string& LoopOutput::buffer() {
    if (!flush_pending_) {
        // One write per batch of events, not one per line.
        flush_pending_ = true;
        loop_.defer([this, alive = std::weak_ptr<bool>(alive_)] {
            if (alive.lock()) flush();
        });
    }
    return buffer_;
}

void LoopOutput::flush() {
    flush_pending_ = false;
    if (buffer_.empty()) return;
    output_.write(buffer_);
    buffer_.clear();
}

}  // namespace net
