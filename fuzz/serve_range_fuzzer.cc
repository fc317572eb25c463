// avio serve's Range header evaluation (tools/avio/serve/byte_range.hpp) on
// what clients send, and its multipart/byteranges body read back by avio's
// own client parser (src/url/protocols/http/byteranges.hpp). The input's
// first two bytes pick the file's size, the rest is the header's value.
// Every outcome must keep the header's promises: a single range or the
// parts within the file, the parts ascending and disjoint, at most
// kMaxRanges of them; and a multipart body must parse back into exactly
// those parts, in order, with the file's bytes. Aborts on a broken promise;
// the sanitizers catch the rest.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/byteranges.hpp"
#include "serve/byte_range.hpp"
#include "serve/multipart_byteranges.hpp"

namespace {

namespace http = avio::protocols::http;
namespace serve = avio::tools::serve;

void check(bool ok) {
  if (!ok) std::abort();
}

uint8_t file_byte(int64_t at) { return static_cast<uint8_t>((at * 31 + 7) % 251); }

// The multipart body of `parts`, as send_response would send it.
std::string body_of(const std::vector<serve::ByteRange> &parts, int64_t size, std::string_view boundary) {
  std::string body;
  for (const serve::BodySegment &s : serve::multipart_segments(parts, size, "video/mp4", boundary)) {
    body += s.text;
    for (int64_t i = 0; i < s.file_length; ++i) body += static_cast<char>(file_byte(s.file_offset + i));
  }
  return body;
}

void round_trip(const std::vector<serve::ByteRange> &parts, int64_t size) {
  const std::string boundary = serve::new_boundary();
  const std::string body = body_of(parts, size, boundary);
  http::ByterangesParser parser(boundary, size);
  std::span<const uint8_t> in(reinterpret_cast<const uint8_t *>(body.data()), body.size());
  size_t part = 0;
  int64_t next = -1;
  while (!in.empty()) {
    size_t used = 0;
    avio::Result<http::ByterangesParser::Event> e = parser.next(in, &used);
    check(e.ok());
    switch (e->kind) {
      case http::ByterangesParser::Event::Kind::kPart:
        check(part < parts.size() && e->range.first == parts[part].first && e->range.last == parts[part].last);
        check(e->range.complete_length == size);
        next = e->range.first;
        ++part;
        break;
      case http::ByterangesParser::Event::Kind::kBody:
        check(e->offset == next);
        for (size_t i = 0; i < e->body.size(); ++i) check(e->body[i] == file_byte(next + static_cast<int64_t>(i)));
        next += static_cast<int64_t>(e->body.size());
        break;
      case http::ByterangesParser::Event::Kind::kMore:
      case http::ByterangesParser::Event::Kind::kEnd: break;
    }
    in = in.subspan(used);
  }
  check(parser.done() && parser.finish().ok() && part == parts.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  // Up to 64 KiB: room for many parts, small enough to build the body whole.
  const int64_t file_size = (int64_t{data[0]} << 8) | data[1];
  const std::string_view value(reinterpret_cast<const char *>(data + 2), size - 2);
  const serve::RangeRequest r = serve::evaluate_range(value, file_size);
  using Kind = serve::RangeRequest::Kind;
  switch (r.kind) {
    case Kind::kWhole: check(r.parts.empty()); break;
    case Kind::kUnsatisfiable:
      check(r.parts.empty());
      check(serve::content_range(r, file_size) == "bytes */" + std::to_string(file_size));
      break;
    case Kind::kPartial:
      check(r.parts.empty() && r.first >= 0 && r.first <= r.last && r.last < file_size);
      check(serve::content_range(r, file_size) ==
            "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + std::to_string(file_size));
      break;
    case Kind::kMultipart: {
      check(r.parts.size() >= 2 && r.parts.size() <= serve::kMaxRanges);
      for (size_t i = 0; i < r.parts.size(); ++i) {
        check(r.parts[i].first >= 0 && r.parts[i].first <= r.parts[i].last && r.parts[i].last < file_size);
        check(i == 0 || r.parts[i - 1].last < r.parts[i].first);
      }
      round_trip(r.parts, file_size);
      break;
    }
  }
  return 0;
}
