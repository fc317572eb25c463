// What a buffered context refills from and flushes to.
//
// A `Backend` is the C++ form of FFmpeg's read_packet / write_packet / seek
// triple. Its reads are typed so that end of stream is explicit: a read
// returns a positive byte count, `Error::eof()`, or another error. Returning
// 0 bytes is a contract violation (it is how FFmpeg callbacks hang demuxers)
// and the engine turns it into the error `kZeroRead`. Callers never use a
// Backend directly; an `IOContext` calls it only when its buffer misses.
//
// Both faces build on it: the C++ `IOContext::from_backend` and the C API's
// avio_open2 / avio_accept put the same engine over the same Backend (the
// URL layer's UrlBackend), so the two cannot drift.
//
// Thread-safety: one thread at a time (the owning context's), except
// `read_at` when `capabilities().concurrent_read_at`.
#ifndef AVIO_BACKEND_HPP
#define AVIO_BACKEND_HPP

#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>

#include "avio/error.hpp"

namespace avio {

namespace detail {
struct BackendAccess;
}

enum class Whence : int { kSet = SEEK_SET, kCur = SEEK_CUR, kEnd = SEEK_END };

// Which operations a backend offers. The optional ones are offered only
// where the backend implements them; the engine installs FFmpeg's hooks
// (read_pause, read_seek, short_seek_get) for those alone.
struct Capabilities {
  bool read = false;
  bool write = false;
  bool seek = false;
  bool read_at = false;             // positional reads
  bool concurrent_read_at = false;  // ... from several threads at once
  bool pause = false;               // avio_pause
  bool seek_time = false;           // avio_seek_time
  bool short_seek = false;          // a short-seek size of its own
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual Capabilities capabilities() const = 0;
  // Reads at most dst.size() bytes; at least one unless EOF or an error.
  virtual Result<size_t> read(std::span<uint8_t> dst);
  // Writes all of src. The bytes must not be modified.
  virtual Status write(std::span<const uint8_t> src);
  // Moves to `offset` relative to `whence`; returns the new position.
  virtual Result<int64_t> seek(int64_t offset, Whence whence);
  // The total size in bytes, if the backend knows it without moving.
  virtual Result<int64_t> size();
  // All of dst from `offset` unless EOF comes first (then what there was,
  // or EOF for none), without moving the position seek() moves.
  virtual Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst);
  // avio_pause / avio_seek_time / the short-seek threshold (FFmpeg's
  // url_read_pause, url_read_seek, url_get_short_seek).
  virtual Status pause(bool pause);
  virtual Result<int64_t> seek_time(int stream_index, int64_t timestamp, int flags);
  virtual Result<int> short_seek_size();
  // Releases what the backend holds; called once by IOContext::close().
  virtual Status close() { return {}; }

 private:
  friend struct detail::BackendAccess;
  // The last error this backend reported to its IOContext, detail included,
  // so that IOContext::status() can return the backend's own words. Kept
  // here rather than beside the context, which moves, while the engine's
  // callbacks only know this object.
  Error failure_{0};
};

// Typed callbacks for memory I/O mode (the C++ form of avio_alloc_context).
// Leave a member empty for an operation the source does not support.
struct Callbacks {
  std::function<Result<size_t>(std::span<uint8_t>)> read;
  std::function<Status(std::span<const uint8_t>)> write;
  std::function<Result<int64_t>(int64_t, Whence)> seek;
  std::function<Result<int64_t>()> size;
};

}  // namespace avio

#endif  // AVIO_BACKEND_HPP
