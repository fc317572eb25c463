// Self-tests of the S3 test infrastructure: the private s3rver
// (s3rver_fixture), checked through curl (--aws-sigv4), never through avio.
// They also pin down what s3rver 3.7.1 does where it differs from S3, so
// that the S3 tests built on it know, and notice if it ever changes.
#include "s3rver_fixture.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nginx_fixture.hpp"

namespace avio_s3_test {
namespace {

namespace fs = std::filesystem;
using avio_http_test::CommandResult;
using avio_http_test::run_command;

constexpr std::string_view kBucket = "test-bucket";

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (auto &b : v) b = static_cast<uint8_t>(gen() & 0xff);
  return v;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

size_t count_entries(const fs::path &dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto &e : fs::directory_iterator(dir)) ++n;
  return n;
}

// The processes whose parent is this one (from /proc/PID/stat).
std::vector<pid_t> children() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + paren + 1, " %c %d", &state, &ppid) == 2 && ppid == ::getpid()) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

std::unique_ptr<S3rver> start_or_fail(const S3rver::Options &options = S3rver::Options()) {
  std::string error;
  auto s = S3rver::start(&error, options);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

// curl with SigV4 (as S3rver::request, but with the credentials and headers given).
CommandResult raw_curl(const S3rver &s, const std::string &user, bool content_sha, const std::string &target) {
  std::vector<std::string> argv = {"curl", "-sS", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code}"};
  if (!user.empty()) argv.insert(argv.end(), {"--aws-sigv4", "aws:amz:us-east-1:s3", "--user", user});
  if (content_sha) argv.insert(argv.end(), {"-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"});
  argv.push_back(s.endpoint() + target);
  return run_command(argv);
}

TEST(S3rverFixture, StartStopLeavesNoProcessDescriptorOrDirectory) {
  const size_t fds_before = count_entries("/proc/self/fd");
  pid_t pid = -1;
  fs::path dir;
  {
    auto s = start_or_fail();
    ASSERT_NE(s, nullptr);
    pid = s->pid();
    dir = s->directory();
    EXPECT_EQ(::kill(pid, 0), 0);
    EXPECT_GT(s->port(), 0);
    EXPECT_EQ(s->endpoint(), "http://127.0.0.1:" + std::to_string(s->port()));
    EXPECT_TRUE(s->ca_file().empty());
    EXPECT_TRUE(fs::is_directory(s->data_dir() / kBucket)) << s->log();
    EXPECT_NE(s->log().find("S3rver listening on 127.0.0.1:"), std::string::npos) << s->log();
    EXPECT_EQ(s->list_keys(kBucket), std::vector<std::string>{});
  }
  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_EQ(children(), std::vector<pid_t>{});
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_EQ(count_entries("/proc/self/fd"), fds_before);
}

TEST(S3rverFixture, MissingInstallFailsWithTheInstallHint) {
  ASSERT_EQ(::setenv("AVIO_TEST_S3RVER_DIR", "/nonexistent/avio-s3rver", 1), 0);
  std::string error;
  EXPECT_EQ(S3rver::start(&error), nullptr);
  ::unsetenv("AVIO_TEST_S3RVER_DIR");
  EXPECT_NE(error.find("scripts/install-deps.sh"), std::string::npos) << error;
}

TEST(S3rverFixture, PutGetListRoundTrip) {
  S3rver::Options options;
  options.buckets = {"test-bucket", "other-bucket"};
  auto s = start_or_fail(options);
  ASSERT_NE(s, nullptr);
  const auto big = random_bytes(1 << 20, 1);
  const auto small = random_bytes(100, 2);
  ASSERT_TRUE(s->put_object(kBucket, "dir/1m.bin", big)) << s->log();
  ASSERT_TRUE(s->put_object(kBucket, "dir/a b+c&d.bin", small));
  ASSERT_TRUE(s->put_object(kBucket, "top.bin", {}));
  ASSERT_TRUE(s->put_object("other-bucket", "x", small));
  EXPECT_EQ(s->get_object(kBucket, "dir/1m.bin"), big);
  EXPECT_EQ(s->get_object(kBucket, "dir/a b+c&d.bin"), small);
  EXPECT_EQ(s->get_object(kBucket, "top.bin"), std::vector<uint8_t>{});
  EXPECT_EQ(s->get_object(kBucket, "absent"), std::nullopt);
  EXPECT_EQ(s->list_keys(kBucket), (std::vector<std::string>{"dir/1m.bin", "dir/a b+c&d.bin", "top.bin"}));
  EXPECT_EQ(s->list_keys(kBucket, "dir/a"), std::vector<std::string>{"dir/a b+c&d.bin"});
  EXPECT_EQ(s->list_keys("other-bucket"), std::vector<std::string>{"x"});
  // s3rver keeps an object as a plain file in its data directory.
  EXPECT_EQ(fs::file_size(s->data_dir() / kBucket / "dir/1m.bin._S3rver_object"), big.size());
  const S3Response head = s->request("HEAD", "/test-bucket/dir/1m.bin");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "1048576");
  EXPECT_EQ(head.header("Accept-Ranges"), "bytes");
}

// ListObjectsV2 pages: s3rver's continuation tokens need OpenSSL's legacy
// provider (DES), which the fixture turns on for node.
TEST(S3rverFixture, ListKeysFollowsContinuationTokens) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const std::vector<std::string> keys = {"k0", "k1", "k2", "k3", "k4"};
  for (const auto &k : keys) ASSERT_TRUE(s->put_object(kBucket, k, as_bytes("v")));
  const S3Response page = s->request("GET", "/test-bucket?list-type=2&max-keys=2");
  ASSERT_EQ(page.status, 200) << page.body_text() << s->log();
  EXPECT_NE(page.body_text().find("<IsTruncated>true</IsTruncated>"), std::string::npos) << page.body_text();
  EXPECT_NE(page.body_text().find("<NextContinuationToken>"), std::string::npos) << page.body_text();
  EXPECT_EQ(s->list_keys(kBucket, "", 2), keys);
  EXPECT_EQ(s->list_keys(kBucket, "", 1), keys);
}

// vhost_buckets: a Host that is neither an IP address nor "localhost" names
// the bucket. Off (the default), the path always does.
TEST(S3rverFixture, VhostBucketsOption) {
  S3rver::Options options;
  options.vhost_buckets = true;
  auto on = start_or_fail(options);
  ASSERT_NE(on, nullptr);
  ASSERT_TRUE(on->put_object(kBucket, "obj", as_bytes("v")));
  EXPECT_EQ(on->request("GET", "/obj", {}, {"Host: test-bucket"}).body_text(), "v");
  auto off = start_or_fail();
  ASSERT_NE(off, nullptr);
  ASSERT_TRUE(off->put_object(kBucket, "obj", as_bytes("v")));
  const S3Response r = off->request("GET", "/obj", {}, {"Host: test-bucket"});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body_text().find("<Code>NoSuchBucket</Code>"), std::string::npos) << r.body_text();
}

TEST(S3rverFixture, RangedGetGives206) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const auto data = random_bytes(1000, 3);
  ASSERT_TRUE(s->put_object(kBucket, "obj", data));
  const S3Response r = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=100-199"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("Content-Range"), "bytes 100-199/1000");
  EXPECT_EQ(r.body, std::vector<uint8_t>(data.begin() + 100, data.begin() + 200));
  const S3Response open_ended = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=990-"});
  EXPECT_EQ(open_ended.status, 206);
  EXPECT_EQ(open_ended.body, std::vector<uint8_t>(data.begin() + 990, data.end()));
  const S3Response beyond = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=1000-1099"});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_NE(beyond.body_text().find("<Code>InvalidRange</Code>"), std::string::npos) << beyond.body_text();
}

// s3rver 3.7.1 parses "bytes=A-B" as Number(A), Number(B) || end: a suffix
// range "bytes=-N" is bytes 0..N, and "bytes=0-0" or a multi-range is the
// whole object (all 206). S3 gives the last N bytes, 1 byte, the whole (200).
TEST(S3rverFixture, RangeQuirksOfS3rver) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const auto data = random_bytes(1000, 4);
  ASSERT_TRUE(s->put_object(kBucket, "obj", data));
  const S3Response suffix = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=-10"});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.header("Content-Range"), "bytes 0-10/1000");  // S3: bytes 990-999/1000
  EXPECT_EQ(suffix.body, std::vector<uint8_t>(data.begin(), data.begin() + 11));
  const S3Response first = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=0-0"});
  EXPECT_EQ(first.status, 206);
  EXPECT_EQ(first.header("Content-Range"), "bytes 0-999/1000");  // S3: bytes 0-0/1000
  const S3Response one = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=5-5"});
  EXPECT_EQ(one.header("Content-Range"), "bytes 5-5/1000");
  const S3Response multi = s->request("GET", "/test-bucket/obj", {}, {"Range: bytes=0-1,3-4"});
  EXPECT_EQ(multi.status, 206);  // S3: 200, the whole object
  EXPECT_EQ(multi.header("Content-Range"), "bytes 0-999/1000");
}

// If-None-Match works (304); If-Match is ignored (S3: 412 on a mismatch).
TEST(S3rverFixture, ConditionalQuirksOfS3rver) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->put_object(kBucket, "obj", as_bytes("0123456789")));
  const std::string etag = s->request("HEAD", "/test-bucket/obj").header("ETag");
  EXPECT_EQ(etag, "\"781e5e245d69b566979b86e28d23f2c7\"");  // MD5 of the bytes
  EXPECT_EQ(s->request("GET", "/test-bucket/obj", {}, {"If-None-Match: " + etag}).status, 304);
  EXPECT_EQ(s->request("GET", "/test-bucket/obj", {}, {"If-Match: " + etag, "Range: bytes=2-3"}).status, 206);
  EXPECT_EQ(s->request("GET", "/test-bucket/obj", {}, {"If-Match: \"other\"", "Range: bytes=2-3"}).status, 206);
}

TEST(S3rverFixture, MissingKeyGives404NoSuchKey) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const S3Response r = s->request("GET", "/test-bucket/no/such/key");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.header("Content-Type").find("application/xml"), std::string::npos) << r.headers;
  EXPECT_NE(r.body_text().find("<Code>NoSuchKey</Code>"), std::string::npos) << r.body_text();
  const S3Response bucket = s->request("GET", "/no-such-bucket/key");
  EXPECT_EQ(bucket.status, 404);
  EXPECT_NE(bucket.body_text().find("<Code>NoSuchBucket</Code>"), std::string::npos) << bucket.body_text();
}

TEST(S3rverFixture, MultipartUploadAndInProgressUploads) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const auto part1 = random_bytes(5 << 20, 5);
  const auto part2 = random_bytes(12345, 6);
  const auto id = s->initiate_multipart_upload(kBucket, "mp/obj");
  ASSERT_TRUE(id.has_value()) << s->log();
  const auto other = s->initiate_multipart_upload(kBucket, "mp/other");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(s->list_multipart_uploads(kBucket).size(), 2U);
  const auto etag1 = s->upload_part(kBucket, "mp/obj", *id, 1, part1);
  const auto etag2 = s->upload_part(kBucket, "mp/obj", *id, 2, part2);
  ASSERT_TRUE(etag1.has_value() && etag2.has_value());
  EXPECT_EQ(s->list_keys(kBucket), std::vector<std::string>{});  // no object before the completion
  ASSERT_TRUE(s->complete_multipart_upload(kBucket, "mp/obj", *id, {*etag1, *etag2})) << s->log();
  EXPECT_EQ(s->list_multipart_uploads(kBucket), std::vector<std::string>{*other});
  std::vector<uint8_t> whole = part1;
  whole.insert(whole.end(), part2.begin(), part2.end());
  EXPECT_EQ(s->get_object(kBucket, "mp/obj"), whole);
  EXPECT_EQ(s->list_keys(kBucket), std::vector<std::string>{"mp/obj"});
}

// What s3rver 3.7.1 lacks of the multipart API: ListMultipartUploads (501)
// and AbortMultipartUpload (405); an upload is only ever gone by completion.
TEST(S3rverFixture, ListAndAbortMultipartAreNotImplementedInS3rver) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const auto id = s->initiate_multipart_upload(kBucket, "obj");
  ASSERT_TRUE(id.has_value());
  const S3Response list = s->request("GET", "/test-bucket?uploads");
  EXPECT_EQ(list.status, 501);
  EXPECT_NE(list.body_text().find("<Code>NotImplemented</Code>"), std::string::npos) << list.body_text();
  const S3Response abort = s->request("DELETE", "/test-bucket/obj?uploadId=" + *id);
  EXPECT_EQ(abort.status, 405);
  EXPECT_NE(abort.body_text().find("<Code>MethodNotAllowed</Code>"), std::string::npos) << abort.body_text();
  EXPECT_EQ(s->list_multipart_uploads(kBucket), std::vector<std::string>{*id});
}

// What s3rver 3.7.1 does not check: an upload id that was never initiated
// (S3: 404 NoSuchUpload), part sizes (S3: EntityTooSmall under 5 MiB but
// for the last) and the ETags listed on completion (S3: InvalidPart). Its
// multipart ETag is the MD5 of the whole (S3: MD5 of the part MD5s, "-N").
TEST(S3rverFixture, MultipartChecksMissingInS3rver) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->upload_part(kBucket, "orphan", "0123abcd", 1, as_bytes("x")).has_value());
  EXPECT_EQ(s->list_multipart_uploads(kBucket), std::vector<std::string>{"0123abcd"});
  const auto id = s->initiate_multipart_upload(kBucket, "mp");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(s->upload_part(kBucket, "mp", *id, 1, as_bytes("aaa")).has_value());
  ASSERT_TRUE(s->upload_part(kBucket, "mp", *id, 2, as_bytes("bbb")).has_value());
  EXPECT_TRUE(s->complete_multipart_upload(kBucket, "mp", *id, {"\"wrong\"", "\"etags\""}));
  EXPECT_EQ(s->get_object(kBucket, "mp"), std::vector<uint8_t>({'a', 'a', 'a', 'b', 'b', 'b'}));
  EXPECT_EQ(s->request("HEAD", "/test-bucket/mp").header("ETag"), "\"6547436690a26a399603a7096e876a2d\"");
}

// A CompleteMultipartUpload that names a part never uploaded kills s3rver
// 3.7.1 (an unhandled ENOENT): running() tells, and the fixture still stops.
TEST(S3rverFixture, CompletingWithAMissingPartKillsS3rver) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  const auto id = s->initiate_multipart_upload(kBucket, "mp");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(s->upload_part(kBucket, "mp", *id, 1, as_bytes("aaa")).has_value());
  EXPECT_TRUE(s->running());
  EXPECT_FALSE(s->complete_multipart_upload(kBucket, "mp", *id, {"\"a\"", "\"b\""}));
  for (int i = 0; i < 500 && s->running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(s->running());
  EXPECT_NE(s->log().find("ENOENT"), std::string::npos) << s->log();
}

// s3rver 3.7.1 checks that the access key exists and that
// x-amz-content-sha256 is there, never the signature itself.
TEST(S3rverFixture, SignaturesAreNotVerifiedByS3rver) {
  auto s = start_or_fail();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->put_object(kBucket, "obj", as_bytes("data")));
  EXPECT_EQ(raw_curl(*s, "S3RVER:S3RVER", true, "/test-bucket/obj").out, "200");
  EXPECT_EQ(raw_curl(*s, "S3RVER:wrong-secret", true, "/test-bucket/obj").out, "200");  // S3: 403
  EXPECT_EQ(raw_curl(*s, "", false, "/test-bucket/obj").out, "200");                    // anonymous
  EXPECT_EQ(raw_curl(*s, "NOBODY:S3RVER", true, "/test-bucket/obj").out, "403");        // InvalidAccessKeyId
  EXPECT_EQ(raw_curl(*s, "S3RVER:S3RVER", false, "/test-bucket/obj").out, "400");       // no x-amz-content-sha256
}

TEST(S3rverFixture, HttpsWithTheFixturesCertificate) {
  S3rver::Options options;
  options.https = true;
  auto s = start_or_fail(options);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->endpoint(), "https://localhost:" + std::to_string(s->port()));
  ASSERT_FALSE(s->ca_file().empty());
  const auto data = random_bytes(70000, 7);
  ASSERT_TRUE(s->put_object(kBucket, "tls.bin", data)) << s->log();  // curl --cacert ca_file()
  EXPECT_EQ(s->get_object(kBucket, "tls.bin"), data);
  const S3Response r = s->request("GET", "/test-bucket/tls.bin", {}, {"Range: bytes=0-9"});
  EXPECT_EQ(r.status, 206);
  // Without the certificate, curl refuses the server (60: peer certificate).
  const CommandResult plain = run_command({"curl", "-sS", "-o", "/dev/null", s->endpoint() + "/test-bucket/tls.bin"});
  EXPECT_EQ(plain.exit_code, 60) << plain.err;
  const CommandResult trusted =
      run_command({"curl", "-sS", "--cacert", s->ca_file(), "-o", "/dev/null", "-w", "%{http_code}", "-H",
                   "x-amz-content-sha256: UNSIGNED-PAYLOAD", s->endpoint() + "/test-bucket/tls.bin"});
  EXPECT_EQ(trusted.out, "200") << trusted.err;
}

}  // namespace
}  // namespace avio_s3_test
