// FileCache: fresh entries are served without touching the disk; stale ones are checked again.
#include "web_server/file_cache.hpp"
#include "common/media_types.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace web {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class FileCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "file_cache_XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        write("page.html", "<p>one</p>");
        root_.emplace(dir_);
        cache_.set_root(&*root_);
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    void write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ + "/" + name, std::ios::binary | std::ios::trunc) << text;
    }
    const CachedFile* insert(const std::string& name, Clock::time_point now) {
        const OpenedFile file = root_->open(name);
        return cache_.insert(name, file, types_.type_for(name), now);
    }

    const net::MediaTypes types_;
    std::string dir_;
    std::optional<RootDirectory> root_;
    FileCache cache_;
    const Clock::time_point t0_ = Clock::now();
};

TEST_F(FileCacheTest, InsertReadsTheFileAndItsValidators) {
    const CachedFile* cached = insert("page.html", t0_);
    ASSERT_NE(cached, nullptr);
    EXPECT_EQ(cached->body, "<p>one</p>");
    EXPECT_EQ(cached->content_type, "text/html; charset=utf-8");
    EXPECT_FALSE(cached->validators.etag.empty());
    EXPECT_FALSE(cached->last_modified.empty());
    EXPECT_EQ(cache_.size(), 1U);
}

TEST_F(FileCacheTest, AFreshEntryIsServedEvenIfTheFileChangedMeanwhile) {
    ASSERT_NE(insert("page.html", t0_), nullptr);
    write("page.html", "<p>two, longer</p>");
    const CachedFile* hit = cache_.find("page.html", t0_ + 500ms);  // within kRevalidateAfter
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->body, "<p>one</p>");
}

TEST_F(FileCacheTest, AStaleEntryOfAChangedFileIsDropped) {
    ASSERT_NE(insert("page.html", t0_), nullptr);
    write("page.html", "<p>two, longer</p>");
    EXPECT_EQ(cache_.find("page.html", t0_ + 2s), nullptr);
    EXPECT_EQ(cache_.size(), 0U);
}

TEST_F(FileCacheTest, AStaleEntryOfAnUnchangedFileIsKeptAndRefreshed) {
    ASSERT_NE(insert("page.html", t0_), nullptr);
    const CachedFile* hit = cache_.find("page.html", t0_ + 2s);
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->body, "<p>one</p>");
    EXPECT_EQ(hit->checked, t0_ + 2s);
}

TEST_F(FileCacheTest, ADeletedFileIsDroppedWhenStale) {
    ASSERT_NE(insert("page.html", t0_), nullptr);
    ASSERT_EQ(::unlink((dir_ + "/page.html").c_str()), 0);
    EXPECT_EQ(cache_.find("page.html", t0_ + 2s), nullptr);
}

TEST_F(FileCacheTest, LargeFilesAndDirectoriesAreNotCached) {
    write("big.bin", std::string(FileCache::kMaxFileBytes + 1, 'x'));
    EXPECT_EQ(insert("big.bin", t0_), nullptr);
    ASSERT_EQ(::mkdir((dir_ + "/sub").c_str(), 0755), 0);
    EXPECT_EQ(insert("sub", t0_), nullptr);
    EXPECT_EQ(cache_.size(), 0U);
}

TEST_F(FileCacheTest, TotalSizeStaysBounded) {
    const std::string body(FileCache::kMaxFileBytes, 'y');
    const std::size_t files = FileCache::kMaxTotalBytes / body.size() + 10;
    for (std::size_t i = 0; i < files; ++i) {
        const std::string name = "f" + std::to_string(i);
        write(name, body);
        ASSERT_NE(insert(name, t0_), nullptr);
    }
    EXPECT_LE(cache_.size() * body.size(), FileCache::kMaxTotalBytes);
}

}  // namespace
}  // namespace web
