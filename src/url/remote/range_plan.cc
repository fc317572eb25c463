#include "range_plan.hpp"

#include <algorithm>

namespace avio::remote {

std::vector<ByteRange> coalesce(std::vector<ByteRange> ranges, const CoalesceLimits &limits) {
  std::erase_if(ranges, [](const ByteRange &r) { return r.length <= 0; });
  std::sort(ranges.begin(), ranges.end(), [](const ByteRange &a, const ByteRange &b) { return a.offset < b.offset; });
  std::vector<ByteRange> out;
  out.reserve(ranges.size());
  for (const ByteRange &r : ranges) {
    if (!out.empty()) {
      ByteRange &last = out.back();
      const int64_t end = std::max(last.end(), r.end());
      // Overlapping or touching ranges are one range whatever its length: a
      // byte is never asked for twice.
      const bool overlaps = r.offset <= last.end();
      const bool cheap_hole = r.offset - last.end() <= limits.hole && end - last.offset <= limits.range;
      if (overlaps || cheap_hole) {
        last.length = end - last.offset;
        continue;
      }
    }
    out.push_back(r);
  }
  return out;
}

int64_t hole_for_count(std::span<const ByteRange> ranges, size_t count, int64_t cap) {
  if (ranges.size() <= std::max<size_t>(count, 1)) return 0;
  std::vector<int64_t> gaps;
  gaps.reserve(ranges.size() - 1);
  for (size_t i = 1; i < ranges.size(); ++i) gaps.push_back(ranges[i].offset - ranges[i - 1].end());
  // Closing the k smallest gaps leaves size() - k ranges.
  const size_t k = ranges.size() - std::max<size_t>(count, 1);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(k - 1), gaps.end());
  return std::min(gaps[k - 1], cap);
}

LinkModel::LinkModel(int64_t initial_hole) : initial_hole_(initial_hole) {}

void LinkModel::observe(int64_t bytes, std::chrono::nanoseconds elapsed) {
  // A weight of 0.9 per later request: about the last 10 requests count.
  constexpr double kDecay = 0.9;
  const double n = static_cast<double>(bytes);
  const double t = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mu_);
  w_ = w_ * kDecay + 1;
  n_ = n_ * kDecay + n;
  t_ = t_ * kDecay + t;
  nn_ = nn_ * kDecay + n * n;
  nt_ = nt_ * kDecay + n * t;
}

LinkModel::Fit LinkModel::fit_locked() const {
  Fit f;
  if (w_ <= 0) return f;
  const double mean_n = n_ / w_;
  const double var_n = nn_ / w_ - mean_n * mean_n;
  // Sizes must differ by a fair fraction of their mean for the slope to mean
  // anything; a link read only in equal blocks keeps the initial hole.
  if (var_n <= 0.01 * mean_n * mean_n || mean_n <= 0) return f;
  const double mean_t = t_ / w_;
  const double cov = nt_ / w_ - mean_n * mean_t;
  const double slope = cov / var_n;
  if (slope <= 0) return f;
  f.known = true;
  f.seconds_per_byte = slope;
  f.latency_s = std::max(0.0, mean_t - slope * mean_n);
  return f;
}

CoalesceLimits LinkModel::limits() const {
  std::lock_guard lock(mu_);
  const Fit f = fit_locked();
  int64_t hole = initial_hole_;
  if (f.known) hole = static_cast<int64_t>(std::min(f.latency_s / f.seconds_per_byte, 1e15));
  hole = std::clamp(hole, kMinHole, kMaxRange);
  return {hole, std::clamp(9 * hole, hole, kMaxRange)};
}

bool LinkModel::prefers_one_stream(int64_t piece_bytes, std::chrono::nanoseconds latency_floor) const {
  std::lock_guard lock(mu_);
  const Fit f = fit_locked();
  if (!f.known || f.latency_s < std::chrono::duration<double>(latency_floor).count()) return false;
  return f.latency_s / f.seconds_per_byte > 2 * static_cast<double>(piece_bytes);
}

std::chrono::nanoseconds LinkModel::latency() const {
  std::lock_guard lock(mu_);
  const Fit f = fit_locked();
  return std::chrono::nanoseconds(f.known ? static_cast<int64_t>(f.latency_s * 1e9) : 0);
}

double LinkModel::bytes_per_second() const {
  std::lock_guard lock(mu_);
  const Fit f = fit_locked();
  return f.known ? 1 / f.seconds_per_byte : 0;
}

}  // namespace avio::remote
