// Error codes between avio and FFmpeg.
//
// avio's codes are FFmpeg's (negative AVERROR values: -errno or the same
// four-character tags), so a code crosses unchanged in both directions. The
// one exception is avio's own `kZeroRead` (a typed read callback returned 0
// bytes), which libavformat does not know; it becomes AVERROR(EIO). What a
// code cannot carry is avio's detail text, which is why the bridge keeps the
// last avio error it passed to libavformat (see IOBridge::error_from).
#ifndef AVIO_FFMPEG_ERRORS_HPP
#define AVIO_FFMPEG_ERRORS_HPP

#include <string>
#include <string_view>

#include "avio/error.hpp"

namespace avio::ffmpeg {

// The AVERROR code libavformat should see for `error`.
int to_averror(const Error &error);

// An avio Error for a negative AVERROR code a libav* call returned, with
// `context` (what was being done) as its detail.
Error from_averror(int code, std::string_view context);

// av_strerror's text for `code` (it knows every libav* code, including the
// ones avio never produces, such as AVERROR_DECODER_NOT_FOUND).
std::string averror_text(int code);

// Error::message() with av_strerror's text: "detail: text", or just the text.
std::string describe(const Error &error);

}  // namespace avio::ffmpeg

#endif  // AVIO_FFMPEG_ERRORS_HPP
