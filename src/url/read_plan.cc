#include "read_plan.hpp"

#include <algorithm>
#include <cstring>

namespace avio {

ReadPlan::ReadPlan(std::span<const ReadRequest> reads, int64_t size) {
  reads_.reserve(reads.size());
  for (const ReadRequest &r : reads) {
    int64_t end = r.offset + static_cast<int64_t>(std::min<size_t>(r.dst.size(), INT64_MAX - r.offset));
    if (size >= 0) end = std::min(end, size);
    if (end > r.offset) reads_.push_back({r.offset, r.dst.first(static_cast<size_t>(end - r.offset)), r.progress});
  }
  std::stable_sort(reads_.begin(), reads_.end(),
                   [](const ReadRequest &a, const ReadRequest &b) { return a.offset < b.offset; });
  end_max_.reserve(reads_.size());
  told_.reserve(reads_.size());
  for (const ReadRequest &r : reads_) {
    told_.push_back(r.offset);
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

void ReadPlan::put(int64_t offset, std::span<const uint8_t> bytes) {
  const int64_t end = offset + static_cast<int64_t>(bytes.size());
  for (size_t i = first_candidate(offset); i < reads_.size() && reads_[i].offset < end; ++i) {
    const ReadRequest &r = reads_[i];
    // Bytes told of are a reader's already: not written again.
    const int64_t first = std::max({offset, r.offset, r.progress ? told_[i] : r.offset});
    const int64_t last = std::min(end, r.offset + static_cast<int64_t>(r.dst.size()));
    if (last <= first) continue;
    uint8_t *to = r.dst.data() + (first - r.offset);
    const uint8_t *from = bytes.data() + (first - offset);
    // The bytes may have been received into this very read (direct()).
    if (to != from) std::memmove(to, from, static_cast<size_t>(last - first));
    if (r.progress && first == told_[i]) {
      told_[i] = last;
      r.progress->arrived(first, last - first);
    }
  }
}

ReadRequest ReadPlan::direct(int64_t offset, int64_t max) const {
  ReadRequest best{offset, {}, nullptr};
  for (size_t i = first_candidate(offset); i < reads_.size() && reads_[i].offset <= offset; ++i) {
    const ReadRequest &r = reads_[i];
    if (r.progress && offset < told_[i]) continue;  // a reader's already
    const int64_t left = std::min(r.offset + static_cast<int64_t>(r.dst.size()) - offset, max);
    if (left > static_cast<int64_t>(best.dst.size())) {
      best.dst = r.dst.subspan(static_cast<size_t>(offset - r.offset), static_cast<size_t>(left));
      best.progress = r.progress;
    }
  }
  return best;
}

}  // namespace avio
