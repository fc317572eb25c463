// Differential tests of the C API's URL functions: tests/url/avio_ops.c is
// built against libavformat and against avio; both builds run the same
// seeded operation sequences on the same URLs and must print the same
// results and write the same bytes.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "url_test_util.hpp"

namespace {

using avio_test::read_file;
using avio_test::run;
using avio_test::shell_quote;

class UrlDiff : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new avio_test::TempDir;
    avio_test::write_file(*dir_ / "data.bin", avio_test::random_bytes(300000, 1));
    avio_test::write_file(*dir_ / "small.bin", avio_test::random_bytes(5000, 2));
    avio_test::write_file(*dir_ / "a.bin", avio_test::random_bytes(70000, 3));
    avio_test::write_file(*dir_ / "b.bin", avio_test::random_bytes(1, 4));
    avio_test::write_file(*dir_ / "c.bin", avio_test::random_bytes(123457, 5));
    avio_test::write_file(*dir_ / "empty.bin", {});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string path(const std::string &name) { return *dir_ / name; }

  // Runs the ops program (both builds) with `args`, optionally fed by
  // `feeder` (a shell command whose output becomes the program's stdin).
  static std::pair<std::string, std::string> both(const std::vector<std::string> &args,
                                                  const std::string &feeder = "") {
    std::string tail;
    for (const std::string &a : args) tail += " " + shell_quote(a);
    const std::string prefix = feeder.empty() ? "" : feeder + " | ";
    std::string ffmpeg = run(prefix + AVIO_OPS_FFMPEG + tail + " 2>/dev/null");
    std::string avio = run(prefix + AVIO_OPS_AVIO + tail);
    return {ffmpeg, avio};
  }

  // Same output from both, and FFmpeg's output starts with `expect_prefix`
  // (so two identical failures do not pass for a success).
  static void expect_same(const std::vector<std::string> &args, const std::string &expect_prefix,
                          const std::string &feeder = "") {
    auto [ffmpeg, avio] = both(args, feeder);
    EXPECT_EQ(ffmpeg.rfind(expect_prefix, 0), 0u) << "libavformat printed:\n" << ffmpeg.substr(0, 400);
    EXPECT_EQ(ffmpeg, avio);
  }

  static avio_test::TempDir *dir_;
};

avio_test::TempDir *UrlDiff::dir_ = nullptr;

TEST_F(UrlDiff, FileReadSeededSequences) {
  for (const char *seed : {"1", "2", "3", "4"}) {
    expect_same({"read", path("data.bin"), seed, "300"}, "open 0\n");
    expect_same({"read", "file:" + path("small.bin"), seed, "100"}, "open 0\n");
  }
}

TEST_F(UrlDiff, FileOptions) {
  expect_same({"read", path("data.bin"), "7", "200", "blocksize=1000"}, "open 0\n");
  expect_same({"read", path("data.bin"), "8", "200", "seekable=0"}, "open 0\n");
  expect_same({"read", path("data.bin"), "9", "50", "blocksize=1000", "unknown_option=1"}, "leftover unknown_option=1");
  expect_same({"read", path("data.bin"), "9", "10", "blocksize=0"}, "leftover blocksize=0\nopen -34\n");
  expect_same({"read", path("data.bin"), "9", "10", "rw_timeout=1000000"}, "open 0\n");
  expect_same({"read", path("empty.bin"), "10", "30"}, "open 0\n");
}

TEST_F(UrlDiff, PipeFedByChildProcess) {
  for (const char *seed : {"1", "2", "3"})
    expect_same({"read", "pipe:0", seed, "200"}, "open 0\n", "cat " + shell_quote(path("data.bin")));
  expect_same({"read", "pipe:0", "5", "100", "blocksize=777"}, "open 0\n", "cat " + shell_quote(path("small.bin")));
}

TEST_F(UrlDiff, Data) {
  expect_same({"read", "data:text/plain,hello%20world", "1", "20"}, "open 0\n");
  expect_same({"read", "data:,no-type", "1", "5"}, "open 0\n");
  expect_same({"read", "data:image/png;base64,aGVsbG8gd29ybGQ=", "2", "20"}, "open 0\n");
  expect_same({"read", "data:a/b;charset=x;BASE64,QUJDRUY", "3", "20"}, "open 0\n");
  expect_same({"read", "data:a/b;base64,QUJDRA==garbage", "3", "20"}, "open 0\n");
  // Malformed.
  expect_same({"read", "data:text/plain;base64,@@@@", "1", "5"}, "open -1094995529\n");
  expect_same({"read", "data:textplain,abc", "1", "5"}, "open -22\n");
  expect_same({"read", "data:nocomma", "1", "5"}, "open -22\n");
}

TEST_F(UrlDiff, Subfile) {
  expect_same({"read", "subfile,,start,1000,end,200000,,:" + path("data.bin"), "1", "300"}, "open 0\n");
  expect_same({"read", "subfile,,start,299000,end,0,,:" + path("data.bin"), "2", "100"}, "open 0\n");
  expect_same({"read", "subfile:" + path("data.bin"), "3", "100", "start=5", "end=70000"}, "open 0\n");
  // Malformed.
  expect_same({"read", "subfile,,start,10,end,5,,:" + path("data.bin"), "1", "5"}, "open -22\n");
  expect_same({"read", "subfile,,start,10,bogus,5,,:" + path("data.bin"), "1", "5"}, "open -22\n");
  expect_same({"read", "subfile,,start,10:" + path("data.bin"), "1", "5"}, "open -22\n");
  expect_same({"read", "subfile,,start,abc,,:" + path("data.bin"), "1", "5"}, "open -22\n");
}

TEST_F(UrlDiff, Concat) {
  const std::string url = "concat:" + path("a.bin") + "|" + path("b.bin") + "|" + path("c.bin");
  for (const char *seed : {"1", "2", "3"}) expect_same({"read", url, seed, "300"}, "open 0\n");
  expect_same({"read", "concat:" + path("a.bin") + "||" + path("small.bin"), "4", "100"}, "open 0\n");
  expect_same({"read", "concat:" + path("a.bin") + "|" + path("missing.bin"), "1", "5"}, "open -2\n");
  expect_same({"read", "concat:", "1", "5"}, "open -2\n");
}

TEST_F(UrlDiff, ErrorsAtOpen) {
  expect_same({"read", "nosuchscheme:abc", "1", "5"}, "open -1330794744\n");
  expect_same({"read", path("missing.bin"), "1", "5"}, "open -2\n");
  expect_same({"read", "concat:" + path("a.bin"), "1", "5", "protocol_blacklist=file"}, "open -22\n");
  expect_same({"read", "concat:" + path("a.bin"), "1", "5", "protocol_whitelist=concat"}, "open -22\n");
  expect_same({"read", path("a.bin"), "1", "5", "protocol_whitelist=concat,data"}, "open -22\n");
  expect_same({"write", "data:a/b,x", "1", "5"}, "open -5\n");
}

TEST_F(UrlDiff, FileWriteByteForByte) {
  for (const char *seed : {"1", "2", "3"}) {
    const std::string a = path(std::string("w_ffmpeg_") + seed), b = path(std::string("w_avio_") + seed);
    const std::string ffmpeg = run(std::string(AVIO_OPS_FFMPEG) + " write " + shell_quote(a) + " " + seed + " 60");
    const std::string avio = run(std::string(AVIO_OPS_AVIO) + " write " + shell_quote(b) + " " + seed + " 60");
    EXPECT_EQ(ffmpeg.rfind("open 0\n", 0), 0u) << ffmpeg;
    EXPECT_EQ(ffmpeg, avio);
    const auto fa = read_file(a), fb = read_file(b);
    EXPECT_GT(fa.size(), 1000u);
    EXPECT_TRUE(fa == fb) << "files differ: " << fa.size() << " vs " << fb.size() << " bytes";
  }
}

TEST_F(UrlDiff, WriteErrorSurfacesFromClose) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  auto [ffmpeg, avio] = both({"write", "/dev/full", "1", "20"});
  EXPECT_NE(ffmpeg.find("close -28"), std::string::npos) << ffmpeg;
  EXPECT_EQ(ffmpeg, avio);
  auto [ffmpeg2, avio2] = both({"write", "/dev/full", "2", "3"});
  EXPECT_EQ(ffmpeg2, avio2);
}

TEST_F(UrlDiff, Check) {
  for (const std::string &url : {path("data.bin"), "file:" + path("data.bin"), path("missing.bin"),
                                std::string("nosuch:x"), std::string("data:a/b,x"), "concat:" + path("a.bin"),
                                "subfile,,start,1,,:" + path("a.bin")}) {
    auto [ffmpeg, avio] = both({"check", url});
    EXPECT_EQ(ffmpeg.rfind("protocol ", 0), 0u);
    EXPECT_EQ(ffmpeg, avio) << url;
  }
}

TEST_F(UrlDiff, DirectoryListing) {
  avio_test::TempDir tree;
  avio_test::write_file(tree / "one.bin", avio_test::random_bytes(1234, 9));
  avio_test::write_file(tree / "two", {});
  std::filesystem::create_directory(tree.path() / "sub");
  std::filesystem::create_symlink("one.bin", tree.path() / "link");
  mkfifo((tree / "fifo").c_str(), 0600);
  auto [ffmpeg, avio] = both({"dir", tree.path().string()});
  EXPECT_EQ(ffmpeg.rfind("open_dir 0\n", 0), 0u) << ffmpeg;
  EXPECT_NE(ffmpeg.find("entry one.bin type=7"), std::string::npos) << ffmpeg;
  EXPECT_EQ(ffmpeg, avio);
  auto [f2, a2] = both({"dir", tree / "missing"});
  EXPECT_EQ(f2, a2);
  auto [f3, a3] = both({"dir", "data:a/b,x"});
  EXPECT_EQ(f3, a3);
}

}  // namespace
