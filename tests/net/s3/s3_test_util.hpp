// Helpers of the s3 end-to-end tests: S3's XML error documents as fault
// proxy answers and the fields of the request heads the proxy recorded.
#ifndef AVIO_TESTS_NET_S3_S3_TEST_UTIL_HPP
#define AVIO_TESTS_NET_S3_S3_TEST_UTIL_HPP

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "../net_test_util.hpp"
#include "fault_proxy.hpp"

namespace avio_s3_test {

using avio_net_test::Clock;

using avio_net_test::kInterruptBound;
using avio_net_test::RaiseLater;

// An S3 error document (AmazonS3/latest/API/ErrorResponses.html), with
// `extra` elements after the Message.
inline std::string s3_error_xml(std::string_view code, std::string_view message, std::string_view request_id,
                                std::string_view extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(code) + "</Code><Message>" +
         std::string(message) + "</Message>" + std::string(extra) + "<RequestId>" + std::string(request_id) +
         "</RequestId><HostId>aG9zdC1pZA==</HostId></Error>";
}

// The proxy answers `status` with that document instead of forwarding.
inline avio_http_test::Fault s3_error_fault(int status, const std::string &xml, std::string retry_after = "") {
  return avio_http_test::Fault{.kind = avio_http_test::Fault::Kind::kStatus,
                               .status = status,
                               .retry_after = std::move(retry_after),
                               .body = xml,
                               .content_type = "application/xml"};
}

// 503 SlowDown, S3's throttling answer.
inline avio_http_test::Fault slow_down(std::string_view request_id, std::string retry_after = "") {
  return s3_error_fault(503, s3_error_xml("SlowDown", "Please reduce your request rate.", request_id),
                        std::move(retry_after));
}

// A field of a recorded request head (case-insensitive name), "" when absent.
inline std::string head_field(std::string_view head, std::string_view name) {
  for (size_t at = head.find("\r\n"); at != std::string_view::npos && at + 2 < head.size();) {
    const size_t end = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(at + 2, end - at - 2);
    at = end;
    const size_t colon = line.find(':');
    if (colon != name.size()) continue;
    if (std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
  }
  return "";
}

// The request line of a recorded head ("PUT /bucket/key?partNumber=1&uploadId=... HTTP/1.1").
inline std::string request_line(std::string_view head) { return std::string(head.substr(0, head.find("\r\n"))); }

// A query parameter of a recorded head's target, "" when absent.
inline std::string query_param(std::string_view head, std::string_view name) {
  const std::string line = request_line(head);
  const size_t q = line.find('?');
  const size_t end = line.rfind(' ');
  if (q == std::string::npos || end == std::string::npos || end < q) return "";
  const std::string query = "&" + line.substr(q + 1, end - q - 1) + "&";
  const std::string key = "&" + std::string(name) + "=";
  const size_t at = query.find(key);
  if (at == std::string::npos) return "";
  const size_t from = at + key.size();
  return query.substr(from, query.find('&', from) - from);
}

}  // namespace avio_s3_test

#endif  // AVIO_TESTS_NET_S3_S3_TEST_UTIL_HPP
