// The avio command-line tool (tools/avio) against a real nginx, over http
// and https: cat, cp (download and WebDAV upload), stat, and decode-audio,
// whose PCM must equal what the ffmpeg command-line tool decodes from the
// same URL. Every program runs under run_command's timeout; a missing nginx
// or ffmpeg is a failure, never a skip.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli_test_util.hpp"
#include "interleaved_media.hpp"
#include "nginx_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using avio_http_test::CommandResult;
using avio_http_test::describe;
using avio_http_test::Nginx;
using avio_http_test::random_bytes;
using avio_http_test::read_local;
using avio_http_test::run_command;
using avio_http_test::stat_line;
using avio_http_test::text_of;
using avio_http_test::top_level_box;
using avio_http_test::write_local;

constexpr std::chrono::seconds kTimeout(20);

// One nginx and one set of media for the suite; each test runs over the
// scheme of its parameter ("http" or "https").
class HttpCli : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    ffmpeg_ = new std::string(avio_http_test::find_program("ffmpeg"));
    std::string error;
    server_ = Nginx::start(&error).release();
    ASSERT_NE(server_, nullptr) << "nginx did not start: " << error;
    char dir[] = "/tmp/avio-http-cli-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    work_ = new fs::path(dir);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (work_ != nullptr) {
      std::error_code ec;
      fs::remove_all(*work_, ec);
    }
    delete work_;
    work_ = nullptr;
    delete ffmpeg_;
    ffmpeg_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_FALSE(ffmpeg_->empty()) << "the ffmpeg command-line tool is not installed (Debian package ffmpeg)";
  }

  // A stereo 440 Hz tone of `seconds` encoded by ffmpeg with `codec` (its
  // arguments) as www()/media/FILE, once for the suite.
  static void make_media(const std::string &file, int seconds, const std::vector<std::string> &codec) {
    const std::string rel = "media/" + file;
    if (fs::exists(nginx().www() / rel)) return;
    const fs::path out = work() / file;
    const std::string tone = "sine=frequency=440:sample_rate=44100:duration=" + std::to_string(seconds);
    std::vector<std::string> argv = {*ffmpeg_, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                                     "-f",     "lavfi",    "-i",           tone,        "-ac",   "2"};
    argv.insert(argv.end(), codec.begin(), codec.end());
    argv.push_back(out.string());
    const CommandResult r = run_command(argv, std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 0) << "ffmpeg could not make " << file << ": " << describe(r);
    const std::string bytes = read_local(out);
    nginx().put_file(rel, std::string_view(bytes));
  }

  bool https() const { return GetParam() == "https"; }
  static Nginx &nginx() { return *server_; }
  static const fs::path &work() { return *work_; }
  std::string url(std::string_view path) const { return https() ? server_->https_url(path) : server_->http_url(path); }

  // avio SUBCOMMAND ARGS..., with the certificate of the server as the
  // ca_file of every https URL (`option` is -o or -O: the URL's side).
  CommandResult avio(const std::string &subcommand, const std::vector<std::string> &args,
                     const char *option = "-o") const {
    std::vector<std::string> argv = {AVIO_CLI, subcommand};
    argv.insert(argv.end(), args.begin(), args.end());
    if (https()) argv.insert(argv.end(), {option, "ca_file=" + server_->ca_file()});
    return run_command(argv, kTimeout);
  }

  // ffmpeg's own decode of `url` to s16le PCM: the reference.
  CommandResult ffmpeg_pcm(const std::string &media_url) const {
    std::vector<std::string> argv = {*ffmpeg_, "-nostdin", "-hide_banner", "-loglevel", "error"};
    if (https()) argv.insert(argv.end(), {"-ca_file", server_->ca_file(), "-tls_verify", "1"});
    argv.insert(argv.end(), {"-i", media_url, "-f", "s16le", "-"});
    return run_command(argv, kTimeout);
  }

  // decode-audio of www()/media/FILE in memory and url modes: ffmpeg's PCM.
  void expect_same_pcm(const std::string &file, int seconds) {
    const std::string media_url = url("/media/" + file);
    const CommandResult ref = ffmpeg_pcm(media_url);
    ASSERT_EQ(ref.exit_code, 0) << "ffmpeg -i " << media_url << ": " << describe(ref);
    ASSERT_GE(ref.out.size(), static_cast<size_t>(seconds) * 44100 * 4) << "ffmpeg decoded less than the tone";
    for (const char *mode : {"memory", "url"}) {
      SCOPED_TRACE(std::string(mode) + " mode, " + media_url);
      const fs::path out = work() / (GetParam() + "-" + mode + "-" + file + ".raw");
      nginx().clear_access_log();  // the tests can look at the last mode's requests
      const CommandResult r = avio("decode-audio", {"--mode", mode, "--format", "raw", media_url, out.string()});
      ASSERT_EQ(r.exit_code, 0) << describe(r);
      const std::string pcm = read_local(out);
      EXPECT_EQ(pcm.size(), ref.out.size());
      EXPECT_TRUE(pcm == ref.out) << "the PCM differs from ffmpeg's";
      const std::string samples = "samples:   " + std::to_string(ref.out.size() / 4) + " per channel";
      EXPECT_NE(r.out.find(samples), std::string::npos) << r.out;
    }
  }

  // Whether the access log shows a request of `uri` with the Range header
  // `range`, waiting (bounded) for nginx to log the requests that just ended.
  static bool logged_range(const std::string &uri, const std::string &range) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (;;) {
      for (const avio_http_test::AccessLogEntry &e : nginx().access_log())
        if (e.uri == uri && e.range == range) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  static Nginx *server_;
  static fs::path *work_;
  static std::string *ffmpeg_;
};

Nginx *HttpCli::server_ = nullptr;
fs::path *HttpCli::work_ = nullptr;
std::string *HttpCli::ffmpeg_ = nullptr;

TEST_P(HttpCli, CatPrintsTheFile) {
  const std::vector<uint8_t> data = random_bytes(3 << 20, 1);
  nginx().put_file("cat.bin", data);
  const CommandResult r = avio("cat", {url("/cat.bin")});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out.size(), data.size());
  EXPECT_TRUE(r.out == text_of(data)) << "avio cat printed other bytes";
  EXPECT_EQ(r.err, "");
}

TEST_P(HttpCli, CatOfAMissingFileNamesTheStatusAndTheUrl) {
  const std::string missing = url("/no/such/file.bin");
  const CommandResult r = avio("cat", {missing});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("404"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not exactly one line: " << r.err;
}

TEST_P(HttpCli, CpDownloadsByteForByte) {
  const std::vector<uint8_t> data = random_bytes((2 << 20) + 12345, 2);
  nginx().put_file("cp.bin", data);
  const fs::path out = work() / ("down-" + GetParam() + ".bin");
  const CommandResult r = avio("cp", {url("/cp.bin"), out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::string got = read_local(out);
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == text_of(data)) << "the copy differs";
}

TEST_P(HttpCli, CpUploadsWithPut) {
  const std::vector<uint8_t> data = random_bytes((2 << 20) + 777, 3);
  const fs::path in = work() / ("up-" + GetParam() + ".bin");
  write_local(in, text_of(data));
  const std::string rel = "dav/up-" + GetParam() + ".bin";
  const CommandResult r = avio("cp", {in.string(), url("/" + rel), "-O", "method=PUT"}, "-O");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::vector<uint8_t> got = nginx().read_file(rel);
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "the upload differs";
}

TEST_P(HttpCli, StatPrintsTheSizeAndSeekability) {
  const std::vector<uint8_t> data = random_bytes(123457, 4);
  nginx().put_file("stat.bin", data);
  const CommandResult r = avio("stat", {url("/stat.bin")});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find(stat_line("protocol", GetParam())), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("size", std::to_string(data.size()))), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("seekable", "yes")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("streamed", "no")), std::string::npos) << r.out;
  // Through the block cache, with its statistics: the open's one request.
  EXPECT_NE(r.out.find(stat_line("read through", "blockcache")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("option requests", "1")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("option mime_type", "application/octet-stream")), std::string::npos) << r.out;
}

// decode-audio over the URL, in the default (memory) mode and in url mode
// (FFmpeg seeking through the bridge over the connection), equals ffmpeg's
// decode of the same URL.
TEST_P(HttpCli, DecodesMp3LikeFfmpeg) {
  ASSERT_NO_FATAL_FAILURE(make_media("tone.mp3", 10, {"-c:a", "libmp3lame", "-b:a", "128k"}));
  expect_same_pcm("tone.mp3", 10);
}

TEST_P(HttpCli, DecodesFlacLikeFfmpeg) {
  ASSERT_NO_FATAL_FAILURE(make_media("tone.flac", 10, {"-c:a", "flac"}));
  expect_same_pcm("tone.flac", 10);
}

// The moov box at the end: FFmpeg reads the mdat box's header, seeks past
// it to the moov, then back to the samples. 30 s at ffmpeg's default AAC
// bitrate make an mdat of ~480 KB, past the http protocol's 256 KiB
// read-through limit for a short seek forward: reaching the moov takes a
// Range request too, as in FFmpeg (not asserted: the engine may also read
// forward within the socket's receive buffer, which the kernel grows).
TEST_P(HttpCli, DecodesAacInMp4WithTheMoovAtTheEndLikeFfmpeg) {
  ASSERT_NO_FATAL_FAILURE(make_media("tone.m4a", 30, {"-c:a", "aac", "-f", "mp4"}));
  const std::string mp4 = read_local(nginx().www() / "media" / "tone.m4a");
  const std::optional<size_t> mdat = top_level_box(mp4, "mdat");
  const std::optional<size_t> moov = top_level_box(mp4, "moov");
  ASSERT_TRUE(mdat && moov) << "no mdat or no moov box";
  ASSERT_LT(*mdat, *moov) << "the moov box is not at the end";
  expect_same_pcm("tone.m4a", 30);
  // In url mode (the last one run), through the block cache: the open's
  // 64 KiB and the rest of the one block the file fits in, whatever FFmpeg's
  // seeks between the mdat and the moov.
  int requests = 0;
  for (const avio_http_test::AccessLogEntry &e : nginx().wait_access_log(2, std::chrono::seconds(3)))
    requests += e.uri == "/media/tone.m4a";
  EXPECT_EQ(requests, 2);
  // Without the cache, the http protocol does as FFmpeg's: back from the
  // moov to the samples, just past the mdat box's header, a Range request.
  nginx().clear_access_log();
  const fs::path out = work() / (GetParam() + "-nocache-tone.raw");
  const CommandResult r =
      avio("decode-audio", {"--mode", "url", "--no-cache", "--format", "raw", url("/media/tone.m4a"), out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(read_local(out) == ffmpeg_pcm(url("/media/tone.m4a")).out) << "the PCM differs from ffmpeg's";
  const std::string back = "bytes=" + std::to_string(*mdat + 8) + "-";
  EXPECT_TRUE(logged_range("/media/tone.m4a", back)) << "no request for " << back;
}

// Audio and video interleaved, the moov at the end: decode-audio's default
// over http is url mode, which tells the block cache where the audio packets
// are (the demuxer's index), so they come in one multi-range request instead
// of a block per seek, and the video is never fetched. The PCM is ffmpeg's.
// Without the cache, the default is memory mode: the file read whole.
TEST_P(HttpCli, DecodeAudioHandsTheIndexToTheCacheAndSkipsTheVideo) {
  const std::string rel = "media/av.mp4";
  if (!fs::exists(nginx().www() / rel)) {
    // 3 s of video, then 3 s of audio, and so on: each audio chunk ~1 MB
    // of video after the last.
    const fs::path made = work() / "av.mp4";
    const std::string why = avio_http_test::make_interleaved_mp4(
        *ffmpeg_, made.string(), {.seconds = 12, .video_kbps = 3000, .chunk_seconds = 3});
    ASSERT_EQ(why, "");
    const std::string bytes = read_local(made);
    nginx().put_file(rel, std::string_view(bytes));
  }
  const std::string mp4 = read_local(nginx().www() / rel);
  ASSERT_LT(top_level_box(mp4, "mdat"), top_level_box(mp4, "moov")) << "the moov box is not at the end";
  const CommandResult ref = ffmpeg_pcm(url("/" + rel));
  ASSERT_EQ(ref.exit_code, 0) << describe(ref);
  nginx().clear_access_log();
  const fs::path out = work() / (GetParam() + "-av.raw");
  const CommandResult r = avio("decode-audio", {"--format", "raw", url("/" + rel), out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("(url mode)"), std::string::npos) << r.out;
  EXPECT_TRUE(read_local(out) == ref.out) << "the PCM differs from ffmpeg's";
  int requests = 0, multi = 0;
  int64_t sent = 0;
  for (const avio_http_test::AccessLogEntry &e : nginx().wait_access_log(3, std::chrono::seconds(3))) {
    if (e.uri != "/" + rel) continue;
    ++requests;
    multi += e.range.find(',') != std::string::npos;
    sent += e.body_bytes;
  }
  // The open, the block the moov is in, the audio.
  EXPECT_EQ(requests, 3);
  EXPECT_EQ(multi, 1) << "the audio packets were not asked for together";
  EXPECT_LT(sent, static_cast<int64_t>(mp4.size()) / 3) << "the video was fetched";

  nginx().clear_access_log();
  const CommandResult plain = avio("decode-audio", {"--no-cache", "--format", "raw", url("/" + rel), out.string()});
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_NE(plain.out.find("(memory mode)"), std::string::npos) << plain.out;
  EXPECT_TRUE(read_local(out) == ref.out) << "the PCM differs from ffmpeg's (memory mode)";
  int64_t plain_sent = 0;
  for (const avio_http_test::AccessLogEntry &e : nginx().wait_access_log(1, std::chrono::seconds(3)))
    if (e.uri == "/" + rel) plain_sent += e.body_bytes;
  EXPECT_GE(plain_sent, static_cast<int64_t>(mp4.size())) << "memory mode did not read the file whole";
}

// --verbose: what the remote input cost, as the server saw it.
TEST_P(HttpCli, VerboseCpPrintsTheRequestsTheServerSaw) {
  const std::vector<uint8_t> data = random_bytes((5 << 20) + 99, 6);
  nginx().put_file("verbose.bin", data);
  nginx().clear_access_log();
  const fs::path out = work() / ("verbose-" + GetParam() + ".bin");
  const CommandResult r = avio("cp", {"--verbose", "-q", url("/verbose.bin"), out.string()});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(read_local(out) == text_of(data));
  int logged = 0;
  for (const avio_http_test::AccessLogEntry &e : nginx().wait_access_log(2, std::chrono::seconds(3)))
    logged += e.uri == "/verbose.bin";
  const std::string line = "avio cp: " + url("/verbose.bin") + ": " + std::to_string(logged) + " requests, ";
  EXPECT_EQ(r.err.rfind(line, 0), 0u) << r.err;
  EXPECT_NE(r.err.find(std::to_string(data.size()) + " bytes fetched"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; hole "), std::string::npos) << r.err;
}

std::string scheme_name(const ::testing::TestParamInfo<std::string> &info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Scheme, HttpCli, ::testing::Values("http", "https"), scheme_name);

// A free loopback port (bound and released; the listener takes it next).
int loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr *>(&a), len) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0;
  ::close(fd);
  return bound ? ntohs(a.sin_port) : -1;
}

// curl retries until the listener is up (exit 7: could not connect).
CommandResult curl_until_listening(const std::vector<std::string> &argv) {
  CommandResult r;
  for (int i = 0; i < 100; ++i) {
    r = run_command(argv, std::chrono::seconds(20));
    if (r.exit_code != 7) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

// listen=1 through the CLI: `curl -T` into `avio cp 'http://...?listen=1'
// out`, and `avio cp in 'http://...?listen=1'` out to `curl`.
TEST(HttpCliListen, ListenOneUploadAndDownloadThroughAvioCp) {
  const fs::path dir = fs::temp_directory_path() / ("avio-cli-listen-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::mt19937 rng(42);
  std::vector<char> data(700000);
  for (char &c : data) c = static_cast<char>(rng());
  std::ofstream(dir / "in.bin", std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
  const auto read_back = [](const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  };
  {
    const std::string url = "http://127.0.0.1:" + std::to_string(loopback_port()) + "/up";
    CommandResult server;
    std::thread avio([&] {
      server = run_command({AVIO_CLI, "cp", "-q", url + "?listen=1", (dir / "up.bin").string()});
    });
    const CommandResult curl = curl_until_listening({"curl", "-sS", "-T", (dir / "in.bin").string(), url});
    avio.join();
    EXPECT_EQ(curl.exit_code, 0) << curl.err;
    EXPECT_EQ(server.exit_code, 0) << server.err;
    EXPECT_TRUE(read_back(dir / "up.bin") == data);
  }
  {
    const std::string url = "http://127.0.0.1:" + std::to_string(loopback_port()) + "/down";
    CommandResult server;
    std::thread avio([&] {
      server = run_command({AVIO_CLI, "cp", "-q", (dir / "in.bin").string(), url + "?listen=1"});
    });
    const CommandResult curl = curl_until_listening({"curl", "-sS", "-o", (dir / "down.bin").string(), url});
    avio.join();
    EXPECT_EQ(curl.exit_code, 0) << curl.err;
    EXPECT_EQ(server.exit_code, 0) << server.err;
    EXPECT_TRUE(read_back(dir / "down.bin") == data);
  }
  fs::remove_all(dir);
}

}  // namespace
