// Helpers of the protocol tests that move bytes through avio (the http and
// s3 protocol tests): reproducible random data, a whole read, an upload.
#ifndef AVIO_TESTS_NET_HTTP_IO_TEST_UTIL_HPP
#define AVIO_TESTS_NET_HTTP_IO_TEST_UTIL_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "avio/url.hpp"
#include "random_bytes.hpp"

namespace avio_http_test {

// Reads the context to its end: everything, or the first error other than EOF.
// Options that read http and s3 URLs as the protocol itself does, not
// through the block cache C++ open_url puts under them by default: for tests
// of the protocol's own behaviour and exported options.
inline avio::OpenOptions without_cache() {
  avio::OpenOptions o;
  o.block_cache = false;
  return o;
}

inline avio::Result<std::vector<uint8_t>> read_all(avio::IOContext &ctx) {
  std::vector<uint8_t> out;
  uint8_t buf[65536];
  for (;;) {
    avio::Result<size_t> n = ctx.read(buf);
    if (!n) {
      if (n.error().code() == avio::kEof) return out;
      return n.error();
    }
    if (*n == 0) return out;
    out.insert(out.end(), buf, buf + *n);
  }
}

// Opens `url` for writing with `o`, writes `data` in writes of `piece`
// bytes, and closes it: the close's status, or the open's error.
inline avio::Status upload(const std::string &url, std::span<const uint8_t> data, avio::OpenOptions o,
                           size_t piece = 100000) {
  o.flags = avio::kOpenWrite;
  avio::Result<avio::IOContext> ctx = avio::open_url(url, o);
  if (!ctx) return ctx.error();
  for (size_t at = 0; at < data.size(); at += piece) ctx->write(data.subspan(at, std::min(piece, data.size() - at)));
  return ctx->close();
}

// The same with default open options but for `options`.
inline avio::Status upload(const std::string &url, std::span<const uint8_t> data, avio::Dictionary options,
                           size_t piece) {
  avio::OpenOptions o;
  o.options = std::move(options);
  return upload(url, data, std::move(o), piece);
}

}  // namespace avio_http_test

#endif  // AVIO_TESTS_NET_HTTP_IO_TEST_UTIL_HPP
