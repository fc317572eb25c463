// The multipart/byteranges parser (src/url/protocols/http/byteranges.hpp)
// and the Content-Type boundary parameter, on what servers send. The input
// is parsed as a body whole, split at a point its first byte picks, and
// byte by byte (when short), and every feeding must give the same parts,
// bytes and error; every event must keep the parser's promises (progress,
// views of the input, bytes within their part and the object). The input
// is also cut into parts of a synthetic object, sent in a shuffled order
// with a preamble, padding and an epilogue, and must parse back exactly.
// Aborts on a broken invariant; the sanitizers catch the rest.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/byteranges.hpp"

namespace {

namespace http = avio::protocols::http;
using Event = http::ByterangesParser::Event;

void check(bool ok) {
  if (!ok) std::abort();
}

// Every part as "first-last:" and its bytes, then "end" or the error.
std::string feed(std::string_view boundary, int64_t size, const http::ByterangesLimits &limits,
                 const std::vector<std::span<const uint8_t>> &pieces) {
  http::ByterangesParser p{std::string(boundary), size, limits};
  std::string out;
  http::ContentRange part;
  int64_t next = -1;
  for (std::span<const uint8_t> in : pieces) {
    while (!in.empty()) {
      size_t used = 0;
      auto e = p.next(in, &used);
      if (!e.ok()) {
        check(e.error().code() == avio::kInvalidData && !e.error().detail().empty());
        check(!p.finish().ok());
        return out + "error " + std::string(e.error().detail());
      }
      check(used > 0 && used <= in.size());
      switch (e->kind) {
        case Event::Kind::kMore: check(used == in.size()); break;
        case Event::Kind::kPart:
          part = e->range;
          check(part.first >= 0 && part.first <= part.last);
          check(size < 0 || (part.last < size && (part.complete_length < 0 || part.complete_length == size)));
          check(p.in_body() && p.body_offset() == part.first && p.body_left() == part.last - part.first + 1);
          next = part.first;
          out += "|" + std::to_string(part.first) + "-" + std::to_string(part.last) + ":";
          break;
        case Event::Kind::kBody:
          check(!e->body.empty() && e->offset == next && e->body.data() + e->body.size() == in.data() + used);
          next += static_cast<int64_t>(e->body.size());
          check(next <= part.last + 1);
          out.append(e->body.begin(), e->body.end());
          break;
        case Event::Kind::kEnd: check(p.done() && used == in.size() && next == part.last + 1); break;
      }
      in = in.subspan(used);
    }
  }
  return out + (p.finish().ok() ? "end" : "unfinished");
}

void check_splits(std::span<const uint8_t> body, size_t cut, int64_t size, const http::ByterangesLimits &limits) {
  const std::string whole = feed("B", size, limits, {body});
  check(feed("B", size, limits, {body.first(cut), body.subspan(cut)}) == whole);
  if (body.size() <= 512) {
    std::vector<std::span<const uint8_t>> bytes;
    for (size_t i = 0; i < body.size(); ++i) bytes.push_back(body.subspan(i, 1));
    check(feed("B", size, limits, bytes) == whole);
  }
}

// The input as the bytes of an object, sent back in `parts` parts in a
// shuffled order: each must come back whole, with its range.
void check_round_trip(std::span<const uint8_t> object, size_t parts, uint32_t seed, size_t cut) {
  if (object.empty()) return;
  const std::string boundary = "3d6b6a416f9b5";
  std::vector<std::pair<int64_t, int64_t>> ranges;
  const size_t step = std::max<size_t>(1, object.size() / std::max<size_t>(parts, 1));
  for (size_t first = 0; first < object.size(); first += step)
    ranges.emplace_back(first, std::min(first + step, object.size()) - 1);
  for (size_t i = ranges.size(); i > 1; --i) {
    seed = seed * 1103515245u + 12345u;
    std::swap(ranges[i - 1], ranges[(seed >> 8) % i]);
  }
  const std::string size = std::to_string(object.size());
  std::string body = (seed & 1) ? "a preamble\r\n" : "";
  std::string expected;
  for (const auto &[first, last] : ranges) {
    const std::string range = std::to_string(first) + "-" + std::to_string(last);
    body += "--" + boundary + ((seed & 2) ? " \t" : "") + "\r\nContent-Type: application/octet-stream\r\n";
    body += "Content-Range: bytes " + range + "/" + ((seed & 4) ? size : "*") + "\r\n\r\n";
    body.append(object.begin() + first, object.begin() + last + 1);
    body += "\r\n";
    expected += "|" + range + ":";
    expected.append(object.begin() + first, object.begin() + last + 1);
  }
  body += "--" + boundary + "--" + ((seed & 8) ? "\r\nan epilogue" : "");
  const std::span<const uint8_t> all(reinterpret_cast<const uint8_t *>(body.data()), body.size());
  const size_t at = cut % (all.size() + 1);
  const int64_t known = (seed & 16) ? static_cast<int64_t>(object.size()) : -1;
  check(feed(boundary, known, {}, {all.first(at), all.subspan(at)}) == expected + "end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::span<const uint8_t> all(data, size);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  const uint8_t knobs = size < 2 ? 0 : data[1];
  const http::ByterangesLimits limits{.max_head_bytes = (knobs & 1) ? 64u : 16384u,
                                      .max_parts = (knobs & 2) ? 3u : 10000u};
  const int64_t object_size = (knobs & 4) ? -1 : (knobs & 8) ? 10 : 1000000;
  check_splits(all, cut, object_size, limits);

  // The input as a Content-Type value.
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  auto boundary = http::byteranges_boundary(text);
  if (!boundary.ok()) {
    check(boundary.error().code() == avio::kInvalidData && !boundary.error().detail().empty());
  } else if (const std::optional<std::string> &b = *boundary; b) {
    check(!b->empty() && b->size() <= 70 && b->back() != ' ');
  }

  const uint32_t seed = size < 4 ? 0 : static_cast<uint32_t>(data[2]) | static_cast<uint32_t>(data[3]) << 8;
  check_round_trip(all, 1 + knobs % 7, seed, cut);
  return 0;
}
