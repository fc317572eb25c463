// S3 helpers beside the s3:// protocol: presigned URLs.
//
// A presigned URL lets a program without credentials (a browser, curl,
// FFmpeg's http protocol) fetch or upload one object until it expires:
// AWS Signature Version 4 in the query string
// (AmazonS3/latest/API/sigv4-query-string-auth.html).
#ifndef AVIO_S3_HPP
#define AVIO_S3_HPP

#include <cstdint>
#include <string>
#include <string_view>

#include "avio/error.hpp"
#include "avio/url_options.hpp"

namespace avio {

// The presigned http:// or https:// URL of the object `s3_url`
// ("s3://bucket/key"), valid for `expires_seconds` (1..604800) from
// `now_unix` (seconds since 1970; -1 reads the clock), for `method`
// ("GET" to read, "PUT" to upload; the request must then send no other
// signed header). No request is made.
//
// The endpoint, addressing, region and credentials are resolved as an open
// of `s3_url` would: the s3 protocol's `options` (region, endpoint_url,
// addressing, access_key_id, secret_access_key, session_token, profile),
// then the process's AWS_* environment, then the shared files
// (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and
// AWS_CONFIG_FILE). Entries of `options` that belong to the protocols under
// s3 (http, https, tls, tcp, httpproxy) or to every URL (rw_timeout, ...)
// are ignored, so the dictionary of an open can be passed as is.
//
// Errors (-EINVAL, with a detail): not an s3:// URL, no key, an option that
// no protocol under s3 has (kOptionNotFound) or whose value does not parse,
// no credentials or anonymous=1 (nothing to sign with), an expiry or time
// out of range, a method that is not a token.
Result<std::string> s3_presign(std::string_view s3_url, const Dictionary &options, int64_t expires_seconds,
                               std::string_view method = "GET", int64_t now_unix = -1);

}  // namespace avio

#endif  // AVIO_S3_HPP
