// A stand-in until the index lands: an index that holds nothing.
#include "mail_index.hpp"

namespace mail {
namespace {

class EmptyIndex final : public MailIndex {
  public:
    void load() override {}
    void watch(MessageStore&) override {}
    [[nodiscard]] Page list(std::size_t start, std::size_t) const override {
        Page page;
        page.start = start;
        return page;
    }
    [[nodiscard]] Page search(std::string_view, std::size_t start, std::size_t) const override {
        Page page;
        page.start = start;
        return page;
    }
    [[nodiscard]] std::optional<Summary> find(std::string_view) const override {
        return std::nullopt;
    }
    [[nodiscard]] std::optional<std::string> read(std::string_view) const override {
        return std::nullopt;
    }
    [[nodiscard]] std::size_t size() const override { return 0; }
    std::uint64_t subscribe(Listener) override { return 0; }
    void unsubscribe(std::uint64_t) override {}
};

}  // namespace

bool is_message_id(std::string_view text) {
    if (text.empty() || text.size() > 128 || text.front() == '.') return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::unique_ptr<MailIndex> MailIndex::for_maildir(std::filesystem::path) {
    return std::make_unique<EmptyIndex>();
}
std::unique_ptr<MailIndex> MailIndex::for_mbox(std::filesystem::path) {
    return std::make_unique<EmptyIndex>();
}

}  // namespace mail
