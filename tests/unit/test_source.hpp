// A scripted in-memory source/sink for unit tests: serves `data` through
// typed callbacks and records what the engine asked of it.
#ifndef AVIO_TESTS_UNIT_TEST_SOURCE_HPP
#define AVIO_TESTS_UNIT_TEST_SOURCE_HPP

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "avio/io_context.hpp"

namespace avio::testing {

inline std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + i / 256);
  return v;
}

struct Source {
  std::vector<uint8_t> data;
  size_t pos = 0;
  size_t max_chunk = SIZE_MAX;  // serve at most this much per call
  int64_t fail_at = -1;         // return `error` when a read starts here
  int error = -EIO;
  bool zero_at_eof = false;  // the classic bug: 0 instead of EOF
  std::vector<size_t> read_sizes;
  std::vector<std::pair<int64_t, Whence>> seeks;
  std::vector<std::vector<uint8_t>> writes;

  Callbacks callbacks(bool readable, bool writable, bool seekable) {
    Callbacks cb;
    if (readable)
      cb.read = [this](std::span<uint8_t> dst) -> Result<size_t> {
        read_sizes.push_back(dst.size());
        if (fail_at >= 0 && static_cast<int64_t>(pos) >= fail_at) return Error(error, "test source failed");
        if (pos >= data.size()) return zero_at_eof ? Result<size_t>(size_t{0}) : Result<size_t>(Error::eof());
        const size_t n = std::min({dst.size(), data.size() - pos, max_chunk});
        std::memcpy(dst.data(), data.data() + pos, n);
        pos += n;
        return n;
      };
    if (writable)
      cb.write = [this](std::span<const uint8_t> src) -> Status {
        if (fail_at >= 0 && static_cast<int64_t>(pos) >= fail_at) return Error(error, "test sink failed");
        writes.emplace_back(src.begin(), src.end());
        if (data.size() < pos + src.size()) data.resize(pos + src.size());
        std::memcpy(data.data() + pos, src.data(), src.size());
        pos += src.size();
        return {};
      };
    if (seekable) {
      cb.seek = [this](int64_t off, Whence w) -> Result<int64_t> {
        seeks.emplace_back(off, w);
        int64_t target = off;
        if (w == Whence::kCur) target += static_cast<int64_t>(pos);
        if (w == Whence::kEnd) target += static_cast<int64_t>(data.size());
        if (target < 0) return Error::from_errno(EINVAL);
        pos = static_cast<size_t>(target);
        return target;
      };
      cb.size = [this]() -> Result<int64_t> { return static_cast<int64_t>(data.size()); };
    }
    return cb;
  }
};

inline std::vector<uint8_t> all_writes(const Source &s) {
  std::vector<uint8_t> out;
  for (const auto &w : s.writes) out.insert(out.end(), w.begin(), w.end());
  return out;
}

}  // namespace avio::testing

#endif  // AVIO_TESTS_UNIT_TEST_SOURCE_HPP
