// The http and https protocols against a real nginx (started and stopped by
// the fixture on loopback), and through the fault proxy: whole reads,
// range seeks on one kept-alive connection, redirects, status codes,
// authentication, headers and cookies, gzip and chunked bodies, uploads,
// reconnects that lose no byte, interrupts and timeouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "../net_fixture.hpp"
#include "../net_test_util.hpp"
#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "fault_proxy.hpp"
#include "io_test_util.hpp"
#include "nginx_fixture.hpp"
#include "nginx_suite.hpp"

namespace {

using avio_http_test::Fault;
using avio_http_test::FaultProxy;
using avio_http_test::random_bytes;
using avio_http_test::read_all;
using avio_http_test::upload;
using avio_http_test::without_cache;
using Clock = std::chrono::steady_clock;

std::string text_of(std::span<const uint8_t> v) { return std::string(v.begin(), v.end()); }

class HttpClient : public avio_http_test::NginxSuite {
 protected:
  avio::OpenOptions tls_options() const {
    avio::OpenOptions o = without_cache();
    o.options.set("ca_file", server_->ca_file());
    return o;
  }
};

TEST_F(HttpClient, ReadsAWholeFileOverHttpAndHttps) {
  const std::vector<uint8_t> data = random_bytes(3 << 20, 1);
  nginx().put_file("whole.bin", data);
  for (const std::string &url : {nginx().http_url("/whole.bin"), nginx().https_url("/whole.bin")}) {
    SCOPED_TRACE(url);
    avio::Result<avio::IOContext> ctx = avio::open_url(url, url[4] == 's' ? tls_options() : avio::OpenOptions{});
    ASSERT_TRUE(ctx) << ctx.error().message();
    EXPECT_TRUE(ctx->seekable());
    avio::Result<int64_t> size = ctx->size();
    ASSERT_TRUE(size) << size.error().message();
    EXPECT_EQ(*size, static_cast<int64_t>(data.size()));
    avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_TRUE(*got == data);
    EXPECT_TRUE(ctx->close());
  }
}

TEST_F(HttpClient, HttpsVerifiesTheServerByDefault) {
  nginx().put_file("v.bin", std::string_view("verified"));
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().https_url("/v.bin"), without_cache());
  ASSERT_FALSE(ctx);
  EXPECT_NE(ctx.error().message().find("certificate"), std::string::npos) << ctx.error().message();
}

TEST_F(HttpClient, RandomSeeksReuseOneKeptAliveConnection) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 2);
  nginx().put_file("seek.bin", data);
  nginx().clear_access_log();
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/seek.bin"), without_cache());
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::mt19937 rng(7);
  const int kSeeks = 40;
  for (int i = 0; i < kSeeks; ++i) {
    const int64_t pos = static_cast<int64_t>(rng() % (data.size() - 5000));
    ASSERT_TRUE(ctx->seek(pos));
    uint8_t buf[4096];
    avio::Result<size_t> n = ctx->read(buf);
    ASSERT_TRUE(n) << n.error().message();
    ASSERT_TRUE(std::equal(buf, buf + *n, data.begin() + pos)) << "at " << pos;
  }
  ASSERT_TRUE(ctx->close());
  const auto log = nginx().wait_access_log(1);
  std::set<int64_t> connections;
  for (const auto &e : log) connections.insert(e.connection);
  // Each far seek abandons an open-ended response; a near one drains it.
  // Either way far fewer connections than FFmpeg's one per seek.
  EXPECT_LE(connections.size(), log.size());
  EXPECT_GE(log.size(), 2u);
  EXPECT_LE(log.size(), static_cast<size_t>(kSeeks) + 1);
  for (const auto &e : log) EXPECT_EQ(e.range.rfind("bytes=", 0), 0u) << e.range;
}

TEST_F(HttpClient, BoundedRequestsKeepOneConnectionForASeekHeavyRead) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 3);
  nginx().put_file("bounded.bin", data);
  nginx().clear_access_log();
  avio::OpenOptions o = without_cache();
  o.options.set("request_size", "65536");
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/bounded.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  std::mt19937 rng(9);
  for (int i = 0; i < 30; ++i) {
    const int64_t pos = static_cast<int64_t>(rng() % (data.size() - 100000));
    ASSERT_TRUE(ctx->seek(pos));
    std::vector<uint8_t> buf(100000);
    avio::Result<size_t> n = ctx->read(buf);
    ASSERT_TRUE(n) << n.error().message();
    ASSERT_EQ(*n, buf.size());
    ASSERT_TRUE(std::equal(buf.begin(), buf.end(), data.begin() + pos)) << "at " << pos;
  }
  ASSERT_TRUE(ctx->close());
  const auto log = nginx().wait_access_log(1);
  std::set<int64_t> connections;
  for (const auto &e : log) connections.insert(e.connection);
  EXPECT_EQ(connections.size(), 1u) << log.size() << " requests";
  for (const auto &e : log) EXPECT_NE(e.range.find('-'), e.range.size() - 1) << "open-ended: " << e.range;
}

TEST_F(HttpClient, FollowsEveryRedirectKindAndExportsTheLocation) {
  nginx().put_file("target.txt", std::string_view("redirected body"));
  for (const char *code : {"301", "302", "303", "307", "308"}) {
    SCOPED_TRACE(code);
    avio::Result<std::unique_ptr<avio::UrlContext>> h =
        avio::open_url_context(nginx().http_url("/r" + std::string(code) + "/target.txt"), without_cache());
    ASSERT_TRUE(h) << h.error().message();
    uint8_t buf[64];
    avio::Result<size_t> n = (*h)->read_complete(buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(buf), *n), "redirected body");
    EXPECT_EQ((*h)->options().string("location"), nginx().http_url("/target.txt"));
    EXPECT_TRUE((*h)->close());
  }
  avio::Result<avio::IOContext> loop = avio::open_url(nginx().http_url("/loop"), without_cache());
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().code(), -EIO);
  EXPECT_NE(loop.error().message().find("max_redirects"), std::string::npos) << loop.error().message();
}

TEST_F(HttpClient, StatusCodesMapToFfmpegsErrorsNamingTheStatusAndUrl) {
  const std::map<std::string, int> expected = {
      {"400", avio::kHttpBadRequest},  {"401", avio::kHttpUnauthorized},    {"403", avio::kHttpForbidden},
      {"404", avio::kHttpNotFound},    {"429", avio::kHttpTooManyRequests}, {"410", avio::kHttpOther4xx},
      {"500", avio::kHttpServerError}, {"503", avio::kHttpServerError},
  };
  for (const auto &[status, code] : expected) {
    SCOPED_TRACE(status);
    const std::string url = nginx().http_url("/status/" + status);
    avio::Result<avio::IOContext> ctx = avio::open_url(url, without_cache());
    ASSERT_FALSE(ctx);
    EXPECT_EQ(ctx.error().code(), code);
    EXPECT_NE(ctx.error().message().find(status), std::string::npos) << ctx.error().message();
    EXPECT_NE(ctx.error().message().find(url), std::string::npos) << ctx.error().message();
  }
  const int port = avio_net_test::free_port(AF_INET);
  avio::Result<avio::IOContext> refused =
      avio::open_url("http://127.0.0.1:" + std::to_string(port) + "/x", without_cache());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), -ECONNREFUSED);
}

TEST_F(HttpClient, BasicAuthenticationFromTheUrl) {
  nginx().put_file("auth/secret.txt", std::string_view("top secret"));
  const std::string base = "http://127.0.0.1:" + std::to_string(nginx().http_port());
  avio::Result<avio::IOContext> anonymous = avio::open_url(base + "/auth/secret.txt", without_cache());
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code(), avio::kHttpUnauthorized);
  avio::Result<avio::IOContext> wrong = avio::open_url(
      "http://alice:wrong@127.0.0.1:" + std::to_string(nginx().http_port()) + "/auth/secret.txt", without_cache());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), avio::kHttpUnauthorized);
  for (const char *auth_type : {"none", "basic"}) {
    avio::OpenOptions o = without_cache();
    o.options.set("auth_type", auth_type);
    avio::Result<avio::IOContext> ok =
        avio::open_url("http://alice:s3cret@127.0.0.1:" + std::to_string(nginx().http_port()) + "/auth/secret.txt", o);
    ASSERT_TRUE(ok) << ok.error().message();
    avio::Result<std::vector<uint8_t>> got = read_all(*ok);
    ASSERT_TRUE(got);
    EXPECT_EQ(text_of(*got), "top secret");
  }
}

TEST_F(HttpClient, SendsTheHeaderOptionsAndRejectsInjection) {
  avio::OpenOptions o = without_cache();
  o.options.set("user_agent", "avio-test/1");
  o.options.set("referer", "http://example.test/page");
  o.options.set("headers", "X-Test: forty two\r\n");
  o.options.set("cookies", "flavour=vanilla; path=/; domain=127.0.0.1");
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/echo"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got);
  const std::string echo = text_of(*got);
  EXPECT_NE(echo.find("ua=avio-test/1\n"), std::string::npos) << echo;
  EXPECT_NE(echo.find("referer=http://example.test/page\n"), std::string::npos) << echo;
  EXPECT_NE(echo.find("x-test=forty two\n"), std::string::npos) << echo;
  EXPECT_NE(echo.find("cookie=flavour=vanilla\n"), std::string::npos) << echo;
  EXPECT_NE(echo.find("icy=1\n"), std::string::npos) << echo;

  for (const auto &[name, value] :
       std::vector<std::pair<std::string, std::string>>{{"user_agent", "a\r\nX-Evil: 1"},
                                                        {"referer", "x\ny"},
                                                        {"headers", "X-A: 1\r\nX-Evil 2\r\n"},
                                                        {"method", "GET /x HTTP/1.1\r\n"},
                                                        {"cookies", "a=1\rX-Evil: 1"}}) {
    SCOPED_TRACE(name);
    avio::OpenOptions bad = without_cache();
    bad.options.set(name, value);
    avio::Result<avio::IOContext> refused = avio::open_url(nginx().http_url("/echo"), bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), -EINVAL);
    EXPECT_NE(refused.error().message().find(name == "method" ? "method" : name), std::string::npos)
        << refused.error().message();
  }
}

TEST_F(HttpClient, ReceivedCookiesAreSentAgainAndReadBack) {
  avio::Result<std::unique_ptr<avio::UrlContext>> h =
      avio::open_url_context(nginx().http_url("/setcookie"), without_cache());
  ASSERT_TRUE(h) << h.error().message();
  const std::string jar = (*h)->options().string("cookies");
  EXPECT_NE(jar.find("a=1"), std::string::npos) << jar;
  EXPECT_NE(jar.find("b=2"), std::string::npos) << jar;
  EXPECT_TRUE((*h)->close());
  avio::OpenOptions o = without_cache();
  o.options.set("cookies", jar);
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/echo"), o);
  ASSERT_TRUE(ctx);
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got);
  const std::string echo = text_of(*got);
  // b has Path=/echo, a has Path=/: both apply to /echo.
  EXPECT_NE(echo.find("a=1"), std::string::npos) << echo;
  EXPECT_NE(echo.find("b=2"), std::string::npos) << echo;
}

TEST_F(HttpClient, GzipAndChunkedBodiesAreDecoded) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  nginx().put_file("gzip/text.txt", text);
  nginx().put_file("chunked/text.txt", text);
  avio::OpenOptions o = without_cache();
  o.options.set("headers", "Accept-Encoding: gzip\r\n");
  avio::Result<avio::IOContext> gz = avio::open_url(nginx().http_url("/gzip/text.txt"), o);
  ASSERT_TRUE(gz) << gz.error().message();
  EXPECT_FALSE(gz->seekable());
  avio::Result<std::vector<uint8_t>> got = read_all(*gz);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(text_of(*got), text);
  const auto log = nginx().wait_access_log(1);
  ASSERT_FALSE(log.empty());
  EXPECT_LT(log.back().body_bytes, static_cast<int64_t>(text.size()) / 2) << "not compressed on the wire";

  avio::Result<avio::IOContext> chunked = avio::open_url(nginx().http_url("/chunked/text.txt"), without_cache());
  ASSERT_TRUE(chunked) << chunked.error().message();
  got = read_all(*chunked);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(text_of(*got), text);
}

TEST_F(HttpClient, PutsChunkedAndWithALengthByteForByte) {
  const std::vector<uint8_t> data = random_bytes((2 << 20) + 123, 4);
  avio::Status chunked = upload(nginx().http_url("/dav/chunked.bin"), data, {{"method", "PUT"}}, 70000);
  ASSERT_TRUE(chunked) << chunked.error().message();
  EXPECT_TRUE(nginx().read_file("dav/chunked.bin") == data);
  avio::Status sized = upload(nginx().https_url("/dav/sized.bin"), data,
                              {{"method", "PUT"}, {"chunked_post", "0"}, {"ca_file", nginx().ca_file()}}, 4096);
  ASSERT_TRUE(sized) << sized.error().message();
  EXPECT_TRUE(nginx().read_file("dav/sized.bin") == data);
  const auto log = nginx().wait_access_log(2);
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[log.size() - 2].method, "PUT");
}

TEST_F(HttpClient, ARefusedUploadIsAnErrorOfClose) {
  const std::vector<uint8_t> data = random_bytes(100000, 5);
  avio::Status refused = upload(nginx().http_url("/not-dav/x.bin"), data, {{"method", "PUT"}}, 8192);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), avio::kHttpOther4xx);  // 405 Not Allowed
  EXPECT_NE(refused.error().message().find("405"), std::string::npos) << refused.error().message();
}

// ---------------------------------------------------------------- faults

class HttpFaults : public HttpClient {};

TEST_F(HttpFaults, ReconnectResumesAtTheExactByteWithIfRange) {
  const std::vector<uint8_t> data = random_bytes(2 << 20, 6);
  nginx().put_file("cut.bin", data);
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kCutAfter, .bytes = 300000});
  proxy.push(Fault{.kind = Fault::Kind::kCutAfter, .bytes = 700000});
  avio::OpenOptions o = without_cache();
  o.options.set("reconnect", "1");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/cut.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data) << got->size() << " bytes";
  const std::vector<std::string> heads = proxy.request_heads();
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_NE(heads[1].find("If-Range: "), std::string::npos) << heads[1];
  EXPECT_EQ(heads[1].find("Range: bytes=0-"), std::string::npos) << heads[1];
}

TEST_F(HttpFaults, WithoutReconnectACutIsAnError) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 7);
  nginx().put_file("cut2.bin", data);
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kCutAfter, .bytes = 200000});
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/cut2.bin"), without_cache());
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), -EIO);
}

TEST_F(HttpFaults, AFileChangedBetweenRequestsIsAnErrorNotASplice) {
  const std::vector<uint8_t> data = random_bytes(1 << 20, 8);
  nginx().put_file("change.bin", data);
  avio::Result<std::unique_ptr<avio::UrlContext>> h =
      avio::open_url_context(nginx().http_url("/change.bin"), without_cache());
  ASSERT_TRUE(h);
  uint8_t buf[1000];
  ASSERT_TRUE((*h)->read(buf));
  const std::vector<uint8_t> other = random_bytes(1 << 20, 9);
  // nginx's ETag is mtime-size: make sure the mtime moves.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  nginx().put_file("change.bin", other);
  avio::Result<int64_t> at = (*h)->seek(600000, avio::kSeekSet);
  ASSERT_FALSE(at) << "read on into the new file";
  EXPECT_EQ(at.error().code(), -EIO);
  EXPECT_NE(at.error().message().find("changed on the server"), std::string::npos) << at.error().message();
  EXPECT_TRUE((*h)->close());
}

TEST_F(HttpFaults, ServerErrorsAreRetriedHonouringRetryAfter) {
  nginx().put_file("retry.txt", std::string_view("after the storm"));
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kStatus, .status = 503, .retry_after = "1"});
  proxy.push(Fault{.kind = Fault::Kind::kStatus, .status = 500});
  avio::OpenOptions o = without_cache();
  o.options.set("reconnect_on_http_error", "5xx");
  const auto start = Clock::now();
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/retry.txt"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  const auto waited = Clock::now() - start;
  // 503 with Retry-After: 1 s; then 500: FFmpeg's next delay, 1 s.
  EXPECT_GE(waited, std::chrono::milliseconds(1900));
  EXPECT_LT(waited, std::chrono::milliseconds(4000));
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got);
  EXPECT_EQ(text_of(*got), "after the storm");
  EXPECT_EQ(proxy.requests(), 3);

  proxy.push(Fault{.kind = Fault::Kind::kStatus, .status = 503});
  avio::Result<avio::IOContext> plain = avio::open_url(proxy.url("/retry.txt"), without_cache());
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code(), avio::kHttpServerError);
}

TEST_F(HttpFaults, RetriesStopAtTheConfiguredLimit) {
  FaultProxy proxy(nginx().http_port());
  for (int i = 0; i < 5; ++i) proxy.push(Fault{.kind = Fault::Kind::kStatus, .status = 503});
  avio::OpenOptions o = without_cache();
  o.options.set("reconnect_on_http_error", "503");
  o.options.set("reconnect_delay_max", "0");  // delays 0, then 1 > 0: one retry
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/retry.txt"), o);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), avio::kHttpServerError);
  EXPECT_EQ(proxy.requests(), 2);
}

TEST_F(HttpFaults, AStallIsEndedByTheInterruptWithin100ms) {
  nginx().put_file("stall.bin", random_bytes(1 << 20, 10));
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 100000});
  auto token = std::make_shared<avio::CancellationToken>();
  avio::OpenOptions o = without_cache();
  o.cancel = token;
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/stall.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio_net_test::RaiseLater raiser(std::chrono::milliseconds(300), [&token] { token->cancel(); });
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  const auto ended = Clock::now();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), avio::kExit);
  EXPECT_LT(ended - raiser.raised_at(), avio_net_test::kInterruptBound);
}

TEST_F(HttpFaults, AStallPastRwTimeoutIsETIMEDOUT) {
  nginx().put_file("stall2.bin", random_bytes(1 << 20, 11));
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 100000});
  avio::OpenOptions o = without_cache();
  o.rw_timeout = 200000;
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/stall2.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  const auto start = Clock::now();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), -ETIMEDOUT);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));
}

TEST_F(HttpFaults, TheHttpProxyOptionAndEnvironment) {
  nginx().put_file("proxied.txt", std::string_view("through the proxy"));
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o = without_cache();
  o.options.set("http_proxy", proxy.url(""));
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().http_url("/proxied.txt"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got);
  EXPECT_EQ(text_of(*got), "through the proxy");
  ASSERT_EQ(proxy.request_heads().size(), 1u);
  EXPECT_EQ(proxy.request_heads()[0].rfind("GET http://127.0.0.1:", 0), 0u) << proxy.request_heads()[0];

  setenv("http_proxy", proxy.url("").c_str(), 1);
  setenv("no_proxy", "example.invalid", 1);
  ctx = avio::open_url(nginx().http_url("/proxied.txt"), without_cache());
  ASSERT_TRUE(ctx) << ctx.error().message();
  EXPECT_EQ(proxy.request_heads().size(), 2u);
  setenv("no_proxy", "127.0.0.1", 1);
  ctx = avio::open_url(nginx().http_url("/proxied.txt"), without_cache());
  ASSERT_TRUE(ctx) << ctx.error().message();
  EXPECT_EQ(proxy.request_heads().size(), 2u);
  unsetenv("http_proxy");
  unsetenv("no_proxy");
}

TEST_F(HttpClient, PostDataAndTheExportedOptions) {
  avio::OpenOptions o = without_cache();
  o.options.set("post_data", "6b65793d76616c7565");  // "key=value", hex as AV_OPT_TYPE_BINARY takes it
  avio::Result<std::unique_ptr<avio::UrlContext>> h = avio::open_url_context(nginx().http_url("/echo"), o);
  ASSERT_TRUE(h) << h.error().message();
  uint8_t buf[4096];
  avio::Result<size_t> n = (*h)->read_complete(buf);
  ASSERT_TRUE(n);
  const std::string echo(reinterpret_cast<char *>(buf), *n);
  EXPECT_NE(echo.find("method=POST\n"), std::string::npos) << echo;
  EXPECT_EQ((*h)->options().string("mime_type"), "text/plain");
  EXPECT_EQ((*h)->options().string("http_version"), "1.1");
  EXPECT_TRUE((*h)->close());
  // Exported options are read-only: an open that sets one fails, naming it.
  avio::OpenOptions ro = without_cache();
  ro.options.set("mime_type", "text/html");
  avio::Result<avio::IOContext> refused = avio::open_url(nginx().http_url("/echo"), ro);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("mime_type"), std::string::npos) << refused.error().message();
}

TEST_F(HttpClient, ExpectContinueBeforeAnUpload) {
  const std::vector<uint8_t> data = random_bytes(300000, 12);
  avio::Status st =
      upload(nginx().http_url("/dav/expect.bin"), data, {{"method", "PUT"}, {"send_expect_100", "1"}}, 65536);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_TRUE(nginx().read_file("dav/expect.bin") == data);
}

TEST_F(HttpClient, HttpsThroughAProxyTunnelsWithConnect) {
  nginx().put_file("tunnel.txt", std::string_view("inside the tunnel"));
  FaultProxy proxy(nginx().http_port());
  avio::OpenOptions o = tls_options();
  o.options.set("http_proxy", proxy.url(""));
  avio::Result<avio::IOContext> ctx = avio::open_url(nginx().https_url("/tunnel.txt"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(text_of(*got), "inside the tunnel");
  ASSERT_FALSE(proxy.request_heads().empty());
  EXPECT_EQ(proxy.request_heads()[0].rfind("CONNECT localhost:" + std::to_string(nginx().https_port()), 0), 0u)
      << proxy.request_heads()[0];
}

// A SHOUTcast-style server: ICY metadata every 1000 bytes of audio.
TEST(HttpIcy, MetadataIsStrippedAndExported) {
  std::vector<uint8_t> audio = random_bytes(5500, 13);
  std::string body;
  const std::string meta = "StreamTitle='avio test';";
  for (size_t at = 0; at < audio.size(); at += 1000) {
    body.append(audio.begin() + static_cast<long>(at),
                audio.begin() + static_cast<long>(std::min(at + 1000, audio.size())));
    if (at + 1000 <= audio.size()) {
      std::string block = at == 2000 ? meta : "";
      block.resize((block.size() + 15) / 16 * 16, '\0');
      body += static_cast<char>(block.size() / 16);
      body += block;
    }
  }
  const std::string response =
      "HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nicy-name: avio radio\r\n"
      "icy-metaint: 1000\r\n\r\n" +
      body;
  // Reads the request head, answers, and closes (HTTP/1.0).
  avio_net_test::Peer server(AF_INET, [&response](int fd, const std::atomic<bool> &stop) {
    std::string request;
    char c;
    while (request.find("\r\n\r\n") == std::string::npos && avio_net_test::wait_fd(fd, POLLIN, stop) &&
           ::read(fd, &c, 1) == 1)
      request += c;
    avio_net_test::send_all(fd, response.data(), response.size(), stop);
  });
  avio::Result<std::unique_ptr<avio::UrlContext>> h =
      avio::open_url_context("http://127.0.0.1:" + std::to_string(server.port()) + "/stream", without_cache());
  ASSERT_TRUE(h) << h.error().message();
  std::vector<uint8_t> got(8000);
  avio::Result<size_t> n = (*h)->read_complete(got);
  ASSERT_TRUE(n) << n.error().message();
  got.resize(*n);
  EXPECT_TRUE(got == audio) << got.size();
  EXPECT_NE((*h)->options().string("icy_metadata_headers").find("icy-name: avio radio"), std::string::npos)
      << (*h)->options().string("icy_metadata_headers");
  EXPECT_NE((*h)->options().string("icy_metadata_packet").find("StreamTitle='avio test';"), std::string::npos);
  EXPECT_TRUE((*h)->close());
}

// A server that closes an idle kept-alive connection: the next request is
// sent again on a new one, invisibly.
TEST_F(HttpFaults, AKeptAliveConnectionClosedByTheServerIsReplaced) {
  const std::vector<uint8_t> data = random_bytes(200000, 14);
  nginx().put_file("closed.bin", data);
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kCloseAfterResponse});
  avio::OpenOptions o = without_cache();
  o.options.set("request_size", "50000");
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/closed.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(proxy.connections(), 2);
  // The request sent on the closed connection never reached the proxy.
  EXPECT_EQ(proxy.requests(), 4);
}

TEST_F(HttpFaults, TheInterruptCallbackEndsAStallAndABackoffWithin100ms) {
  nginx().put_file("stall3.bin", random_bytes(1 << 20, 15));
  FaultProxy proxy(nginx().http_port());
  proxy.push(Fault{.kind = Fault::Kind::kStall, .bytes = 100000});
  std::atomic<bool> stop{false};
  avio::OpenOptions o = without_cache();
  o.interrupt_callback = [&stop] { return stop.load(); };
  avio::Result<avio::IOContext> ctx = avio::open_url(proxy.url("/stall3.bin"), o);
  ASSERT_TRUE(ctx) << ctx.error().message();
  auto raise_after = [&stop](int ms) {
    return std::make_unique<avio_net_test::RaiseLater>(std::chrono::milliseconds(ms), [&stop] { stop = true; });
  };
  auto raiser = raise_after(200);
  avio::Result<std::vector<uint8_t>> got = read_all(*ctx);
  auto ended = Clock::now();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), avio::kExit);
  EXPECT_LT(ended - raiser->raised_at(), avio_net_test::kInterruptBound);

  // A backoff sleep (Retry-After: 30) ends on the interrupt too.
  stop = false;
  proxy.push(Fault{.kind = Fault::Kind::kStatus, .status = 503, .retry_after = "30"});
  avio::OpenOptions retrying = o;
  retrying.options.set("reconnect_on_http_error", "503");
  raiser = raise_after(200);
  avio::Result<avio::IOContext> opened = avio::open_url(proxy.url("/stall3.bin"), retrying);
  ended = Clock::now();
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), avio::kExit);
  EXPECT_LT(ended - raiser->raised_at(), avio_net_test::kInterruptBound);
}

}  // namespace
