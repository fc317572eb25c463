// The SigV4 signer (src/url/protocols/s3/sigv4.hpp) against botocore, an
// independent signer: 200 random requests (S3 header signing with signed and
// unsigned payloads, S3 presigned URLs, and another service's header signing
// with its double-encoded, normalised paths) with awkward keys (spaces, '+',
// '%', '~', controls, UTF-8), repeated and oddly spaced headers, query
// parameters and session tokens. Each is signed here and by botocore
// (tests/url/s3_sign_reference.py, run by /usr/bin/python3) at the same fixed
// time; the Authorization headers, or the presigned queries, must be
// identical. Debian's python3-botocore is required: without it this fails
// (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/s3/digest.hpp"
#include "protocols/s3/sigv4.hpp"

namespace {

namespace s3 = avio::protocols::s3;

constexpr int kCases = 200;
constexpr uint32_t kSeed = 20240102;

constexpr auto kKeyPieces = std::to_array<std::string_view>({"a",
                                                             "photos",
                                                             "b c",
                                                             "x+y",
                                                             "100%",
                                                             "~tilde",
                                                             "\xC3\xA9t\xC3\xA9",
                                                             "\xE6\x97\xA5\xE6\x9C\xAC",
                                                             "\xF0\x9F\x98\x80",
                                                             "!",
                                                             "$",
                                                             "&",
                                                             "'",
                                                             "(x)",
                                                             "*",
                                                             ",",
                                                             ";",
                                                             "=",
                                                             ":",
                                                             "@",
                                                             "[",
                                                             "]",
                                                             "#",
                                                             "?",
                                                             " ",
                                                             "..",
                                                             ".",
                                                             "",
                                                             "\x01",
                                                             "\x7f",
                                                             "a\tb",
                                                             "\\",
                                                             "^",
                                                             "`",
                                                             "{}",
                                                             "|",
                                                             "<>",
                                                             "\"",
                                                             "%20",
                                                             "%2F",
                                                             "a  b",
                                                             "CAPS"});
constexpr auto kGenericPieces =
    std::to_array<std::string_view>({"a", "b%20c", "..", ".", "", "%E2%82%AC", "~x", "A-Z_", "%2F", "%25", "x.y"});
constexpr auto kQueryNames = std::to_array<std::string_view>(
    {"prefix", "max-keys", "list-type", "continuation-token", "uploadId", "partNumber", "versionId", "lifecycle",
     "delimiter", "a b", "\xC3\xBC", "x~y", "p+q", "pct%", "=", "&", "", "Z"});
constexpr auto kHeaderNames = std::to_array<std::string_view>(
    {"Range", "Content-Type", "x-amz-meta-Foo", "X-Amz-Meta-foo", "If-Match", "Cache-Control", "x-amz-acl",
     "x-amz-storage-class", "Content-MD5", "X-Custom-1", "content-encoding"});
constexpr auto kHeaderValues = std::to_array<std::string_view>(
    {"bytes=0-9", "  a   b  ", "\tx\t y ", "\"etag-1\"", "text/plain; charset=utf-8", "", "   ", "v1,v2",
     "REDUCED_REDUNDANCY", "a  \t  b", "1B2M2Y8AsgTpgAmY7PhCfg==", "gzip"});
constexpr auto kMethods = std::to_array<std::string_view>({"GET", "PUT", "HEAD", "DELETE", "POST"});
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kEndpoints = {{
    {"https", "examplebucket.s3.amazonaws.com"},
    {"https", "s3.eu-west-1.amazonaws.com"},
    {"http", "127.0.0.1:9000"},
    {"http", "localhost:4568"},
    {"https", "minio.example.net:9443"},
}};
constexpr auto kRegions = std::to_array<std::string_view>({"us-east-1", "eu-west-1", "ap-southeast-2", "auto"});
constexpr auto kGenericServices = std::to_array<std::string_view>({"service", "execute-api", "sqs"});

enum class Kind { kS3Header, kS3Presign, kGenericHeader };

struct Case {
  int id = 0;
  Kind kind = Kind::kS3Header;
  std::string service;
  std::string scheme;
  std::string key;  // S3: the decoded key
  s3::SigningRequest request;
  std::optional<std::string> body;  // nullopt: UNSIGNED-PAYLOAD
  s3::Credentials credentials;
  std::string region;
  int64_t time = 0;
  int64_t expires = 0;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  Case next(int id);

 private:
  size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <size_t N>
  std::string pick(const std::array<std::string_view, N> &pool) {
    return std::string(pool[below(N)]);
  }
  std::string random_chars(std::string_view alphabet, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += alphabet[below(alphabet.size())];
    return out;
  }
  template <size_t N>
  std::string joined(const std::array<std::string_view, N> &pool, size_t max_pieces) {
    std::string out;
    const size_t pieces = 1 + below(max_pieces);
    for (size_t i = 0; i < pieces; ++i) out += (i == 0 ? "" : "/") + pick(pool);
    return out;
  }
  std::string value() { return chance(50) ? pick(kKeyPieces) : std::to_string(below(100000)); }
  s3::Pairs query(bool unique_names);
  s3::Pairs headers();
  s3::Credentials credentials();

  std::mt19937 rng_;
};

s3::Pairs Generator::query(bool unique_names) {
  s3::Pairs out;
  std::set<std::string> names;
  const size_t n = below(5);
  for (size_t i = 0; i < n; ++i) {
    std::string name = pick(kQueryNames);
    if (unique_names && !names.insert(name).second) continue;
    out.emplace_back(std::move(name), chance(20) ? "" : value());
  }
  return out;
}

s3::Pairs Generator::headers() {
  s3::Pairs out;
  const size_t n = below(5);
  for (size_t i = 0; i < n; ++i) {
    std::string name = pick(kHeaderNames);  // in sequence: the cases must not depend on the compiler
    out.emplace_back(std::move(name), pick(kHeaderValues));
  }
  return out;
}

s3::Credentials Generator::credentials() {
  s3::Credentials c;
  c.access_key = "AKIA" + random_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  c.secret_key = random_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
  if (chance(30))
    c.session_token = random_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", 20 + below(60));
  return c;
}

Case Generator::next(int id) {
  Case c;
  c.id = id;
  const size_t kind = below(100);
  c.kind = kind < 55 ? Kind::kS3Header : kind < 80 ? Kind::kS3Presign : Kind::kGenericHeader;
  c.service = c.kind == Kind::kGenericHeader ? pick(kGenericServices) : "s3";
  const auto &endpoint = kEndpoints[below(kEndpoints.size())];
  c.scheme = std::string(endpoint.first);
  c.request.host = std::string(endpoint.second);
  c.request.method = pick(kMethods);
  if (c.kind == Kind::kGenericHeader) {
    c.request.rules = s3::ServiceRules::kGeneric;
    c.request.path = "/" + joined(kGenericPieces, 5);
  } else {
    c.key = chance(30) ? "bucket/" : "";
    c.key += joined(kKeyPieces, 5);
    c.request.path = s3::canonical_uri_for_s3(c.key);
  }
  c.request.query = query(c.kind == Kind::kS3Presign);
  c.request.headers = headers();
  if (c.kind == Kind::kGenericHeader || (c.kind == Kind::kS3Header && chance(50))) c.body = chance(30) ? "" : value();
  if (!c.body->empty()) *c.body += " body " + value();
  c.request.payload_sha256 = c.body ? s3::sha256_hex(*c.body) : std::string(s3::kUnsignedPayload);
  c.credentials = credentials();
  c.region = pick(kRegions);
  c.time = 946684800 + static_cast<int64_t>(below(1200000000));
  c.expires = 1 + static_cast<int64_t>(below(s3::kMaxPresignSeconds));
  return c;
}

// ---- JSON lines for the reference -------------------------------------------

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_pairs(const s3::Pairs &pairs) {
  std::string out = "[";
  for (size_t i = 0; i < pairs.size(); ++i)
    out += (i == 0 ? "[" : ",[") + json_string(pairs[i].first) + "," + json_string(pairs[i].second) + "]";
  return out + "]";
}

std::string json_line(const Case &c) {
  std::string out = "{\"id\":" + std::to_string(c.id);
  out += ",\"kind\":" + json_string(c.kind == Kind::kS3Presign ? "presign" : "header");
  out += ",\"service\":" + json_string(c.service) + ",\"method\":" + json_string(c.request.method);
  out += ",\"scheme\":" + json_string(c.scheme) + ",\"host\":" + json_string(c.request.host);
  out += c.kind == Kind::kGenericHeader ? ",\"path\":" + json_string(c.request.path) : ",\"key\":" + json_string(c.key);
  out += ",\"query\":" + json_pairs(c.request.query) + ",\"headers\":" + json_pairs(c.request.headers);
  out += ",\"body\":" + (c.body ? json_string(*c.body) : std::string("null"));
  out += ",\"access_key\":" + json_string(c.credentials.access_key);
  out += ",\"secret_key\":" + json_string(c.credentials.secret_key);
  out += ",\"token\":" + json_string(c.credentials.session_token) + ",\"region\":" + json_string(c.region);
  out += ",\"time\":" + std::to_string(c.time) + ",\"expires\":" + std::to_string(c.expires) + "}\n";
  return out;
}

// ---- running the reference ---------------------------------------------------

struct Reference {
  std::string path;    // the path botocore signed
  std::string result;  // Authorization, or the presigned query
};

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// botocore's answers, one per case in order; fails the test (and returns
// fewer) when the reference cannot run.
std::vector<Reference> run_reference(const std::vector<Case> &cases) {
  const std::string base = ::testing::TempDir() + "s3_sigv4_botocore." + std::to_string(getpid());
  const std::string in = base + ".in";
  const std::string out = base + ".out";
  const std::string err = base + ".err";
  {
    std::ofstream file(in, std::ios::binary);
    for (const Case &c : cases) file << json_line(c);
  }
  const std::string command = "/usr/bin/python3 " AVIO_S3_SIGN_REFERENCE " < " + in + " > " + out + " 2> " + err;
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the botocore reference failed (install python3-botocore: scripts/install-deps.sh):\n"
      << slurp(err);
  std::vector<Reference> refs;
  std::istringstream lines(slurp(out));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t a = line.find('\t');
    const size_t b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    refs.push_back({line.substr(a + 1, b - a - 1), line.substr(b + 1)});
  }
  for (const std::string &file : {in, out, err}) std::remove(file.c_str());
  return refs;
}

// Our signature of `c`: the Authorization header or the presigned query.
std::string our_result(const Case &c, std::string *canonical_request) {
  if (c.kind == Kind::kS3Presign) {
    auto q = s3::presign(c.request, c.credentials, c.region, c.service, c.time, c.expires);
    if (!q) return "error: " + q.error().message();
    *canonical_request = q->parts.canonical_request;
    return q->query;
  }
  auto signing = s3::sign_request(c.request, c.credentials, c.region, c.service, c.time);
  if (!signing) return "error: " + signing.error().message();
  *canonical_request = signing->parts.canonical_request;
  return signing->headers.back().second;
}

TEST(SigV4Botocore, RandomRequestsSignIdentically) {
  Generator generator(kSeed);
  std::vector<Case> cases;
  cases.reserve(kCases);
  for (int i = 0; i < kCases; ++i) cases.push_back(generator.next(i));
  const std::vector<Reference> refs = run_reference(cases);
  ASSERT_EQ(refs.size(), cases.size()) << "botocore answered " << refs.size() << " of " << cases.size();
  int identical = 0;
  int kinds[3] = {0, 0, 0};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case &c = cases[i];
    std::string creq;
    const std::string ours = our_result(c, &creq);
    EXPECT_EQ(c.request.path, refs[i].path) << "case " << i << ": the key's encoding differs";
    EXPECT_EQ(ours, refs[i].result) << "case " << i << ", request:\n"
                                    << json_line(c) << "our canonical request:\n"
                                    << creq;
    if (ours == refs[i].result && c.request.path == refs[i].path) {
      ++identical;
      ++kinds[static_cast<int>(c.kind)];
    }
  }
  EXPECT_EQ(identical, kCases);
  std::printf("botocore: %d of %d identical (S3 headers %d, S3 presigned %d, other service %d)\n", identical, kCases,
              kinds[0], kinds[1], kinds[2]);
}

}  // namespace
