// libavutil's logging for the C API (libavutil/log.h): FFmpeg 5.1's av_log,
// av_vlog and default callback (libavutil/log.c), without what avio_c has no
// use for: AVClass-driven prefixes of parent contexts and log-level offsets
// (no avio class has them), repeat suppression (av_log_set_flags), colours.
//
// The default callback keeps FFmpeg's output byte for byte otherwise: the
// level filter, the "[AVIOContext @ 0x...] " prefix at the start of a line,
// and control characters shown as '?'. tests/install/check_ffmpeg_programs.sh
// compares it with libavutil's.
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "avio/c/log.h"
#include "c_context.hpp"

namespace {

using LogCallback = void (*)(void *, int, const char *, va_list);

std::atomic<int> log_level{AV_LOG_INFO};
std::atomic<LogCallback> log_callback{av_log_default_callback};

// The default callback's state: one message is written whole under the lock,
// and `print_prefix` (the last message ended a line) is read and updated there.
std::mutex output_mutex;
bool print_prefix = true;

// The class name FFmpeg's item_name would give `avcl`: only the URL contexts
// (avio_open2, avio_accept) have a class, whose first member is its name.
// Everything else avio_c hands out has a NULL av_class (custom contexts,
// dynamic buffers), as in FFmpeg, or is not a logging context at all; avio's
// AVClass is opaque, so a program cannot make one of its own.
const char *class_name_of(void *avcl) {
  if (!avcl) return nullptr;
  const void *cls = nullptr;
  std::memcpy(&cls, avcl, sizeof cls);  // FFmpeg: *(AVClass **)avcl
  if (cls != avio::c_api::kUrlContextClass) return nullptr;
  return *static_cast<const char *const *>(cls);
}

// FFmpeg's sanitize(): control characters other than \b \t \n \v \f \r
// become '?'.
void sanitize(std::string &s) {
  for (char &ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x08 || (c > 0x0D && c < 0x20)) ch = '?';
  }
}

std::string format(const char *fmt, va_list vl) {
  if (!fmt) return {};
  va_list copy;
  va_copy(copy, vl);
  char small[512];
  const int n = std::vsnprintf(small, sizeof small, fmt, copy);
  va_end(copy);
  if (n < 0) return {};
  if (static_cast<size_t>(n) < sizeof small) return std::string(small, static_cast<size_t>(n));
  std::string out(static_cast<size_t>(n) + 1, '\0');
  va_copy(copy, vl);
  std::vsnprintf(out.data(), out.size(), fmt, copy);
  va_end(copy);
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

extern "C" {

void av_log_default_callback(void *avcl, int level, const char *fmt, va_list vl) {
  if (level >= 0) level &= 0xff;  // FFmpeg keeps a colour tint in the bits above
  if (level > log_level.load(std::memory_order_relaxed)) return;
  std::string message = format(fmt, vl);
  sanitize(message);
  const char *name = class_name_of(avcl);
  std::lock_guard<std::mutex> lock(output_mutex);
  std::string line;
  if (print_prefix && name) {
    char prefix[128];
    std::snprintf(prefix, sizeof prefix, "[%s @ %p] ", name, avcl);
    line = prefix;
    sanitize(line);
  }
  if (!line.empty() || !message.empty())
    print_prefix = !message.empty() && (message.back() == '\n' || message.back() == '\r');
  line += message;
  if (!line.empty()) std::fwrite(line.data(), 1, line.size(), stderr);
}

void av_vlog(void *avcl, int level, const char *fmt, va_list vl) {
  const LogCallback callback = log_callback.load();
  if (callback) callback(avcl, level, fmt, vl);
}

void av_log(void *avcl, int level, const char *fmt, ...) {
  va_list vl;
  va_start(vl, fmt);
  av_vlog(avcl, level, fmt, vl);
  va_end(vl);
}

int av_log_get_level(void) { return log_level.load(std::memory_order_relaxed); }

void av_log_set_level(int level) { log_level.store(level, std::memory_order_relaxed); }

void av_log_set_callback(void (*callback)(void *avcl, int level, const char *fmt, va_list vl)) {
  log_callback.store(callback);
}

}  // extern "C"
