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
