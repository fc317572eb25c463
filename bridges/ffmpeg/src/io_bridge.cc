#include "avio/ffmpeg/io_bridge.hpp"

#include <cstdio>
#include <string>
#include <utility>

#include "avio/ffmpeg/errors.hpp"

extern "C" {
#include <libavformat/avio.h>
#include <libavformat/version.h>
#include <libavutil/mem.h>
}

namespace avio::ffmpeg {

struct IOBridge::State {
  IOContext *io = nullptr;
  AVIOContext *ctx = nullptr;
  std::optional<Error> last_error;

  // Records the error for error_from and returns the code libavformat sees.
  int fail(Error e) {
    const int code = to_averror(e);
    last_error = std::move(e);
    return code;
  }

  ~State() {
    if (ctx) {
      // The buffer in use, which libavformat may have swapped for its own.
      av_freep(&ctx->buffer);
      avio_context_free(&ctx);
    }
  }
};

namespace {

using State = IOBridge::State;

int read_packet(void *opaque, uint8_t *buf, int buf_size) {
  auto *s = static_cast<State *>(opaque);
  Result<size_t> n = s->io->read_partial({buf, static_cast<size_t>(buf_size)});
  if (!n) return s->fail(n.error());
  // read_partial returns at least one byte unless it returns an error, so
  // FFmpeg never sees the 0 that would make it retry forever.
  return static_cast<int>(*n);
}

int write_bytes(State *s, const uint8_t *buf, int buf_size) {
  s->io->write({buf, static_cast<size_t>(buf_size)});
  if (Status st = s->io->status(); !st) return s->fail(st.error());
  return buf_size;
}

// FFmpeg 7 (lavf 61) made the buffer const; 5.1 and 6 pass it mutable.
#if LIBAVFORMAT_VERSION_MAJOR >= 61
int write_packet(void *opaque, const uint8_t *buf, int buf_size) {
  return write_bytes(static_cast<State *>(opaque), buf, buf_size);
}
#else
int write_packet(void *opaque, uint8_t *buf, int buf_size) {
  return write_bytes(static_cast<State *>(opaque), buf, buf_size);
}
#endif

int64_t seek(void *opaque, int64_t offset, int whence) {
  auto *s = static_cast<State *>(opaque);
  IOContext &io = *s->io;
  whence &= ~AVSEEK_FORCE;  // a hint for buffered seeks; the callback always seeks
  if (whence == AVSEEK_SIZE) {
    Result<int64_t> size = io.size();
    return size ? *size : s->fail(size.error());
  }
  int64_t target = offset;
  switch (whence) {
    case SEEK_SET: break;
    case SEEK_CUR: target = io.tell() + offset; break;
    case SEEK_END: {
      Result<int64_t> size = io.size();
      if (!size) return s->fail(size.error());
      target = *size + offset;
      break;
    }
    default: return s->fail(Error::invalid_argument("ffmpeg bridge: unknown seek whence " + std::to_string(whence)));
  }
  if (target < 0) return s->fail(Error::invalid_argument("ffmpeg bridge: seek before the start"));
  Result<int64_t> pos = io.seek(target);
  return pos ? *pos : s->fail(pos.error());
}

Result<std::unique_ptr<State>> make(IOContext &io, const BridgeOptions &options, bool write) {
  if (options.buffer_size <= 0)
    return Error::invalid_argument("ffmpeg bridge: buffer size must be positive, got " +
                                   std::to_string(options.buffer_size));
  if (write && !io.writable()) return Error::invalid_argument("ffmpeg bridge: a writer needs a writable IOContext");
  if (!write && io.writable()) return Error::invalid_argument("ffmpeg bridge: a reader needs a readable IOContext");
  auto state = std::make_unique<State>();
  state->io = &io;
  auto *buffer = static_cast<unsigned char *>(av_malloc(static_cast<size_t>(options.buffer_size)));
  if (!buffer) return Error(AVERROR(ENOMEM), "ffmpeg bridge: allocating the buffer");
  const bool seekable = options.seekable && io.seekable();
  state->ctx =
      avio_alloc_context(buffer, options.buffer_size, write ? 1 : 0, state.get(), write ? nullptr : read_packet,
                         write ? write_packet : nullptr, seekable ? seek : nullptr);
  if (!state->ctx) {
    av_free(buffer);
    return Error(AVERROR(ENOMEM), "ffmpeg bridge: allocating the AVIOContext");
  }
  return state;
}

}  // namespace

IOBridge::IOBridge(std::unique_ptr<State> state) : state_(std::move(state)) {}
IOBridge::IOBridge(IOBridge &&other) noexcept = default;
IOBridge &IOBridge::operator=(IOBridge &&other) noexcept = default;
IOBridge::~IOBridge() = default;

Result<IOBridge> IOBridge::reader(IOContext &io, const BridgeOptions &options) {
  Result<std::unique_ptr<State>> state = make(io, options, false);
  if (!state) return state.error();
  return IOBridge(std::move(*state));
}

Result<IOBridge> IOBridge::writer(IOContext &io, const BridgeOptions &options) {
  Result<std::unique_ptr<State>> state = make(io, options, true);
  if (!state) return state.error();
  return IOBridge(std::move(*state));
}

AVIOContext *IOBridge::get() const { return state_ ? state_->ctx : nullptr; }

const std::optional<Error> &IOBridge::last_error() const { return state_->last_error; }

Status IOBridge::flush() {
  AVIOContext *ctx = state_->ctx;
  // Flushing a reader would drop what both buffers hold: nothing to do.
  if (!ctx->write_flag) return {};
  avio_flush(ctx);
  if (ctx->error < 0) return error_from(ctx->error, "flushing");
  state_->io->flush();
  if (Status st = state_->io->status(); !st) return st;
  return {};
}

Error IOBridge::error_from(int code, std::string_view context) const {
  const std::optional<Error> &last = state_->last_error;
  if (last && to_averror(*last) == code) {
    if (context.empty() || last->detail().empty()) return context.empty() ? *last : from_averror(code, context);
    return Error(last->code(), std::string(context) + ": " + std::string(last->detail()));
  }
  return from_averror(code, context);
}

}  // namespace avio::ffmpeg
