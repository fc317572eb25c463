// The reads of one Protocol::read_ranges call, as a remote reader fetches
// them: clipped to the object, sorted, and merged where they overlap or
// touch into spans, each of which is one range to ask for; the bytes that
// come back are copied into every read they belong to, or received in place
// where one read's buffer takes them. The http and s3 protocols plan their
// requests with it, and the block cache the reads it does not hold. Nothing
// here does I/O. It keeps a read's ReadProgress told: of the bytes from the
// read's start on as they come in order, and it never writes a byte it told
// of again (a server that sends a range twice cannot change bytes under a
// reader already using them).
//
// Not thread-safe: one read_ranges call owns its plan. The plan refers to
// the callers' buffers, which must outlive it.
#ifndef AVIO_SRC_URL_READ_PLAN_HPP
#define AVIO_SRC_URL_READ_PLAN_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "avio/protocol.hpp"

namespace avio {

// The bytes [first, end) of an object.
struct ByteSpan {
  int64_t first = 0;
  int64_t end = 0;
  friend bool operator==(const ByteSpan &, const ByteSpan &) = default;
};

class ReadPlan {
 public:
  // `size`: the object's size (-1: unknown); bytes past it are not asked
  // for, and their destinations are left as they are.
  ReadPlan(std::span<const ReadRequest> reads, int64_t size);

  // Sorted, disjoint and not touching: every byte of a span is wanted.
  const std::vector<ByteSpan> &spans() const { return spans_; }

  // Copies `bytes`, the object's bytes from `offset`, into every read they
  // intersect, and tells their progress.
  void put(int64_t offset, std::span<const uint8_t> bytes);
  // A destination for the bytes from `offset` to be received into in place:
  // the longest piece of one read's buffer that starts there, at most `max`
  // bytes, with that read's progress (then put() them, which copies them to
  // the other reads that want them too). An empty dst when no read wants the
  // byte at `offset` or has it told of already.
  ReadRequest direct(int64_t offset, int64_t max) const;

 private:
  // The first read (in reads_) that may intersect bytes from `offset`.
  size_t first_candidate(int64_t offset) const;

  std::vector<ReadRequest> reads_;  // clipped, non-empty, sorted by offset
  std::vector<int64_t> end_max_;    // end_max_[i]: the largest end of reads_[0..i]
  std::vector<int64_t> told_;       // told_[i]: reads_[i]'s bytes before it are told of
  std::vector<ByteSpan> spans_;
};

}  // namespace avio

#endif  // AVIO_SRC_URL_READ_PLAN_HPP
