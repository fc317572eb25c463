// AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/
// reference_sigv-create-signed-request.html): the Authorization header, and
// the query of a presigned URL (AmazonS3/latest/API/sigv4-query-string-auth.html).
// Pure functions: the time is a parameter, nothing does I/O. The canonical
// request is canonical.hpp's.
//
// Checked against AWS's published test suite, the S3 documentation's
// examples and botocore (tests/url/s3_sigv4_test.cc).
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_SIGV4_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_SIGV4_HPP

#include <cstdint>
#include <string>
#include <string_view>

#include "avio/error.hpp"
#include "canonical.hpp"

namespace avio::protocols::s3 {

struct Credentials {
  std::string access_key;     // non-empty; no '/', ',', space or control character
  std::string secret_key;     // non-empty
  std::string session_token;  // empty, or sent as x-amz-security-token / X-Amz-Security-Token
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr int64_t kMaxPresignSeconds = 604800;  // 7 days, S3's limit

// Unix time as SigV4's ISO 8601 basic form: "20150830T123600Z". For 0 <=
// unix_time < 253402300800 (years 1970 to 9999), which sign() checks.
std::string amz_date(int64_t unix_time);
// "20150830/us-east-1/service/aws4_request" from the date's first 8 characters.
std::string credential_scope(std::string_view amz_date, std::string_view region, std::string_view service);
// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of the canonical request>".
std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);
// The signing key: HMAC chain "AWS4"+secret, date (yyyymmdd), region, service,
// "aws4_request". 32 bytes.
std::string signing_key(std::string_view secret_key, std::string_view date, std::string_view region,
                        std::string_view service);

// What a signature was made of, for tests and for logging a mismatch.
struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
};

struct HeaderSigning {
  SignatureParts parts;
  // The headers to send: request.headers as given, then x-amz-date,
  // x-amz-content-sha256 (ServiceRules::kS3), x-amz-security-token (when the
  // credentials have a token) and Authorization. Not Host: the HTTP layer
  // sends it, and it must be request.host.
  Pairs headers;
};

// Signs `request` for `region` and `service` ("s3") at `unix_time`. Errors
// (-EINVAL, with a detail): a method that is not a token, an empty host, a
// path as canonical_uri refuses it, a payload hash that is neither 64
// lowercase hex digits, "UNSIGNED-PAYLOAD" nor "STREAMING-..." (aws-chunked),
// headers that the signer writes itself (host, authorization, x-amz-date,
// x-amz-content-sha256, x-amz-security-token), a name or value that cannot
// be a header, unusable credentials, region or service, a time out of range.
Result<HeaderSigning> sign_request(const SigningRequest &request, const Credentials &credentials,
                                   std::string_view region, std::string_view service, int64_t unix_time);

// sign_request(...).headers.
Result<Pairs> sign_headers(const SigningRequest &request, const Credentials &credentials, std::string_view region,
                           std::string_view service, int64_t unix_time);

struct QuerySigning {
  SignatureParts parts;
  // The query to send: request.query in its order (names and values
  // URI-encoded), then X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
  // X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token (with a token)
  // and X-Amz-Signature; no leading '?'.
  std::string query;
};

// A presigned URL's query, valid for `expires` seconds (1..604800) from
// `unix_time`. Signs host and request.headers (those must then be sent as
// given); request.payload_sha256 may be empty, for "UNSIGNED-PAYLOAD". Errors
// as sign_request's, and -EINVAL for `expires` out of range or a query
// parameter named like one of the X-Amz-* parameters above.
Result<QuerySigning> presign(const SigningRequest &request, const Credentials &credentials, std::string_view region,
                             std::string_view service, int64_t unix_time, int64_t expires);

// presign(...).query.
Result<std::string> presign_query(const SigningRequest &request, const Credentials &credentials,
                                  std::string_view region, std::string_view service, int64_t unix_time,
                                  int64_t expires);

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_SIGV4_HPP
