// mbox (the mboxrd variant that mutt, python's mailbox and Thunderbird read): every message is
// appended after a "From sender date" line, with body lines that look like ">*From " quoted by
// one more '>', under an fcntl lock, and fsynced before the 250. A failed append is cut off
// again, so the file never keeps half a message. The path "-" is standard output instead: each
// message is written whole (no other message in between), with no lock or fsync, which a pipe
// has not; a failed write cannot be taken back there, and the message is refused (451).
#pragma once

#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/fd.hpp"
#include "common/worker_pool.hpp"
#include "message_store.hpp"

namespace mail {

class Mbox final : public MessageStore {
  public:
    // Opens (creates) the file for appending, or takes standard output for "-". Throws
    // std::system_error.
    Mbox(std::filesystem::path path, net::WorkerPool& pool);

    // Whether the messages go to standard output ("--mbox -").
    [[nodiscard]] bool to_stdout() const { return static_cast<bool>(stdout_); }

    std::unique_ptr<MessageDraft> begin(const Envelope& envelope) override;
    [[nodiscard]] std::string description() const override;

  private:
    class Draft;
    friend class Draft;
    [[nodiscard]] net::Fd open_locked() const;
    // Appends the message; on success sets `offset` to where its "From " line starts.
    StoreResult append_message(const std::string& from_line, const net::Fd& spilled,
                               const std::string& pending, std::uint64_t& offset);
    StoreResult write_to_stdout(const std::string& from_line, const net::Fd& spilled,
                                const std::string& pending);

    std::filesystem::path path_;
    net::WorkerPool& pool_;
    net::Fd stdout_;    // a copy of standard output for "-"; empty for a file
    std::mutex mutex_;  // fcntl locks are per process: threads take turns here first
};

// "From alice@example.org Wed Nov 25 07:53:12 2026\n" (MAILER-DAEMON for the null sender).
std::string format_from_line(std::string_view reverse_path, std::time_t when);

// mboxrd quoting for whole LF-terminated lines: ">*From " gains a '>'. Returns how many lines
// were quoted.
std::size_t append_mboxrd_quoted(std::string& out, std::string_view lines);

}  // namespace mail
