// The Range header of a GET (RFC 9110 section 14.2), for one representation
// of known size: a list of byte-range-specs ("a-b", "a-", "-n"; commas,
// optional white space and empty list elements allowed). A Range in another
// unit, or with a syntax error anywhere in it (an invalid spec such as
// "5-2" included), is ignored: the whole representation (200). Specs that
// cannot be satisfied (starting at or past the end, "-0", any range of an
// empty representation) are dropped; when none is left the answer is 416,
// when one is left a single-part 206, else a multipart/byteranges 206 whose
// parts come in the order asked.
//
// Requests that could make the server send more than the representation
// get the whole of it (200; RFC 9110 section 14.2 lets a server ignore
// them): more than kMaxRanges specs, or satisfiable ranges (clipped to the
// size) that overlap or are not in ascending order. What is served then
// never costs more than the representation and a part head per range.
// Ranges that only touch are served as asked, each in a part of its own.
// (nginx serves overlapping and unordered ranges while their sum stays
// within the size; avio's client sends them sorted and merged.)
#ifndef AVIO_TOOLS_SERVE_BYTE_RANGE_HPP
#define AVIO_TOOLS_SERVE_BYTE_RANGE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace avio::tools::serve {

// A Range line within the 8 KiB a header line may take holds at most about
// 1600 specs; 1000 serves any client that merges its ranges (avio's sends up
// to about 400 a request) and keeps the part heads under 100 KB.
inline constexpr size_t kMaxRanges = 1000;

struct ByteRange {
  int64_t first = 0;
  int64_t last = -1;  // inclusive
};

struct RangeRequest {
  enum class Kind {
    kWhole,          // no usable Range: 200 with everything
    kPartial,        // 206 with bytes first..last
    kMultipart,      // 206 multipart/byteranges with `parts`
    kUnsatisfiable,  // 416 with "Content-Range: bytes */size"
  };
  Kind kind = Kind::kWhole;
  int64_t first = 0;
  int64_t last = -1;             // inclusive
  std::vector<ByteRange> parts;  // kMultipart: two or more, ascending, disjoint
};

RangeRequest evaluate_range(std::string_view value, int64_t size);

// "bytes first-last/size" (206), or "bytes */size" for an unsatisfiable one.
std::string content_range(const RangeRequest &range, int64_t size);
std::string content_range(const ByteRange &range, int64_t size);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_BYTE_RANGE_HPP
