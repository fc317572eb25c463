// The body of a 206 for several ranges of one file: multipart/byteranges
// (RFC 9110 section 14.6, RFC 2046 section 5.1.1). Each range, in the order
// given, is a part "\r\n--B\r\nContent-Type: T\r\nContent-Range: bytes
// a-b/size\r\n\r\n" followed by its bytes; "\r\n--B--\r\n" closes the body.
// The parts are segments of the file (offsets, not bytes), so the body's
// length is known before it is sent and the file is read as it goes out.
//
// A boundary must not occur inside a part. Each response gets its own: 64
// bits of std::random_device, which no one who writes a served file can
// predict, then a process-wide counter, which makes any two differ.
#ifndef AVIO_TOOLS_SERVE_MULTIPART_BYTERANGES_HPP
#define AVIO_TOOLS_SERVE_MULTIPART_BYTERANGES_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "byte_range.hpp"
#include "response.hpp"

namespace avio::tools::serve {

// 32 characters of [0-9a-f]: a new one at every call (thread-safe).
std::string new_boundary();

// "multipart/byteranges; boundary=B".
std::string multipart_content_type(std::string_view boundary);

// The parts of `ranges` of a file of `size` bytes whose type is `type`, and
// the closing delimiter (a last segment of text only).
std::vector<BodySegment> multipart_segments(const std::vector<ByteRange> &ranges, int64_t size, std::string_view type,
                                            std::string_view boundary);

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_MULTIPART_BYTERANGES_HPP
