// The canonical request of AWS Signature Version 4: what a SigV4 signature
// signs, built from a request's method, path, query, headers and payload hash
// (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// Pure functions over strings; sigv4.hpp signs with them.
//
// Two sets of rules, as AWS's own signers have them (botocore's SigV4Auth and
// S3SigV4Auth): S3 signs the path exactly as it is sent, which is the object
// key URI-encoded once (canonical_uri_for_s3); every other service, and AWS's
// published test suite, first removes dot segments and empty segments from
// the path and then URI-encodes it again (so "%20" in a sent path is signed
// as "%2520").
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_CANONICAL_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_CANONICAL_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avio/error.hpp"

namespace avio::protocols::s3 {

// Name/value pairs: query parameters (decoded) or header fields.
using Pairs = std::vector<std::pair<std::string, std::string>>;

enum class ServiceRules : uint8_t {
  // S3: the path is signed as sent and must already be URI-encoded once
  // (unreserved characters, '/' and uppercase %XX only); the signer sends and
  // signs x-amz-content-sha256.
  kS3,
  // Other services (and the AWS test suite): dot segments and empty segments
  // are removed and the path is URI-encoded once more; no x-amz-content-sha256.
  kGeneric,
};

struct SigningRequest {
  std::string method;          // a token: GET, PUT, POST, HEAD, DELETE, ...
  std::string host;            // the Host header value, with ":port" when not the scheme's default
  std::string path;            // the path as sent, from '/'; for S3 see canonical_uri_for_s3
  Pairs query;                 // decoded names and values, in any order
  Pairs headers;               // header fields to sign, beside host and those the signer adds
  std::string payload_sha256;  // lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  ServiceRules rules = ServiceRules::kS3;
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
// (A-Z a-z 0-9 - . _ ~) stay, every other byte (UTF-8 bytes included) becomes
// %XX with uppercase hex; '/' stays unless `encode_slash`.
std::string uri_encode(std::string_view s, bool encode_slash);

// The path of an S3 object: "/" + the key with each '/'-separated segment
// URI-encoded once. `key` is the decoded key, with "bucket/" in front for
// path-style requests. No dot-segment removal and no merging of slashes:
// "a//b/../c" is a key of its own. canonical_uri_for_s3("my file+1%.txt")
// is "/my%20file%2B1%25.txt".
std::string canonical_uri_for_s3(std::string_view key);

// RFC 3986 section 5.2.4 dot-segment removal plus the removal of empty
// segments, as AWS normalises a non-S3 path: "//a/./b/../c//" gives "/a/c/".
std::string normalize_path(std::string_view path);

// The canonical URI of `path` under `rules` (see ServiceRules). Errors
// (-EINVAL): a path that does not start with '/'; under kS3, a path that is
// not encoded once (a byte outside unreserved and '/', or a '%' not followed
// by two uppercase hex digits).
Result<std::string> canonical_uri(std::string_view path, ServiceRules rules);

// The canonical query string: each name and value URI-encoded ('/' too),
// "name=value" pairs (an empty value keeps its '='), sorted by encoded name
// and then encoded value, joined with '&'.
std::string canonical_query(const Pairs &query);

// Trimall: leading and trailing spaces and tabs removed, runs of them inside
// turned into one space.
std::string trim_all(std::string_view value);

struct CanonicalHeaders {
  std::string text;            // "name:value\n" per header name, sorted, values joined by ','
  std::string signed_headers;  // "host;x-amz-date"
};
// The canonical headers of `host` (as "host") and `headers`: names lowercased,
// values trimmed (trim_all), sorted by name; repeated names become one line
// whose values keep their order, joined by ','. Errors (-EINVAL): a name that
// is not a token, a value with CR, LF or NUL, a "host" among `headers`.
Result<CanonicalHeaders> canonical_headers(std::string_view host, const Pairs &headers);

// The canonical request of `request` as it stands: method, canonical URI,
// canonical query, canonical headers (host and request.headers, nothing
// added), signed headers and the payload hash, joined by '\n'.
Result<std::string> canonical_request(const SigningRequest &request);

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_CANONICAL_HPP
