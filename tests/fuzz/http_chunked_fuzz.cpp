// libFuzzer target for the chunked decoder (RFC 9112 7.1) on its own. Two round trips:
// - the input as a chunked body: what the decoder accepts, encoded again (in other chunk sizes,
//   with extensions, trailers and either line end), decodes to the same data;
// - the input as data: encoded, it decodes back to exactly the input, however it is cut.
// And the decoder's own promises (chunked_checks.hpp): it never gives more data than it
// consumed, nor consumes more than it was given.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/fnv1a.hpp"
#include "common/http_chunked.hpp"
#include "tests/fuzz/check.hpp"
#include "tests/fuzz/chunked_checks.hpp"

namespace {

using fuzz::check;

// splitmix64: the encoder's choices, from a seed the input gives.
class Choices {
  public:
    explicit Choices(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    bool coin() { return (next() & 1) != 0; }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

  private:
    std::uint64_t state_;
};

std::string hex(std::uint64_t value, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[value % 16]);
        value /= 16;
    } while (value != 0);
    return out;
}

// A chunk-size or chunk-data line end: CRLF, or the bare LF the decoder also accepts.
std::string_view line_end(Choices& choose) {
    return choose.below(4) == 0 ? "\n" : "\r\n";
}

// "<size>[ext]<eol>", the size in either case with leading zeros, perhaps BWS and extensions.
void append_size_line(std::string& out, std::uint64_t size, Choices& choose) {
    out.append(choose.below(4), '0');
    out += hex(size, choose.coin());
    switch (choose.below(4)) {
        case 0:
            out += ";name=value";
            break;
        case 1:
            out += " \t;a;b=\"quoted;\"";
            break;
        default:
            break;
    }
    out += line_end(choose);
}

// `data` as a chunked body, in chunks of sizes the seed picks (1 byte up to the whole).
std::string encode_chunked(std::string_view data, std::uint64_t seed) {
    Choices choose(seed);
    std::string out;
    const std::size_t largest = std::size_t{1} << choose.below(12);
    while (!data.empty()) {
        const std::size_t size = std::min(data.size(), 1 + choose.below(largest));
        append_size_line(out, size, choose);
        out.append(data.substr(0, size));
        out += line_end(choose);
        data.remove_prefix(size);
    }
    append_size_line(out, 0, choose);
    for (std::size_t trailers = choose.below(3); trailers > 0; --trailers) {
        out += "X-Trailer: ";
        out += hex(choose.next(), false);
        out += line_end(choose);
    }
    out += line_end(choose);
    return out;
}

// Decodes an encoded body fed in two reads split at `split`, the unconsumed rest of the first
// kept for the second as a connection keeps it: all of it is read, to the same data.
void check_decodes_to(std::string_view encoded, std::string_view data, std::size_t split) {
    net::http::ChunkedDecoder decoder;
    std::string out;
    const auto first = decoder.decode(encoded.substr(0, split), &out);
    check(!first.error);
    std::size_t consumed = first.consumed;
    if (!first.done) {
        const auto second = decoder.decode(encoded.substr(consumed), &out);
        check(!second.error && second.done);
        consumed += second.consumed;
    }
    check(consumed == encoded.size());
    check(out == data);
    check(decoder.body_bytes() == data.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::uint64_t seed = net::fnv1a(bytes);

    // The input as a chunked body.
    const auto decoded = fuzz::check_chunked(bytes);
    if (decoded.result.done) {
        const std::string again = encode_chunked(decoded.data, seed);
        check_decodes_to(again, decoded.data, again.size());
        check_decodes_to(again, decoded.data, static_cast<std::size_t>(seed % (again.size() + 1)));
    }

    // The input as data.
    const std::string encoded = encode_chunked(bytes, seed >> 1);
    check_decodes_to(encoded, bytes, encoded.size());
    check_decodes_to(encoded, bytes, static_cast<std::size_t>((seed >> 8) % (encoded.size() + 1)));
    return 0;
}
