// avio::s3_presign (include/avio/s3.hpp): the S3 documentation's presigned
// example to the byte, the URL forms of avio's endpoints and addressing, the
// configuration chain (options, then the environment and shared files), and
// its errors. No request is made.
//
// The environment variables the chain reads are saved, cleared and restored
// around each test, so the machine's AWS settings play no part.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include "avio/s3.hpp"
#include "protocols/s3/sigv4.hpp"

namespace {

namespace s3 = avio::protocols::s3;

constexpr int64_t kDocTime = 1369353600;  // 20130524T000000Z
constexpr std::string_view kDocKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kDocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// AmazonS3/latest/API/sigv4-query-string-auth.html, "An example".
constexpr std::string_view kDocUrl =
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
    "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
    "86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

constexpr auto kChainVariables = std::to_array<const char *>(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
     "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"});

class S3Presign : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char *name : kChainVariables) {
      const char *v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      ::unsetenv(name);
    }
    // No shared files but the tests' own.
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/avio-test/credentials", 1);
    ::setenv("AWS_CONFIG_FILE", "/nonexistent/avio-test/config", 1);
  }
  void TearDown() override {
    for (const auto &[name, value] : saved_) {
      if (value)
        ::setenv(name, value->c_str(), 1);
      else
        ::unsetenv(name);
    }
    for (const std::string &file : files_) std::remove(file.c_str());
  }

  // A temporary file holding `text`, removed after the test.
  std::string write_file(const std::string &text) {
    char name[] = "/tmp/avio-s3-presign-XXXXXX";
    const int fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
    std::ofstream(name, std::ios::binary) << text;
    files_.emplace_back(name);
    return name;
  }

  static avio::Dictionary doc_options() {
    return {{"access_key_id", std::string(kDocKey)}, {"secret_access_key", std::string(kDocSecret)}};
  }

  // The query of a presigned URL, after '?'.
  static std::string query_of(const std::string &url) { return url.substr(url.find('?') + 1); }

  // The query s3::presign_query gives for `host` and `path` with the
  // documentation's keys and time, unless told otherwise.
  static std::string expected_query(const std::string &host, const std::string &path, std::string_view region,
                                    const s3::Credentials &credentials, std::string_view method = "GET",
                                    int64_t expires = 86400) {
    s3::SigningRequest r;
    r.method = std::string(method);
    r.host = host;
    r.path = path;
    avio::Result<std::string> q = s3::presign_query(r, credentials, region, "s3", kDocTime, expires);
    EXPECT_TRUE(q.ok()) << q.error().message();
    return q.ok() ? *q : "";
  }
  static s3::Credentials doc_credentials() { return {std::string(kDocKey), std::string(kDocSecret), ""}; }

 private:
  std::vector<std::pair<const char *, std::optional<std::string>>> saved_;
  std::vector<std::string> files_;
};

// The documentation's host, examplebucket.s3.amazonaws.com, is AWS's global
// endpoint with the bucket in the host name. avio's default endpoint for
// us-east-1 is the regional s3.us-east-1.amazonaws.com, so the example needs
// endpoint_url=https://s3.amazonaws.com, and addressing=virtual (a custom
// endpoint is otherwise addressed by path, as the AWS SDKs do).
TEST_F(S3Presign, EqualsTheDocumentationsExample) {
  avio::Dictionary o = doc_options();
  o.set("endpoint_url", "https://s3.amazonaws.com");
  o.set("addressing", "virtual");
  o.set("region", "us-east-1");
  avio::Result<std::string> url = avio::s3_presign("s3://examplebucket/test.txt", o, 86400, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(*url, kDocUrl);
}

// Without endpoint options: the regional endpoint, virtual-hosted (the
// bucket's name is DNS-compatible), us-east-1 by default.
TEST_F(S3Presign, DefaultsToTheRegionalVirtualHostedEndpoint) {
  avio::Result<std::string> url =
      avio::s3_presign("s3://examplebucket/test.txt", doc_options(), 86400, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  const std::string host = "examplebucket.s3.us-east-1.amazonaws.com";
  EXPECT_EQ(*url, "https://" + host + "/test.txt?" + expected_query(host, "/test.txt", "us-east-1", doc_credentials()));
  EXPECT_EQ(query_of(*url).find("X-Amz-Signature=aeeed9bb"), std::string::npos) << "another host signs otherwise";
}

TEST_F(S3Presign, RegionSelectsTheEndpointAndTheScope) {
  avio::Dictionary o = doc_options();
  o.set("region", "eu-west-1");
  avio::Result<std::string> url = avio::s3_presign("s3://examplebucket/a/b.mp3", o, 600, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  const std::string host = "examplebucket.s3.eu-west-1.amazonaws.com";
  EXPECT_EQ(*url, "https://" + host + "/a/b.mp3?" +
                      expected_query(host, "/a/b.mp3", "eu-west-1", doc_credentials(), "GET", 600));
  EXPECT_NE(url->find("%2Feu-west-1%2Fs3%2F"), std::string::npos) << *url;
}

// A bucket name that cannot be a host name stays in the path.
TEST_F(S3Presign, ABucketWithDotsIsAddressedByPath) {
  avio::Result<std::string> url = avio::s3_presign("s3://my.bucket/k", doc_options(), 60, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(url->substr(0, url->find('?')), "https://s3.us-east-1.amazonaws.com/my.bucket/k");
}

// A local store: http, its port in the host, the bucket in the path; the
// key encoded once, as the protocol's own requests send it.
TEST_F(S3Presign, ACustomEndpointIsAddressedByPathWithItsPort) {
  avio::Dictionary o = doc_options();
  o.set("endpoint_url", "http://127.0.0.1:4569");
  avio::Result<std::string> url = avio::s3_presign("s3://test-bucket/dir/a b+c%.bin", o, 3600, "PUT", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  const std::string path = "/test-bucket/dir/a%20b%2Bc%25.bin";
  EXPECT_EQ(*url, "http://127.0.0.1:4569" + path + "?" +
                      expected_query("127.0.0.1:4569", path, "us-east-1", doc_credentials(), "PUT", 3600));
}

TEST_F(S3Presign, ASessionTokenIsInTheQuery) {
  avio::Dictionary o = doc_options();
  o.set("session_token", "tok/en+1=");
  avio::Result<std::string> url = avio::s3_presign("s3://examplebucket/test.txt", o, 86400, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_NE(url->find("&X-Amz-Security-Token=tok%2Fen%2B1%3D&"), std::string::npos) << *url;
}

TEST_F(S3Presign, CredentialsAndRegionFromTheEnvironment) {
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  ::setenv("AWS_REGION", "ap-south-1", 1);
  ::setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000", 1);
  avio::Result<std::string> url = avio::s3_presign("s3://b1/k", {}, 60, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(*url, "http://localhost:9000/b1/k?" +
                      expected_query("localhost:9000", "/b1/k", "ap-south-1", {"ENVKEY", "ENVSECRET", ""}, "GET", 60));
  // Options come first.
  url = avio::s3_presign("s3://b1/k", doc_options(), 60, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_NE(url->find("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F"), std::string::npos) << *url;
}

TEST_F(S3Presign, CredentialsFromTheSharedFilesAndAProfile) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE",
           write_file("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
                      "[other]\naws_access_key_id = OTHERKEY\naws_secret_access_key = OTHERSECRET\n")
               .c_str(),
           1);
  ::setenv("AWS_CONFIG_FILE", write_file("[profile other]\nregion = eu-north-1\n").c_str(), 1);
  avio::Result<std::string> url = avio::s3_presign("s3://bk1/k", {}, 60, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_NE(url->find("X-Amz-Credential=FILEKEY%2F20130524%2Fus-east-1%2F"), std::string::npos) << *url;
  url = avio::s3_presign("s3://bk1/k", {{"profile", "other"}}, 60, "GET", kDocTime);
  ASSERT_TRUE(url.ok()) << url.error().message();
  const std::string host = "bk1.s3.eu-north-1.amazonaws.com";
  EXPECT_EQ(*url, "https://" + host + "/k?" +
                      expected_query(host, "/k", "eu-north-1", {"OTHERKEY", "OTHERSECRET", ""}, "GET", 60));
}

TEST_F(S3Presign, NowIsTheClock) {
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  avio::Result<std::string> url = avio::s3_presign("s3://examplebucket/test.txt", doc_options(), 3600);
  const int64_t after = static_cast<int64_t>(std::time(nullptr));
  ASSERT_TRUE(url.ok()) << url.error().message();
  const size_t at = url->find("X-Amz-Date=");
  ASSERT_NE(at, std::string::npos) << *url;
  const std::string date = url->substr(at + 11, 16);
  EXPECT_TRUE(date == s3::amz_date(before) || date == s3::amz_date(after)) << date;
  EXPECT_NE(url->find("X-Amz-Expires=3600&"), std::string::npos) << *url;
}

// An open's dictionary can be passed as is: options of the protocols under
// s3 and of every URL are ignored; anything else is an error.
TEST_F(S3Presign, IgnoresTheOptionsOfNestedProtocolsOnly) {
  avio::Dictionary o = doc_options();
  o.set("ca_file", "/etc/ssl/certs/ca-certificates.crt");
  o.set("rw_timeout", "5000000");
  EXPECT_TRUE(avio::s3_presign("s3://examplebucket/test.txt", o, 60, "GET", kDocTime).ok());
  o.set("endpoint", "http://127.0.0.1:1");  // a typo of endpoint_url
  avio::Result<std::string> url = avio::s3_presign("s3://examplebucket/test.txt", o, 60, "GET", kDocTime);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().code(), avio::kOptionNotFound);
  EXPECT_NE(url.error().message().find("'endpoint'"), std::string::npos) << url.error().message();
}

TEST_F(S3Presign, Errors) {
  const avio::Dictionary o = doc_options();
  auto error_of = [](const avio::Result<std::string> &r) {
    return r.ok() ? std::string("ok: " + *r) : r.error().message();
  };
  for (const auto &[url, expires, words] : {std::tuple<const char *, int64_t, const char *>{"http://x/y", 60, "s3://"},
                                            {"s3://", 60, "no bucket"},
                                            {"s3://bucket", 60, "names no object"},
                                            {"s3://bucket/", 60, "names no object"},
                                            {"s3://bucket/k", 0, "expires"},
                                            {"s3://bucket/k", 604801, "expires"}}) {
    avio::Result<std::string> r = avio::s3_presign(url, o, expires, "GET", kDocTime);
    EXPECT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.ok() ? 0 : r.error().code(), -EINVAL) << url;
    EXPECT_NE(error_of(r).find(words), std::string::npos) << url << ": " << error_of(r);
  }
  EXPECT_FALSE(avio::s3_presign("s3://bucket/k", o, 60, "G E T", kDocTime).ok());
  EXPECT_FALSE(avio::s3_presign("s3://bucket/k", o, 60, "GET", -5).ok());
  EXPECT_FALSE(avio::s3_presign("s3://bucket/k", {{"region", "x"}, {"part_size", "1"}}, 60, "GET", kDocTime).ok());
  avio::Result<std::string> none = avio::s3_presign("s3://bucket/k", {}, 60, "GET", kDocTime);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("no credentials"), std::string::npos) << none.error().message();
  avio::Result<std::string> anonymous = avio::s3_presign("s3://bucket/k", {{"anonymous", "1"}}, 60, "GET", kDocTime);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_NE(anonymous.error().message().find("anonymous"), std::string::npos) << anonymous.error().message();
}

}  // namespace
