#include "byte_range.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "ows.hpp"

namespace avio::tools::serve {

namespace {

// A non-empty decimal that fits int64_t.
std::optional<int64_t> decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool is_bytes_unit(std::string_view unit) {
  if (unit.size() != 5) return false;
  for (size_t i = 0; i < 5; ++i)
    if ((unit[i] | 0x20) != "bytes"[i]) return false;
  return true;
}

RangeRequest whole() { return {}; }
RangeRequest unsatisfiable() { return {RangeRequest::Kind::kUnsatisfiable, 0, -1, {}}; }

// One byte-range-spec, clipped to `size`: a range, nullopt when it cannot be
// satisfied, or false in *valid when it is not a range-spec at all.
std::optional<ByteRange> range_spec(std::string_view spec, int64_t size, bool *valid) {
  *valid = false;
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  if (dash == 0) {  // "-n": the last n bytes
    const std::optional<int64_t> n = decimal(spec.substr(1));
    if (!n) return std::nullopt;
    *valid = true;
    if (*n == 0 || size == 0) return std::nullopt;
    return ByteRange{std::max<int64_t>(0, size - *n), size - 1};
  }
  const std::optional<int64_t> first = decimal(spec.substr(0, dash));
  if (!first) return std::nullopt;
  int64_t last = INT64_MAX;
  if (dash + 1 < spec.size()) {
    const std::optional<int64_t> l = decimal(spec.substr(dash + 1));
    if (!l || *l < *first) return std::nullopt;
    last = *l;
  }
  *valid = true;
  if (*first >= size) return std::nullopt;
  return ByteRange{*first, std::min(last, size - 1)};
}

}  // namespace

RangeRequest evaluate_range(std::string_view value, int64_t size) {
  value = trim_ows(value);
  const size_t equals = value.find('=');
  if (equals == std::string_view::npos || !is_bytes_unit(trim_ows(value.substr(0, equals)))) return whole();
  std::string_view set = value.substr(equals + 1);
  std::vector<ByteRange> ranges;
  size_t specs = 0;
  while (true) {
    const size_t comma = set.find(',');
    const std::string_view spec = trim_ows(set.substr(0, comma));
    if (!spec.empty()) {  // RFC 9110 section 5.6.1.2: empty list elements do not count
      if (++specs > kMaxRanges) return whole();
      bool valid = false;
      const std::optional<ByteRange> r = range_spec(spec, size, &valid);
      if (!valid) return whole();
      if (r) {
        if (!ranges.empty() && r->first <= ranges.back().last) return whole();  // overlapping or descending
        ranges.push_back(*r);
      }
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (specs == 0) return whole();
  if (ranges.empty()) return unsatisfiable();
  if (ranges.size() == 1) return {RangeRequest::Kind::kPartial, ranges[0].first, ranges[0].last, {}};
  return {RangeRequest::Kind::kMultipart, 0, -1, std::move(ranges)};
}

std::string content_range(const RangeRequest &range, int64_t size) {
  if (range.kind != RangeRequest::Kind::kPartial) return "bytes */" + std::to_string(size);
  return content_range(ByteRange{range.first, range.last}, size);
}

std::string content_range(const ByteRange &range, int64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(size);
}

}  // namespace avio::tools::serve
