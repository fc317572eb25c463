// Differential tests of http and https: tests/url/avio_ops.c, built against
// libavformat and against avio's C API, runs the same seeded operation
// sequences on the same nginx URLs; both must print the same results. The
// nginx access log then shows how many requests and connections each made:
// avio may not make more of either.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "../../url/url_test_util.hpp"
#include "../net_test_util.hpp"
#include "fault_proxy.hpp"
#include "nginx_fixture.hpp"

namespace {

using avio_http_test::AccessLogEntry;
using avio_http_test::Nginx;
using avio_test::run;
using avio_test::shell_quote;

struct Traffic {
  size_t requests = 0;
  size_t connections = 0;
  int64_t bytes = 0;
};

Traffic traffic_of(const std::vector<AccessLogEntry> &log) {
  Traffic t;
  std::set<int64_t> connections;
  for (const AccessLogEntry &e : log) {
    ++t.requests;
    connections.insert(e.connection);
    t.bytes += e.body_bytes;
  }
  t.connections = connections.size();
  return t;
}

class HttpDiff : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    server_ = Nginx::start(&error).release();
    ASSERT_NE(server_, nullptr) << "nginx did not start: " << error;
    server_->put_file("data.bin", avio_test::random_bytes(700000, 1));
    server_->put_file("small.bin", avio_test::random_bytes(5000, 2));
    server_->put_file("empty.bin", std::string_view());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  // Runs one build of the ops program; its traffic from the access log.
  static std::string run_one(const char *program, const std::vector<std::string> &args, Traffic *traffic) {
    server_->clear_access_log();
    std::string tail;
    for (const std::string &a : args) tail += " " + shell_quote(a);
    int status = 0;
    std::string out = run(std::string(program) + tail + " 2>/dev/null", &status);
    // Settled, so that no late entry of this side's lands in the next's.
    const std::vector<avio_http_test::AccessLogEntry> log =
        server_->settled_access_log(1, std::chrono::milliseconds(100), std::chrono::seconds(2));
    if (traffic) *traffic = traffic_of(log);
    return out;
  }

  // Same output from both, FFmpeg's starting with `expect_prefix`. With
  // `strict_traffic`, avio's requests and connections are no more than
  // FFmpeg's; else they are added to the suite's totals (whether the engine
  // reads forward or seeks depends on the TCP receive window, which the
  // kernel grows as a connection is used: a per-sequence count is timing).
  // `avio_url`, when given, replaces the URL (args[1]) on avio's side: the
  // same URL through a layer such as blockcache: must read the same.
  static void expect_same(const std::vector<std::string> &args, const std::string &expect_prefix,
                          bool strict_traffic = false, const std::string &avio_url = "") {
    Traffic lavf, ours;
    const std::string ffmpeg = run_one(AVIO_OPS_FFMPEG, args, &lavf);
    std::vector<std::string> avio_args = args;
    if (!avio_url.empty()) avio_args[1] = avio_url;
    const std::string avio = run_one(AVIO_OPS_AVIO, avio_args, &ours);
    std::string what;
    for (const std::string &a : args) what += " " + a;
    EXPECT_EQ(ffmpeg.rfind(expect_prefix, 0), 0u) << what << "\nlibavformat printed:\n" << ffmpeg.substr(0, 400);
    EXPECT_EQ(first_difference(ffmpeg, avio), "") << what;
    if (strict_traffic) {
      EXPECT_LE(ours.requests, lavf.requests) << what;
      EXPECT_LE(ours.connections, lavf.connections) << what;
    }
    total_lavf_.requests += lavf.requests;
    total_lavf_.connections += lavf.connections;
    total_lavf_.bytes += lavf.bytes;
    total_ours_.requests += ours.requests;
    total_ours_.connections += ours.connections;
    total_ours_.bytes += ours.bytes;
    std::printf("[traffic]%s: libavformat %zu requests, %zu connections, %lld bytes; avio %zu, %zu, %lld\n",
                what.c_str(), lavf.requests, lavf.connections, static_cast<long long>(lavf.bytes), ours.requests,
                ours.connections, static_cast<long long>(ours.bytes));
  }

  // The totals of a test's sequences: avio no more requests or connections.
  static void expect_fewer_in_total() {
    std::printf("[traffic] total: libavformat %zu requests, %zu connections, %lld bytes; avio %zu, %zu, %lld\n",
                total_lavf_.requests, total_lavf_.connections, static_cast<long long>(total_lavf_.bytes),
                total_ours_.requests, total_ours_.connections, static_cast<long long>(total_ours_.bytes));
    EXPECT_LE(total_ours_.requests, total_lavf_.requests);
    EXPECT_LE(total_ours_.connections, total_lavf_.connections);
    total_lavf_ = total_ours_ = Traffic{};
  }

  static std::string first_difference(const std::string &a, const std::string &b) {
    if (a == b) return "";
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    const size_t start = a.rfind('\n', i) == std::string::npos ? 0 : a.rfind('\n', i) + 1;
    auto line = [&](const std::string &s) { return s.substr(start, s.find('\n', start) - start); };
    return "libavformat: '" + line(a) + "' avio: '" + line(b) + "'";
  }

  static std::string tls_ca() { return "ca_file=" + server_->ca_file(); }

  static Nginx *server_;
  static Traffic total_lavf_, total_ours_;
};

Nginx *HttpDiff::server_ = nullptr;
Traffic HttpDiff::total_lavf_;
Traffic HttpDiff::total_ours_;

TEST_F(HttpDiff, SeededSequencesOverHttp) {
  for (const char *seed : {"1", "2", "3", "4", "5", "6"})
    expect_same({"readtimed", server_->http_url("/data.bin"), seed, "150"}, "open 0\n");
  expect_same({"readtimed", server_->http_url("/small.bin"), "7", "100"}, "open 0\n");
  expect_fewer_in_total();
}

TEST_F(HttpDiff, SeededSequencesOverHttps) {
  for (const char *seed : {"11", "12", "13"})
    expect_same({"readtimed", server_->https_url("/data.bin"), seed, "100", tls_ca(), "tls_verify=1"}, "open 0\n");
  expect_fewer_in_total();
}

// The C API's opt-in to the block cache: the same sequences read the same
// through "blockcache:", in fewer requests and connections.
TEST_F(HttpDiff, SeededSequencesThroughTheBlockCache) {
  for (const char *seed : {"1", "2", "3", "4", "5", "6"})
    expect_same({"readtimed", server_->http_url("/data.bin"), seed, "150"}, "open 0\n", false,
                "blockcache:" + server_->http_url("/data.bin"));
  expect_same({"readtimed", server_->http_url("/small.bin"), "7", "100"}, "open 0\n", false,
              "blockcache:" + server_->http_url("/small.bin"));
  expect_same({"readtimed", server_->https_url("/data.bin"), "13", "100", tls_ca(), "tls_verify=1"}, "open 0\n", false,
              "blockcache:" + server_->https_url("/data.bin"));
  expect_fewer_in_total();
}

// With the short-seek threshold fixed, the one kernel-dependent choice left
// is where the engine's buffer boundaries fall (how many bytes each socket
// read returns, in both libraries), which moves a count by one either way;
// over a batch of sequences avio's kept-alive connection must save requests
// and connections.
TEST_F(HttpDiff, FewerRequestsWithAFixedShortSeek) {
  for (const char *seed : {"31", "32", "33", "34", "35", "36"})
    expect_same({"readtimed", server_->http_url("/data.bin"), seed, "150", "short_seek_size=65536"}, "open 0\n");
  expect_same(
      {"readtimed", server_->https_url("/data.bin"), "37", "100", tls_ca(), "tls_verify=1", "short_seek_size=65536"},
      "open 0\n");
  expect_fewer_in_total();
}

TEST_F(HttpDiff, WholeStreams) {
  for (const char *file : {"/data.bin", "/small.bin", "/empty.bin"}) {
    Traffic lavf, ours;
    const std::string ffmpeg = run_one(AVIO_OPS_FFMPEG, {"dump", server_->http_url(file)}, &lavf);
    const std::string avio = run_one(AVIO_OPS_AVIO, {"dump", server_->http_url(file)}, &ours);
    const std::vector<uint8_t> want = server_->read_file(std::string(file).substr(1));
    EXPECT_TRUE(ffmpeg == std::string(want.begin(), want.end())) << file;
    EXPECT_TRUE(avio == ffmpeg) << file;
    EXPECT_LE(ours.requests, lavf.requests) << file;
  }
}

TEST_F(HttpDiff, OpenErrors) {
  for (const char *path : {"/missing.bin", "/status/403", "/status/404", "/status/400", "/status/401", "/status/410",
                           "/status/500", "/status/503"})
    expect_same({"readtimed", server_->http_url(path), "1", "5"}, "open -");
  // 416: a range past the end (offset beyond the size).
  expect_same({"readtimed", server_->http_url("/small.bin"), "1", "5", "offset=100000"}, "open -");
  const int port = avio_net_test::free_port(AF_INET);
  expect_same({"readtimed", "http://127.0.0.1:" + std::to_string(port) + "/x", "1", "5"}, "open -");
}

TEST_F(HttpDiff, Options) {
  expect_same({"readtimed", server_->http_url("/data.bin"), "21", "80", "offset=1000"}, "open 0\n");
  expect_same({"readtimed", server_->http_url("/data.bin"), "23", "80", "seekable=1"}, "open 0\n");
  expect_same({"readtimed", server_->http_url("/data.bin"), "25", "80", "multiple_requests=1"}, "open 0\n");
  expect_same({"readtimed", server_->http_url("/r302/data.bin"), "26", "60"}, "open 0\n");
  expect_same({"readtimed", server_->http_url("/data.bin"), "27", "60", "short_seek_size=100000"}, "open 0\n");
  // end_offset: the size is the file's, the data ends before; seeded seeks
  // past the data would compare the kernel's window (see expect_same).
  for (const char *opts : {"end_offset=300000", "seekable=0", "offset=123456"}) {
    Traffic lavf, ours;
    const std::string ffmpeg = run_one(AVIO_OPS_FFMPEG, {"dump", server_->http_url("/data.bin"), opts}, &lavf);
    const std::string avio = run_one(AVIO_OPS_AVIO, {"dump", server_->http_url("/data.bin"), opts}, &ours);
    EXPECT_GT(ffmpeg.size(), 1000u) << opts;
    EXPECT_TRUE(ffmpeg == avio) << opts << ": " << ffmpeg.size() << " vs " << avio.size();
    EXPECT_LE(ours.requests, lavf.requests) << opts;
  }
}

// docs/compat.md: on a stream that cannot seek, FFmpeg's http_seek moves its
// offset before refusing the seek (ENOSYS), so the read that reaches the end
// later reports "Stream ends prematurely" (EIO). avio's offset stays where
// the data is: the same bytes, and a clean end of file.
TEST_F(HttpDiff, AFailedSeekOnAStreamDoesNotCorruptTheOffset) {
  const std::vector<std::string> args = {"readtimed", server_->http_url("/data.bin"), "22", "80", "seekable=0"};
  const std::string ffmpeg = run_one(AVIO_OPS_FFMPEG, args, nullptr);
  const std::string avio = run_one(AVIO_OPS_AVIO, args, nullptr);
  ASSERT_NE(ffmpeg.find(" -38 "), std::string::npos) << "no refused seek in the sequence:\n" << ffmpeg;
  const std::string diff = first_difference(ffmpeg, avio);
  ASSERT_NE(diff, "");
  EXPECT_NE(diff.find("err=-5' avio: "), std::string::npos) << diff;
  EXPECT_NE(diff.find("eof=1 err=0'"), std::string::npos) << diff;
}

// A body cut before its Content-Length is an error in both libraries (the
// dump stops short and fails), never a clean end.
TEST_F(HttpDiff, ACutBodyIsAnErrorNotAnEnd) {
  for (const char *program : {AVIO_OPS_FFMPEG, AVIO_OPS_AVIO}) {
    avio_http_test::FaultProxy proxy(server_->http_port());
    proxy.push(avio_http_test::Fault{.kind = avio_http_test::Fault::Kind::kCutAfter, .bytes = 300000});
    int status = 0;
    const std::string out =
        run(std::string(program) + " dump " + shell_quote(proxy.url("/data.bin")) + " 2>/dev/null", &status);
    EXPECT_LT(out.size(), 300000u) << program;
    EXPECT_GT(out.size(), 200000u) << program;
    EXPECT_NE(status, 0) << program << " took a cut body for a complete one";
  }
}

// av_opt_* on an http AVIOContext as FFmpeg programs use them: the exported
// options after open, setting a read-only one, the protocol's own options,
// an open whose dictionary names an exported option.
TEST_F(HttpDiff, AvOptOnAnHttpContext) {
  const std::string url = server_->http_url("/small.bin");
  const std::vector<std::vector<std::string>> runs = {
      {"read",
       url,
       "--",
       "get",
       "mime_type",
       "c",
       "get",
       "http_version",
       "c",
       "get",
       "location",
       "c",
       "get",
       "user_agent",
       "c",
       "getint",
       "seekable",
       "c",
       "getint",
       "reconnect_delay_max",
       "c",
       "getint",
       "icy",
       "c",
       "get",
       "mime_type",
       "-",
       "set",
       "mime_type",
       "text/x",
       "c",
       "setint",
       "short_seek_size",
       "1000",
       "c",
       "getint",
       "short_seek_size",
       "c",
       "get",
       "nonexistent",
       "c"},
      {"read", url, "mime_type=text/x"},
      {"read", url, "user_agent=avio-diff", "--", "get", "user_agent", "c"},
  };
  for (const std::vector<std::string> &args : runs) {
    const std::string ffmpeg = run_one(AVIO_OPT_OPS_FFMPEG, args, nullptr);
    const std::string avio = run_one(AVIO_OPT_OPS_AVIO, args, nullptr);
    EXPECT_FALSE(ffmpeg.empty());
    EXPECT_EQ(first_difference(ffmpeg, avio), "") << "\nlibavformat:\n" << ffmpeg << "\navio:\n" << avio;
  }
}

}  // namespace
