#include "read_plan.hpp"

#include <algorithm>
#include <cstring>

namespace avio::protocols::http {

ReadPlan::ReadPlan(std::span<const ReadRequest> reads, int64_t size) {
  reads_.reserve(reads.size());
  for (const ReadRequest &r : reads) {
    int64_t end = r.offset + static_cast<int64_t>(std::min<size_t>(r.dst.size(), INT64_MAX - r.offset));
    if (size >= 0) end = std::min(end, size);
    if (end > r.offset) reads_.push_back({r.offset, r.dst.first(static_cast<size_t>(end - r.offset))});
  }
  std::stable_sort(reads_.begin(), reads_.end(),
                   [](const ReadRequest &a, const ReadRequest &b) { return a.offset < b.offset; });
  end_max_.reserve(reads_.size());
  for (const ReadRequest &r : reads_) {
    const int64_t end = r.offset + static_cast<int64_t>(r.dst.size());
    end_max_.push_back(end_max_.empty() ? end : std::max(end_max_.back(), end));
    if (!spans_.empty() && r.offset <= spans_.back().end) {
      spans_.back().end = std::max(spans_.back().end, end);
    } else {
      spans_.push_back({r.offset, end});
    }
  }
}

size_t ReadPlan::first_candidate(int64_t offset) const {
  return static_cast<size_t>(std::upper_bound(end_max_.begin(), end_max_.end(), offset) - end_max_.begin());
}

void ReadPlan::put(int64_t offset, std::span<const uint8_t> bytes) const {
  const int64_t end = offset + static_cast<int64_t>(bytes.size());
  for (size_t i = first_candidate(offset); i < reads_.size() && reads_[i].offset < end; ++i) {
    const ReadRequest &r = reads_[i];
    const int64_t first = std::max(offset, r.offset);
    const int64_t last = std::min(end, r.offset + static_cast<int64_t>(r.dst.size()));
    if (last <= first) continue;
    uint8_t *to = r.dst.data() + (first - r.offset);
    const uint8_t *from = bytes.data() + (first - offset);
    // The bytes may have been received into this very read (direct()).
    if (to != from) std::memmove(to, from, static_cast<size_t>(last - first));
  }
}

std::span<uint8_t> ReadPlan::direct(int64_t offset, int64_t max) const {
  std::span<uint8_t> best;
  for (size_t i = first_candidate(offset); i < reads_.size() && reads_[i].offset <= offset; ++i) {
    const ReadRequest &r = reads_[i];
    const int64_t left = std::min(r.offset + static_cast<int64_t>(r.dst.size()) - offset, max);
    if (left > static_cast<int64_t>(best.size()))
      best = r.dst.subspan(static_cast<size_t>(offset - r.offset), static_cast<size_t>(left));
  }
  return best;
}

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
