// IOBridge: an avio::IOContext seen by FFmpeg as a libavformat AVIOContext.
//
// The bridge makes a real AVIOContext with libavformat's own
// avio_alloc_context, whose read, write and seek callbacks call the avio
// context. Hand `get()` to FFmpeg (AVFormatContext::pb, with
// AVFMT_FLAG_CUSTOM_IO) and its demuxers, muxers and decoders read and write
// through avio, so every avio protocol serves FFmpeg programs.
//
// Ownership: the IOContext is borrowed and must outlive the bridge. The
// bridge owns the AVIOContext and its buffer. libavformat may free the
// buffer it was given and install another (probing does), so the destructor
// frees `ctx->buffer`, the one in use, never the original pointer, and then
// the context: the double free that crashes the classic tutorial cannot
// happen here.
//
// Seeking: a reader offers a seek callback only when the IOContext can seek
// and the options allow it; otherwise FFmpeg sees a stream (seekable == 0)
// and probes by rewinding its own buffer. The seek callback answers
// AVSEEK_SIZE with IOContext::size().
//
// Errors: codes cross unchanged (see errors.hpp). The bridge remembers the
// last avio error it returned to libavformat, so that `error_from` can turn
// a code a libav* call returned into an Error that keeps avio's detail.
#ifndef AVIO_FFMPEG_IO_BRIDGE_HPP
#define AVIO_FFMPEG_IO_BRIDGE_HPP

#include <memory>
#include <optional>
#include <string_view>

#include "avio/error.hpp"
#include "avio/io_context.hpp"

struct AVIOContext;

namespace avio::ffmpeg {

struct BridgeOptions {
  // The size of libavformat's buffer (it reads from the IOContext in blocks
  // of at most this many bytes).
  int buffer_size = 32768;
  // Offer seeking to FFmpeg when the IOContext can seek. False makes any
  // input a stream, as a pipe would be.
  bool seekable = true;
};

class IOBridge {
 public:
  // An AVIOContext that reads from `io`.
  static Result<IOBridge> reader(IOContext &io, const BridgeOptions &options = {});
  // An AVIOContext that writes to `io` (a muxer's output); seekable when `io`
  // is and the options allow it, so that muxers can patch their headers.
  static Result<IOBridge> writer(IOContext &io, const BridgeOptions &options = {});

  IOBridge(IOBridge &&other) noexcept;
  IOBridge &operator=(IOBridge &&other) noexcept;
  IOBridge(const IOBridge &) = delete;
  IOBridge &operator=(const IOBridge &) = delete;
  ~IOBridge();

  // The libavformat context; owned by the bridge.
  AVIOContext *get() const;
  // Writes what libavformat still buffers into the IOContext, flushes that,
  // and returns the first error of either. A writer's owner calls it before
  // closing the IOContext. Does nothing for a reader.
  Status flush();
  // The last error the IOContext returned through a callback, if any.
  const std::optional<Error> &last_error() const;
  // An Error for `code`, returned by a libav* call working on this bridge:
  // the remembered avio error when it has the same code (its detail names
  // the real cause, such as a protocol's), otherwise av_strerror's text.
  // `context` prefixes the detail ("opening input").
  Error error_from(int code, std::string_view context) const;

  // The callbacks' opaque (defined in io_bridge.cc).
  struct State;

 private:
  explicit IOBridge(std::unique_ptr<State> state);
  // Behind a pointer: the callbacks' opaque must not move with the bridge.
  std::unique_ptr<State> state_;
};

}  // namespace avio::ffmpeg

#endif  // AVIO_FFMPEG_IO_BRIDGE_HPP
