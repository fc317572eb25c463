// http's and https's read_ranges against the real nginx, counted through the
// fault proxy (request heads as sent) and nginx's access log (statuses):
// contiguous reads are one single-range request, scattered ones as few
// multi-range requests as the Range line budget allows (one per range would
// fail the counts here), overlapping, unsorted and past-the-end reads, the
// stream position kept, a changed file refused, a server that answers 200
// to several ranges (read through when the spans are near the start, else
// given up for one range a request, then and in later calls), answers of
// the other legal shapes and with bytes left out (made by the proxy), and
// https.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "fault_proxy.hpp"
#include "io_test_util.hpp"
#include "nginx_fixture.hpp"
#include "nginx_suite.hpp"

namespace {

using avio_http_test::FaultProxy;
using avio_http_test::random_bytes;
using avio_http_test::without_cache;

// The Range line budget the client documents (http_read_ranges.cc).
constexpr size_t kRangeLineBudget = 4000;
constexpr uint8_t kUntouched = 0xEE;

struct Range {
  int64_t offset;
  size_t size;
};

// Buffers for `ranges`, filled with kUntouched, and the reads into them.
struct Reads {
  explicit Reads(const std::vector<Range> &ranges) {
    for (const Range &r : ranges) buffers.emplace_back(r.size, kUntouched);
    for (size_t i = 0; i < ranges.size(); ++i) requests.push_back({ranges[i].offset, buffers[i]});
  }
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<avio::ReadRequest> requests;
};

// Each read holds the file's bytes at its offset, and kUntouched past its end.
void expect_bytes(const Reads &reads, const std::vector<uint8_t> &file) {
  for (const avio::ReadRequest &r : reads.requests) {
    for (size_t i = 0; i < r.dst.size(); ++i) {
      const int64_t at = r.offset + static_cast<int64_t>(i);
      const uint8_t want = at < static_cast<int64_t>(file.size()) ? file[static_cast<size_t>(at)] : kUntouched;
      ASSERT_EQ(r.dst[i], want) << "read at " << r.offset << " of " << r.dst.size() << ", byte " << i;
    }
  }
}

// The reads merged where they overlap or touch, clipped to `size`: what
// one request per span would ask for.
std::vector<std::pair<int64_t, int64_t>> spans_of(std::vector<Range> ranges, int64_t size) {
  std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) { return a.offset < b.offset; });
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (const Range &r : ranges) {
    const int64_t end = std::min(r.offset + static_cast<int64_t>(r.size), size);
    if (end <= r.offset) continue;
    if (!spans.empty() && r.offset <= spans.back().second) {
      spans.back().second = std::max(spans.back().second, end);
    } else {
      spans.emplace_back(r.offset, end);
    }
  }
  return spans;
}

// How many requests `spans` take when each "Range: bytes=a-b,c-d" line
// holds as many as fit in kRangeLineBudget bytes.
size_t requests_for(const std::vector<std::pair<int64_t, int64_t>> &spans) {
  size_t requests = 0, line = 0;
  for (const auto &[first, end] : spans) {
    const size_t piece = std::to_string(first).size() + 1 + std::to_string(end - 1).size();
    if (requests == 0 || line + 1 + piece > kRangeLineBudget) {
      ++requests;
      line = std::string("Range: bytes=").size() + piece;
    } else {
      line += 1 + piece;
    }
  }
  return requests;
}

// A field of a request head as the proxy recorded it, "" when absent.
std::string field(const std::string &head, const std::string &name) {
  const size_t at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const size_t from = at + 2 + name.size() + 2;
  return head.substr(from, head.find("\r\n", from) - from);
}

// The ranges a Range value asks for ("bytes=0-9,20-29").
std::vector<std::pair<int64_t, int64_t>> ranges_in(const std::string &value) {
  std::vector<std::pair<int64_t, int64_t>> out;
  std::string rest = value.substr(value.find('=') + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string one = rest.substr(0, comma);
    const size_t dash = one.find('-');
    out.emplace_back(std::stoll(one.substr(0, dash)), std::stoll(one.substr(dash + 1)) + 1);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  return out;
}

class HttpReadRanges : public avio_http_test::NginxSuite {
 protected:
  // The access log's entries that `keep` selects, once there are `count`
  // of them (or as they are after 5 s): the open's own request, abandoned,
  // may be logged at any time.
  static std::vector<avio_http_test::AccessLogEntry> logged(
      size_t count, const std::function<bool(const avio_http_test::AccessLogEntry &)> &keep) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      std::vector<avio_http_test::AccessLogEntry> kept;
      for (const avio_http_test::AccessLogEntry &e : nginx().access_log())
        if (keep(e)) kept.push_back(e);
      if (kept.size() >= count || std::chrono::steady_clock::now() > deadline) return kept;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // The access log's entries for `uri` but the open's own ("bytes=0-"),
  // once there are `count` of them (or as they are after 5 s).
  static std::vector<avio_http_test::AccessLogEntry> ranged_requests(size_t count, const std::string &uri) {
    return logged(count, [&uri](const auto &e) { return e.uri == uri && e.range != "bytes=0-"; });
  }

  static std::unique_ptr<avio::UrlContext> open(const std::string &url, const avio::OpenOptions &o = without_cache()) {
    avio::Result<std::unique_ptr<avio::UrlContext>> h = avio::open_url_context(url, o);
    EXPECT_TRUE(h) << h.error().message();
    return h ? std::move(*h) : nullptr;
  }
};

TEST_F(HttpReadRanges, OneReadIsOneBoundedValidatedRequest) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 21);
  nginx().put_file("rr/one.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/rr/one.bin"));
  ASSERT_TRUE(h);
  const int before = proxy.requests();
  Reads reads({{1000, 5000}});
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  ASSERT_EQ(proxy.requests(), before + 1);
  const std::string head = proxy.request_heads().back();
  EXPECT_EQ(field(head, "Range"), "bytes=1000-5999");
  EXPECT_NE(field(head, "If-Range"), "") << head;
}

TEST_F(HttpReadRanges, AdjacentBlocksAreOneRequestForOneRange) {
  const std::vector<uint8_t> data = random_bytes(16 << 20, 22);
  nginx().put_file("rr/blocks.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/rr/blocks.bin"));
  ASSERT_TRUE(h);
  std::vector<Range> blocks(8);
  for (int i = 0; i < 8; ++i) blocks[i] = {int64_t{3 + i} << 20, size_t{1} << 20};
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937(5));
  const int before = proxy.requests();
  Reads reads(blocks);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  ASSERT_EQ(proxy.requests(), before + 1) << "one request for eight adjacent blocks";
  EXPECT_EQ(field(proxy.request_heads().back(), "Range"),
            "bytes=" + std::to_string(3 << 20) + "-" + std::to_string((11 << 20) - 1));
}

TEST_F(HttpReadRanges, ScatteredReadsTakeAsFewRequestsAsTheRangeLineAllows) {
  const std::vector<uint8_t> data = random_bytes(16 << 20, 23);
  nginx().put_file("rr/scattered.bin", data);
  // 300 reads of 4 to 54 KiB, each in a slot of its own (55 KiB) with a
  // gap after it, so that none merge: 300 ranges, more than one Range line
  // holds.
  std::mt19937 rng(11);
  const int64_t slot = (int64_t{16} << 20) / 300;
  std::vector<Range> ranges;
  for (int i = 0; i < 300; ++i) {
    const size_t size = 4096 + rng() % 51700;
    const int64_t offset = i * slot + static_cast<int64_t>(rng() % (slot - static_cast<int64_t>(size) - 1));
    ranges.push_back({offset, size});
  }
  std::shuffle(ranges.begin(), ranges.end(), rng);
  const auto spans = spans_of(ranges, static_cast<int64_t>(data.size()));
  ASSERT_EQ(spans.size(), 300u);
  const size_t expected = requests_for(spans);
  ASSERT_GE(expected, 2u);

  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/rr/scattered.bin"));
  ASSERT_TRUE(h);
  const size_t before = proxy.request_heads().size();
  nginx().clear_access_log();
  Reads reads(ranges);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  const std::vector<std::string> heads = proxy.request_heads();
  ASSERT_EQ(heads.size() - before, expected);
  std::vector<std::pair<int64_t, int64_t>> asked;
  for (size_t i = before; i < heads.size(); ++i) {
    const std::string range = field(heads[i], "Range");
    EXPECT_LE(std::string("Range: ").size() + range.size(), kRangeLineBudget);
    EXPECT_NE(field(heads[i], "If-Range"), "");
    const auto some = ranges_in(range);
    asked.insert(asked.end(), some.begin(), some.end());
  }
  EXPECT_EQ(asked, spans) << "each span asked for once, in order";
  // nginx answers each with multipart/byteranges (206).
  const auto multi = logged(expected, [](const auto &e) { return e.range.find(',') != std::string::npos; });
  ASSERT_EQ(multi.size(), expected);
  for (const avio_http_test::AccessLogEntry &e : multi) EXPECT_EQ(e.status, 206) << e.range;
}

TEST_F(HttpReadRanges, OverlappingUnsortedAndPastTheEndReads) {
  const std::vector<uint8_t> data = random_bytes((1 << 20) + 123, 24);
  nginx().put_file("rr/mixed.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/rr/mixed.bin"));
  ASSERT_TRUE(h);
  const int64_t size = static_cast<int64_t>(data.size());
  const std::vector<Range> ranges = {
      {700000, 5000},   {10, 100}, {50, 20},  // inside the previous one
      {110, 40},                              // touches [10, 110)
      {699000, 3000},                         // overlaps the first
      {size - 50, 200},                       // runs past the end
      {size + 10, 64},                        // wholly past the end
      {300000, 0},                            // empty
      {0, 10},                                // touches [10, 110)
  };
  const int before = proxy.requests();
  Reads reads(ranges);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  EXPECT_EQ(proxy.requests(), before + 1);
  EXPECT_EQ(field(proxy.request_heads().back(), "Range"),
            "bytes=0-149,699000-704999," + std::to_string(size - 50) + "-" + std::to_string(size - 1));
  // Only past the end: nothing to ask.
  Reads beyond({{size, 10}, {size + 100, 10}});
  ASSERT_TRUE(h->read_ranges(beyond.requests));
  expect_bytes(beyond, data);
  EXPECT_EQ(proxy.requests(), before + 1);
}

TEST_F(HttpReadRanges, TheStreamPositionDoesNotMove) {
  const std::vector<uint8_t> data = random_bytes(2 << 20, 25);
  nginx().put_file("rr/position.bin", data);
  std::unique_ptr<avio::UrlContext> h = open(nginx().http_url("/rr/position.bin"));
  ASSERT_TRUE(h);
  std::vector<uint8_t> head(1000);
  ASSERT_TRUE(h->read_complete(head));
  Reads reads({{1500000, 4000}, {20000, 4000}});
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  std::vector<uint8_t> next(300000);
  avio::Result<size_t> n = h->read_complete(next);
  ASSERT_TRUE(n) << n.error().message();
  ASSERT_EQ(*n, next.size());
  EXPECT_TRUE(std::equal(next.begin(), next.end(), data.begin() + 1000)) << "the read did not go on at byte 1000";
  avio::Result<int64_t> at = h->seek(0, avio::kSeekCur);
  ASSERT_TRUE(at);
  EXPECT_EQ(*at, 301000);
}

TEST_F(HttpReadRanges, AFileChangedOnTheServerIsAnErrorNotASplice) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 26);
  nginx().put_file("rr/changed.bin", data);
  for (const std::vector<Range> &ranges : {std::vector<Range>{{1000, 100}, {600000, 100}},  // multipart
                                           std::vector<Range>{{600000, 100}}}) {            // one range
    nginx().put_file("rr/changed.bin", data);
    std::unique_ptr<avio::UrlContext> h = open(nginx().http_url("/rr/changed.bin"));
    ASSERT_TRUE(h);
    // nginx's ETag is mtime-size: another size changes it at once.
    nginx().put_file("rr/changed.bin", random_bytes((1 << 20) + 1, 27));
    Reads reads(ranges);
    avio::Status st = h->read_ranges(reads.requests);
    ASSERT_FALSE(st) << "read from the new file";
    EXPECT_EQ(st.error().code(), -EIO);
    EXPECT_NE(st.error().message().find("changed"), std::string::npos) << st.error().message();
    for (const std::vector<uint8_t> &b : reads.buffers)
      EXPECT_EQ(std::count(b.begin(), b.end(), kUntouched), static_cast<ptrdiff_t>(b.size())) << "bytes written";
  }
}

// known_size and known_version (what a block cache's first open learnt):
// the open asks nothing and connects to nothing, and the first request,
// the plan's, carries If-Range with the version. A version that is not
// the object's any more is an error there, and no byte is written.
TEST_F(HttpReadRanges, AnOpenToldTheSizeAndVersionAsksNothingAndItsPlanIsValidated) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 28);
  nginx().put_file("rr/known.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> first = open(proxy.url("/rr/known.bin"));
  ASSERT_TRUE(first);
  const std::string etag = first->protocol().object_version();
  ASSERT_EQ(etag.front(), '"') << "nginx sends an ETag: " << etag;
  avio::OpenOptions o = without_cache();
  o.options.set("known_size", std::to_string(data.size()));
  o.options.set("known_version", etag);
  const int requests = proxy.requests(), connections = proxy.connections();
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/rr/known.bin"), o);
  ASSERT_TRUE(h);
  avio::Result<int64_t> size = h->size();
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, static_cast<int64_t>(data.size()));
  EXPECT_EQ(proxy.requests(), requests) << "the open asked";
  EXPECT_EQ(proxy.connections(), connections) << "the open connected";
  Reads reads({{1000, 5000}, {600000, 100}});
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  ASSERT_EQ(proxy.requests(), requests + 1) << "the plan's request is the first";
  EXPECT_EQ(field(proxy.request_heads().back(), "If-Range"), etag);

  // A Last-Modified (no quotes) is sent as one.
  const std::string modified = "Thu, 01 Jan 2015 00:00:00 GMT";
  o.options.set("known_version", modified);
  h = open(proxy.url("/rr/known.bin"), o);
  ASSERT_TRUE(h);
  Reads stale({{1000, 100}, {600000, 100}});
  avio::Status st = h->read_ranges(stale.requests);
  EXPECT_EQ(field(proxy.request_heads().back(), "If-Range"), modified);
  ASSERT_FALSE(st) << "read a file that is not the one of that date";
  EXPECT_NE(st.error().message().find("changed"), std::string::npos) << st.error().message();

  // An ETag the object no longer has: the plan and a positional read fail.
  o.options.set("known_version", "\"not-this-one\"");
  h = open(proxy.url("/rr/known.bin"), o);
  ASSERT_TRUE(h);
  Reads changed({{1000, 100}, {600000, 100}});
  st = h->read_ranges(changed.requests);
  ASSERT_FALSE(st) << "read a file of another version";
  EXPECT_EQ(st.error().code(), -EIO);
  for (const std::vector<uint8_t> &b : changed.buffers)
    EXPECT_EQ(std::count(b.begin(), b.end(), kUntouched), static_cast<ptrdiff_t>(b.size())) << "bytes written";
  uint8_t buf[100];
  avio::Result<size_t> n = h->read_at(5000, buf);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message().find("changed"), std::string::npos) << n.error().message();

  // A version that would inject a header line is refused.
  o.options.set("known_version", "\"x\"\r\nX-Injected: 1");
  avio::Result<std::unique_ptr<avio::UrlContext>> bad = avio::open_url_context(proxy.url("/rr/known.bin"), o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), -EINVAL);
}

// Spans near the start (the last ends under 1 MiB): the 200 is read
// through to the last span, one request in all.
TEST_F(HttpReadRanges, AServerThatAnswersSeveralRangesWith200) {
  const std::vector<uint8_t> data = random_bytes(4 << 20, 28);
  nginx().put_file("onerange/whole.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/onerange/whole.bin"));
  ASSERT_TRUE(h);
  nginx().clear_access_log();
  const int requests = proxy.requests();
  Reads reads({{300000, 1000}, {5000, 10}, {900000, 64}});
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  EXPECT_EQ(proxy.requests(), requests + 1);
  const auto multi = logged(1, [](const auto &e) { return e.range.find(',') != std::string::npos; });
  ASSERT_EQ(multi.size(), 1u);
  EXPECT_EQ(multi[0].status, 200) << "nginx did not answer with the whole file";
  // The rest of the file was not read: that connection was given up, and
  // the next requests go on a new one, one range each (the refusal is
  // remembered).
  const int connections = proxy.connections();
  const size_t heads_before = proxy.request_heads().size();
  Reads again({{2000000, 100}, {3000000, 100}});
  ASSERT_TRUE(h->read_ranges(again.requests));
  expect_bytes(again, data);
  EXPECT_EQ(proxy.connections(), connections + 1);
  const std::vector<std::string> heads = proxy.request_heads();
  ASSERT_EQ(heads.size(), heads_before + 2);
  EXPECT_EQ(field(heads[heads_before], "Range"), "bytes=2000000-2000099");
  EXPECT_EQ(field(heads[heads_before + 1], "Range"), "bytes=3000000-3000099");
}

// Ten reads of 50 KB in the last 4 MiB of a 24 MiB file, the i-th `shift`
// bytes into its 400 KiB slot.
std::vector<Range> far_spans(int64_t shift) {
  std::vector<Range> ranges;
  for (int64_t i = 0; i < 10; ++i) ranges.push_back({(int64_t{20} << 20) + i * (400 << 10) + shift, 50000});
  return ranges;
}

// Spans far into a large file: reading the 200 from byte 0 to the last
// span would move 24 MB for 500 KB. The answer is given up at once, and the
// spans come one bounded request each, on one new connection.
TEST_F(HttpReadRanges, A200FarFromTheSpansIsGivenUpForOneRangeARequest) {
  const int64_t size = int64_t{24} << 20;
  const std::vector<uint8_t> data = random_bytes(static_cast<size_t>(size), 35);
  nginx().put_file("onerange/far.bin", data);
  std::unique_ptr<avio::UrlContext> h = open(nginx().http_url("/onerange/far.bin"));
  ASSERT_TRUE(h);
  nginx().clear_access_log();
  const std::vector<Range> ranges = far_spans(1234);
  const auto spans = spans_of(ranges, size);
  ASSERT_EQ(spans.size(), 10u);
  Reads reads(ranges);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);

  const auto log = ranged_requests(11, "/onerange/far.bin");
  // What nginx sent in all: the spans, and what the socket buffers took of
  // the 200 before its connection went (a few MB at most), far from the 20
  // MB up to the first span.
  int64_t sent = 0;
  for (const avio_http_test::AccessLogEntry &e : log) sent += e.body_bytes;
  EXPECT_LT(sent, int64_t{8} << 20) << "the 200 was read toward the last span";
  ASSERT_EQ(log.size(), 11u) << "the request for every span, then one per span";
  EXPECT_EQ(ranges_in(log[0].range), spans);
  EXPECT_EQ(log[0].status, 200) << "nginx did not answer with the whole file";
  for (size_t i = 1; i < log.size(); ++i) {
    EXPECT_EQ(log[i].range.find(','), std::string::npos) << log[i].range;
    EXPECT_EQ(ranges_in(log[i].range), std::vector{spans[i - 1]});
    EXPECT_EQ(log[i].status, 206);
    EXPECT_EQ(log[i].body_bytes, 50000);
    EXPECT_NE(log[i].connection, log[0].connection) << "a single range on the connection of the 200";
    EXPECT_EQ(log[i].connection, log[1].connection) << "the connection was not kept alive";
  }
}

// Once a server has answered several ranges with 200, later calls ask for
// one range a request (validated with If-Range) and never several again.
TEST_F(HttpReadRanges, AfterA200LaterCallsAskForOneRangeARequest) {
  const int64_t size = int64_t{24} << 20;
  const std::vector<uint8_t> data = random_bytes(static_cast<size_t>(size), 36);
  nginx().put_file("onerange/later.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/onerange/later.bin"));
  ASSERT_TRUE(h);
  Reads first(far_spans(0));
  ASSERT_TRUE(h->read_ranges(first.requests));
  expect_bytes(first, data);
  ASSERT_EQ(ranged_requests(11, "/onerange/later.bin").size(), 11u);

  nginx().clear_access_log();
  const size_t before = proxy.request_heads().size();
  std::vector<Range> ranges = far_spans(7777);
  ranges.push_back({1000, 3000});  // near the start: still a request of its own
  const auto spans = spans_of(ranges, size);
  Reads reads(ranges);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  const std::vector<std::string> heads = proxy.request_heads();
  ASSERT_EQ(heads.size() - before, spans.size()) << "one request per span";
  for (size_t i = 0; i < spans.size(); ++i) {
    const std::string &head = heads[before + i];
    EXPECT_EQ(field(head, "Range").find(','), std::string::npos) << head;
    EXPECT_EQ(ranges_in(field(head, "Range")), std::vector{spans[i]});
    EXPECT_EQ(field(head, "If-Range"), h->protocol().object_version()) << head;
  }
  const auto log = ranged_requests(spans.size(), "/onerange/later.bin");
  ASSERT_EQ(log.size(), spans.size());
  int64_t sent = 0;
  for (const avio_http_test::AccessLogEntry &e : log) {
    EXPECT_EQ(e.status, 206) << e.range;
    sent += e.body_bytes;
  }
  EXPECT_EQ(sent, 10 * 50000 + 3000) << "bytes nobody asked for";

  // A changed file is refused as read_at refuses it.
  nginx().put_file("onerange/later.bin", random_bytes(static_cast<size_t>(size) + 1, 37));
  Reads changed(far_spans(99));
  avio::Status st = h->read_ranges(changed.requests);
  ASSERT_FALSE(st) << "read from the new file";
  EXPECT_EQ(st.error().code(), -EIO);
  EXPECT_NE(st.error().message().find("changed"), std::string::npos) << st.error().message();
}

// Answers nginx does not give, from the fault proxy: parts out of order,
// one coalescing two spans, a span left out (asked for again); one
// Content-Range over every span; none of the bytes asked for; a malformed
// part.
TEST_F(HttpReadRanges, EveryShapeOfAnswerAndBytesLeftOut) {
  const std::vector<uint8_t> data = random_bytes(100000, 34);
  nginx().put_file("rr/shapes.bin", data);
  FaultProxy proxy(nginx().http_port());
  std::unique_ptr<avio::UrlContext> h = open(proxy.url("/rr/shapes.bin"));
  ASSERT_TRUE(h);
  const std::string etag = "ETag: " + h->protocol().object_version() + "\r\n";
  const auto bytes = [&](int64_t first, int64_t last) {
    return std::string(data.begin() + first, data.begin() + last + 1);
  };
  const auto part = [&](int64_t first, int64_t last) {
    return "--XB\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes " + std::to_string(first) + "-" +
           std::to_string(last) + "/100000\r\n\r\n" + bytes(first, last) + "\r\n";
  };
  const auto multipart = [&](const std::string &body) {
    return avio_http_test::Fault{.kind = avio_http_test::Fault::Kind::kStatus,
                                 .status = 206,
                                 .body = "a preamble\r\n" + body + "--XB--\r\n",
                                 .content_type = "multipart/byteranges; boundary=XB",
                                 .headers = etag};
  };
  const std::vector<Range> ranges = {{1000, 1000}, {3000, 1000}, {5000, 1000}, {9000, 100}};

  proxy.push(multipart(part(9000, 9099) + part(1000, 3999)));
  int before = proxy.requests();
  Reads left_out(ranges);
  ASSERT_TRUE(h->read_ranges(left_out.requests));
  expect_bytes(left_out, data);
  ASSERT_EQ(proxy.requests(), before + 2);
  EXPECT_EQ(field(proxy.request_heads().back(), "Range"), "bytes=5000-5999") << "the span left out, asked again";

  proxy.push(avio_http_test::Fault{.kind = avio_http_test::Fault::Kind::kStatus,
                                   .status = 206,
                                   .body = bytes(1000, 9099),
                                   .content_type = "application/octet-stream",
                                   .headers = etag + "Content-Range: bytes 1000-9099/100000\r\n"});
  before = proxy.requests();
  Reads merged(ranges);
  ASSERT_TRUE(h->read_ranges(merged.requests));
  expect_bytes(merged, data);
  EXPECT_EQ(proxy.requests(), before + 1);

  proxy.push(multipart(part(50000, 50099)));
  Reads none({{1000, 1000}, {3000, 1000}});
  avio::Status st = h->read_ranges(none.requests);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), -EIO);
  EXPECT_NE(st.error().message().find("held none of bytes 1000-1999"), std::string::npos) << st.error().message();

  proxy.push(multipart("--XB\r\nContent-Range: bytes 9-1/100000\r\n\r\n"));
  Reads malformed(ranges);
  st = h->read_ranges(malformed.requests);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), avio::kInvalidData);
  EXPECT_NE(st.error().message().find("multipart/byteranges: part 1: "), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("the first byte is after the last"), std::string::npos);
  // That connection was dropped; the next call is answered in full.
  Reads after(ranges);
  ASSERT_TRUE(h->read_ranges(after.requests));
  expect_bytes(after, data);
}

TEST_F(HttpReadRanges, OverHttps) {
  const std::vector<uint8_t> data = random_bytes(8 << 20, 29);
  nginx().put_file("rr/secure.bin", data);
  avio::OpenOptions o = without_cache();
  o.options.set("ca_file", server_->ca_file());
  std::unique_ptr<avio::UrlContext> h = open(nginx().https_url("/rr/secure.bin"), o);
  ASSERT_TRUE(h);
  std::vector<Range> ranges(44);
  for (int i = 0; i < 40; ++i) ranges[i] = {int64_t{i} * 200000 + 7, size_t{5000} + i};
  for (int i = 0; i < 4; ++i) ranges[40 + i] = {(int64_t{8} << 20) - int64_t{4 - i} * 65536, 65536};  // one span
  nginx().clear_access_log();
  Reads reads(ranges);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  expect_bytes(reads, data);
  const auto asked = logged(1, [](const auto &e) { return e.range != "bytes=0-"; });
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].status, 206);
  EXPECT_EQ(ranges_in(asked[0].range).size(), 41u);
}

}  // namespace
