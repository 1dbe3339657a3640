// NullStore and the line-end conversion shared by the Maildir and mbox writers.
#include "message_store.hpp"

namespace mail {
namespace {

class NullDraft final : public MessageDraft {
  public:
    void append(std::string_view) override {}
    std::optional<StoreResult> commit(std::function<void(StoreResult)>) override {
        return StoreResult{.stored = true, .location = "", .error = ""};
    }
};

}  // namespace

std::unique_ptr<MessageDraft> NullStore::begin(const Envelope&) {
    return std::make_unique<NullDraft>();
}

void append_unix_lines(std::string& out, std::string_view lines) {
    out.reserve(out.size() + lines.size());
    std::size_t start = 0;
    while (true) {
        const auto crlf = lines.find("\r\n", start);
        if (crlf == std::string_view::npos) {
            out.append(lines.substr(start));
            return;
        }
        out.append(lines.substr(start, crlf - start));
        out.push_back('\n');
        start = crlf + 2;
    }
}

}  // namespace mail
