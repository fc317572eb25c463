// The s3 protocol through the FFmpeg-compatible C API (avio_c) against
// s3rver: objects of 0 B, 1 B, 5 MiB - 1, 5 MiB, 5 MiB + 1 and 50 MiB
// written with avio_open2 / avio_write (uneven pieces) / avio_close and read
// back byte for byte with avio_read, avio_seek and avio_size, the uploads
// seen through the fault proxy to be one PUT up to part_size and a multipart
// upload of the right parts beyond; and FFmpeg's interrupt callback
// (AVIOInterruptCB) ending a stalled read and a stalled part upload within
// 100 ms, the upload aborted, and reading going on once it is lifted. A
// binary of its own: avio_c exports FFmpeg's symbol names.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../http/fault_proxy.hpp"
#include "../http/random_bytes.hpp"
#include "avio/c/avio.h"
#include "s3_test_util.hpp"
#include "s3rver_fixture.hpp"
#include "s3rver_suite.hpp"

namespace {

using avio_http_test::Fault;
using avio_http_test::FaultProxy;
using avio_http_test::random_bytes;
using avio_s3_test::Clock;
using avio_s3_test::head_field;
using avio_s3_test::kInterruptBound;
using avio_s3_test::query_param;
using avio_s3_test::RaiseLater;
using avio_s3_test::request_line;
using std::chrono::milliseconds;

constexpr int64_t kPart = int64_t{5} << 20;

int interrupt_when_set(void *opaque) { return static_cast<std::atomic<bool> *>(opaque)->load() ? 1 : 0; }

// Frees an AVDictionary at the end of a scope.
struct Dict {
  AVDictionary *d = nullptr;
  Dict() = default;
  Dict(const Dict &) = delete;
  Dict &operator=(const Dict &) = delete;
  ~Dict() { av_dict_free(&d); }
  void set(const char *key, const std::string &value) { av_dict_set(&d, key, value.c_str(), 0); }
};

// The options an FFmpeg program passes to avio_open2 for the store at `endpoint`.
void store_options(Dict &opts, const std::string &endpoint) {
  opts.set("endpoint_url", endpoint);
  opts.set("access_key_id", "S3RVER");
  opts.set("secret_access_key", "S3RVER");
}

std::string url(const std::string &key) { return "s3://test-bucket/" + key; }

class S3CApi : public avio_s3_test::S3rverSuite {};

// Writes `data` to `key` through the C API in uneven pieces (1 B to over a
// MiB, none a multiple of the buffer or part size); avio_close's result.
int write_object(const std::string &endpoint, const std::string &key, const std::vector<uint8_t> &data) {
  Dict opts;
  store_options(opts, endpoint);
  opts.set("part_size", std::to_string(kPart));
  AVIOContext *pb = nullptr;
  const int opened = avio_open2(&pb, url(key).c_str(), AVIO_FLAG_WRITE, nullptr, &opts.d);
  if (opened < 0) return opened;
  EXPECT_EQ(av_dict_count(opts.d), 0) << "an option was not taken";
  static constexpr size_t kPieces[] = {1, 4093, 65537, (1 << 20) + 7, 7, 333331, 32768 + 1};
  size_t at = 0;
  for (size_t i = 0; at < data.size(); ++i) {
    const size_t n = std::min(kPieces[i % std::size(kPieces)], data.size() - at);
    avio_write(pb, data.data() + at, static_cast<int>(n));
    at += n;
  }
  EXPECT_EQ(pb->error, 0);
  return avio_close(pb);
}

// Reads `key` through the C API and checks it against `data`: avio_size,
// the whole by avio_read (uneven sizes), EOF, then seeks and reads.
void expect_object(const std::string &endpoint, const std::string &key, const std::vector<uint8_t> &data) {
  Dict opts;
  store_options(opts, endpoint);
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, url(key).c_str(), AVIO_FLAG_READ, nullptr, &opts.d), 0);
  EXPECT_EQ(av_dict_count(opts.d), 0);
  const int64_t size = static_cast<int64_t>(data.size());
  EXPECT_EQ(pb->seekable, AVIO_SEEKABLE_NORMAL);
  EXPECT_EQ(avio_size(pb), size);
  std::vector<uint8_t> got;
  got.reserve(data.size());
  std::vector<uint8_t> buf(1 << 20);
  static constexpr int kSizes[] = {1, 100000, 4095, 1 << 20, 65536, 3};
  int r = 0;
  for (size_t i = 0; i < data.size() + 2; ++i) {
    r = avio_read(pb, buf.data(), kSizes[i % std::size(kSizes)]);
    if (r <= 0) break;
    got.insert(got.end(), buf.begin(), buf.begin() + r);
  }
  EXPECT_EQ(r, AVERROR_EOF);
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "the object read back differs";
  EXPECT_TRUE(avio_feof(pb));
  EXPECT_EQ(avio_tell(pb), size);
  if (size > 0) {
    for (const int64_t pos : {size / 2, int64_t{0}, size - 1, size / 3, std::max<int64_t>(0, size - 70000)}) {
      SCOPED_TRACE(pos);
      ASSERT_EQ(avio_seek(pb, pos, SEEK_SET), pos);
      const int want = static_cast<int>(std::min<int64_t>(size - pos, 70000));
      ASSERT_EQ(avio_read(pb, buf.data(), want), want);
      EXPECT_EQ(std::memcmp(buf.data(), data.data() + pos, static_cast<size_t>(want)), 0);
      EXPECT_EQ(avio_tell(pb), pos + want);
    }
  }
  EXPECT_EQ(avio_seek(pb, size, SEEK_SET), size);
  EXPECT_EQ(avio_read(pb, buf.data(), 10), AVERROR_EOF);
  EXPECT_EQ(avio_seek(pb, 0, AVSEEK_SIZE), size);
  EXPECT_EQ(avio_close(pb), 0);
}

// The uploads the proxy saw for an object of `size` bytes: one PUT of the
// whole up to part_size, else CreateMultipartUpload, parts 1..N of
// part_size (the last the rest) and CompleteMultipartUpload.
void expect_upload_requests(const std::vector<std::string> &heads, const std::string &key, int64_t size) {
  const std::string path = "/test-bucket/" + key;
  if (size <= kPart) {
    ASSERT_EQ(heads.size(), 1u);
    EXPECT_EQ(request_line(heads[0]), "PUT " + path + " HTTP/1.1");
    EXPECT_EQ(head_field(heads[0], "Content-Length"), std::to_string(size));
    return;
  }
  const int64_t parts = (size + kPart - 1) / kPart;
  ASSERT_EQ(heads.size(), static_cast<size_t>(parts + 2));
  EXPECT_EQ(request_line(heads.front()).rfind("POST " + path + "?uploads", 0), 0u) << heads.front();
  const std::string upload_id = query_param(heads[1], "uploadId");
  ASSERT_FALSE(upload_id.empty()) << heads[1];
  std::map<int64_t, std::string> lengths;  // part number -> Content-Length (parts go out concurrently)
  for (size_t i = 1; i + 1 < heads.size(); ++i) {
    EXPECT_EQ(request_line(heads[i]).rfind("PUT " + path + "?", 0), 0u) << heads[i];
    EXPECT_EQ(query_param(heads[i], "uploadId"), upload_id);
    lengths[std::stoll("0" + query_param(heads[i], "partNumber"))] = head_field(heads[i], "Content-Length");
  }
  ASSERT_EQ(lengths.size(), static_cast<size_t>(parts));
  for (int64_t n = 1; n <= parts; ++n) {
    SCOPED_TRACE(n);
    ASSERT_TRUE(lengths.count(n));
    EXPECT_EQ(lengths[n], std::to_string(n < parts ? kPart : size - (parts - 1) * kPart));
  }
  EXPECT_EQ(request_line(heads.back()), "POST " + path + "?uploadId=" + upload_id + " HTTP/1.1");
}

TEST_F(S3CApi, RoundTripsOfEveryEdgeSizeByteForByte) {
  uint32_t seed = 100;
  for (const int64_t size : {int64_t{0}, int64_t{1}, kPart - 1, kPart, kPart + 1, int64_t{50} << 20}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::vector<uint8_t> data = random_bytes(static_cast<size_t>(size), ++seed);
    const std::string key = "capi/edge-" + std::to_string(size) + ".bin";
    FaultProxy proxy(server_->port());  // to see the requests the upload makes
    ASSERT_EQ(write_object(proxy.url(""), key, data), 0);
    expect_upload_requests(proxy.request_heads(), key, size);
    const std::optional<std::vector<uint8_t>> stored = server_->get_object("test-bucket", key);
    ASSERT_TRUE(stored.has_value());
    EXPECT_TRUE(*stored == data) << "the stored object differs";
    expect_object(server_->endpoint(), key, data);
  }
  EXPECT_TRUE(server_->list_multipart_uploads("test-bucket").empty()) << "an upload was left in progress";
}

TEST_F(S3CApi, TheInterruptCallbackEndsAStalledReadWithin100ms) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 1);
  ASSERT_TRUE(server_->put_object("test-bucket", "capi/stall.bin", data));
  FaultProxy proxy(server_->port());
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 20000});  // the open's GET, within its body
  std::atomic<bool> raised{false};
  const AVIOInterruptCB cb = {interrupt_when_set, &raised};
  Dict opts;
  store_options(opts, proxy.url(""));
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, url("capi/stall.bin").c_str(), AVIO_FLAG_READ, &cb, &opts.d), 0);
  const auto start = Clock::now();
  RaiseLater raiser(milliseconds(300), [&raised] { raised = true; });
  std::vector<uint8_t> buf(65536);
  int r = 0;
  int64_t total = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    r = avio_read(pb, buf.data(), static_cast<int>(buf.size()));
    if (r <= 0) break;
    EXPECT_EQ(std::memcmp(buf.data(), data.data() + total, static_cast<size_t>(r)), 0);
    total += r;
  }
  const auto returned = Clock::now();
  const auto at = raiser.raised_at();
  EXPECT_EQ(r, AVERROR_EXIT);
  EXPECT_LT(total, 20000);
  EXPECT_GE(returned - start, milliseconds(300)) << "the read ended before the interrupt";
  EXPECT_LT(returned - at, kInterruptBound);
  avio_closep(&pb);
}

// An interrupt used as a timeout (FFmpeg's players do): once it is lifted,
// reading goes on where it stopped, on a new connection, not on the one
// whose answer was cut short (whose rest would be read as the next answer,
// or waited for).
TEST_F(S3CApi, ReadingGoesOnOnceTheInterruptIsLifted) {
  const std::vector<uint8_t> data = random_bytes(300000, 3);
  ASSERT_TRUE(server_->put_object("test-bucket", "capi/resume.bin", data));
  FaultProxy proxy(server_->port());
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 20000});
  std::atomic<bool> raised{false};
  const AVIOInterruptCB cb = {interrupt_when_set, &raised};
  Dict opts;
  store_options(opts, proxy.url(""));
  opts.set("rw_timeout", "5000000");  // bounds the test should a request wait on the stalled connection
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, url("capi/resume.bin").c_str(), AVIO_FLAG_READ, &cb, &opts.d), 0);
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(8192);
  int r = 0;
  {
    RaiseLater raiser(milliseconds(200), [&raised] { raised = true; });
    for (int guard = 0; guard < 1000; ++guard) {
      r = avio_read(pb, buf.data(), static_cast<int>(buf.size()));
      if (r <= 0) break;
      got.insert(got.end(), buf.begin(), buf.begin() + r);
    }
  }
  ASSERT_EQ(r, AVERROR_EXIT);
  ASSERT_LT(got.size(), data.size());
  raised = false;
  const auto resumed = Clock::now();
  // As after any error, a seek (here to where the reading stopped) clears the EOF flag.
  const auto at = static_cast<int64_t>(got.size());
  ASSERT_EQ(avio_seek(pb, at, SEEK_SET), at);
  for (int guard = 0; guard < 1000; ++guard) {
    r = avio_read(pb, buf.data(), static_cast<int>(buf.size()));
    if (r <= 0) break;
    got.insert(got.end(), buf.begin(), buf.begin() + r);
  }
  EXPECT_LT(Clock::now() - resumed, milliseconds(2000)) << "the next request waited on the stalled connection";
  EXPECT_TRUE(avio_feof(pb));
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "other bytes after the interrupt";
  EXPECT_EQ(proxy.connections(), 2);
  avio_closep(&pb);
}

TEST_F(S3CApi, TheInterruptCallbackEndsAStalledPartUploadWhichIsAborted) {
  FaultProxy proxy(server_->port());
  proxy.push(Fault{});                                         // CreateMultipartUpload
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 0});  // part 1's answer never comes
  std::atomic<bool> raised{false};
  const AVIOInterruptCB cb = {interrupt_when_set, &raised};
  Dict opts;
  store_options(opts, proxy.url(""));
  opts.set("part_size", std::to_string(kPart));
  opts.set("parts_in_flight", "1");
  AVIOContext *pb = nullptr;
  ASSERT_EQ(avio_open2(&pb, url("capi/stalled-upload.bin").c_str(), AVIO_FLAG_WRITE, &cb, &opts.d), 0);
  const std::vector<uint8_t> data = random_bytes(static_cast<size_t>(3 * kPart), 2);
  const auto start = Clock::now();
  RaiseLater raiser(milliseconds(300), [&raised] { raised = true; });
  // Part 1 goes out and stalls; handing on part 2 waits for it.
  for (size_t at = 0; at < data.size() && pb->error == 0; at += 65536)
    avio_write(pb, data.data() + at, static_cast<int>(std::min<size_t>(65536, data.size() - at)));
  const auto returned = Clock::now();
  const auto at = raiser.raised_at();
  EXPECT_EQ(pb->error, AVERROR_EXIT);
  EXPECT_GE(returned - start, milliseconds(300));
  // The wait ends within the bound; the abort (one request on loopback) is
  // part of the same call.
  EXPECT_LT(returned - at, kInterruptBound)
      << "avio_write returned " << std::chrono::duration_cast<milliseconds>(returned - at).count()
      << " ms after the interrupt";
  EXPECT_EQ(avio_close(pb), AVERROR_EXIT);
  EXPECT_FALSE(server_->get_object("test-bucket", "capi/stalled-upload.bin").has_value());
  const std::vector<std::string> heads = proxy.request_heads();
  ASSERT_EQ(heads.size(), 3u) << "expected CreateMultipartUpload, part 1 and the abort";
  const std::string upload_id = query_param(heads[1], "uploadId");
  ASSERT_FALSE(upload_id.empty()) << heads[1];
  EXPECT_EQ(query_param(heads[1], "partNumber"), "1");
  EXPECT_EQ(request_line(heads[2]), "DELETE /test-bucket/capi/stalled-upload.bin?uploadId=" + upload_id + " HTTP/1.1");
}

}  // namespace
