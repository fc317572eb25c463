// Clients other than curl against `avio serve`: avio's own http client
// (random seeks over a kept-alive connection, positional reads, scattered
// reads in one multi-range request, counted by the fault proxy), and
// FFmpeg's (ffprobe, ffmpeg -i URL -f null -, and ffmpeg -ss 2 on an MP4
// made here, whose PCM must equal what the same command decodes from the
// local file).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "avio/protocol.hpp"
#include "avio/url.hpp"
#include "fault_proxy.hpp"
#include "io_test_util.hpp"
#include "nginx_fixture.hpp"
#include "serve_fixture.hpp"

namespace {

using avio_http_test::CommandResult;
using avio_http_test::FaultProxy;
using avio_http_test::run_command;
using avio_serve_test::pattern_bytes;
using avio_serve_test::ServeProcess;
using avio_serve_test::TempDir;

constexpr std::chrono::seconds kTimeout(30);

class ServeClients : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->stop_cleanly(), "");
    }
  }
  void serve() {
    std::string error;
    server_ = ServeProcess::start(root_.path(), {}, &error);
    ASSERT_NE(server_, nullptr) << error;
  }
  TempDir root_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(ServeClients, AvioHttpClientRandomSeeks) {
  const size_t size = 4 << 20;
  const std::string all = pattern_bytes(size, 7);
  root_.write("data.bin", all);
  serve();
  avio::OpenOptions o;
  o.rw_timeout = 10000000;
  auto io = avio::open_url(server_->url("/data.bin"), o);
  ASSERT_TRUE(io.ok()) << io.error().message();
  EXPECT_TRUE(io->seekable());
  EXPECT_EQ(io->size().value_or(-1), static_cast<int64_t>(size));
  std::mt19937 rng(11);
  std::vector<uint8_t> buf(70000);
  for (int i = 0; i < 60; ++i) {
    const int64_t at = static_cast<int64_t>(rng() % size);
    const size_t want = 1 + rng() % buf.size();
    ASSERT_EQ(io->seek(at).value_or(-1), at);
    auto n = io->read({buf.data(), want});
    ASSERT_TRUE(n.ok()) << n.error().message();
    const size_t expect = std::min(want, size - static_cast<size_t>(at));
    ASSERT_EQ(*n, expect) << "at " << at;
    ASSERT_EQ(std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n)), all.substr(at, *n))
        << "at " << at;
  }
  EXPECT_TRUE(io->close().ok());
  // The seeks went over few connections: the server kept them alive.
  const std::vector<std::string> log = server_->access_log();
  EXPECT_GE(log.size(), 2u);
  for (const std::string &line : log) EXPECT_NE(line.find("\" 206 "), std::string::npos) << line;  // Range: bytes=N-
}

// Ranges far apart (past the first MiB): a server that answered 200 would
// make the client give up on several ranges a request and ask once per
// range, so one request in all means a multipart answer was read.
TEST_F(ServeClients, AvioReadRangesIsOneMultipartRequest) {
  const size_t size = 4 << 20;
  const std::string all = pattern_bytes(size, 9);
  root_.write("scattered.bin", all);
  serve();
  FaultProxy proxy(server_->port());
  auto io = avio::open_url(proxy.url("/scattered.bin"), avio_http_test::without_cache());
  ASSERT_TRUE(io.ok()) << io.error().message();
  avio::UrlContext *url = avio::url_context_of(*io);
  ASSERT_NE(url, nullptr);
  struct Read {
    int64_t offset;
    std::vector<uint8_t> bytes;
  };
  std::vector<Read> reads = {
      {3000000, std::vector<uint8_t>(5000)}, {10, std::vector<uint8_t>(100)}, {1500000, std::vector<uint8_t>(70000)}};
  std::vector<avio::ReadRequest> requests;
  requests.reserve(reads.size());
  for (Read &r : reads) requests.push_back({r.offset, r.bytes});
  const int before = proxy.requests();
  const avio::Status st = url->read_ranges(requests);
  ASSERT_TRUE(st.ok()) << st.error().message();
  for (const Read &r : reads)
    EXPECT_TRUE(std::string(r.bytes.begin(), r.bytes.end()) ==
                all.substr(static_cast<size_t>(r.offset), r.bytes.size()))
        << "at " << r.offset;
  ASSERT_EQ(proxy.requests(), before + 1);
  const std::string head = proxy.request_heads().back();
  EXPECT_NE(head.find("\r\nRange: bytes=10-109,1500000-1569999,3000000-3004999\r\n"), std::string::npos) << head;
  EXPECT_TRUE(io->close().ok());
}

TEST_F(ServeClients, FfmpegReadsAndSeeks) {
  // A 5 s tone as MP4 (AAC), made by the ffmpeg CLI.
  const std::string local = (root_.path() / "tone.mp4").string();
  CommandResult made = run_command({"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                                    "sine=frequency=440:duration=5", "-c:a", "aac", "-b:a", "64k", local},
                                   kTimeout);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  serve();
  const std::string url = server_->url("/tone.mp4");

  const CommandResult probe = run_command(
      {"ffprobe", "-hide_banner", "-loglevel", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url},
      kTimeout);
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_NEAR(std::atof(probe.out.c_str()), 5.0, 0.1) << probe.out;

  const CommandResult null =
      run_command({"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", url, "-f", "null", "-"}, kTimeout);
  EXPECT_EQ(null.exit_code, 0) << null.err;

  // A seek inside the file: the same PCM as from the local file.
  auto pcm = [&](const std::string &input) {
    return run_command(
        {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", "2", "-i", input, "-f", "s16le", "-"},
        kTimeout);
  };
  const CommandResult remote = pcm(url), expected = pcm(local);
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  EXPECT_GT(remote.out.size(), 200000u);  // about 3 s of 44.1 kHz mono
  EXPECT_TRUE(remote.out == expected.out) << remote.out.size() << " vs " << expected.out.size();
  // libavformat asked for ranges, and got them.
  bool ranged = false;
  for (const std::string &line : server_->access_log()) ranged = ranged || line.find("\" 206 ") != std::string::npos;
  EXPECT_TRUE(ranged);
}

}  // namespace
