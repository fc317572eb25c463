#include "access_log.hpp"

#include <cerrno>

namespace avio::tools::serve {

namespace {

// The request line between quotes: '"' and '\' escaped, bytes outside
// printable ASCII as \xNN, so a line of the log is one request.
std::string escaped(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_access_line(const AccessEntry &e) {
  std::tm tm{};
  gmtime_r(&e.when, &tm);
  char when[40];
  std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  char tail[96];
  std::snprintf(tail, sizeof tail, " %d %lld %.3f\n", e.status, static_cast<long long>(e.body_bytes),
                static_cast<double>(e.duration.count()) / 1e6);
  return e.client + " - - [" + when + "] \"" + escaped(e.request_line) + "\"" + tail;
}

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string &path) {
  if (path.empty()) return std::unique_ptr<AccessLog>(new AccessLog(stderr));
  std::FILE *file = std::fopen(path.c_str(), "ae");  // "e": close-on-exec
  if (!file) return Error(-errno, "'" + path + "'");
  return std::unique_ptr<AccessLog>(new AccessLog(file));
}

AccessLog::~AccessLog() {
  if (file_ != stderr) std::fclose(file_);
}

void AccessLog::record(const AccessEntry &entry) {
  const std::string line = format_access_line(entry);
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace avio::tools::serve
