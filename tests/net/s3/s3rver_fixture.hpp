// A private S3-compatible server for the S3 tests: s3rver 3.7.1 (npm),
// installed in tools/s3rver/node_modules by scripts/install-deps.sh and run
// with Debian's /usr/bin/node on a loopback port in a temporary directory,
// stopped and removed by its destructor. Every wait here is bounded, and no
// s3rver outlives the fixture (nor the thread that started it).
//
// What s3rver 3.7.1 is and is not (each pinned by s3rver_fixture_test.cc):
// - it does not verify SigV4 signatures (only that the access key exists),
//   nor Content-MD5, and refuses a request without x-amz-content-sha256;
// - ranges: "bytes=-N" gives bytes 0..N, "bytes=0-0" and multiple ranges
//   give the whole object (206); If-Match is ignored (If-None-Match works);
// - multipart: no ListMultipartUploads (501), no AbortMultipartUpload (405),
//   UploadPart to an unknown upload id succeeds, the part ETags and sizes
//   given to CompleteMultipartUpload are not checked, the object's ETag is
//   the MD5 of the whole, and completing with a part never uploaded kills
//   s3rver (see running()). list_multipart_uploads() reads its data directory;
// - its ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in
//   its legacy provider: node runs with --openssl-legacy-provider, else a
//   truncated listing is a 500.
#ifndef AVIO_TESTS_NET_S3_S3RVER_FIXTURE_HPP
#define AVIO_TESTS_NET_S3_S3RVER_FIXTURE_HPP

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.hpp"

namespace avio_s3_test {

// s3rver's default account.
inline constexpr std::string_view kAccessKey = "S3RVER";
inline constexpr std::string_view kSecretKey = "S3RVER";
inline constexpr std::string_view kRegion = "us-east-1";

// One HTTP exchange made by S3rver::request().
struct S3Response {
  int status = 0;             // 0 when curl could not make the request
  std::string headers;        // the response's header block, as received
  std::vector<uint8_t> body;  // the response body
  std::string error;          // curl's complaint when status is 0
  std::string body_text() const { return {body.begin(), body.end()}; }
  std::string header(std::string_view name) const;  // a header's value (case-insensitive name), "" when absent
};

class S3rver {
 public:
  struct Options {
    std::vector<std::string> buckets = {"test-bucket"};  // created at startup
    bool https = false;          // TLS with a fresh self-signed certificate for localhost and 127.0.0.1
    bool vhost_buckets = false;  // s3rver's bucket.host addressing (off: --no-vhost-buckets)
    bool silent = true;          // false: s3rver logs every request to log()
  };

  // Starts s3rver on a free loopback port (s3rver binds port 0 and prints
  // the port, so there is no race to lose). Waits (at most ~15 s) until it
  // accepts. On failure returns nullptr and puts the reason (with s3rver's
  // output) in *error; a missing install says to run scripts/install-deps.sh.
  // The install is $AVIO_TEST_S3RVER_DIR or the source tree's tools/s3rver,
  // node is $AVIO_TEST_NODE or /usr/bin/node.
  static std::unique_ptr<S3rver> start(std::string *error, const Options &options);
  static std::unique_ptr<S3rver> start(std::string *error) { return start(error, Options()); }
  ~S3rver();  // SIGTERM, bounded wait, then SIGKILL to its group; removes the directory
  S3rver(const S3rver &) = delete;
  S3rver &operator=(const S3rver &) = delete;

  int port() const { return port_; }
  std::string endpoint() const;  // "http://127.0.0.1:PORT" or "https://localhost:PORT"
  std::string url(std::string_view bucket, std::string_view key) const;  // path-style, key percent-encoded
  std::string ca_file() const;                                           // the certificate when https, else ""
  std::filesystem::path data_dir() const;  // s3rver's -d directory (one directory per bucket)
  std::filesystem::path directory() const { return dir_; }
  pid_t pid() const { return s3rver_.pid(); }
  bool running() const { return s3rver_.running(); }  // false once s3rver has exited (it can crash: see above)
  std::string log() const;                            // s3rver's stdout and stderr

  // One request signed with curl's --aws-sigv4 (and x-amz-content-sha256:
  // UNSIGNED-PAYLOAD, which curl 7.88 does not add). `target` is a path and
  // query ("/bucket/key?uploads"), already encoded; `headers` are "Name: value".
  S3Response request(std::string_view method, std::string_view target, std::span<const uint8_t> body = {},
                     const std::vector<std::string> &headers = {}) const;

  // Out-of-band helpers for the tests, through request().
  bool put_object(std::string_view bucket, std::string_view key, std::span<const uint8_t> bytes) const;
  // The object's bytes; nullopt unless the answer is 200.
  std::optional<std::vector<uint8_t>> get_object(std::string_view bucket, std::string_view key) const;
  // ListObjectsV2, every page (of page_size keys; s3rver's limit is 1000).
  std::vector<std::string> list_keys(std::string_view bucket, std::string_view prefix = "", int page_size = 1000) const;
  // Multipart: the UploadId; a part's ETag (quoted, as received); completes parts 1..N.
  std::optional<std::string> initiate_multipart_upload(std::string_view bucket, std::string_view key) const;
  std::optional<std::string> upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                         int part_number, std::span<const uint8_t> bytes) const;
  bool complete_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                 const std::vector<std::string> &etags) const;
  // The upload ids in progress (initiated, neither completed nor aborted).
  // s3rver has no ListMultipartUploads, so this lists its data directory:
  // BUCKET/._S3rver_uploads/UPLOADID/ (key, metadata, and one file per part).
  std::vector<std::string> list_multipart_uploads(std::string_view bucket) const;

 private:
  S3rver() = default;
  bool make_directory(const Options &options, std::string *error);
  bool launch(const std::string &node, const std::string &script, const Options &options, std::string *error);
  bool wait_ready(std::string *error);
  void stop();

  std::filesystem::path dir_;
  bool https_ = false;
  int port_ = 0;
  avio_http_test::ChildProcess s3rver_;
};

// Percent-encodes an object key for a path (RFC 3986 unreserved and '/' kept).
std::string encode_key(std::string_view key);

}  // namespace avio_s3_test

#endif  // AVIO_TESTS_NET_S3_S3RVER_FIXTURE_HPP
