// Planning remote reads: which byte ranges to ask for in one request, and
// the limits that decide it, learnt from the link.
//
// A request costs a first-byte latency L plus its bytes over the bandwidth
// B. Fetching a hole of h unwanted bytes between two wanted ranges costs
// h / B; a second request costs L. So holes up to L × B are cheaper read
// than skipped (Arrow's ReadRangeCache model), and a merged request is kept
// to a range limit (9 × hole, capped) so that one request does not
// serialise what several connections could fetch side by side.
//
// Thread-safety: the free functions are pure. LinkModel may be used by any
// number of threads.
#ifndef AVIO_SRC_URL_REMOTE_RANGE_PLAN_HPP
#define AVIO_SRC_URL_REMOTE_RANGE_PLAN_HPP

#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "avio/protocol.hpp"

namespace avio::remote {

using ByteRange = avio::ByteRange;

struct CoalesceLimits {
  int64_t hole = 0;   // merge neighbours at most this far apart
  int64_t range = 0;  // and only while the merged request stays within this
};

// Sorts `ranges`, merges overlapping and touching ones, then merges
// neighbours while the gap is at most limits.hole and the result at most
// limits.range long. An input range longer than limits.range stays whole:
// splitting it is split_range's business. Empty ranges are dropped.
std::vector<ByteRange> coalesce(std::vector<ByteRange> ranges, const CoalesceLimits &limits);

// The smallest hole at which coalesce() leaves at most `count` of `ranges`
// (sorted, disjoint; no range limit), but at most `cap`: the gaps are
// closed smallest first.
int64_t hole_for_count(std::span<const ByteRange> ranges, size_t count, int64_t cap);

// What the requests of one link (one server, as this process sees it) have
// cost: a least-squares fit of time = latency + bytes / bandwidth over the
// recent requests, older ones weighing less.
class LinkModel {
 public:
  // `initial_hole` is the hole used until the fit has two request sizes far
  // enough apart to separate latency from bandwidth.
  explicit LinkModel(int64_t initial_hole);

  void observe(int64_t bytes, std::chrono::nanoseconds elapsed);

  // hole = latency × bandwidth within [kMinHole, kMaxRange]; range =
  // 9 × hole within [hole, kMaxRange].
  CoalesceLimits limits() const;
  // Whether one stream carries more than ranged requests of `piece_bytes`
  // each would: the bandwidth-delay product is over twice a piece (such a
  // request waits for its first byte most of its time, where a stream waits
  // once), and the latency at least `latency_floor` (shorter is a busy
  // machine's scheduling as much as the link's). False until the fit is
  // known.
  bool prefers_one_stream(int64_t piece_bytes, std::chrono::nanoseconds latency_floor) const;
  // Zero until known.
  std::chrono::nanoseconds latency() const;
  double bytes_per_second() const;

  static constexpr int64_t kMinHole = int64_t{64} << 10;
  static constexpr int64_t kMaxRange = int64_t{16} << 20;

 private:
  struct Fit {
    bool known = false;
    double latency_s = 0;
    double seconds_per_byte = 0;
  };
  Fit fit_locked() const;

  mutable std::mutex mu_;
  const int64_t initial_hole_;
  // Decayed sums for the weighted fit of t = a + b·n.
  double w_ = 0, n_ = 0, t_ = 0, nn_ = 0, nt_ = 0;
};

}  // namespace avio::remote

#endif  // AVIO_SRC_URL_REMOTE_RANGE_PLAN_HPP
