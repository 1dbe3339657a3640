// FNV-1a: a stable 64-bit digest of bytes. Not a secret and not collision-proof: for choices that
// must follow their input deterministically (a MIME boundary, a fuzzer's split point).
#pragma once

#include <cstdint>
#include <string_view>

namespace net {

constexpr std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

}  // namespace net
