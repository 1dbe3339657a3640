// CacheStore: variants by Vary (RFC 9111 4.1), LRU eviction within a byte budget, invalidation
// (4.4), freshening in place (4.3.4), and collapsed forwarding across threads.
#include "web_proxy/cache_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace web_proxy::cache {
namespace {

using net::http::Headers;

Headers headers_of(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    Headers headers;
    for (const auto& [name, value] : fields)
        headers.add(std::string(name), std::string(value));
    return headers;
}

StoreLimits limits_of(std::size_t capacity, std::size_t max_object = 8 * 1024 * 1024,
                      std::size_t max_variants = 16, std::size_t max_waiters = 256) {
    StoreLimits limits;
    limits.capacity_bytes = capacity;
    limits.max_object_bytes = max_object;
    limits.max_variants = max_variants;
    limits.max_waiters = max_waiters;
    return limits;
}
constexpr std::size_t kRoomy = 1024 * 1024;

// An entry for `key`, stored for a request with `request` fields, varying on `vary` (if any).
std::shared_ptr<const Entry> entry_of(const std::string& key, std::string body,
                                      const Headers& request = {}, std::string_view vary = "") {
    auto entry = std::make_shared<Entry>();
    entry->key = key;
    entry->response.headers.add("Cache-Control", "max-age=60");
    if (!vary.empty()) entry->response.headers.add("Vary", std::string(vary));
    entry->selecting = selecting_headers(entry->response.headers, request);
    entry->body = std::move(body);
    return entry;
}

TEST(CacheStoreTest, InsertThenLookupByKey) {
    CacheStore store;
    const auto entry = entry_of("http://a/", "hello");
    EXPECT_TRUE(store.insert(entry));
    EXPECT_EQ(store.lookup("http://a/", {}), entry);
    EXPECT_EQ(store.lookup("http://b/", {}), nullptr);
    const auto stats = store.stats();
    EXPECT_EQ(stats.entries, 1u);
    EXPECT_EQ(stats.bytes, entry->size());
    EXPECT_EQ(stats.hits, 1u);
    EXPECT_EQ(stats.misses, 1u);
}

TEST(CacheStoreTest, EntrySizeCountsFieldsAndBody) {
    const auto small = entry_of("http://a/", "");
    const auto big = entry_of("http://a/", std::string(1000, 'x'));
    EXPECT_EQ(big->size() - small->size(), 1000u);
    EXPECT_GT(small->size(), std::string("Cache-Controlmax-age=60").size());
}

TEST(CacheStoreTest, Rfc9111_4_1_VariantsAreSelectedByTheirRequestFields) {
    CacheStore store;
    const auto one = entry_of("http://a/", "1", headers_of({{"Foo", "1"}}), "Foo");
    const auto two = entry_of("http://a/", "2", headers_of({{"Foo", "2"}}), "Foo");
    ASSERT_TRUE(store.insert(one));
    ASSERT_TRUE(store.insert(two));  // vary-invalidate: both variants kept
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "1"}})), one);
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "2"}})), two);
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "3"}})), nullptr);
    EXPECT_EQ(store.lookup("http://a/", {}), nullptr);  // vary-omit
    EXPECT_EQ(store.stats().entries, 2u);
}

TEST(CacheStoreTest, Rfc9111_4_1_SameSecondaryKeyIsReplaced) {
    CacheStore store;
    const auto old_one = entry_of("http://a/", "old", headers_of({{"Foo", "1"}}), "Foo");
    const auto new_one = entry_of("http://a/", "new", headers_of({{"Foo", " 1 "}}), "Foo");
    ASSERT_TRUE(store.insert(old_one));
    ASSERT_TRUE(store.insert(new_one));
    EXPECT_EQ(store.stats().entries, 1u);
    EXPECT_EQ(store.stats().bytes, new_one->size());
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "1"}})), new_one);
}

TEST(CacheStoreTest, Rfc9111_4_1_MostRecentMatchingVariantWins) {
    CacheStore store;
    const auto plain = entry_of("http://a/", "plain");
    const auto varied = entry_of("http://a/", "varied", headers_of({{"Foo", "1"}}), "Foo");
    ASSERT_TRUE(store.insert(plain));
    ASSERT_TRUE(store.insert(varied));
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "1"}})), varied);
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "2"}})), plain);
}

TEST(CacheStoreTest, LeastRecentlyUsedIsEvictedFirst) {
    const auto a = entry_of("http://a/", std::string(100, 'a'));
    const auto b = entry_of("http://b/", std::string(100, 'b'));
    const auto c = entry_of("http://c/", std::string(100, 'c'));
    CacheStore store(limits_of(a->size() + b->size() + c->size() - 1));
    ASSERT_TRUE(store.insert(a));
    ASSERT_TRUE(store.insert(b));
    ASSERT_NE(store.lookup("http://a/", {}), nullptr);  // a is now more recent than b
    ASSERT_TRUE(store.insert(c));
    EXPECT_NE(store.lookup("http://a/", {}), nullptr);
    EXPECT_EQ(store.lookup("http://b/", {}), nullptr);
    EXPECT_NE(store.lookup("http://c/", {}), nullptr);
    const auto stats = store.stats();
    EXPECT_EQ(stats.evictions, 1u);
    EXPECT_EQ(stats.bytes, a->size() + c->size());
    EXPECT_LE(stats.bytes, a->size() + b->size() + c->size() - 1);
}

TEST(CacheStoreTest, TooLargeObjectsAreRefused) {
    const auto big = entry_of("http://big/", std::string(2000, 'x'));
    CacheStore store(limits_of(10000, 1000));
    EXPECT_FALSE(store.insert(big));
    EXPECT_FALSE(store.insert(nullptr));
    EXPECT_EQ(store.stats().entries, 0u);
    CacheStore tiny(limits_of(100, 1000));
    EXPECT_FALSE(tiny.insert(entry_of("http://b/", std::string(500, 'x'))));
}

TEST(CacheStoreTest, VariantsPerKeyAreBounded) {
    CacheStore store(limits_of(kRoomy, kRoomy, 2));
    for (const auto value : {"1", "2", "3"}) {
        ASSERT_TRUE(
            store.insert(entry_of("http://a/", value, headers_of({{"Foo", value}}), "Foo")));
    }
    EXPECT_EQ(store.stats().entries, 2u);
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "1"}})), nullptr);  // the oldest went
    EXPECT_NE(store.lookup("http://a/", headers_of({{"Foo", "3"}})), nullptr);
}

TEST(CacheStoreTest, Rfc9111_4_4_InvalidateDropsEveryVariant) {
    CacheStore store;
    ASSERT_TRUE(store.insert(entry_of("http://a/", "1", headers_of({{"Foo", "1"}}), "Foo")));
    ASSERT_TRUE(store.insert(entry_of("http://a/", "2", headers_of({{"Foo", "2"}}), "Foo")));
    ASSERT_TRUE(store.insert(entry_of("http://b/", "b")));
    EXPECT_EQ(store.invalidate("http://a/"), 2u);
    EXPECT_EQ(store.invalidate("http://a/"), 0u);
    EXPECT_EQ(store.lookup("http://a/", headers_of({{"Foo", "1"}})), nullptr);
    EXPECT_NE(store.lookup("http://b/", {}), nullptr);
    const auto stats = store.stats();
    EXPECT_EQ(stats.entries, 1u);
    EXPECT_EQ(stats.invalidations, 2u);
}

TEST(CacheStoreTest, Rfc9111_4_3_4_ReplaceSwapsTheFreshenedEntry) {
    CacheStore store;
    const auto old_entry = entry_of("http://a/", "body");
    ASSERT_TRUE(store.insert(old_entry));
    auto fresh = std::make_shared<Entry>(*old_entry);
    fresh->response.headers.add("Test-Header", "2");
    EXPECT_TRUE(store.replace(old_entry, fresh));
    EXPECT_EQ(store.lookup("http://a/", {}), fresh);
    EXPECT_EQ(store.stats().entries, 1u);
    EXPECT_EQ(store.stats().bytes, fresh->size());
    // The reader holding the old entry still sees it whole.
    EXPECT_EQ(old_entry->body, "body");
    EXPECT_FALSE(old_entry->response.headers.get("Test-Header"));
    // Replacing an entry no longer stored stores the new one anyway.
    store.invalidate("http://a/");
    EXPECT_TRUE(store.replace(old_entry, fresh));
    EXPECT_EQ(store.lookup("http://a/", {}), fresh);
}

TEST(CacheStoreTest, Rfc9111_4_3_5_EraseDropsOneEntry) {
    CacheStore store;
    const auto entry = entry_of("http://a/", "x");
    ASSERT_TRUE(store.insert(entry));
    store.erase(entry);
    store.erase(entry);  // already gone: nothing happens
    EXPECT_EQ(store.lookup("http://a/", {}), nullptr);
    EXPECT_EQ(store.stats().entries, 0u);
    EXPECT_EQ(store.stats().bytes, 0u);
}

TEST(CacheStoreFillTest, FirstIsFillerOthersWaitForTheEntry) {
    CacheStore store;
    auto first = store.begin_fill("http://a/", [](auto) { FAIL() << "the filler is not called"; });
    ASSERT_EQ(first.role, FillRole::kFiller);
    EXPECT_TRUE(first.token.pending());
    std::vector<std::shared_ptr<const Entry>> received;
    for (int i = 0; i < 3; ++i) {
        const auto start =
            store.begin_fill("http://a/", [&](auto entry) { received.push_back(entry); });
        EXPECT_EQ(start.role, FillRole::kWaiter);
        EXPECT_FALSE(start.token.pending());
    }
    EXPECT_EQ(store.begin_fill("http://b/", [](auto) {}).role, FillRole::kFiller);
    const auto entry = entry_of("http://a/", "filled");
    first.token.complete(entry);
    EXPECT_FALSE(first.token.pending());
    ASSERT_EQ(received.size(), 3u);
    for (const auto& got : received)
        EXPECT_EQ(got, entry);
    EXPECT_EQ(store.lookup("http://a/", {}), entry);
    // The fill is over: the next caller fills again.
    EXPECT_EQ(store.begin_fill("http://a/", [](auto) {}).role, FillRole::kFiller);
}

TEST(CacheStoreFillTest, AbandonedOrDroppedTokensHandWaitersNothing) {
    CacheStore store;
    int nulls = 0;
    {
        auto filler = store.begin_fill("http://a/", [](auto) {});
        store.begin_fill("http://a/", [&](auto entry) { nulls += entry == nullptr; });
        filler.token.abandon();
    }
    {
        auto filler = store.begin_fill("http://a/", [](auto) {});
        store.begin_fill("http://a/", [&](auto entry) { nulls += entry == nullptr; });
        FillToken moved = std::move(filler.token);
        EXPECT_FALSE(filler.token.pending());
        EXPECT_TRUE(moved.pending());
    }  // destroyed pending: abandoned
    EXPECT_EQ(nulls, 2);
    // A fill whose entry is too large to store also hands out nothing.
    CacheStore small(limits_of(10));
    auto filler = small.begin_fill("http://a/", [](auto) {});
    bool got_null = false;
    small.begin_fill("http://a/", [&](auto entry) { got_null = entry == nullptr; });
    filler.token.complete(entry_of("http://a/", std::string(100, 'x')));
    EXPECT_TRUE(got_null);
}

TEST(CacheStoreFillTest, WaiterListsAreBounded) {
    CacheStore store(limits_of(kRoomy, kRoomy, 16, 2));
    auto filler = store.begin_fill("http://a/", [](auto) {});
    EXPECT_EQ(store.begin_fill("http://a/", [](auto) {}).role, FillRole::kWaiter);
    EXPECT_EQ(store.begin_fill("http://a/", [](auto) {}).role, FillRole::kWaiter);
    EXPECT_EQ(store.begin_fill("http://a/", [](auto) {}).role, FillRole::kUncollapsed);
}

TEST(CacheStoreFillTest, CallbacksRunWithoutTheLock) {
    CacheStore store;
    auto filler = store.begin_fill("http://a/", [](auto) {});
    bool looked_up = false;
    store.begin_fill("http://a/", [&](std::shared_ptr<const Entry> entry) {
        // Would deadlock if called under the store's mutex.
        looked_up = store.lookup("http://a/", {}) == entry;
        EXPECT_EQ(store.begin_fill("http://a/", [](auto) {}).role, FillRole::kFiller);
    });
    filler.token.complete(entry_of("http://a/", "x"));
    EXPECT_TRUE(looked_up);
}

TEST(CacheStoreThreadTest, ManyThreadsShareOneStore) {
    CacheStore store(limits_of(20000));
    std::atomic<int> filled{0};
    std::atomic<int> waited{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const std::string key = "http://h/" + std::to_string(i % 20);
                if (store.lookup(key, {}) != nullptr) continue;
                auto start = store.begin_fill(key, [&](auto) { ++waited; });
                if (start.role == FillRole::kFiller) {
                    start.token.complete(entry_of(key, std::string(100 + t, 'x')));
                    ++filled;
                }
                if (i % 50 == 0) store.invalidate(key);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    const auto stats = store.stats();
    EXPECT_GT(filled.load(), 0);
    EXPECT_LE(stats.bytes, 20000u);
    EXPECT_EQ(stats.hits + stats.misses, 2000u);
}

}  // namespace
}  // namespace web_proxy::cache
