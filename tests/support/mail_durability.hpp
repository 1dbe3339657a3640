// The pieces of the kill -9 tests of mail_server (integration and robustness suites): messages
// whose body shows when it is cut or mixed up, senders that send until the server dies, and the
// check that a Maildir's new/ holds every acknowledged message whole and nothing partial.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/deadline.hpp"
#include "tests/support/mail_server_process.hpp"

namespace net::test {

// The body of message `seq` (LF line ends): its number, a payload that depends on it, and a
// trailer line. Every 7th is bigger than mail_server's spill threshold (256 KiB), so it is
// written to tmp/ while it arrives: a kill then can find it half-written there.
std::string durability_body(int seq);
// "Subject: durability SEQ", "X-Seq: SEQ", then durability_body(seq).
std::string durability_message(int seq);

// The ids whose 250 arrived, with the seq each carried. Thread-safe.
class Acknowledged {
  public:
    void add(const std::string& id, int seq);
    // Waits until at least `n` are acknowledged; false at the deadline.
    bool wait_for(std::size_t n, const Deadline& deadline);
    std::map<std::string, int> ids();

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, int> ids_;
};

// `count` clients of `server`, each on its own thread sending durability messages (client i
// sends seq first_seq + i, then every `count`-th after) until its connection fails: the server
// was killed. The destructor joins them; kill the server first.
class DurabilitySenders {
  public:
    DurabilitySenders(const MailServerProcess& server, int count, int first_seq,
                      Acknowledged& acknowledged);
    void join();

  private:
    std::vector<std::jthread> threads_;
};

// Checks, with gtest expectations, that every file in `maildir`/new is a whole durability
// message (the one its X-Seq names) and that every id in `acknowledged` is among them with its
// seq. Returns how many messages new/ holds.
std::size_t expect_acknowledged_are_whole(const std::string& python,
                                          const std::filesystem::path& maildir,
                                          const std::map<std::string, int>& acknowledged);

}  // namespace net::test
