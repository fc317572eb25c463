#include "multipart_byteranges.hpp"

#include <atomic>
#include <cstdio>
#include <random>

namespace avio::tools::serve {

std::string new_boundary() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::random_device random;
  const uint64_t secret = (uint64_t{random()} << 32) ^ random();
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(secret),
                static_cast<unsigned long long>(n));
  return text;
}

std::string multipart_content_type(std::string_view boundary) {
  return "multipart/byteranges; boundary=" + std::string(boundary);
}

std::vector<BodySegment> multipart_segments(const std::vector<ByteRange> &ranges, int64_t size, std::string_view type,
                                            std::string_view boundary) {
  std::vector<BodySegment> segments;
  segments.reserve(ranges.size() + 1);
  for (const ByteRange &r : ranges) {
    std::string head = "\r\n--";
    head += boundary;
    head += "\r\nContent-Type: ";
    head += type;
    head += "\r\nContent-Range: " + content_range(r, size) + "\r\n\r\n";
    segments.push_back({std::move(head), r.first, r.last - r.first + 1});
  }
  segments.push_back({"\r\n--" + std::string(boundary) + "--\r\n", 0, 0});
  return segments;
}

}  // namespace avio::tools::serve
