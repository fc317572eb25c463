// The s3 protocol under the faults a store throws at it, through the http
// tests' fault proxy in front of s3rver: 503 SlowDown answers (S3's XML
// error document) retried until the request succeeds, on the open's GET, a
// later ranged GET, a single PUT and an UploadPart; retries run out into an
// error that names S3's code, message and request id; a RequestTimeTooSkewed
// refusal that says the clock is skewed; every wait (a stalled body, a
// backoff, a stalled part of a multipart upload) ended by a cancelled token
// or the interrupt callback within 100 ms, an interrupted upload aborted;
// and writes after a failed upload refused.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../http/fault_proxy.hpp"
#include "../http/io_test_util.hpp"
#include "avio/url.hpp"
#include "s3_test_util.hpp"
#include "s3rver_fixture.hpp"
#include "s3rver_suite.hpp"

namespace {

using avio_http_test::Fault;
using avio_http_test::FaultProxy;
using avio_http_test::random_bytes;
using avio_http_test::read_all;
using avio_http_test::upload;
using avio_s3_test::Clock;
using avio_s3_test::head_field;
using avio_s3_test::kInterruptBound;
using avio_s3_test::query_param;
using avio_s3_test::RaiseLater;
using avio_s3_test::request_line;
using avio_s3_test::slow_down;
using std::chrono::milliseconds;

constexpr size_t kPart = size_t{5} << 20;

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

class S3Faults : public avio_s3_test::S3rverSuite {
 protected:
  void SetUp() override {
    avio_s3_test::S3rverSuite::SetUp();
    if (HasFatalFailure()) return;
    proxy_ = std::make_unique<FaultProxy>(server_->port());
  }

  // s3rver's credentials, the store reached through the proxy.
  avio::OpenOptions options() const {
    avio::OpenOptions o;
    o.options.set("endpoint_url", proxy_->url(""));
    o.options.set("access_key_id", "S3RVER");
    o.options.set("secret_access_key", "S3RVER");
    return o;
  }
  static std::string url(const std::string &key) { return "s3://test-bucket/" + key; }

  // The heads whose request line starts with `prefix` ("PUT /test-bucket/k?partNumber=1&").
  std::vector<std::string> heads_starting(const std::string &prefix) const {
    std::vector<std::string> out;
    for (const std::string &h : proxy_->request_heads())
      if (h.rfind(prefix, 0) == 0) out.push_back(h);
    return out;
  }

  std::unique_ptr<FaultProxy> proxy_;
};

// ---------------------------------------------------------------- SlowDown

TEST_F(S3Faults, SlowDownOnTheOpenIsRetriedThenTheObjectIsRead) {
  const std::vector<uint8_t> data = random_bytes(40000, 1);  // within the open's one GET
  ASSERT_TRUE(server_->put_object("test-bucket", "slow/open.bin", data));
  proxy_->push(slow_down("SLOW-1"));
  proxy_->push(slow_down("SLOW-2"));
  avio::Result<avio::IOContext> ctx = avio::open_url(url("slow/open.bin"), options());
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
  // Two SlowDowns, then the answer: the same GET three times.
  const std::vector<std::string> heads = proxy_->request_heads();
  ASSERT_EQ(heads.size(), 3u);
  for (const std::string &h : heads) {
    EXPECT_EQ(request_line(h), "GET /test-bucket/slow/open.bin HTTP/1.1");
    EXPECT_EQ(head_field(h, "Range"), head_field(heads[0], "Range"));
  }
  EXPECT_EQ(proxy_->connections(), 1) << "a SlowDown answer keeps the connection";
}

TEST_F(S3Faults, SlowDownOnALaterRangeIsRetriedAfterRetryAfter) {
  const std::vector<uint8_t> data = random_bytes(100000, 2);  // the open's 64 KiB, then one more GET
  ASSERT_TRUE(server_->put_object("test-bucket", "slow/range.bin", data));
  proxy_->push(Fault{});
  proxy_->push(slow_down("SLOW-3", "1"));
  avio::Result<avio::IOContext> ctx = avio::open_url(url("slow/range.bin"), options());
  ASSERT_TRUE(ctx) << ctx.error().message();
  const auto start = Clock::now();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
  EXPECT_GE(took, milliseconds(1000)) << "Retry-After: 1 not honoured";
  EXPECT_LT(took, milliseconds(5000));
  const std::vector<std::string> heads = proxy_->request_heads();
  ASSERT_EQ(heads.size(), 3u);
  // The retry asks for the same range, still pinned to the object's ETag.
  EXPECT_EQ(head_field(heads[1], "Range").rfind("bytes=65536-", 0), 0u) << heads[1];
  EXPECT_EQ(head_field(heads[2], "Range"), head_field(heads[1], "Range"));
  EXPECT_FALSE(head_field(heads[2], "If-Match").empty());
}

TEST_F(S3Faults, SlowDownOnASinglePutIsRetried) {
  const std::vector<uint8_t> data = random_bytes(1000, 3);
  proxy_->push(slow_down("SLOW-4"));
  avio::Status st = upload(url("slow/put.bin"), data, options(), 333);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_TRUE(server_->get_object("test-bucket", "slow/put.bin") == data);
  const std::vector<std::string> heads = proxy_->request_heads();
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_EQ(request_line(heads[0]), "PUT /test-bucket/slow/put.bin HTTP/1.1");
  EXPECT_EQ(request_line(heads[1]), request_line(heads[0]));
  EXPECT_EQ(head_field(heads[1], "Content-MD5"), head_field(heads[0], "Content-MD5"));
}

TEST_F(S3Faults, SlowDownOnAPartIsRetriedAndTheUploadCompletes) {
  const std::vector<uint8_t> data = random_bytes(2 * kPart + 1234, 4);
  proxy_->push(Fault{});  // CreateMultipartUpload
  proxy_->push(slow_down("SLOW-5"));
  proxy_->push(slow_down("SLOW-6"));
  avio::OpenOptions o = options();
  o.options.set("part_size", std::to_string(kPart));
  o.options.set("parts_in_flight", "1");  // one part at a time: the SlowDowns go to part 1
  ASSERT_TRUE(upload(url("slow/parts.bin"), data, o, 1 << 20));
  EXPECT_TRUE(server_->get_object("test-bucket", "slow/parts.bin") == data);
  const std::vector<std::string> part1 = heads_starting("PUT /test-bucket/slow/parts.bin?partNumber=1&");
  EXPECT_EQ(part1.size(), 3u) << "part 1: two SlowDowns, then sent once more";
  for (const std::string &h : part1) EXPECT_EQ(head_field(h, "Content-Length"), std::to_string(kPart));
  EXPECT_EQ(heads_starting("PUT /test-bucket/slow/parts.bin?partNumber=2&").size(), 1u);
  EXPECT_EQ(heads_starting("PUT /test-bucket/slow/parts.bin?partNumber=3&").size(), 1u);
  // Initiate, 3 + 1 + 1 parts, complete.
  EXPECT_EQ(proxy_->requests(), 7);
}

TEST_F(S3Faults, SlowDownUntilTheRetriesRunOutIsAnErrorNamingIt) {
  ASSERT_TRUE(server_->put_object("test-bucket", "slow/out.bin", random_bytes(10, 5)));
  proxy_->push(slow_down("SLOW-7"));
  proxy_->push(slow_down("SLOW-8"));
  avio::OpenOptions o = options();
  o.options.set("max_retries", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(url("slow/out.bin"), o);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), avio::kHttpServerError);
  const std::string text = ctx.error().message();
  EXPECT_TRUE(contains(text, "SlowDown")) << text;
  EXPECT_TRUE(contains(text, "Please reduce your request rate.")) << text;
  EXPECT_TRUE(contains(text, "SLOW-8")) << text;  // the last answer's request id
  EXPECT_TRUE(contains(text, "s3://test-bucket/slow/out.bin")) << text;
  EXPECT_TRUE(contains(text, "2 attempts")) << text;
  EXPECT_EQ(proxy_->requests(), 2);

  // max_retries=0: the first SlowDown is the answer.
  proxy_->push(slow_down("SLOW-9"));
  o.options.set("max_retries", "0");
  const std::vector<uint8_t> data = random_bytes(100, 6);
  avio::Status st = upload(url("slow/out-put.bin"), data, o, 100);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), avio::kHttpServerError);
  EXPECT_TRUE(contains(st.error().message(), "SlowDown")) << st.error().message();
  EXPECT_TRUE(contains(st.error().message(), "SLOW-9")) << st.error().message();
  EXPECT_EQ(proxy_->requests(), 3);
  EXPECT_FALSE(server_->get_object("test-bucket", "slow/out-put.bin").has_value());
}

// A 503 of something in front of the store (a proxy, a load balancer) has
// no S3 error document: retried the same, and the error says what it was.
TEST_F(S3Faults, AnErrorAnswerWithoutAnS3DocumentSaysSo) {
  ASSERT_TRUE(server_->put_object("test-bucket", "plain.bin", random_bytes(10, 14)));
  proxy_->push(Fault{.kind = Fault::Kind::kStatus, .status = 503});  // text/plain, no <Error>
  proxy_->push(Fault{.kind = Fault::Kind::kStatus, .status = 503});
  avio::OpenOptions o = options();
  o.options.set("max_retries", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(url("plain.bin"), o);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), avio::kHttpServerError);
  const std::string text = ctx.error().message();
  EXPECT_TRUE(contains(text, "without an S3 error document")) << text;
  EXPECT_TRUE(contains(text, "503 for s3://test-bucket/plain.bin")) << text;
  EXPECT_EQ(proxy_->requests(), 2);
}

// ---------------------------------------------------------------- clock skew

TEST_F(S3Faults, ClockSkewIsReportedClearlyAndNotRetried) {
  const std::string skewed = avio_s3_test::s3_error_xml(
      "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", "SKEW-1",
      "<RequestTime>20190905T140027Z</RequestTime><ServerTime>2019-09-05T14:31:10Z</ServerTime>"
      "<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>");
  ASSERT_TRUE(server_->put_object("test-bucket", "skew.bin", random_bytes(10, 7)));
  proxy_->push(avio_s3_test::s3_error_fault(403, skewed));
  avio::Result<avio::IOContext> ctx = avio::open_url(url("skew.bin"), options());
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), -EACCES);
  const std::string text = ctx.error().message();
  EXPECT_TRUE(contains(text, "RequestTimeTooSkewed")) << text;
  EXPECT_TRUE(contains(text, "clock skew")) << text;
  EXPECT_TRUE(contains(text, "2019-09-05T14:31:10Z")) << "the server's time: " << text;
  EXPECT_TRUE(contains(text, "20190905T140027Z")) << "the request's time: " << text;
  EXPECT_TRUE(contains(text, "SKEW-1")) << text;
  EXPECT_EQ(proxy_->requests(), 1) << "a skewed clock does not get better by retrying";

  // An upload refused the same way fails at close with the same report.
  proxy_->push(avio_s3_test::s3_error_fault(403, skewed));
  avio::Status st = upload(url("skew-up.bin"), random_bytes(100, 8), options(), 100);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), -EACCES);
  EXPECT_TRUE(contains(st.error().message(), "clock skew")) << st.error().message();
  EXPECT_EQ(proxy_->requests(), 2);
}

// ---------------------------------------------------------------- interrupts

TEST_F(S3Faults, AStalledBodyIsEndedByTheTokenWithin100ms) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 9);
  ASSERT_TRUE(server_->put_object("test-bucket", "stall/token.bin", data));
  proxy_->push(Fault{.kind = Fault::Kind::kStall, .bytes = 20000});  // the first GET, within its body
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o = options();
  o.cancel = token;
  const auto start = Clock::now();
  RaiseLater raiser(milliseconds(300), [&token] { token->cancel(); });
  // The stall comes in the read after the open, or in the open itself when
  // the reader fills its first block there.
  avio::Error error(0);
  avio::Result<avio::IOContext> ctx = avio::open_url(url("stall/token.bin"), o);
  if (ctx) {
    avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
    ASSERT_FALSE(got) << "read the whole object through a stalled answer";
    error = got.error();
  } else {
    error = ctx.error();
  }
  const auto returned = Clock::now();
  const auto raised = raiser.raised_at();
  EXPECT_EQ(error.code(), avio::kExit) << error.message();
  EXPECT_GE(returned - start, milliseconds(300)) << "ended before the interrupt: " << error.message();
  EXPECT_LT(returned - raised, kInterruptBound);
}

TEST_F(S3Faults, ABackoffIsEndedByTheInterruptCallbackWithin100ms) {
  ASSERT_TRUE(server_->put_object("test-bucket", "stall/backoff.bin", random_bytes(10, 10)));
  proxy_->push(slow_down("SLOW-10", "30"));  // Retry-After: 30 s
  std::atomic<bool> stop{false};
  avio::OpenOptions o = options();
  o.interrupt_callback = [&stop] { return stop.load(); };
  const auto start = Clock::now();
  RaiseLater raiser(milliseconds(300), [&stop] { stop = true; });
  avio::Result<avio::IOContext> ctx = avio::open_url(url("stall/backoff.bin"), o);
  const auto returned = Clock::now();
  const auto raised = raiser.raised_at();
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), avio::kExit);
  EXPECT_GE(returned - start, milliseconds(300));
  EXPECT_LT(returned - raised, kInterruptBound);
  EXPECT_EQ(proxy_->requests(), 1);
}

TEST_F(S3Faults, AStalledPartIsEndedByTheTokenAndTheUploadAborted) {
  proxy_->push(Fault{});                                         // CreateMultipartUpload
  proxy_->push(Fault{.kind = Fault::Kind::kStall, .bytes = 0});  // part 1's answer never comes
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o = options();
  o.options.set("part_size", std::to_string(kPart));
  o.options.set("parts_in_flight", "1");
  o.cancel = token;
  o.flags = avio::kOpenWrite;
  avio::Result<std::unique_ptr<avio::UrlContext>> h = avio::open_url_context(url("stall/part.bin"), o);
  ASSERT_TRUE(h) << h.error().message();
  const std::vector<uint8_t> data = random_bytes(2 * kPart + 1, 11);
  const std::span<const uint8_t> bytes(data);
  // Part 1 goes out and stalls; handing on part 2 waits for it.
  ASSERT_TRUE((*h)->write(bytes.first(kPart + 1)));
  const auto start = Clock::now();
  RaiseLater raiser(milliseconds(300), [&token] { token->cancel(); });
  avio::Status st = (*h)->write(bytes.subspan(kPart + 1));
  const auto returned = Clock::now();
  const auto raised = raiser.raised_at();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), avio::kExit) << st.error().message();
  EXPECT_GE(returned - start, milliseconds(300));
  // The wait ends within the bound; the abort (one request on loopback) is
  // part of the same call.
  EXPECT_LT(returned - raised, kInterruptBound)
      << "write returned " << std::chrono::duration_cast<milliseconds>(returned - raised).count()
      << " ms after the cancel";
  EXPECT_FALSE((*h)->close()) << "close succeeded after the upload failed";
  EXPECT_FALSE(server_->get_object("test-bucket", "stall/part.bin").has_value());
  // s3rver has no AbortMultipartUpload (405): that the abort went out, for
  // this upload, is what can be seen.
  const std::vector<std::string> heads = proxy_->request_heads();
  ASSERT_GE(heads.size(), 3u);
  const std::string upload_id = query_param(heads[1], "uploadId");
  ASSERT_FALSE(upload_id.empty()) << heads[1];
  EXPECT_EQ(request_line(heads.back()), "DELETE /test-bucket/stall/part.bin?uploadId=" + upload_id + " HTTP/1.1");
  EXPECT_TRUE(heads_starting("POST /test-bucket/stall/part.bin?uploadId=").empty()) << "completed all the same";
  EXPECT_TRUE(heads_starting("PUT /test-bucket/stall/part.bin?partNumber=2&").empty());
}

// A failed upload stays failed: later writes neither start another upload
// nor succeed, and close reports the failure.
TEST_F(S3Faults, WritesAfterAFailedUploadAreRefused) {
  proxy_->push(avio_s3_test::s3_error_fault(
      403, avio_s3_test::s3_error_xml("AccessDenied", "Access Denied", "DENIED-1")));  // CreateMultipartUpload
  avio::OpenOptions o = options();
  o.options.set("part_size", std::to_string(kPart));
  o.flags = avio::kOpenWrite;
  avio::Result<std::unique_ptr<avio::UrlContext>> h = avio::open_url_context(url("denied/up.bin"), o);
  ASSERT_TRUE(h) << h.error().message();
  const std::vector<uint8_t> data = random_bytes(kPart + 1, 13);
  avio::Status first = (*h)->write(data);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code(), -EACCES);
  EXPECT_TRUE(contains(first.error().message(), "AccessDenied")) << first.error().message();
  avio::Status second = (*h)->write(data);
  EXPECT_FALSE(second) << "a write after the failure succeeded";
  avio::Status closed = (*h)->close();
  ASSERT_FALSE(closed) << "close succeeded after the upload failed";
  EXPECT_EQ(closed.error().code(), -EACCES);
  EXPECT_EQ(heads_starting("POST /test-bucket/denied/up.bin?uploads").size(), 1u) << "another upload was started";
  EXPECT_TRUE(heads_starting("PUT /test-bucket/denied/up.bin").empty());
  EXPECT_FALSE(server_->get_object("test-bucket", "denied/up.bin").has_value());
}

}  // namespace
