// The avio command-line tool (tools/avio) on s3:// URLs against s3rver: cp
// up and cat down, ls (keys and prefixes), stat, rm, presign (the URL
// fetched and uploaded to by curl, which holds no credentials), credentials
// from options, from the environment and from the shared files, and
// decode-audio of S3 objects equal to the ffmpeg command-line tool's decode
// of the same bytes fetched over http from s3rver through a presigned URL.
//
// Every avio runs as `env -u AWS_... HOME=<empty> [VAR=value...] avio ...`,
// so the machine's own AWS settings never take part, and under
// run_command's timeout. A missing s3rver, ffmpeg or curl is a failure,
// never a skip.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cli_test_util.hpp"
#include "nginx_fixture.hpp"
#include "s3rver_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using avio_http_test::CommandResult;
using avio_http_test::describe;
using avio_http_test::random_bytes;
using avio_http_test::read_local;
using avio_http_test::run_command;
using avio_http_test::stat_line;
using avio_http_test::text_of;
using avio_http_test::top_level_box;
using avio_http_test::write_local;
using avio_s3_test::S3rver;

constexpr std::chrono::seconds kTimeout(30);
constexpr std::string_view kBucket = "test-bucket";

// The variables of the s3 protocol's configuration chain, all unset for
// every avio the tests run (then set again where a test says so).
constexpr std::string_view kChainVariables[] = {
    "AWS_ACCESS_KEY_ID",  "AWS_SECRET_ACCESS_KEY",       "AWS_SESSION_TOKEN", "AWS_REGION",
    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3",         "AWS_ENDPOINT_URL",  "AWS_PROFILE",
    "AWS_CONFIG_FILE",    "AWS_SHARED_CREDENTIALS_FILE",
};

bool contains(const std::vector<std::string> &v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// One s3rver and one work directory for the suite.
class S3Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tools_ = new Tools{avio_http_test::find_program("ffmpeg"), avio_http_test::find_program("curl"),
                       avio_http_test::find_program("env")};
    std::string error;
    server_ = S3rver::start(&error).release();
    ASSERT_NE(server_, nullptr) << "s3rver did not start: " << error;
    char dir[] = "/tmp/avio-s3-cli-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    work_ = new fs::path(dir);
    fs::create_directories(*work_ / "home");
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
    delete tools_;
    tools_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_FALSE(tools_->ffmpeg.empty()) << "the ffmpeg command-line tool is not installed (Debian package ffmpeg)";
    ASSERT_FALSE(tools_->curl.empty()) << "curl is not installed";
    ASSERT_FALSE(tools_->env.empty()) << "env is not installed";
  }

  static const fs::path &work() { return *work_; }
  static S3rver &s3() { return *server_; }
  static std::string s3_url(std::string_view key) { return "s3://" + std::string(kBucket) + "/" + std::string(key); }

  // The endpoint and s3rver's credentials as protocol options, each after
  // `flag` (-o, or -O for cp's destination).
  static std::vector<std::string> store(const char *flag = "-o") {
    return {flag, "endpoint_url=" + s3().endpoint(), flag, "access_key_id=S3RVER", flag, "secret_access_key=S3RVER"};
  }

  // avio ARGS... with no AWS_* variable but `env` ("NAME=value" each), HOME
  // an empty directory unless `env` says otherwise.
  static CommandResult avio(const std::vector<std::string> &args, const std::vector<std::string> &env = {}) {
    std::vector<std::string> argv = {tools_->env};
    for (std::string_view name : kChainVariables) argv.insert(argv.end(), {"-u", std::string(name)});
    argv.push_back("HOME=" + (work() / "home").string());
    argv.insert(argv.end(), env.begin(), env.end());
    argv.emplace_back(AVIO_CLI);
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, kTimeout);
  }
  // avio ARGS... store().
  static CommandResult avio_store(std::vector<std::string> args) {
    const std::vector<std::string> options = store();
    args.insert(args.end(), options.begin(), options.end());
    return avio(args);
  }

  static void put(std::string_view key, const std::vector<uint8_t> &bytes) {
    ASSERT_TRUE(s3().put_object(kBucket, key, bytes)) << "could not put " << key;
  }

  // `avio presign` of `key` (with the store's options and `extra`).
  static std::string presign(std::string_view key, const std::vector<std::string> &extra = {}) {
    std::vector<std::string> args = {"presign", s3_url(key)};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult r = avio_store(args);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_FALSE(r.out.empty());
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "not one line: " << r.out;
    return r.out.empty() ? "" : r.out.substr(0, r.out.size() - 1);
  }

  static CommandResult curl(const std::vector<std::string> &args) {
    std::vector<std::string> argv = {tools_->curl, "-sS", "--max-time", "20", "-w", "%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, kTimeout);
  }

  // A stereo 440 Hz tone of `seconds` encoded by ffmpeg (`codec`: its
  // arguments), put as media/FILE; once for the suite. Returns the bytes.
  static std::string make_media(const std::string &file, int seconds, const std::vector<std::string> &codec) {
    const fs::path out = work() / file;
    if (!fs::exists(out)) {
      const std::string tone = "sine=frequency=440:sample_rate=44100:duration=" + std::to_string(seconds);
      std::vector<std::string> argv = {tools_->ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                                       "-f",           "lavfi",    "-i",           tone,        "-ac",   "2"};
      argv.insert(argv.end(), codec.begin(), codec.end());
      argv.push_back(out.string());
      const CommandResult r = run_command(argv, kTimeout);
      EXPECT_EQ(r.exit_code, 0) << "ffmpeg could not make " << file << ": " << describe(r);
    }
    std::string bytes = read_local(out);
    EXPECT_TRUE(s3().put_object(kBucket, "media/" + file, std::vector<uint8_t>(bytes.begin(), bytes.end())));
    return bytes;
  }

  // decode-audio of s3://test-bucket/media/FILE (memory and url modes)
  // equals ffmpeg's decode of the object through a presigned http URL.
  static void expect_same_pcm(const std::string &file, int seconds) {
    const std::string url = presign("media/" + file);
    ASSERT_FALSE(url.empty());
    const CommandResult ref = run_command(
        {tools_->ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", url, "-f", "s16le", "-"}, kTimeout);
    ASSERT_EQ(ref.exit_code, 0) << "ffmpeg -i " << url << ": " << describe(ref);
    ASSERT_GE(ref.out.size(), static_cast<size_t>(seconds) * 44100 * 4) << "ffmpeg decoded less than the tone";
    for (const char *mode : {"memory", "url"}) {
      SCOPED_TRACE(std::string(mode) + " mode, " + file);
      const fs::path out = work() / (std::string(mode) + "-" + file + ".raw");
      const CommandResult r =
          avio_store({"decode-audio", "--mode", mode, "--format", "raw", s3_url("media/" + file), out.string()});
      ASSERT_EQ(r.exit_code, 0) << describe(r);
      const std::string pcm = read_local(out);
      EXPECT_EQ(pcm.size(), ref.out.size());
      EXPECT_TRUE(pcm == ref.out) << "the PCM differs from ffmpeg's";
    }
  }

  struct Tools {
    std::string ffmpeg, curl, env;
  };
  static S3rver *server_;
  static fs::path *work_;
  static Tools *tools_;
};

S3rver *S3Cli::server_ = nullptr;
fs::path *S3Cli::work_ = nullptr;
S3Cli::Tools *S3Cli::tools_ = nullptr;

TEST_F(S3Cli, CpUploadsAndCatDownloads) {
  const std::vector<uint8_t> data = random_bytes((3 << 20) + 4321, 1);
  const fs::path in = work() / "in.bin";
  write_local(in, text_of(data));
  std::vector<std::string> cp = {"cp", "-q", in.string(), s3_url("cli/x.bin")};
  const std::vector<std::string> options = store("-O");
  cp.insert(cp.end(), options.begin(), options.end());
  const CommandResult up = avio(cp);
  ASSERT_EQ(up.exit_code, 0) << describe(up);
  std::optional<std::vector<uint8_t>> stored = s3().get_object(kBucket, "cli/x.bin");
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(*stored == data) << "the object differs from the file";
  const CommandResult down = avio_store({"cat", s3_url("cli/x.bin")});
  ASSERT_EQ(down.exit_code, 0) << describe(down);
  EXPECT_EQ(down.out.size(), data.size());
  EXPECT_TRUE(down.out == text_of(data)) << "avio cat printed other bytes";
  EXPECT_EQ(down.err, "");
}

// More than part_size (5 MiB here): a multipart upload through the CLI.
TEST_F(S3Cli, CpUploadsAMultipartObject) {
  const std::vector<uint8_t> data = random_bytes((11 << 20) + 99, 2);
  const fs::path in = work() / "big.bin";
  write_local(in, text_of(data));
  std::vector<std::string> cp = {"cp", "-q", in.string(), s3_url("cli/big.bin"), "-O", "part_size=5242880"};
  const std::vector<std::string> options = store("-O");
  cp.insert(cp.end(), options.begin(), options.end());
  const CommandResult up = avio(cp);
  ASSERT_EQ(up.exit_code, 0) << describe(up);
  const CommandResult down = avio_store({"cat", s3_url("cli/big.bin")});
  ASSERT_EQ(down.exit_code, 0) << describe(down);
  EXPECT_TRUE(down.out == text_of(data)) << "the multipart object differs";
  EXPECT_TRUE(s3().list_multipart_uploads(kBucket).empty()) << "an upload was left in progress";
}

// Every size at the edges of a single PUT and of a part (part_size 5 MiB):
// cp up, then cp down to a file, byte for byte, nothing left in progress.
TEST_F(S3Cli, CpRoundTripsOfEveryEdgeSize) {
  constexpr size_t kPart = size_t{5} << 20;
  uint32_t seed = 200;
  for (const size_t size : {size_t{0}, size_t{1}, kPart - 1, kPart, kPart + 1, size_t{50} << 20}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string bytes = text_of(random_bytes(size, ++seed));
    const std::string key = "cli/edge-" + std::to_string(size) + ".bin";
    const fs::path in = work() / ("edge-in-" + std::to_string(size));
    const fs::path out = work() / ("edge-out-" + std::to_string(size));
    write_local(in, bytes);
    std::vector<std::string> up = {"cp", "-q", in.string(), s3_url(key), "-O", "part_size=5242880"};
    const std::vector<std::string> to_store = store("-O");
    up.insert(up.end(), to_store.begin(), to_store.end());
    const CommandResult put = avio(up);
    ASSERT_EQ(put.exit_code, 0) << describe(put);
    const std::optional<std::vector<uint8_t>> stored = s3().get_object(kBucket, key);
    ASSERT_TRUE(stored.has_value());
    EXPECT_TRUE(text_of(*stored) == bytes) << "the object differs from the file";
    std::vector<std::string> down = {"cp", "-q", s3_url(key), out.string()};
    const std::vector<std::string> from_store = store("-o");
    down.insert(down.end(), from_store.begin(), from_store.end());
    const CommandResult get = avio(down);
    ASSERT_EQ(get.exit_code, 0) << describe(get);
    EXPECT_TRUE(read_local(out) == bytes) << "the file copied down differs";
    fs::remove(in);
    fs::remove(out);
  }
  EXPECT_TRUE(s3().list_multipart_uploads(kBucket).empty()) << "an upload was left in progress";
}

TEST_F(S3Cli, CatOfAMissingKeyFailsInOneLine) {
  const CommandResult r = avio_store({"cat", s3_url("cli/no-such-key")});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("s3://test-bucket/cli/no-such-key"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not exactly one line: " << r.err;
}

// Keys and common prefixes ("directories") under a prefix, with or
// without the trailing slash; -l gives the types and sizes.
TEST_F(S3Cli, LsListsKeysAndPrefixes) {
  ASSERT_NO_FATAL_FAILURE(put("ls/a.bin", random_bytes(10, 3)));
  ASSERT_NO_FATAL_FAILURE(put("ls/b.bin", random_bytes(2000, 4)));
  ASSERT_NO_FATAL_FAILURE(put("ls/sub/c.bin", random_bytes(5, 5)));
  ASSERT_NO_FATAL_FAILURE(put("ls/sub/deeper/d.bin", random_bytes(5, 6)));
  ASSERT_NO_FATAL_FAILURE(put("ls/subway.bin", random_bytes(7, 7)));
  for (const char *url : {"s3://test-bucket/ls/", "s3://test-bucket/ls"}) {
    const CommandResult r = avio_store({"ls", url});
    ASSERT_EQ(r.exit_code, 0) << url << ": " << describe(r);
    EXPECT_EQ(r.out, "sub\na.bin\nb.bin\nsubway.bin\n") << url;
  }
  const CommandResult sub = avio_store({"ls", "s3://test-bucket/ls/sub/"});
  ASSERT_EQ(sub.exit_code, 0) << describe(sub);
  EXPECT_EQ(sub.out, "deeper\nc.bin\n");
  const CommandResult root = avio_store({"ls", "s3://test-bucket/"});
  ASSERT_EQ(root.exit_code, 0) << describe(root);
  EXPECT_NE(root.out.find("ls\n"), std::string::npos) << root.out;
  const CommandResult l = avio_store({"ls", "-l", "s3://test-bucket/ls/"});
  ASSERT_EQ(l.exit_code, 0) << describe(l);
  EXPECT_NE(l.out.find("DIR "), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("FILE "), std::string::npos) << l.out;
  EXPECT_NE(l.out.find(" 2000  "), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("  b.bin\n"), std::string::npos) << l.out;
}

TEST_F(S3Cli, StatPrintsTheSizeAndSeekabilityAndHidesTheSecret) {
  const std::vector<uint8_t> data = random_bytes(123457, 8);
  ASSERT_NO_FATAL_FAILURE(put("cli/stat.bin", data));
  const CommandResult r = avio_store({"stat", s3_url("cli/stat.bin")});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find(stat_line("protocol", "s3")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("size", std::to_string(data.size()))), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(stat_line("seekable", "yes")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\noption secret_access_key: (set, not shown)\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("secret_access_key: S3RVER"), std::string::npos) << r.out;
}

TEST_F(S3Cli, RmDeletesObjectsAndFiles) {
  ASSERT_NO_FATAL_FAILURE(put("rm/one.bin", random_bytes(100, 9)));
  ASSERT_NO_FATAL_FAILURE(put("rm/two.bin", random_bytes(100, 10)));
  ASSERT_NO_FATAL_FAILURE(put("rm/keep.bin", random_bytes(100, 11)));
  ASSERT_EQ(s3().list_keys(kBucket, "rm/").size(), 3u);
  const fs::path local = work() / "rm-local.bin";
  write_local(local, "x");
  const CommandResult r = avio_store({"rm", s3_url("rm/one.bin"), s3_url("rm/two.bin")});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> keys = s3().list_keys(kBucket, "rm/");
  EXPECT_EQ(keys, std::vector<std::string>{"rm/keep.bin"});
  // Any protocol that deletes: a plain path, then a missing file: URL.
  const CommandResult file = avio({"rm", local.string()});
  EXPECT_EQ(file.exit_code, 0) << describe(file);
  EXPECT_FALSE(fs::exists(local));
  const CommandResult missing = avio({"rm", "file:" + local.string()});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
  EXPECT_NE(missing.err.find("No such file or directory"), std::string::npos) << missing.err;
  // An option no protocol of the URL has is an error, and nothing is deleted.
  const CommandResult typo = avio_store({"rm", s3_url("rm/keep.bin"), "-o", "endpoint=x"});
  EXPECT_EQ(typo.exit_code, 1) << describe(typo);
  EXPECT_NE(typo.err.find("'endpoint'"), std::string::npos) << typo.err;
  EXPECT_TRUE(contains(s3().list_keys(kBucket, "rm/"), "rm/keep.bin"));
  // A protocol without delete says so.
  const CommandResult http = avio({"rm", s3().endpoint() + "/test-bucket/rm/keep.bin"});
  EXPECT_EQ(http.exit_code, 1) << describe(http);
  EXPECT_NE(http.err.find("delete is not supported"), std::string::npos) << http.err;
}

// curl, with no credentials, fetches through the presigned URL.
TEST_F(S3Cli, PresignedGetFetchesTheObject) {
  const std::vector<uint8_t> data = random_bytes(300000, 12);
  ASSERT_NO_FATAL_FAILURE(put("cli/p q+r.bin", data));
  const std::string url = presign("cli/p q+r.bin");
  EXPECT_EQ(url.rfind(s3().endpoint() + "/test-bucket/cli/p%20q%2Br.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&", 0), 0u)
      << url;
  EXPECT_NE(url.find("&X-Amz-Expires=3600&"), std::string::npos) << url;
  EXPECT_NE(url.find("X-Amz-Credential=S3RVER%2F"), std::string::npos) << url;
  const fs::path out = work() / "presigned.bin";
  const CommandResult r = curl({"-o", out.string(), url});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "200");
  EXPECT_TRUE(read_local(out) == text_of(data)) << "curl fetched other bytes";
  EXPECT_NE(presign("cli/p q+r.bin", {"--expires", "60"}).find("&X-Amz-Expires=60&"), std::string::npos);
}

TEST_F(S3Cli, PresignedPutUploads) {
  const std::vector<uint8_t> data = random_bytes(200000, 13);
  const fs::path in = work() / "presigned-put.bin";
  write_local(in, text_of(data));
  const std::string url = presign("cli/uploaded.bin", {"--method", "PUT"});
  const CommandResult r = curl({"-T", in.string(), url});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "200");
  std::optional<std::vector<uint8_t>> stored = s3().get_object(kBucket, "cli/uploaded.bin");
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(*stored == data);
}

TEST_F(S3Cli, PresignRefusesWhatItCannotSign) {
  const CommandResult expires = avio_store({"presign", "--expires", "604801", s3_url("k")});
  EXPECT_EQ(expires.exit_code, 2) << describe(expires);
  const CommandResult method = avio_store({"presign", "--method", "POST", s3_url("k")});
  EXPECT_EQ(method.exit_code, 2) << describe(method);
  const CommandResult bucket = avio_store({"presign", "s3://test-bucket/"});
  EXPECT_EQ(bucket.exit_code, 1) << describe(bucket);
  EXPECT_NE(bucket.err.find("names no object"), std::string::npos) << bucket.err;
  const CommandResult none = avio({"presign", s3_url("k")});
  EXPECT_EQ(none.exit_code, 1) << describe(none);
  EXPECT_NE(none.err.find("no credentials"), std::string::npos) << none.err;
  EXPECT_EQ(none.out, "");
}

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_ENDPOINT_URL in avio's
// environment; a wrong key id in it is refused by s3rver (so it is used).
TEST_F(S3Cli, CredentialsFromTheEnvironment) {
  const std::vector<uint8_t> data = random_bytes(50000, 14);
  ASSERT_NO_FATAL_FAILURE(put("env/obj.bin", data));
  const std::vector<std::string> env = {"AWS_ACCESS_KEY_ID=S3RVER", "AWS_SECRET_ACCESS_KEY=S3RVER",
                                        "AWS_ENDPOINT_URL=" + s3().endpoint(), "AWS_REGION=eu-west-3"};
  const CommandResult cat = avio({"cat", s3_url("env/obj.bin")}, env);
  ASSERT_EQ(cat.exit_code, 0) << describe(cat);
  EXPECT_TRUE(cat.out == text_of(data));
  const CommandResult ls = avio({"ls", "s3://test-bucket/env/"}, env);
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  EXPECT_EQ(ls.out, "obj.bin\n");
  const CommandResult url = avio({"presign", s3_url("env/obj.bin")}, env);
  ASSERT_EQ(url.exit_code, 0) << describe(url);
  EXPECT_EQ(url.out.rfind(s3().endpoint() + "/test-bucket/env/obj.bin?", 0), 0u) << url.out;
  EXPECT_NE(url.out.find("%2Feu-west-3%2Fs3%2Faws4_request"), std::string::npos) << url.out;
  const CommandResult rm = avio({"rm", s3_url("env/obj.bin")}, env);
  ASSERT_EQ(rm.exit_code, 0) << describe(rm);
  EXPECT_TRUE(s3().list_keys(kBucket, "env/").empty());
  const CommandResult wrong =
      avio({"cat", s3_url("cli/x.bin")},
           {"AWS_ACCESS_KEY_ID=NOBODY", "AWS_SECRET_ACCESS_KEY=S3RVER", "AWS_ENDPOINT_URL=" + s3().endpoint()});
  EXPECT_EQ(wrong.exit_code, 1) << describe(wrong);
  EXPECT_NE(wrong.err.find("InvalidAccessKeyId"), std::string::npos) << wrong.err;
}

// AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE written by the test (a
// profile chosen by AWS_PROFILE, the endpoint in the config file), then
// ~/.aws/credentials and ~/.aws/config under HOME.
TEST_F(S3Cli, CredentialsFromTheSharedFiles) {
  const std::vector<uint8_t> data = random_bytes(40000, 15);
  ASSERT_NO_FATAL_FAILURE(put("files/obj.bin", data));
  const fs::path credentials = work() / "credentials";
  const fs::path config = work() / "config";
  write_local(credentials,
              "[default]\naws_access_key_id = NOBODY\naws_secret_access_key = x\n\n"
              "[cli]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
  write_local(config, "[default]\nregion = us-east-1\n\n[profile cli]\nregion = eu-central-1\nendpoint_url = " +
                          s3().endpoint() + "\n");
  const std::vector<std::string> env = {"AWS_SHARED_CREDENTIALS_FILE=" + credentials.string(),
                                        "AWS_CONFIG_FILE=" + config.string(), "AWS_PROFILE=cli"};
  const CommandResult cat = avio({"cat", s3_url("files/obj.bin")}, env);
  ASSERT_EQ(cat.exit_code, 0) << describe(cat);
  EXPECT_TRUE(cat.out == text_of(data));
  const CommandResult url = avio({"presign", s3_url("files/obj.bin")}, env);
  ASSERT_EQ(url.exit_code, 0) << describe(url);
  EXPECT_NE(url.out.find("X-Amz-Credential=S3RVER%2F"), std::string::npos) << url.out;
  EXPECT_NE(url.out.find("%2Feu-central-1%2Fs3%2F"), std::string::npos) << url.out;
  const CommandResult fetched = curl({"-o", (work() / "files.bin").string(), url.out.substr(0, url.out.size() - 1)});
  EXPECT_EQ(fetched.out, "200") << describe(fetched);
  EXPECT_TRUE(read_local(work() / "files.bin") == text_of(data));
  // The default profile's key is NOBODY: s3rver refuses it.
  const std::vector<std::string> default_profile = {env[0], env[1], "AWS_ENDPOINT_URL=" + s3().endpoint()};
  const CommandResult refused = avio({"cat", s3_url("files/obj.bin")}, default_profile);
  EXPECT_EQ(refused.exit_code, 1) << describe(refused);
  EXPECT_NE(refused.err.find("InvalidAccessKeyId"), std::string::npos) << refused.err;
  // The same files as ~/.aws/credentials and ~/.aws/config.
  const fs::path home = work() / "home-with-aws";
  fs::create_directories(home / ".aws");
  fs::copy_file(credentials, home / ".aws/credentials", fs::copy_options::overwrite_existing);
  fs::copy_file(config, home / ".aws/config", fs::copy_options::overwrite_existing);
  const CommandResult ls = avio({"ls", "s3://test-bucket/files/"}, {"HOME=" + home.string(), "AWS_PROFILE=cli"});
  ASSERT_EQ(ls.exit_code, 0) << describe(ls);
  EXPECT_EQ(ls.out, "obj.bin\n");
  const CommandResult rm = avio({"rm", s3_url("files/obj.bin")}, {"HOME=" + home.string(), "AWS_PROFILE=cli"});
  ASSERT_EQ(rm.exit_code, 0) << describe(rm);
  EXPECT_TRUE(s3().list_keys(kBucket, "files/").empty());
}

// The bridge: FFmpeg decoding from an s3:// URL through avio equals
// ffmpeg's own decode of the same object over http (a presigned URL).
TEST_F(S3Cli, DecodesMp3LikeFfmpegOverAPresignedUrl) {
  make_media("tone.mp3", 10, {"-c:a", "libmp3lame", "-b:a", "128k"});
  ASSERT_FALSE(HasFailure());
  expect_same_pcm("tone.mp3", 10);
}

// The moov box after the mdat box (ffmpeg's mp4 muxer without +faststart):
// FFmpeg seeks to the end and back, which the s3 protocol serves with
// ranged GETs in url mode.
TEST_F(S3Cli, DecodesAacInMp4WithTheMoovAtTheEndLikeFfmpeg) {
  const std::string mp4 = make_media("tone.m4a", 30, {"-c:a", "aac", "-f", "mp4"});
  ASSERT_FALSE(HasFailure());
  const std::optional<size_t> mdat = top_level_box(mp4, "mdat"), moov = top_level_box(mp4, "moov");
  ASSERT_TRUE(mdat && moov) << "no mdat or no moov box";
  ASSERT_LT(*mdat, *moov) << "the moov box is not at the end";
  expect_same_pcm("tone.m4a", 30);
}

}  // namespace
