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

RangeRequest partial(int64_t first, int64_t last) { return {RangeRequest::Kind::kPartial, first, last}; }
constexpr RangeRequest kWhole{};
constexpr RangeRequest kUnsatisfiable{RangeRequest::Kind::kUnsatisfiable, 0, -1};

// "-n": the last n bytes.
RangeRequest suffix_range(std::string_view digits, int64_t size) {
  const std::optional<int64_t> n = decimal(digits);
  if (!n) return kWhole;
  if (*n == 0 || size == 0) return kUnsatisfiable;
  return partial(std::max<int64_t>(0, size - *n), size - 1);
}

}  // namespace

RangeRequest evaluate_range(std::string_view value, int64_t size) {
  value = trim_ows(value);
  const size_t equals = value.find('=');
  if (equals == std::string_view::npos || !is_bytes_unit(trim_ows(value.substr(0, equals)))) return kWhole;
  const std::string_view spec = trim_ows(value.substr(equals + 1));
  if (spec.find(',') != std::string_view::npos) return kWhole;  // several ranges: the whole representation
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return kWhole;
  if (dash == 0) return suffix_range(spec.substr(1), size);
  const std::optional<int64_t> first = decimal(spec.substr(0, dash));
  if (!first) return kWhole;
  int64_t last = INT64_MAX;
  if (dash + 1 < spec.size()) {
    const std::optional<int64_t> l = decimal(spec.substr(dash + 1));
    if (!l || *l < *first) return kWhole;  // an invalid range-spec: ignored
    last = *l;
  }
  if (*first >= size) return kUnsatisfiable;
  return partial(*first, std::min(last, size - 1));
}

std::string content_range(const RangeRequest &range, int64_t size) {
  if (range.kind != RangeRequest::Kind::kPartial) return "bytes */" + std::to_string(size);
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(size);
}

}  // namespace avio::tools::serve
