// Differential tests of av_opt_* on AVIOContexts: tests/url/opt_ops.c is
// built against libavformat and against avio's C API; both builds open the
// same targets with the same dictionaries, run the same av_opt_* calls and
// must print the same return codes and values, line for line.
//
// A protocol's exported (read-only) option joins here by URL once avio has
// the protocol: e.g. for http's mime_type, a local server's URL and
//   {"read", url, "--", "get", "mime_type", "c", "set", "mime_type", "x", "c"}
// and an open whose dictionary names it ({"read", url, "mime_type=x"}).
// No protocol of FFmpeg 5.1 that avio has today exports one.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "url_test_util.hpp"

namespace {

using avio_test::shell_quote;

class OptDiff : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new avio_test::TempDir;
    avio_test::write_file(*dir_ / "data.bin", avio_test::random_bytes(5000, 1));
    avio_test::run("openssl enc -aes-128-cbc -K " + kKey + " -iv " + kKey + " -in " + shell_quote(*dir_ / "data.bin") +
                   " -out " + shell_quote(*dir_ / "enc.bin"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string path(const std::string &name) { return *dir_ / name; }

  // Both builds' output for `args` (stdin from `input` when given).
  static std::pair<std::string, std::string> both(const std::vector<std::string> &args, const std::string &input = "") {
    std::string tail;
    for (const std::string &a : args) tail += " " + shell_quote(a);
    if (!input.empty()) tail += " < " + shell_quote(input);
    std::string ffmpeg = avio_test::run(std::string(AVIO_OPT_OPS_FFMPEG) + tail + " 2>/dev/null");
    int status = 0;
    std::string avio = avio_test::run(std::string(AVIO_OPT_OPS_AVIO) + tail, &status);
    EXPECT_EQ(status, 0) << "avio's opt_ops failed:" << tail;  // a sanitizer report, say
    return {ffmpeg, avio};
  }

  // Same output, line for line; FFmpeg's starts with `prefix` (two
  // identical failures do not pass for a success).
  static void expect_same(const std::vector<std::string> &args, const std::string &prefix,
                          const std::string &input = "") {
    auto [ffmpeg, avio] = both(args, input);
    std::string what;
    for (const std::string &a : args) what += " " + a;
    EXPECT_EQ(ffmpeg.rfind(prefix, 0), 0u) << what << "\nlibavformat printed:\n" << ffmpeg.substr(0, 400);
    EXPECT_EQ(first_difference(ffmpeg, avio), "") << what;
  }

  static std::string first_difference(const std::string &a, const std::string &b) {
    size_t line = 1, start = 0;
    while (true) {
      const size_t ea = a.find('\n', start), eb = b.find('\n', start);
      const std::string la = a.substr(start, ea - start), lb = b.substr(start, eb - start);
      if (la != lb || (ea == std::string::npos) != (eb == std::string::npos))
        return "line " + std::to_string(line) + ": libavformat '" + la + "' avio '" + lb + "'";
      if (ea == std::string::npos) return "";
      start = ea + 1;
      ++line;
    }
  }

  // `head` then the space-separated words of `ops`.
  static std::vector<std::string> with(std::vector<std::string> head, const std::string &ops) {
    size_t start = 0;
    while (start < ops.size()) {
      size_t end = ops.find(' ', start);
      if (end == std::string::npos) end = ops.size();
      if (end > start) head.push_back(ops.substr(start, end - start));
      start = end + 1;
    }
    return head;
  }

  // Appends `op` for each name and each set of search flags.
  static void each(std::vector<std::string> &args, const std::string &op, const std::vector<std::string> &names,
                   const std::vector<std::string> &flags) {
    for (const std::string &n : names)
      for (const std::string &f : flags) args.insert(args.end(), {op, n, f});
  }

  static inline const std::string kKey = "000102030405060708090a0b0c0d0e0f";
  static avio_test::TempDir *dir_;
};

avio_test::TempDir *OptDiff::dir_ = nullptr;

// Every level of the search: the protocol's options (file: blocksize,
// truncate, follow, seekable), the URL's (rw_timeout, the lists), the
// AVIOContext's own (protocol_whitelist), an unknown name; with and without
// AV_OPT_SEARCH_CHILDREN, AV_OPT_ALLOW_NULL, AV_OPT_SEARCH_FAKE_OBJ (not
// with children on a child's option: FFmpeg reads through an unset pointer).
TEST_F(OptDiff, GetAtEveryLevel) {
  std::vector<std::string> args = {"read", path("data.bin"), "--", "class"};
  const std::vector<std::string> names = {"blocksize", "truncate",           "follow",
                                          "seekable",  "rw_timeout",         "protocol_whitelist",
                                          "nope",      "protocol_blacklist", ""};
  each(args, "get", names, {"-", "c", "n", "cn", "f"});
  each(args, "getint", names, {"-", "c", "f"});
  each(args, "getdbl", names, {"-", "c"});
  each(args, "get", {"nope"}, {"cf"});
  expect_same(args, "open 0\nclass 1\n");
}

TEST_F(OptDiff, SetNumbersAndRanges) {
  expect_same(with({"read", path("data.bin"), "--"},
                   "set blocksize 4096 c get blocksize c set blocksize 0 c set blocksize abc c "
                   "set blocksize 0x10 c get blocksize c set blocksize 1e3 c get blocksize c "
                   "set blocksize 7 - set blocksize (null) c "
                   "setint blocksize 100 c setint blocksize -5 c setint blocksize 0 c setint blocksize 2147483648 c "
                   "setdbl blocksize 3.7 c get blocksize c setdbl blocksize 2.5 c getint blocksize c "
                   "setdbl follow 1.3 c setdbl follow 0.5 c get follow c setdbl seekable -1 c get seekable c "
                   "setint nope 1 c setdbl nope 1 c set nope 1 c setbin blocksize 00 c setbin nope 00 c "
                   "set blocksize 5 f setint blocksize 5 f setbin blocksize 00 f"),
              "open 0\nset blocksize=4096 [c] 0\n");
}

// set_string_bool: words in any case, decimal only, out of range is EINVAL.
TEST_F(OptDiff, SetBooleans) {
  std::vector<std::string> args = {"read", path("data.bin"), "--"};
  for (const char *v :
       {"maybe", "2", "auto", "-1", "0x1", "1.0", "off", "ON", "", " 1", "+1", "Yes", "disabled", "(null)", "true"})
    args.insert(args.end(), {"set", "truncate", v, "c", "get", "truncate", "c"});
  args.insert(args.end(), {"setint", "truncate", "2", "c", "setint", "truncate", "0", "c", "getint", "truncate", "c",
                           "setdbl", "truncate", "0.6", "c", "get", "truncate", "c"});
  expect_same(args, "open 0\nset truncate=maybe [c] -22\n");
}

// The URL's options and the AVIOContext's own list: numbers against a
// string's [0, 0] range, NULL (FFmpeg answers ENOMEM and holds NULL), the
// AVIOContext's list apart from the URL's.
TEST_F(OptDiff, SetListsAndTimeout) {
  expect_same(with({"read", path("data.bin"), "--"},
                   "setint protocol_whitelist 0 c setint protocol_whitelist 5 c setint protocol_whitelist 0 - "
                   "setdbl protocol_whitelist -1 - set protocol_whitelist file,crypto - get protocol_whitelist - "
                   "get protocol_whitelist c set protocol_whitelist (null) - get protocol_whitelist n "
                   "get protocol_whitelist - set protocol_blacklist x c get protocol_blacklist c "
                   "set protocol_blacklist (null) c get protocol_blacklist cn set protocol_whitelist (null) c "
                   "get protocol_whitelist cn get protocol_whitelist n "
                   "set rw_timeout 5000 c get rw_timeout c set rw_timeout -1 c set rw_timeout 1.5 c get rw_timeout c "
                   "setint rw_timeout 9223372036854775807 c get rw_timeout c getdbl rw_timeout c "
                   "set rw_timeout (null) c setbin protocol_whitelist 00 c"),
              "open 0\nsetint protocol_whitelist=0 [c] -22\n");
}

// av_opt_set_dict2: the unknown keys are handed back; an error stops it and
// leaves the dictionary as it was.
TEST_F(OptDiff, SetDict) {
  expect_same(with({"read", path("data.bin"), "--"},
                   "setdict c 4 blocksize=100 nope=1 rw_timeout=7 x=y get blocksize c get rw_timeout c "
                   "setdict c 3 a=1 truncate=2 b=2 "
                   "setdict - 2 blocksize=5 protocol_whitelist=a,b get protocol_whitelist - get blocksize c "
                   "setdict f 1 protocol_whitelist=q setdict c 0"),
              "open 0\nsetdict [c] 0\nleftover nope=1\nleftover x=y\n");
}

// avio_open2's dictionary: unknown keys come back; a bad value fails the
// open, with the URL's own keys taken and the rest left.
TEST_F(OptDiff, OpenDictionary) {
  const std::string f = path("data.bin");
  expect_same({"read", f, "nope=1", "rw_timeout=5", "blocksize=100", "x=y", "--", "get", "rw_timeout", "c", "get",
               "blocksize", "c"},
              "leftover nope=1\nleftover x=y\nopen 0\n");
  expect_same({"read", f, "nope=1", "rw_timeout=5", "blocksize=0", "x=y"}, "leftover nope=1\n");
  expect_same({"read", f, "nope=1", "rw_timeout=-5", "blocksize=0", "x=y"}, "leftover nope=1\n");
  expect_same({"read", f, "protocol_whitelist=crypto", "nope=1"}, "leftover nope=1\nopen -22\n");
  expect_same({"read", f, "protocol_whitelist=file,crypto,data", "protocol_blacklist=crypto", "--", "get",
               "protocol_whitelist", "-", "get", "protocol_blacklist", "c", "get", "protocol_blacklist", "-"},
              "open 0\n");
  for (const char *v : {"truncate=2", "truncate=auto", "truncate=0x1", "truncate=", "truncate=TRUE", "truncate= 1",
                        "follow=2", "blocksize=-1"})
    expect_same({"read", f, v, "--", "get", "truncate", "c"}, "");
  expect_same({"read", path("missing.bin"), "nope=1", "blocksize=5"}, "leftover nope=1\nopen -2\n");
}

// crypto's binary options: upper-case hexadecimal, NULL when empty, the key
// in effect exported into decryption_key / encryption_key at open.
TEST_F(OptDiff, CryptoBinaryOptions) {
  std::vector<std::string> args = with({"read", "crypto:" + path("enc.bin"), "key=" + kKey, "iv=" + kKey, "--"},
                                       "get key c get iv cn get decryption_key cn get encryption_iv cn "
                                       "get encryption_iv c getint key c setbin key 0a0b c get key c");
  args.insert(args.end(), {"setbin", "key", "", "c"});
  expect_same(with(args,
                   "get key cn get key c set key abc c set key 0g c set key ABcd c get key c "
                   "setint key 0 c setint key 1 c set key (null) c"),
              "open 0\nget key [c] 0 \"000102030405060708090A0B0C0D0E0F\"\n");
  expect_same(with({"write", "crypto:" + path("out.bin"), "key=" + kKey, "iv=" + kKey, "--"},
                   "get encryption_key c get encryption_iv c get decryption_key cn"),
              "open 0\n");
  expect_same(with({"read", "crypto:" + path("enc.bin"), "decryption_key=" + kKey, "iv=" + kKey, "--"},
                   "get key cn get decryption_key c get decryption_iv c"),
              "open 0\n");
  expect_same({"read", "crypto:" + path("enc.bin"), "iv=" + kKey}, "open -22\n");
}

// Contexts that are not a URL's: av_class NULL in both, nothing found.
TEST_F(OptDiff, ContextsWithoutOptions) {
  for (const char *target : {"custom:", "dynbuf:"})
    expect_same(with({"read", target, "--"},
                     "class get protocol_whitelist - get protocol_whitelist c set protocol_whitelist x - "
                     "getint blocksize c getdbl x - setint x 1 c setdbl x 1 - setbin x 00 c setdict c 2 a=1 b=2"),
                "open 0\nclass 0\n");
}

TEST_F(OptDiff, PipeAndWrite) {
  expect_same(with({"read", "pipe:0", "blocksize=77", "--"},
                   "get blocksize c get protocol_whitelist c get protocol_whitelist - set blocksize 1 c "
                   "get blocksize c get truncate c"),
              "open 0\nget blocksize [c] 0 \"77\"\n", path("data.bin"));
  expect_same(with({"write", path("written.bin"), "truncate=0", "blocksize=99", "--"},
                   "get truncate c get blocksize c set truncate 1 c get truncate c"),
              "open 0\nget truncate [c] 0 \"false\"\n");
}

}  // namespace
