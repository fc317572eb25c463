// An S3 error answer as avio's error: the FFmpeg-style code a caller returns,
// whether a retry may help, and a message for people.
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_ERROR_MAP_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_ERROR_MAP_HPP

#include <string>

#include "responses.hpp"

namespace avio::protocols::s3 {

struct ErrorMapping {
  int code = 0;            // negative: -errno or an AVERROR_HTTP_* value
  bool retryable = false;  // the same request may succeed later (throttling, a server fault)
  std::string text;        // "s3: <Code>: <Message> (request id <RequestId>)"
};

// By S3's Code first:
//   NoSuchKey, NoSuchBucket, NoSuchUpload, NoSuchVersion   -ENOENT
//   AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken,
//   InvalidToken, AllAccessDisabled, AccountProblem          -EACCES
//   RequestTimeTooSkewed    -EACCES, the text saying "clock skew" and naming
//                           the server's time (ServerTime) when given
//   InvalidRange            -EINVAL (the caller decides what a range past
//                           the end means)
//   SlowDown, InternalError, ServiceUnavailable, RequestTimeout, Throttling,
//   ThrottlingException, RequestLimitExceeded, BandwidthLimitExceeded,
//   PriorRequestNotComplete   retryable, with the status's code
// otherwise by HTTP status, as FFmpeg's http protocol reports it: 400, 401,
// 403, 404, 429 (retryable), other 4xx, 5xx (500, 502, 503, 504 retryable);
// anything else (an <Error> inside a 200) -EIO, or kHttpServerError when the
// Code is retryable. The text names a redirect's Endpoint or Region, and
// says so when the answer had no S3 error document (an empty Code).
ErrorMapping map_error(int http_status, const S3Error &error);

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_ERROR_MAP_HPP
