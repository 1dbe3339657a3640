// What the tests need to know about the build they run in, and small text checks they share.
#pragma once

#include <string_view>

namespace net::test {

// Whether this build (and so every server it starts) runs under ASan or TSan, whose runtimes
// have habits of their own: descriptors, and memory kept resident (ASan's quarantine).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

inline bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

}  // namespace net::test
