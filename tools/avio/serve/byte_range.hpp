// The Range header of a GET (RFC 9110 section 14.2), for one representation
// of known size. Only single byte ranges are served: "bytes=a-b", "a-" and
// "-n". A request for several ranges is answered with the whole
// representation (200), which RFC 9110 allows a server that does not
// implement multipart/byteranges; so is a Range in another unit or with a
// syntax error, which a server must ignore.
#ifndef AVIO_TOOLS_SERVE_BYTE_RANGE_HPP
#define AVIO_TOOLS_SERVE_BYTE_RANGE_HPP

#include <cstdint>
#include <string>
#include <string_view>

namespace avio::tools::serve {

struct RangeRequest {
  enum class Kind {
    kWhole,          // no usable Range: 200 with everything
    kPartial,        // 206 with bytes first..last
    kUnsatisfiable,  // 416 with "Content-Range: bytes */size"
  };
  Kind kind = Kind::kWhole;
  int64_t first = 0;
  int64_t last = -1;  // inclusive
};

RangeRequest evaluate_range(std::string_view value, int64_t size);

// "bytes first-last/size" (206), or "bytes */size" for an unsatisfiable one.
std::string content_range(const RangeRequest &range, int64_t size);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_BYTE_RANGE_HPP
