// The connection reuse rule: one test per clause, on each side of the exchange, and the heads
// that ask to close.
#include "common/http_reuse.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace net::http {
namespace {

// Every clause that stops reuse, set on a message that is otherwise fine.
struct Clause {
    const char* name;
    MessageFacts facts;
};
const std::initializer_list<Clause> kClauses{
    {"asks to close", {.asks_to_close = true}},
    {"body until close", {.body_until_close = true}},
    {"framing in doubt", {.framing_in_doubt = true}},
    {"incomplete", {.complete = false}},
};

TEST(HttpReuseTest, CompleteMessagesThatAskNothingMayReuse) {
    EXPECT_TRUE(lets_reuse({}));
    EXPECT_TRUE(may_reuse({}));
}

TEST(HttpReuseTest, EachClauseOnTheRequestStopsReuse) {
    for (const auto& clause : kClauses) {
        EXPECT_FALSE(lets_reuse(clause.facts)) << clause.name;
        EXPECT_FALSE(may_reuse({.request = clause.facts})) << clause.name;
    }
}

TEST(HttpReuseTest, EachClauseOnTheResponseStopsReuse) {
    for (const auto& clause : kClauses) {
        EXPECT_FALSE(may_reuse({.response = clause.facts})) << clause.name;
    }
}

TEST(HttpReuseTest, BothSidesMustBeDone) {
    // h11: the next cycle starts only when the request and the response are both done.
    EXPECT_FALSE(may_reuse({.request = {.complete = false}, .response = {.complete = false}}));
    EXPECT_FALSE(may_reuse({.request = {.complete = true}, .response = {.complete = false}}));
    EXPECT_FALSE(may_reuse({.request = {.complete = false}, .response = {.complete = true}}));
    EXPECT_TRUE(may_reuse({.request = {.complete = true}, .response = {.complete = true}}));
}

// The Connection header fields of a head, or none.
Headers connection(std::initializer_list<std::string> values) {
    Headers headers;
    for (const auto& value : values)
        headers.add("Connection", value);
    return headers;
}

TEST(HttpReuseTest, Http11KeepsTheConnectionUnlessItSaysClose) {
    const Version v11{1, 1};
    EXPECT_FALSE(asks_to_close(v11, connection({})));
    EXPECT_FALSE(asks_to_close(v11, connection({"keep-alive"})));
    EXPECT_FALSE(asks_to_close(v11, connection({"closed"})));  // a whole element only
    EXPECT_TRUE(asks_to_close(v11, connection({"close"})));
    EXPECT_TRUE(asks_to_close(v11, connection({"CLOSE"})));
    EXPECT_TRUE(asks_to_close(v11, connection({"upgrade, close"})));
    EXPECT_TRUE(asks_to_close(v11, connection({"x", "close"})));  // several fields are one list
    // A higher minor version is read as 1.1 (RFC 9110 2.5).
    EXPECT_FALSE(asks_to_close(Version{1, 9}, connection({})));
}

TEST(HttpReuseTest, Http10ClosesUnlessItSaysKeepAlive) {
    const Version v10{1, 0};
    EXPECT_TRUE(asks_to_close(v10, connection({})));
    EXPECT_TRUE(asks_to_close(v10, connection({"close"})));
    EXPECT_FALSE(asks_to_close(v10, connection({"keep-alive"})));
    EXPECT_FALSE(asks_to_close(v10, connection({"foo ,  KEEP-ALIVE"})));
}

// RFC 9112 9.3 reads "close" first: with it, no version and no "keep-alive" keeps the connection.
TEST(HttpReuseTest, CloseWinsOverKeepAliveInEveryVersion) {
    for (const Version version : {Version{1, 0}, Version{1, 1}}) {
        EXPECT_TRUE(asks_to_close(version, connection({"keep-alive, close"})));
        EXPECT_TRUE(asks_to_close(version, connection({"close, keep-alive"})));
        EXPECT_TRUE(asks_to_close(version, connection({"keep-alive", "close"})));
    }
}

TEST(HttpReuseTest, AHeadThatAsksToCloseStopsTheExchange) {
    const MessageFacts request{.asks_to_close = asks_to_close(Version{1, 0}, connection({}))};
    EXPECT_FALSE(may_reuse({.request = request}));
    const MessageFacts response{.asks_to_close =
                                    asks_to_close(Version{1, 1}, connection({"close"}))};
    EXPECT_FALSE(may_reuse({.response = response}));
}

}  // namespace
}  // namespace net::http
