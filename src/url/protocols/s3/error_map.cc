#include "error_map.hpp"

#include <array>
#include <cerrno>
#include <string_view>

#include "../http/http_options.hpp"

namespace avio::protocols::s3 {

namespace {

template <size_t N>
bool listed(const std::array<std::string_view, N> &codes, std::string_view code) {
  for (const std::string_view c : codes)
    if (c == code) return true;
  return false;
}

constexpr std::array<std::string_view, 4> kMissing = {"NoSuchKey", "NoSuchBucket", "NoSuchUpload", "NoSuchVersion"};
constexpr std::array<std::string_view, 8> kDenied = {"AccessDenied",   "InvalidAccessKeyId",  "SignatureDoesNotMatch",
                                                     "ExpiredToken",   "InvalidToken",        "AllAccessDisabled",
                                                     "AccountProblem", "RequestTimeTooSkewed"};
constexpr std::array<std::string_view, 9> kRetryable = {"SlowDown",
                                                        "InternalError",
                                                        "ServiceUnavailable",
                                                        "RequestTimeout",
                                                        "Throttling",
                                                        "ThrottlingException",
                                                        "RequestLimitExceeded",
                                                        "BandwidthLimitExceeded",
                                                        "PriorRequestNotComplete"};

bool retryable_status(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// The code FFmpeg's http protocol gives a status, -EIO for what is no error status.
int status_code(int status) { return status >= 400 && status <= 599 ? http::http_error_code(status) : -EIO; }

std::string describe(const S3Error &error) {
  // A proxy's or load balancer's own answer (HTML, text, nothing) has no Code.
  if (error.code.empty()) return "s3: an error answer without an S3 error document";
  std::string text = "s3: " + error.code;
  if (!error.message.empty()) text += ": " + error.message;
  if (!error.request_id.empty()) text += " (request id " + error.request_id + ")";
  if (error.code == "RequestTimeTooSkewed") {
    text += "; clock skew: ";
    if (!error.server_time.empty()) text += "the server's time is " + error.server_time + ", ";
    if (!error.request_time.empty()) text += "the request was signed for " + error.request_time + ", ";
    text += "check this machine's clock";
  }
  if (!error.endpoint.empty()) text += "; use the endpoint " + error.endpoint;
  if (!error.region.empty()) text += "; the bucket's region is " + error.region;
  return text;
}

}  // namespace

ErrorMapping map_error(int http_status, const S3Error &error) {
  ErrorMapping out;
  out.text = describe(error);
  out.retryable = listed(kRetryable, error.code) || retryable_status(http_status);
  if (listed(kMissing, error.code)) {
    out.code = -ENOENT;
  } else if (listed(kDenied, error.code)) {
    out.code = -EACCES;
  } else if (error.code == "InvalidRange") {
    out.code = -EINVAL;
  } else {
    out.code = status_code(http_status);
    if (out.code == -EIO && out.retryable) out.code = kHttpServerError;
  }
  return out;
}

}  // namespace avio::protocols::s3
