// One line per request, in the Common Log Format with the duration added:
//   127.0.0.1 - - [29/Nov/2026:23:30:00 +0000] "GET /a.mp4 HTTP/1.1" 206 1024 0.004
// (client address, time in UTC, the request line with quotes, backslashes
// and bytes outside printable ASCII escaped, status, body bytes sent,
// seconds taken), to stderr or a file opened for appending.
//
// Thread-safety: record() may be called from any thread; lines never mix.
#ifndef AVIO_TOOLS_SERVE_ACCESS_LOG_HPP
#define AVIO_TOOLS_SERVE_ACCESS_LOG_HPP

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include "avio/error.hpp"

namespace avio::tools::serve {

struct AccessEntry {
  std::string client;        // address
  std::time_t when = 0;      // when the request arrived
  std::string request_line;  // "GET /a.mp4 HTTP/1.1", or what came of it
  int status = 0;
  int64_t body_bytes = 0;
  std::chrono::microseconds duration{0};
};

std::string format_access_line(const AccessEntry &entry);

class AccessLog {
 public:
  // `path` empty: stderr.
  static Result<std::unique_ptr<AccessLog>> open(const std::string &path);
  ~AccessLog();
  AccessLog(const AccessLog &) = delete;
  AccessLog &operator=(const AccessLog &) = delete;

  void record(const AccessEntry &entry);

 private:
  explicit AccessLog(std::FILE *file) : file_(file) {}
  std::mutex mutex_;
  std::FILE *file_;  // stderr, or a file this object closes
};

}  // namespace avio::tools::serve

#endif  // AVIO_TOOLS_SERVE_ACCESS_LOG_HPP
