#include "range_header.hpp"

#include <algorithm>

namespace avio::protocols::http {

namespace {
std::string range_spec(const ByteSpan &s) { return std::to_string(s.first) + "-" + std::to_string(s.end - 1); }
}  // namespace

std::string range_header_value(std::span<const ByteSpan> spans) {
  std::string value = "bytes=";
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) value += ',';
    value += range_spec(spans[i]);
  }
  return value;
}

size_t spans_within_header(std::span<const ByteSpan> spans, size_t budget) {
  size_t line = std::string_view("Range: bytes=").size();
  size_t count = 0;
  for (const ByteSpan &s : spans) {
    const size_t piece = range_spec(s).size() + (count > 0 ? 1 : 0);
    if (count > 0 && line + piece > budget) break;
    line += piece;
    ++count;
  }
  return std::max<size_t>(count, 1);
}

void Coverage::add(int64_t first, int64_t end) {
  if (end <= first) return;
  if (!got_.empty() && got_.back().end == first) {
    got_.back().end = end;  // the usual case: the next bytes of a part
  } else {
    got_.push_back({first, end});
  }
}

std::vector<ByteSpan> Coverage::gaps(std::span<const ByteSpan> wanted) {
  std::sort(got_.begin(), got_.end(), [](const ByteSpan &a, const ByteSpan &b) { return a.first < b.first; });
  std::vector<ByteSpan> merged;
  for (const ByteSpan &g : got_) {
    if (!merged.empty() && g.first <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, g.end);
    } else {
      merged.push_back(g);
    }
  }
  got_ = merged;
  std::vector<ByteSpan> out;
  auto run = merged.begin();  // the first covered run that may still matter
  for (const ByteSpan &w : wanted) {
    int64_t at = w.first;
    while (at < w.end) {
      while (run != merged.end() && run->end <= at) ++run;
      if (run == merged.end() || run->first >= w.end) {
        out.push_back({at, w.end});
        break;
      }
      if (run->first > at) out.push_back({at, run->first});
      at = run->end;
    }
  }
  return out;
}

}  // namespace avio::protocols::http
