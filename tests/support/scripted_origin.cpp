// A scripted HTTP origin on its own thread, and reading one request off a socket.
#include "tests/support/scripted_origin.hpp"

#include "common/io.hpp"
#include "tests/support/socket_client.hpp"

namespace net::test {
namespace {

constexpr auto kIo = std::chrono::seconds(20);  // one exchange; generous for sanitizer builds

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string read_request(int fd, const Deadline& deadline, bool head_only) {
    std::string bytes;
    char buffer[4096];
    for (;;) {
        const auto end = bytes.find("\r\n\r\n");
        if (end != std::string::npos && head_only) return bytes;
        if (end != std::string::npos) {
            const std::string head = bytes.substr(0, end + 4);
            if (contains(head, "Transfer-Encoding: chunked")) {
                if (bytes.find("\r\n0\r\n\r\n", end + 2) != std::string::npos) return bytes;
            } else {
                std::size_t length = 0;
                const auto at = head.find("Content-Length: ");
                if (at != std::string::npos) length = std::stoul(head.substr(at + 16));
                if (bytes.size() >= end + 4 + length) return bytes;
            }
        }
        if (!wait_readable(fd, deadline.remaining())) return bytes;
        const auto got = read_some(fd, buffer);
        if (got.status != IoStatus::kOk) return bytes;
        bytes.append(buffer, got.bytes);
    }
}

ScriptedOrigin::ScriptedOrigin(Answer answer, OriginOptions options)
    : server_([this, answer = std::move(answer), options](Fd connection) {
          ++connections_;
          const Deadline deadline(kIo);
          do {
              const std::string request = read_request(connection.get(), deadline);
              if (request.empty()) return;
              {
                  const std::lock_guard lock(mutex_);
                  requests_.push_back(request);
              }
              if (options.go.valid() && options.go.wait_for(kIo) != std::future_status::ready) {
                  return;
              }
              send_all(connection.get(), answer(request), deadline);
          } while (!options.close_after);
      }) {}

ScriptedOrigin::ScriptedOrigin(std::string reply, bool close_after)
    : ScriptedOrigin([reply = std::move(reply)](const std::string&) { return reply; },
                     {.close_after = close_after, .go = {}}) {}

std::vector<std::string> ScriptedOrigin::requests() {
    const std::lock_guard lock(mutex_);
    return requests_;
}

}  // namespace net::test
