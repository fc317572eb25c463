// The http protocol's options (FFmpeg's names, units and defaults, http.c
// 5.1 to 8.1) and the settings an open reads from them once.
#ifndef AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_OPTIONS_HPP
#define AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_OPTIONS_HPP

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "avio/protocol.hpp"
#include "message.hpp"

namespace avio::protocols::http {

std::span<const OptionSpec> http_option_specs();

// FFmpeg's reconnect rules: which failures are retried and how long to wait.
struct ReconnectPolicy {
  bool reconnect = false;          // a read that fails before the known end
  bool at_eof = false;             // also a read that ends (live streams)
  bool streamed = false;           // also on a stream that cannot seek
  bool on_network_error = false;   // an open that fails to connect
  std::vector<int> on_http_error;  // status codes (4xx/5xx as 400/500 wildcards)
  int64_t delay_max_s = 120;
  int64_t max_retries = -1;  // -1: no limit
  int64_t delay_total_max_s = 256;
  bool respect_retry_after = true;

  // Whether an open answered with `status` may be retried.
  bool retries_status(int status) const;
};

struct HttpSettings {
  int seekable = -1;  // -1 auto, 0 never, 1 always
  bool chunked_post = true;
  int multiple_requests = -1;  // -1 auto (keep-alive), 0 "Connection: close", 1 keep-alive
  std::vector<Header> headers;
  std::string user_agent;
  std::string referer;
  std::string content_type;
  std::vector<uint8_t> post_data;
  bool has_post_data = false;
  std::string method;
  int64_t offset = 0;
  int64_t end_offset = 0;
  bool icy = true;
  std::string http_proxy;
  bool auth_basic = false;  // auth_type=basic: send credentials up front
  int send_expect_100 = -1;
  int64_t short_seek_size = 0;
  int max_redirects = 8;
  int64_t request_size = 0;
  int64_t initial_request_size = 0;
  int64_t known_size = -1;
  std::string known_version;  // an ETag (a quoted string, W/ or not), else a Last-Modified
  ReconnectPolicy reconnect;
};

// Reads and checks the options of `h` (header values with CR or LF, a method
// that is not a token, an unknown auth_type: -EINVAL naming the option).
Result<HttpSettings> read_http_settings(const UrlContext &h);

// FFmpeg's reply to an HTTP status of 400 and above (AVERROR_HTTP_*).
int http_error_code(int status);

}  // namespace avio::protocols::http

#endif  // AVIO_SRC_URL_PROTOCOLS_HTTP_HTTP_OPTIONS_HPP
