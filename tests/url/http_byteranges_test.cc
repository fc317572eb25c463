// The pieces of http's and s3's read_ranges (src/url/protocols/http/):
// the multipart/byteranges parser (its boundary parameter, every legal
// shape of body fed in every split, every malformation named, its limits)
// and the read plan (merging, scattering, Range header values, coverage).
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "avio/error.hpp"
#include "protocols/http/byteranges.hpp"
#include "protocols/http/range_header.hpp"

namespace {

namespace http = avio::protocols::http;
using http::ByterangesParser;
using http::ByteSpan;
using Event = ByterangesParser::Event;

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

// What a parser made of a body fed in pieces cut at `cuts`: each part as
// "first-last/complete:bytes", then "end" or the error's detail.
std::string parse(std::string_view body, const std::vector<size_t> &cuts, int64_t size = 10,
                  http::ByterangesLimits limits = {}, std::string boundary = "B") {
  ByterangesParser p(std::move(boundary), size, limits);
  std::string out;
  int64_t next = -1;  // where the next body byte must be
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(body.size());
  for (const size_t to : ends) {
    std::span<const uint8_t> in = bytes_of(body.substr(from, to - from));
    from = to;
    while (!in.empty()) {
      size_t used = 0;
      avio::Result<Event> e = p.next(in, &used);
      if (!e) return out + "error: " + std::string(e.error().detail());
      EXPECT_LE(used, in.size());
      if (e->kind == Event::Kind::kPart) {
        out += (out.empty() ? "" : " ") + std::to_string(e->range.first) + "-" + std::to_string(e->range.last) + "/" +
               std::to_string(e->range.complete_length) + ":";
        next = e->range.first;
      } else if (e->kind == Event::Kind::kBody) {
        EXPECT_EQ(e->offset, next);
        EXPECT_EQ(e->body.data(), in.data() + (used - e->body.size())) << "not a view of the input";
        out.append(e->body.begin(), e->body.end());
        next += static_cast<int64_t>(e->body.size());
      } else {
        EXPECT_EQ(used, in.size());
      }
      in = in.subspan(used);
    }
  }
  avio::Status st = p.finish();
  return out + (st ? " end" : " error: " + std::string(st.error().detail()));
}

// The same, whole and at every single cut and byte by byte, which must agree.
std::string parse_every_way(std::string_view body, int64_t size = 10, http::ByterangesLimits limits = {}) {
  std::string whole = parse(body, {}, size, limits);
  for (size_t cut = 0; cut <= body.size(); ++cut) EXPECT_EQ(parse(body, {cut}, size, limits), whole) << "cut " << cut;
  std::vector<size_t> every(body.size());
  std::iota(every.begin(), every.end(), size_t{0});
  EXPECT_EQ(parse(body, every, size, limits), whole) << "byte by byte";
  return whole;
}

// As nginx sends it.
constexpr std::string_view kNginx =
    "\r\n--00000000000000000001\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-3/10\r\n\r\n"
    "abcd\r\n--00000000000000000001\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 6-9/10\r\n\r\n"
    "ghij\r\n--00000000000000000001--\r\n";

TEST(HttpByteranges, TheBoundaryOfAContentType) {
  const auto boundary = [](std::string_view type) { return http::byteranges_boundary(type); };
  EXPECT_EQ(**boundary("multipart/byteranges; boundary=00000000000000000001"), "00000000000000000001");
  EXPECT_EQ(**boundary("Multipart/ByteRanges;BOUNDARY=\"a b:c?\""), "a b:c?");
  EXPECT_EQ(**boundary("multipart/byteranges; charset=x ;; boundary=\"x\\yz\" ; q=\"1;2\""), "xyz");
  EXPECT_FALSE(*boundary("text/plain"));
  EXPECT_FALSE(*boundary("multipart/mixed; boundary=x"));
  EXPECT_FALSE(*boundary(""));
  const std::string too_long = "multipart/byteranges; boundary=" + std::string(71, 'a');
  for (const std::string &bad :
       {std::string("multipart/byteranges"), std::string("multipart/byteranges; b=1"),
        std::string("multipart/byteranges; boundary=\"\""), std::string("multipart/byteranges; boundary=\"a@b\""),
        std::string("multipart/byteranges; boundary=\"ab \""), std::string("multipart/byteranges; boundary=\"ab"),
        std::string("multipart/byteranges; boundary=a; boundary=b"), std::string("multipart/byteranges; boundary"),
        std::string("multipart/byteranges; boundary=a b"), too_long}) {
    avio::Result<std::optional<std::string>> b = boundary(bad);
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.error().code(), avio::kInvalidData);
    EXPECT_NE(b.error().detail().find("Content-Type"), std::string_view::npos) << b.error().detail();
  }
  EXPECT_EQ(**boundary("multipart/byteranges; boundary=" + std::string(70, 'a')), std::string(70, 'a'));
}

TEST(HttpByteranges, NginxsBodyInEverySplit) {
  ByterangesParser p("00000000000000000001", 10);
  const std::string expected = "0-3/10:abcd 6-9/10:ghij end";
  const std::string whole = parse(kNginx, {}, 10, {}, "00000000000000000001");
  EXPECT_EQ(whole, expected);
  for (size_t cut = 0; cut <= kNginx.size(); ++cut)
    EXPECT_EQ(parse(kNginx, {cut}, 10, {}, "00000000000000000001"), expected) << cut;
  std::vector<size_t> every(kNginx.size());
  std::iota(every.begin(), every.end(), size_t{0});
  EXPECT_EQ(parse(kNginx, every, 10, {}, "00000000000000000001"), expected);
}

TEST(HttpByteranges, EveryLegalShape) {
  // A preamble, transport padding, bare LFs, parts out of order and
  // overlapping, other fields in any case, an epilogue.
  EXPECT_EQ(parse_every_way("This is a preamble.\r\n--Bx\r\n--B  \t\r\ncontent-range: bytes 6-9/10\r\nX-Y: z\r\n\r\n"
                            "ghij\n--B\nCONTENT-RANGE:bytes 0-6/*\n\nabcdefg\r\n--B--  \r\nthe epilogue\r\n--B\r\n"),
            "6-9/10:ghij 0-6/-1:abcdefg end");
  // The closing delimiter at the very end; a body that starts with it.
  EXPECT_EQ(parse_every_way("--B\r\nContent-Range: bytes 9-9/10\r\n\r\nj\r\n--B--"), "9-9/10:j end");
  // Bytes that look like delimiters inside a part are its bytes.
  EXPECT_EQ(parse_every_way("--B\r\nContent-Range: bytes 0-8/10\r\n\r\n\r\n--B--\r\n\r\n--B--"),
            "0-8/10:\r\n--B--\r\n end");
  // The object size unknown: the part's own complete length bounds it.
  EXPECT_EQ(parse_every_way("--B\r\nContent-Range: bytes 20-21/30\r\n\r\nuv\r\n--B--", -1), "20-21/30:uv end");
}

TEST(HttpByteranges, EveryMalformationIsNamed) {
  const struct {
    std::string_view body;
    std::string_view what;
  } cases[] = {
      {"--B\r\nContent-Type: x\r\n\r\nabcd\r\n--B--", "part 1 has no Content-Range"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\nContent-Range: bytes 0-3/10\r\n\r\n", "two Content-Range"},
      {"--B\r\nContent-Range: bytes 3-0/10\r\n\r\n", "the first byte is after the last"},
      {"--B\r\nContent-Range: bytes 0-10/10\r\n\r\n", "beyond the complete length"},
      {"--B\r\nContent-Range: bytes 0-3/12\r\n\r\n", "the object has 12 bytes, not 10"},
      {"--B\r\nContent-Range: bytes 8-11/*\r\n\r\n", "ends at byte 11, beyond the object's 10 bytes"},
      {"--B\r\nContent-Range: bytes */10\r\n\r\n", "has no byte range"},
      {"--B\r\nContent-Range: items 0-3/10\r\n\r\n", "not a byte range"},
      {"--B\r\nContent-Range bytes 0-3/10\r\n\r\n", "header line without ':'"},
      {"--B\r\n Content-Range: bytes 0-3/10\r\n\r\n", "obsolete line folding"},
      {"--B\r\nBad Name: 1\r\n\r\n", "invalid header name"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nabcde\r\n--B--", "goes on past the end its Content-Range gives"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nabcd\r\n--C--", "where the delimiter should be"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nabcd\r\n--Bx\r\n", "where the delimiter should be"},
      {"--B--\r\n", "the closing delimiter comes before any part"},
      {"no delimiter at all", "the body ended before the first delimiter"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n", "the body ended within part 1's head"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nab", "within part 1's bytes, 2 bytes short"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nabcd\r\n--B\r\n", "within part 2's head"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nabcd", "after part 1, without the closing delimiter"},
      {"--B\r\nContent-Range: bytes 0-3/10\r\n\r\nabcd\r\n--B-", "after part 1, without the closing delimiter"},
  };
  for (const auto &c : cases) {
    const std::string got = parse_every_way(c.body);
    EXPECT_NE(got.find("error: http: multipart/byteranges: "), std::string::npos) << c.body << "\n" << got;
    EXPECT_NE(got.find(c.what), std::string::npos) << c.body << "\n" << got;
  }
  // After an error, every call gives it again.
  ByterangesParser p("B", 10);
  size_t used = 0;
  ASSERT_FALSE(p.next(bytes_of("--B--\r\n"), &used));
  avio::Result<Event> again = p.next(bytes_of("--B\r\n"), &used);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().detail().find("before any part"), std::string_view::npos);
  EXPECT_FALSE(p.finish());
}

TEST(HttpByteranges, LimitsBoundHeadsPreamblesAndParts) {
  const http::ByterangesLimits small{.max_head_bytes = 40, .max_parts = 2};
  EXPECT_NE(parse_every_way("--B\r\nContent-Range: bytes 0-3/10\r\nX: " + std::string(20, 'x') + "\r\n\r\n", 10, small)
                .find("part 1's head is longer than 40 bytes"),
            std::string::npos);
  EXPECT_NE(parse_every_way(std::string(41, 'p'), 10, small).find("more than 40 bytes before the first delimiter"),
            std::string::npos);
  EXPECT_NE(parse_every_way("--B\r\nContent-Range: bytes 0-0/10\r\n\r\na\r\n--B" + std::string(40, ' '), 10, small)
                .find("the delimiter line after part 1 is longer than 40 bytes"),
            std::string::npos);
  std::string three;
  for (const char c : std::string_view("abc"))
    three += "--B\r\nContent-Range: bytes 0-0/10\r\n\r\n" + std::string(1, c) + "\r\n";
  EXPECT_EQ(parse_every_way(three + "--B--", 10, {.max_parts = 3}), "0-0/10:a 0-0/10:b 0-0/10:c end");
  EXPECT_NE(parse_every_way(three + "--B--", 10, small).find("more than 2 parts"), std::string::npos);
}

// A caller that reads a part's bytes itself (straight into its buffers).
TEST(HttpByteranges, ACallerTakesBodyBytesItself) {
  const std::string_view body = kNginx;
  ByterangesParser p("00000000000000000001", 10);
  std::string got;
  size_t at = 0;
  while (!p.done()) {
    ASSERT_LT(at, body.size());
    if (p.in_body()) {
      const size_t n = static_cast<size_t>(std::min<int64_t>(p.body_left(), 3));
      got += std::to_string(p.body_offset()) + ":" + std::string(body.substr(at, n)) + " ";
      p.take_body(n);
      at += n;
      continue;
    }
    size_t used = 0;
    avio::Result<Event> e = p.next(bytes_of(body.substr(at, 5)), &used);
    ASSERT_TRUE(e) << e.error().message();
    ASSERT_NE(e->kind, Event::Kind::kBody) << "the head's next() ran into the part";
    at += used;
  }
  EXPECT_EQ(got, "0:abc 3:d 6:ghi 9:j ");
  EXPECT_TRUE(p.finish());
  EXPECT_EQ(p.parts(), 2u);
}

// ---------------------------------------------------------------- the plan

TEST(HttpReadPlan, ReadsAreClippedSortedAndMergedWhenTheyOverlapOrTouch) {
  std::vector<uint8_t> a(10), b(10), c(5), d(4), e(3), empty;
  const avio::ReadRequest reads[] = {{50, a}, {0, b}, {10, c}, {12, d}, {98, e}, {30, empty}, {200, a}};
  const http::ReadPlan plan(reads, 100);
  EXPECT_EQ(plan.spans(), (std::vector<ByteSpan>{{0, 16}, {50, 60}, {98, 100}}));
  EXPECT_EQ(http::ReadPlan(reads, -1).spans(), (std::vector<ByteSpan>{{0, 16}, {50, 60}, {98, 101}, {200, 210}}));
  EXPECT_TRUE(http::ReadPlan(std::span<const avio::ReadRequest>(), 100).spans().empty());
}

TEST(HttpReadPlan, BytesGoToEveryReadThatWantsThem) {
  std::vector<uint8_t> a(6, '.'), b(4, '.'), c(3, '.');
  const avio::ReadRequest reads[] = {{2, a}, {4, b}, {20, c}};  // [2,8) and [4,8) overlap; [20,23) past the end
  http::ReadPlan plan(reads, 22);
  const std::string object = "0123456789abcdefghijkl";
  // The whole first span in two pieces, one received in place.
  std::span<uint8_t> in_place = plan.direct(2, 100).dst;
  ASSERT_EQ(in_place.data(), a.data());
  ASSERT_EQ(in_place.size(), 6u);
  std::copy_n(object.begin() + 2, 3, in_place.begin());
  plan.put(2, in_place.first(3));
  plan.put(5, bytes_of(std::string_view(object).substr(5, 3)));
  plan.put(20, bytes_of(std::string_view(object).substr(20, 2)));
  EXPECT_EQ(std::string(a.begin(), a.end()), "234567");
  EXPECT_EQ(std::string(b.begin(), b.end()), "4567");
  EXPECT_EQ(std::string(c.begin(), c.end()), "kl.") << "past the end stays as it was";
  EXPECT_EQ(plan.direct(5, 2).dst.size(), 2u);
  EXPECT_EQ(plan.direct(5, 100).dst.data(), a.data() + 3);
  EXPECT_TRUE(plan.direct(10, 100).dst.empty());
  EXPECT_TRUE(plan.direct(0, 100).dst.empty());
}

// What a read's progress heard: each arrival, as [first, end).
struct HeardProgress final : avio::ReadProgress {
  void arrived(int64_t offset, int64_t length) override { heard.push_back({offset, offset + length}); }
  std::vector<ByteSpan> heard;
};

TEST(HttpReadPlan, ProgressIsToldInOrderAndBytesToldOfAreNotWrittenAgain) {
  std::vector<uint8_t> a(8, '.'), b(4, '.');
  HeardProgress pa, pb;
  const avio::ReadRequest reads[] = {{0, a, &pa}, {6, b, &pb}};  // [0,8) and [6,10) overlap
  http::ReadPlan plan(reads, 100);
  const std::string object = "0123456789";
  const std::string other = "ABCDEFGHIJ";  // a server sending a range again, changed
  // In place, then past a gap: the gap's bytes are told only once they come.
  std::span<uint8_t> in_place = plan.direct(0, 3).dst;
  ASSERT_EQ(in_place.data(), a.data());
  std::copy_n(object.begin(), 3, in_place.begin());
  plan.put(0, in_place);
  plan.put(5, bytes_of(std::string_view(object).substr(5, 3)));
  EXPECT_EQ(pa.heard, (std::vector<ByteSpan>{{0, 3}})) << "[5,8) is past a gap";
  EXPECT_EQ(pb.heard, (std::vector<ByteSpan>{{6, 8}}));
  plan.put(3, bytes_of(std::string_view(object).substr(3, 2)));
  EXPECT_EQ(pa.heard, (std::vector<ByteSpan>{{0, 3}, {3, 5}})) << "told in order only";
  // The same range again: the bytes told of stay as they were, and are not
  // offered for receiving in place.
  plan.put(0, bytes_of(std::string_view(other).substr(0, 10)));
  EXPECT_EQ(std::string(a.begin(), a.end()), "01234FGH") << "[5,8) had not been told of";
  EXPECT_EQ(std::string(b.begin(), b.end()), "67IJ");
  EXPECT_EQ(pa.heard, (std::vector<ByteSpan>{{0, 3}, {3, 5}, {5, 8}}));
  EXPECT_EQ(pb.heard, (std::vector<ByteSpan>{{6, 8}, {8, 10}}));
  EXPECT_TRUE(plan.direct(2, 100).dst.empty());
  EXPECT_TRUE(plan.direct(9, 100).dst.empty());
}

TEST(HttpReadPlan, RangeHeadersWithinABudget) {
  const std::vector<ByteSpan> spans = {{0, 100}, {200, 300}, {1000, 1001}};
  EXPECT_EQ(http::range_header_value(spans), "bytes=0-99,200-299,1000-1000");
  EXPECT_EQ(http::range_header_value(std::span(spans).first(1)), "bytes=0-99");
  const size_t line = std::string_view("Range: bytes=0-99,200-299,1000-1000").size();
  EXPECT_EQ(http::spans_within_header(spans, line), 3u);
  EXPECT_EQ(http::spans_within_header(spans, line - 1), 2u);
  EXPECT_EQ(http::spans_within_header(spans, 1), 1u) << "at least one";
}

TEST(HttpReadPlan, CoverageFindsWhatAnAnswerLeftOut) {
  const std::vector<ByteSpan> wanted = {{0, 10}, {20, 30}, {40, 50}};
  http::Coverage all;
  all.add(40, 50);
  all.add(0, 5);
  all.add(5, 30);
  EXPECT_TRUE(all.gaps(wanted).empty());
  http::Coverage some;
  some.add(2, 4);
  some.add(25, 45);
  some.add(3, 6);
  EXPECT_EQ(some.gaps(wanted), (std::vector<ByteSpan>{{0, 2}, {6, 10}, {20, 25}, {45, 50}}));
  EXPECT_EQ(http::Coverage().gaps(wanted), wanted);
}

}  // namespace
