// Test data and the small pieces every side shares: the bytes a memory
// callback serves, the sink a write callback feeds, and the checksums.
//
// Both sides of a workload use these same objects, so a difference in a
// figure is the difference between the two buffered layers and nothing else.
#ifndef AVIO_BENCH_HARNESS_DATA_HPP
#define AVIO_BENCH_HARNESS_DATA_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace avio_bench {

// Where within a page the test data and the benchmarks' destinations start.
// How fast a copy runs depends on where its source and destination fall
// within their pages: a destination a few dozen bytes ahead of its source,
// modulo 4 KiB, makes loads wait for unrelated stores (4K aliasing) and can
// halve memcpy's speed. The I/O buffers of both sides sit near the start of
// a page in these programs, so data in the middle of a page keeps such an
// accident of layout from deciding a comparison either way.
inline constexpr size_t kPageOffset = 0x800;

// A block of memory that starts kPageOffset bytes into a page.
class MidPageBytes {
 public:
  explicit MidPageBytes(size_t size);
  MidPageBytes(const MidPageBytes &) = delete;
  MidPageBytes &operator=(const MidPageBytes &) = delete;
  ~MidPageBytes();
  uint8_t *data() { return data_; }
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void *block_;
  uint8_t *data_;
  size_t size_;
};

// `size` pseudo-random bytes, the same on every run.
const MidPageBytes &test_bytes(size_t size);

// Random offsets in [0, limit), the same on every run.
std::vector<int64_t> random_offsets(size_t count, int64_t limit, uint64_t seed);

// FNV-1a over `data`, continuing from `h`.
uint64_t hash_bytes(uint64_t h, const uint8_t *data, size_t size);
inline constexpr uint64_t kHashSeed = 14695981039346656037ull;

// A cheap stand-in for hash_bytes when a pass is timed: depends on the data
// without reading all of it.
inline uint64_t touch_bytes(uint64_t h, const uint8_t *data, size_t size) {
  if (size == 0) return h;
  return (h ^ data[0] ^ (uint64_t{data[size - 1]} << 8) ^ (uint64_t{size} << 16)) * 1099511628211ull;
}

// What a memory read callback serves from: a cursor over borrowed bytes.
// `requests` digests the sizes the buffered layer asked for, call by call:
// folded into a pass's checksum, it makes --verify fail unless both sides
// called the callback the same way (FFmpeg's refill sizes, not only its bytes).
struct MemorySource {
  const uint8_t *data = nullptr;
  size_t size = 0;
  size_t pos = 0;
  uint64_t requests = kHashSeed;

  // Copies up to `n` bytes into dst; returns the count, 0 at the end.
  size_t read(uint8_t *dst, size_t n) {
    requests = (requests ^ n) * 1099511628211ull;
    const size_t len = n < size - pos ? n : size - pos;
    std::memcpy(dst, data + pos, len);
    pos += len;
    return len;
  }
};

// What a write callback feeds: counts the bytes and folds them, and the size
// of each call (see MemorySource::requests), into a checksum.
struct Sink {
  bool verify = false;
  uint64_t hash = kHashSeed;
  int64_t bytes = 0;

  void consume(const uint8_t *data, size_t n) {
    hash = (hash ^ n) * 1099511628211ull;
    hash = verify ? hash_bytes(hash, data, n) : touch_bytes(hash, data, n);
    bytes += static_cast<int64_t>(n);
  }
  uint64_t result() const { return hash ^ static_cast<uint64_t>(bytes); }
};

// Writes `size` bytes of test data to `path` (if it is not already that
// size) and reads it once so that it sits in the page cache. Returns an
// empty string on success, else what went wrong.
std::string prepare_file(const std::string &path, int64_t size);

}  // namespace avio_bench

#endif  // AVIO_BENCH_HARNESS_DATA_HPP
