// Reproducible test data: `n` bytes of the mt19937 sequence of `seed`.
#ifndef AVIO_TESTS_NET_HTTP_RANDOM_BYTES_HPP
#define AVIO_TESTS_NET_HTTP_RANDOM_BYTES_HPP

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace avio_http_test {

inline std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(rng());
  return v;
}

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_RANDOM_BYTES_HPP
