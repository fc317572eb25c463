// The s3 protocol's read_ranges against s3rver, counted through the fault
// proxy: reads that overlap or touch are one ranged GET per merged span
// (eight adjacent blocks, one GET), pinned to the ETag, straight into the
// callers' buffers; bytes past the end are left as they were; a replaced
// object is an error, never a splice.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../http/fault_proxy.hpp"
#include "../http/io_test_util.hpp"
#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "s3_test_util.hpp"
#include "s3rver_fixture.hpp"
#include "s3rver_suite.hpp"

namespace {

using avio_http_test::FaultProxy;
using avio_http_test::random_bytes;
using avio_s3_test::head_field;

constexpr uint8_t kUntouched = 0xEE;

class S3ReadRanges : public avio_s3_test::S3rverSuite {
 protected:
  // The protocol's own reads (no block cache), through `proxy`.
  static std::unique_ptr<avio::UrlContext> open(const std::string &key, const FaultProxy &proxy) {
    avio::OpenOptions o;
    o.block_cache = false;
    o.options.set("endpoint_url", proxy.url(""));
    o.options.set("access_key_id", "S3RVER");
    o.options.set("secret_access_key", "S3RVER");
    avio::Result<std::unique_ptr<avio::UrlContext>> h = avio::open_url_context("s3://test-bucket/" + key, o);
    EXPECT_TRUE(h) << h.error().message();
    return h ? std::move(*h) : nullptr;
  }
};

struct Reads {
  explicit Reads(const std::vector<std::pair<int64_t, size_t>> &ranges) {
    for (const auto &r : ranges) buffers.emplace_back(r.second, kUntouched);
    for (size_t i = 0; i < ranges.size(); ++i) requests.push_back({ranges[i].first, buffers[i]});
  }
  // Each read holds the object's bytes at its offset, and kUntouched past its end.
  bool hold(const std::vector<uint8_t> &object) const {
    for (const avio::ReadRequest &r : requests) {
      for (size_t i = 0; i < r.dst.size(); ++i) {
        const uint64_t at = static_cast<uint64_t>(r.offset) + i;
        if (r.dst[i] != (at < object.size() ? object[at] : kUntouched)) return false;
      }
    }
    return true;
  }
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<avio::ReadRequest> requests;
};

TEST_F(S3ReadRanges, AdjacentBlocksAreOneGetAndEachSpanOneMore) {
  const std::vector<uint8_t> data = random_bytes(12 << 20, 31);
  ASSERT_TRUE(server_->put_object("test-bucket", "rr/blocks.bin", data));
  FaultProxy proxy(server_->port());
  std::unique_ptr<avio::UrlContext> h = open("rr/blocks.bin", proxy);
  ASSERT_TRUE(h);

  std::vector<std::pair<int64_t, size_t>> blocks(8);
  for (int i = 0; i < 8; ++i) blocks[i] = {int64_t{2 + i} << 20, size_t{1} << 20};
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937(3));
  int before = proxy.requests();
  Reads reads(blocks);
  ASSERT_TRUE(h->read_ranges(reads.requests));
  EXPECT_TRUE(reads.hold(data));
  ASSERT_EQ(proxy.requests(), before + 1) << "one GET for eight adjacent blocks";
  const std::string head = proxy.request_heads().back();
  EXPECT_EQ(head_field(head, "Range"), "bytes=" + std::to_string(2 << 20) + "-" + std::to_string((10 << 20) - 1));
  EXPECT_NE(head_field(head, "If-Match"), "");

  // Overlapping, touching, unsorted, past the end: three spans, three GETs.
  const int64_t size = static_cast<int64_t>(data.size());
  before = proxy.requests();
  Reads mixed({{500000, 1000}, {100, 50}, {120, 10}, {150, 50}, {500500, 2000}, {size - 10, 100}, {size + 5, 10}});
  ASSERT_TRUE(h->read_ranges(mixed.requests));
  EXPECT_TRUE(mixed.hold(data));
  ASSERT_EQ(proxy.requests(), before + 3);
  const std::vector<std::string> heads = proxy.request_heads();
  EXPECT_EQ(head_field(heads[heads.size() - 3], "Range"), "bytes=100-199");
  EXPECT_EQ(head_field(heads[heads.size() - 2], "Range"), "bytes=500000-502499");
  EXPECT_EQ(head_field(heads[heads.size() - 1], "Range"),
            "bytes=" + std::to_string(size - 10) + "-" + std::to_string(size - 1));
}

TEST_F(S3ReadRanges, AReplacedObjectIsAnError) {
  ASSERT_TRUE(server_->put_object("test-bucket", "rr/replaced.bin", random_bytes(1 << 20, 32)));
  FaultProxy proxy(server_->port());
  std::unique_ptr<avio::UrlContext> h = open("rr/replaced.bin", proxy);
  ASSERT_TRUE(h);
  ASSERT_TRUE(server_->put_object("test-bucket", "rr/replaced.bin", random_bytes(1 << 20, 33)));
  Reads reads({{700000, 1000}, {701000, 1000}});
  avio::Status st = h->read_ranges(reads.requests);
  ASSERT_FALSE(st) << "read on into the new object";
  EXPECT_EQ(st.error().code(), -EIO);
  EXPECT_NE(st.error().message().find("replaced"), std::string::npos) << st.error().message();
  for (const std::vector<uint8_t> &b : reads.buffers)
    EXPECT_EQ(std::count(b.begin(), b.end(), kUntouched), static_cast<ptrdiff_t>(b.size())) << "bytes written";
}

}  // namespace
