// Starting, counting and joining the client threads.
#include "client_threads.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

namespace web_proxy {

ClientThreads::ClientThreads() : finished_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!finished_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

ClientThreads::~ClientThreads() {
    std::map<std::uint64_t, std::thread> threads;
    {
        const std::lock_guard lock(mutex_);
        threads.swap(threads_);
    }
    for (auto& [id, thread] : threads)
        thread.join();
}

void ClientThreads::start(std::function<void()> work) {
    const std::lock_guard lock(mutex_);
    const std::uint64_t id = next_id_++;
    // The new thread reports its end under the same mutex, so it cannot finish before it is
    // in the table.
    threads_.emplace(id, std::thread([this, id, work = std::move(work)] {
                         work();
                         const std::lock_guard done(mutex_);
                         finished_.push_back(id);
                         --active_;
                         const std::uint64_t one = 1;
                         [[maybe_unused]] const auto n =
                             ::write(finished_fd_.get(), &one, sizeof one);
                     }));
    ++active_;
}

std::size_t ClientThreads::active() const {
    const std::lock_guard lock(mutex_);
    return active_;
}

void ClientThreads::reap() {
    std::vector<std::thread> done;
    {
        const std::lock_guard lock(mutex_);
        std::uint64_t count = 0;
        [[maybe_unused]] const auto n = ::read(finished_fd_.get(), &count, sizeof count);
        for (const auto id : finished_) {
            const auto it = threads_.find(id);
            if (it == threads_.end()) continue;
            done.push_back(std::move(it->second));
            threads_.erase(it);
        }
        finished_.clear();
    }
    for (auto& thread : done)
        thread.join();
}

}  // namespace web_proxy
