// What the remote protocols (http, s3) put in a Range header and check in
// the answer: the header values that ask for a ReadPlan's spans within a
// size budget, and the bytes an answer covered. Nothing here does I/O.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_RANGE_HEADER_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_RANGE_HEADER_HPP

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../../read_plan.hpp"

namespace avio::protocols::http {

using avio::ByteSpan;
using avio::ReadPlan;

// The longest "Range: bytes=..." line read_ranges sends: servers take
// header lines of 4 to 8 KiB (nginx 8 KiB, Apache 8190 bytes, IIS and some
// CDNs less), and a few hundred ranges fit.
inline constexpr size_t kRangeHeaderBudget = 4000;
// Ranges one such line surely holds: 25 bytes take a range of 11-digit
// offsets (objects up to 100 GB) and its comma. The block cache's advice
// (ProtocolTraits::Remote::ranges_per_request).
inline constexpr int kRangesPerHeader = static_cast<int>(kRangeHeaderBudget / 25);

// The Range header value ("bytes=0-99,200-299") asking for `spans`.
std::string range_header_value(std::span<const ByteSpan> spans);
// How many of the first `spans` one Range header line ("Range: " and its
// value) of at most `budget` bytes asks for; at least one.
size_t spans_within_header(std::span<const ByteSpan> spans, size_t budget);

// The bytes an answer has brought, to find those it left out.
class Coverage {
 public:
  void add(int64_t first, int64_t end);
  // The bytes of `wanted` (sorted, disjoint) not covered, in order.
  std::vector<ByteSpan> gaps(std::span<const ByteSpan> wanted);

 private:
  std::vector<ByteSpan> got_;
};

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_RANGE_HEADER_HPP
