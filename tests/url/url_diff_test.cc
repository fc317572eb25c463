// Differential tests of the C API's URL functions: tests/url/avio_ops.c is
// built against libavformat and against avio; both builds run the same
// seeded operation sequences on the same URLs and must print the same
// results and write the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "url_test_util.hpp"

namespace {

using avio_test::hex;
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
    // The reference ciphertext comes from the openssl command line.
    run("openssl enc -aes-128-cbc -K " + hex(key()) + " -iv " + hex(iv()) + " -in " + shell_quote(*dir_ / "data.bin") +
        " -out " + shell_quote(*dir_ / "enc.bin"));
    run("openssl enc -aes-128-cbc -K " + hex(key()) + " -iv " + hex(iv()) + " -in " + shell_quote(*dir_ / "b.bin") +
        " -out " + shell_quote(*dir_ / "enc1.bin"));
  }
  static std::vector<uint8_t> key() { return avio_test::random_bytes(16, 100); }
  static std::vector<uint8_t> iv() { return avio_test::random_bytes(16, 101); }
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
    int status = 0;
    std::string avio = run(prefix + AVIO_OPS_AVIO + tail, &status);
    // A sanitizer report (a leak, say) shows as a failing exit status.
    if (args[0] != "dump") {
      EXPECT_EQ(status, 0) << "avio's ops program failed:" << tail;
    }
    return {ffmpeg, avio};
  }

  // Same output from both, and FFmpeg's output starts with `expect_prefix`
  // (so two identical failures do not pass for a success).
  static void expect_same(const std::vector<std::string> &args, const std::string &expect_prefix,
                          const std::string &feeder = "") {
    auto [ffmpeg, avio] = both(args, feeder);
    std::string what;
    for (const std::string &a : args) what += " " + a;
    EXPECT_EQ(ffmpeg.rfind(expect_prefix, 0), 0u) << what << "\nlibavformat printed:\n" << ffmpeg.substr(0, 400);
    EXPECT_EQ(first_difference(ffmpeg, avio), "") << what;
  }

  // Both builds copy the whole stream, which must equal the file `expected`.
  static void expect_dump(const std::vector<std::string> &args, const std::string &expected,
                          const std::string &feeder = "") {
    auto [ffmpeg, avio] = both(args, feeder);
    const std::vector<uint8_t> want = read_file(path(expected));
    const std::string text(want.begin(), want.end());
    EXPECT_EQ(ffmpeg.size(), want.size());
    EXPECT_TRUE(ffmpeg == text) << "libavformat differs";
    EXPECT_EQ(avio.size(), want.size());
    EXPECT_TRUE(avio == text) << "avio differs";
  }

  // "" when equal, else the first line that differs (both versions).
  static std::string first_difference(const std::string &a, const std::string &b) {
    if (a == b) return "";
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    const size_t start = a.rfind('\n', i) == std::string::npos ? 0 : a.rfind('\n', i) + 1;
    auto line = [&](const std::string &s) { return s.substr(start, s.find('\n', start) - start); };
    return "libavformat: '" + line(a) + "' avio: '" + line(b) + "'";
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
  expect_same({"read", path("data.bin"), "8", "100", "blocksize=010"}, "open 0\n");
  expect_same({"read", path("data.bin"), "8", "100", "blocksize=0x100"}, "open 0\n");
  expect_same({"read", path("data.bin"), "8", "100", "blocksize=1e3"}, "open 0\n");
  expect_same({"read", path("data.bin"), "8", "10", "seekable=1"}, "leftover seekable=1\nopen -34\n");
  expect_same({"read", path("data.bin"), "9", "50", "blocksize=1000", "unknown_option=1"}, "leftover unknown_option=1");
  expect_same({"read", path("data.bin"), "9", "10", "blocksize=0"}, "leftover blocksize=0\nopen -34\n");
  expect_same({"read", path("data.bin"), "9", "10", "rw_timeout=1000000"}, "open 0\n");
  expect_same({"read", path("empty.bin"), "10", "30"}, "open 0\n");
  expect_same({"read", path("data.bin"), "11", "200", "+direct"}, "open 0\n");
  expect_same({"read", "concat:" + path("a.bin") + "|" + path("c.bin"), "12", "200", "+direct"}, "open 0\n");
}

TEST_F(UrlDiff, PipeFedByChildProcess) {
  for (const char *seed : {"1", "2", "3"})
    expect_same({"readstream", "pipe:0", seed, "200"}, "open 0\n", "cat " + shell_quote(path("data.bin")));
  expect_same({"readstream", "pipe:0", "5", "100", "blocksize=777"}, "open 0\n",
              "cat " + shell_quote(path("small.bin")));
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

TEST_F(UrlDiff, DataBase64RandomPayloads) {
  // Valid, padded, truncated and corrupted base64: the decoded bytes (or the
  // failure) must be libavformat's.
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::mt19937 gen(9);
  for (int i = 0; i < 60; ++i) {
    std::string payload;
    const int n = static_cast<int>(gen() % 23);
    for (int k = 0; k < n; ++k) payload += alphabet[gen() % alphabet.size()];
    if (gen() % 3 == 0) payload += std::string(gen() % 3, '=');
    if (gen() % 4 == 0) payload.insert(gen() % (payload.size() + 1), 1, "=!-_ ."[gen() % 6]);
    if (gen() % 4 == 0) payload += alphabet.substr(gen() % 60, 3);
    const std::string url = "data:a/b;base64," + payload;
    auto [ffmpeg, avio] = both({"read", url, "1", "8"});
    EXPECT_EQ(first_difference(ffmpeg, avio), "") << url;
  }
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

TEST_F(UrlDiff, SubfileRandomInlineOptions) {
  // "subfile,SEP key SEP value SEP ... SEP:url" with random keys, values,
  // separators and damage.
  const std::vector<std::string> keys = {"start", "end", "start", "end", "bogus", ""};
  const std::vector<std::string> values = {"10", "0", "-5", "abc", "300000", "1e2", "", "4999"};
  const std::string seps = ",; :";
  std::mt19937 gen(11);
  int opened = 0;
  for (int i = 0; i < 80; ++i) {
    const char sep = seps[gen() % seps.size()];
    std::string url = "subfile,";
    url += sep;
    const int pairs = static_cast<int>(gen() % 3);
    for (int k = 0; k < pairs; ++k) url += keys[gen() % keys.size()] + sep + values[gen() % values.size()] + sep;
    if (gen() % 5) url += sep;
    if (gen() % 4 == 0) url.insert(gen() % url.size(), 1, ",;:x"[gen() % 4]);
    url.append(":").append(path("small.bin"));  // not ":" + ...: g++ 12 -O3 warns (-Wrestrict)
    auto [ffmpeg, avio] = both({"read", url, "2", "6"});
    EXPECT_EQ(first_difference(ffmpeg, avio), "") << url;
    opened += ffmpeg.rfind("open 0\n", 0) == 0;
  }
  EXPECT_GE(opened, 5);  // the generator reaches successful parses too
}

TEST_F(UrlDiff, Concat) {
  const std::string url = "concat:" + path("a.bin") + "|" + path("b.bin") + "|" + path("c.bin");
  for (const char *seed : {"1", "2", "3"}) expect_same({"read", url, seed, "300"}, "open 0\n");
  expect_same({"read", "concat:" + path("a.bin") + "||" + path("small.bin"), "4", "100"}, "open 0\n");
  expect_same({"read", "concat:" + path("a.bin") + "|" + path("missing.bin"), "1", "5"}, "open -2\n");
  expect_same({"read", "concat:", "1", "5"}, "open -2\n");
}

TEST_F(UrlDiff, Concatf) {
  const std::string list = "  " + path("a.bin") + "\n\n'" + path("b.bin") + "'\r\n" + path("c.bin") + "  \n";
  avio_test::write_file(path("list.txt"), std::vector<uint8_t>(list.begin(), list.end()));
  for (const char *seed : {"1", "2"}) expect_same({"read", "concatf:" + path("list.txt"), seed, "300"}, "open 0\n");
  avio_test::write_file(path("blank.txt"), {' ', '\n'});
  expect_same({"read", "concatf:" + path("blank.txt"), "1", "5"}, "open -1094995529\n");
  expect_same({"read", "concatf:" + path("missing.txt"), "1", "5"}, "open -2\n");
  expect_same({"read", "concatf:", "1", "5"}, "open -2\n");
}

TEST_F(UrlDiff, NestedCombinations) {
  const std::string a = path("a.bin"), c = path("c.bin");
  expect_same({"read", "concat:subfile,,start,5,end,100,,:" + a + "|" + c, "1", "200"}, "open 0\n");
  expect_same({"read", "cache:concat:" + a + "|" + c, "2", "200"}, "open 0\n");
  expect_same({"read", "subfile,,start,100,end,0,,:cache:" + c, "3", "200"}, "open -22\n");  // not on subfile's list
  expect_same({"read", "subfile,,start,100,end,0,,:cache:" + c, "3", "200", "protocol_whitelist=subfile,cache,file"},
              "open 0\n");
  expect_same({"read", "crypto:subfile,,start,0,end,0,,:" + path("enc.bin"), "4", "100", "key=" + hex(key()),
               "iv=" + hex(iv())},
              "open 0\n");
  expect_same({"read", "concat:data:a/b,xyz|" + a, "5", "20"}, "open -22\n");  // data is not on concat's list
  expect_same({"read", "concat:" + a + "|" + c, "6", "50", "protocol_blacklist=subfile"}, "open 0\n");
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
    const std::string direct = std::string(seed) == "3" ? " +direct" : "";
    const std::string ffmpeg =
        run(std::string(AVIO_OPS_FFMPEG) + " write " + shell_quote(a) + " " + seed + " 60" + direct);
    const std::string avio = run(std::string(AVIO_OPS_AVIO) + " write " + shell_quote(b) + " " + seed + " 60" + direct);
    EXPECT_EQ(ffmpeg.rfind("open 0\n", 0), 0u) << ffmpeg;
    EXPECT_EQ(ffmpeg, avio);
    const auto fa = read_file(a), fb = read_file(b);
    EXPECT_GT(fa.size(), 1000u);
    EXPECT_TRUE(fa == fb) << "files differ: " << fa.size() << " vs " << fb.size() << " bytes";
  }
}

TEST_F(UrlDiff, CryptoRead) {
  ASSERT_EQ(read_file(path("enc.bin")).size(), 300016u);  // openssl ran
  const std::string k = "key=" + hex(key()), v = "iv=" + hex(iv());
  for (const char *seed : {"1", "2", "3", "4"}) {
    expect_same({"read", "crypto:" + path("enc.bin"), seed, "200", k, v}, "open 0\n");
    expect_same({"read", "crypto+file:" + path("enc.bin"), seed, "100", k, v}, "open 0\n");
  }
  expect_same({"read", "crypto:" + path("enc1.bin"), "5", "20", k, v}, "open 0\n");
  // Over a pipe the chunking (and so a mid-stream size query) depends on
  // timing, in libavformat too: compare whole streams.
  expect_dump({"dump", "crypto:pipe:0", k, v}, "data.bin", "cat " + shell_quote(path("enc.bin")));
  expect_same(
      {"read", "crypto:" + path("enc.bin"), "7", "50", "decryption_key=" + hex(key()), "decryption_iv=" + hex(iv())},
      "open 0\n");
  // A key of the wrong length, a missing IV, a key that is not hex.
  expect_same({"read", "crypto:" + path("enc.bin"), "1", "5", "key=00112233", v}, "open -22\n");
  expect_same({"read", "crypto:" + path("enc.bin"), "1", "5", k}, "open -22\n");
  expect_same({"read", "crypto:" + path("enc.bin"), "1", "5", "key=zz", v}, "leftover key=zz\n");
}

TEST_F(UrlDiff, CryptoMd5TeeWritesByteForByte) {
  const std::string k = "key=" + hex(key()), v = "iv=" + hex(iv());
  for (const char *seed : {"1", "2"}) {
    auto run_one = [&](const std::string &ops, const std::string &url, const std::vector<std::string> &opts) {
      std::string cmd = ops + " write " + shell_quote(url) + " " + seed + " 40";
      for (const std::string &o : opts) cmd.append(" ").append(shell_quote(o));
      return run(cmd + " 2>/dev/null");
    };
    const std::string s = seed;
    // crypto
    std::string f = run_one(AVIO_OPS_FFMPEG, "crypto:" + path("cw_ff" + s), {k, v});
    std::string a = run_one(AVIO_OPS_AVIO, "crypto:" + path("cw_av" + s), {k, v});
    EXPECT_EQ(f.rfind("open 0\n", 0), 0u) << f;
    EXPECT_EQ(f, a);
    EXPECT_GT(read_file(path("cw_ff" + s)).size(), 1000u);
    EXPECT_TRUE(read_file(path("cw_ff" + s)) == read_file(path("cw_av" + s)));
    // crypto with the direction-specific key options
    const std::vector<std::string> enc = {"encryption_key=" + hex(key()), "encryption_iv=" + hex(iv())};
    f = run_one(AVIO_OPS_FFMPEG, "crypto:" + path("ce_ff" + s), enc);
    a = run_one(AVIO_OPS_AVIO, "crypto:" + path("ce_av" + s), enc);
    EXPECT_EQ(f, a);
    EXPECT_TRUE(read_file(path("ce_ff" + s)) == read_file(path("cw_ff" + s)));  // same key and IV as above
    EXPECT_TRUE(read_file(path("ce_av" + s)) == read_file(path("cw_av" + s)));
    // md5 into a file
    f = run_one(AVIO_OPS_FFMPEG, "md5:" + path("md5_ff" + s), {});
    a = run_one(AVIO_OPS_AVIO, "md5:" + path("md5_av" + s), {});
    EXPECT_EQ(f, a);
    EXPECT_EQ(read_file(path("md5_ff" + s)).size(), 33u);
    EXPECT_TRUE(read_file(path("md5_ff" + s)) == read_file(path("md5_av" + s)));
    // tee to two files
    f = run_one(AVIO_OPS_FFMPEG, "tee:" + path("t1_ff" + s) + "|" + path("t2_ff" + s), {});
    a = run_one(AVIO_OPS_AVIO, "tee:" + path("t1_av" + s) + "|" + path("t2_av" + s), {});
    EXPECT_EQ(f.rfind("open 0\n", 0), 0u) << f;
    EXPECT_EQ(f, a);
    EXPECT_GT(read_file(path("t1_ff" + s)).size(), 1000u);
    EXPECT_TRUE(read_file(path("t1_ff" + s)) == read_file(path("t1_av" + s)));
    EXPECT_TRUE(read_file(path("t2_ff" + s)) == read_file(path("t2_av" + s)));
    EXPECT_TRUE(read_file(path("t1_av" + s)) == read_file(path("t2_av" + s)));
  }
  // md5 to stdout, and tee with a failing child.
  auto [f1, a1] = both({"write", "md5:", "3", "10"});
  EXPECT_NE(f1.find("close 0"), std::string::npos);
  EXPECT_EQ(f1, a1);
  auto [f2, a2] = both({"write", "tee:/dev/full|" + path("tee_ok"), "4", "10"});
  EXPECT_NE(f2.find("close -28"), std::string::npos) << f2;
  EXPECT_EQ(f2, a2);
  auto [f3, a3] = both({"write", "tee:[truncate=0]" + path("tee_opt") + "|" + path("tee_opt2"), "4", "10"});
  EXPECT_EQ(f3, a3);
}

TEST_F(UrlDiff, CacheOverPipe) {
  // With a read-ahead limit, whether a forward seek reads ahead depends on
  // how far the pipe had delivered (timing, in libavformat too); unlimited,
  // every forward seek reads ahead and the results are comparable.
  const std::string feeder = "cat " + shell_quote(path("data.bin"));
  for (const char *seed : {"1", "2", "3", "4"})
    expect_same({"readstream", "cache:pipe:0", seed, "300", "read_ahead_limit=-1"}, "open 0\n", feeder);
  expect_same({"read", "cache:" + path("data.bin"), "5", "300"}, "open 0\n");
  expect_same({"readstream", "cache:pipe:0", "7", "10", "read_ahead_limit=-2"}, "leftover read_ahead_limit=-2\n",
              feeder);
}

TEST_F(UrlDiff, AsyncOverFile) {
  for (const char *seed : {"1", "2", "3"})
    expect_same({"readtimed", "async:file:" + path("data.bin"), seed, "300"}, "open 0\n");
  expect_same({"readtimed", "async:" + path("small.bin"), "4", "100"}, "open 0\n");
  expect_dump({"dump", "async:pipe:0"}, "data.bin", "cat " + shell_quote(path("data.bin")));
  expect_dump({"dump", "async:" + path("c.bin")}, "c.bin");
}

TEST_F(UrlDiff, WriteErrorSurfacesFromClose) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  auto [ffmpeg, avio] = both({"write", "/dev/full", "1", "20"});
  EXPECT_NE(ffmpeg.find("close -28"), std::string::npos) << ffmpeg;
  EXPECT_EQ(ffmpeg, avio);
  auto [ffmpeg2, avio2] = both({"write", "/dev/full", "2", "3"});
  EXPECT_EQ(ffmpeg2, avio2);
  // Through crypto (the last block is written by close) and md5 (the digest is).
  auto [ffmpeg3, avio3] = both({"write", "crypto:/dev/full", "3", "4", "key=" + hex(key()), "iv=" + hex(iv())});
  EXPECT_NE(ffmpeg3.find("close -28"), std::string::npos) << ffmpeg3;
  EXPECT_EQ(ffmpeg3, avio3);
  auto [ffmpeg4, avio4] = both({"write", "md5:/dev/full", "4", "4"});
  EXPECT_NE(ffmpeg4.find("close -28"), std::string::npos) << ffmpeg4;
  EXPECT_EQ(ffmpeg4, avio4);
}

TEST_F(UrlDiff, Check) {
  for (const std::string &url :
       {path("data.bin"), "file:" + path("data.bin"), path("missing.bin"), std::string("nosuch:x"),
        std::string("data:a/b,x"), "concat:" + path("a.bin"), "subfile,,start,1,,:" + path("a.bin")}) {
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
