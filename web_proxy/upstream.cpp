// Server connections and their pool.
#include "upstream.hpp"

#include <algorithm>

namespace web_proxy {

// ---------------------------------------------------------------------------- UpstreamHandler

void UpstreamHandler::attach(UpstreamUser* user) {
    user_ = user;
    if (user != nullptr) {
        ++uses_;
        conn_.resume_reading();
    }
}

void UpstreamHandler::on_data(net::TcpConnection& conn) {
    if (user_ != nullptr) {
        user_->upstream_data(conn);
        return;
    }
    conn.close();  // unasked-for bytes: nothing after them could be trusted
}

void UpstreamHandler::on_peer_closed(net::TcpConnection& conn) {
    if (user_ != nullptr) {
        user_->upstream_peer_closed(conn);
        return;
    }
    conn.close();
}

void UpstreamHandler::on_high_water(net::TcpConnection& conn) {
    if (user_ != nullptr) user_->upstream_high_water(conn);
}

void UpstreamHandler::on_drained(net::TcpConnection& conn) {
    if (user_ != nullptr) user_->upstream_drained(conn);
}

void UpstreamHandler::on_idle(net::TcpConnection& conn) {
    if (user_ != nullptr) {
        user_->upstream_idle(conn);
        return;
    }
    conn.close();
}

// Server connections are the proxy's own: the client exchange using one decides its end.
void UpstreamHandler::on_server_stopping(net::TcpConnection&) {}

void UpstreamHandler::on_close(net::TcpConnection& conn) {
    if (pooled_) pool_.forget(*this);
    if (auto* user = std::exchange(user_, nullptr)) user->upstream_gone(conn);
}

// ---------------------------------------------------------------------------- UpstreamPool

UpstreamHandler* UpstreamPool::take(const std::string& key, UpstreamUser& user) {
    const auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    UpstreamHandler* upstream = it->second.back();
    forget(*upstream);
    upstream->attach(&user);
    return upstream;
}

void UpstreamPool::give_back(UpstreamHandler& upstream) {
    upstream.attach(nullptr);
    auto& list = idle_[upstream.key()];
    if (stopped_ || list.size() >= options_.max_idle_per_server ||
        idle_count_ >= options_.max_idle || upstream.conn_.closed()) {
        upstream.conn_.close();
        return;
    }
    list.push_back(&upstream);
    ++idle_count_;
    upstream.pooled_ = true;
    // Reading stays on: a byte or a FIN from the server is how a dead connection shows.
    upstream.conn_.resume_reading();
    upstream.expiry_ = loop_.run_after(options_.idle_timeout, [&upstream] {
        upstream.expiry_ = 0;
        upstream.conn_.close();
    });
}

void UpstreamPool::forget(UpstreamHandler& upstream) {
    if (!upstream.pooled_) return;
    upstream.pooled_ = false;
    if (upstream.expiry_ != 0) loop_.cancel(std::exchange(upstream.expiry_, 0));
    const auto it = idle_.find(upstream.key());
    if (it == idle_.end()) return;
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), &upstream), list.end());
    --idle_count_;
    if (list.empty()) idle_.erase(it);
}

void UpstreamPool::stop() {
    stopped_ = true;
    std::vector<UpstreamHandler*> all;
    for (auto& [key, list] : idle_)
        all.insert(all.end(), list.begin(), list.end());
    for (auto* upstream : all)
        upstream->conn_.close();  // on_close forgets it
}

}  // namespace web_proxy
