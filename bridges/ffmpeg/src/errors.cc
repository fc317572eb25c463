#include "avio/ffmpeg/errors.hpp"

extern "C" {
#include <libavutil/error.h>
}

namespace avio::ffmpeg {

// The bridge passes codes through unchanged; this is the proof that it may.
static_assert(kEof == AVERROR_EOF);
static_assert(kExit == AVERROR_EXIT);
static_assert(kInvalidData == AVERROR_INVALIDDATA);
static_assert(kProtocolNotFound == AVERROR_PROTOCOL_NOT_FOUND);
static_assert(kOptionNotFound == AVERROR_OPTION_NOT_FOUND);
static_assert(kBug == AVERROR_BUG);
static_assert(kUnknown == AVERROR_UNKNOWN);
static_assert(kExternal == AVERROR_EXTERNAL);
static_assert(errno_code(EIO) == AVERROR(EIO));

int to_averror(const Error &error) {
  if (error.code() == kZeroRead) return AVERROR(EIO);
  return error.code();
}

std::string averror_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

Error from_averror(int code, std::string_view context) {
  if (context.empty()) return Error(code);
  return Error(code, std::string(context));
}

std::string describe(const Error &error) {
  std::string text = error.code() == kZeroRead ? error_text(kZeroRead) : averror_text(error.code());
  if (error.detail().empty()) return text;
  return std::string(error.detail()) + ": " + text;
}

}  // namespace avio::ffmpeg
