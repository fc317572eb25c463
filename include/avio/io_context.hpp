// IOContext: a buffered byte stream (FFmpeg's AVIOContext) for C++.
//
// An IOContext owns one buffer and reads from or writes to a Backend (your
// callbacks, a memory span, a growing memory sink, or a URL's protocol). Its
// behaviour is FFmpeg's, call for call: the same refills with the same sizes,
// the same seeks, the same results, which tests/diff proves against the
// installed libavformat. What C++ adds is ownership (the buffer and the
// backend are freed by the destructor, so FFmpeg's buffer-replacement double
// free cannot happen), typed results, `peek` without a copy, and statistics.
//
// Contract of the reading functions: `r8` and the fixed-width readers return
// 0 bits past the end, exactly as FFmpeg's do; check `eof()` or `status()`
// afterwards. `read` fills the whole span unless EOF or an error comes first,
// and returns how much it copied; it returns an Error only when it copied
// nothing. Errors latch: the first I/O error is kept, returned by later calls
// that make no progress, and by `close()`.
//
// Read-ahead (ContextOptions::read_ahead_max; `open_url` turns it on for
// sources whose reads cost only their copy, such as a `file:` reader): the
// one departure from FFmpeg's calls, and off unless asked for. Each refill of
// a reader that keeps reading on doubles in size, from `buffer_size` up to
// the maximum, the buffer growing with it; a seek that leaves the buffer
// starts again from `buffer_size` (the memory stays until the context
// closes). A `read` larger than `buffer_size` still goes straight into the
// caller's memory, and counts as a refill. What a caller sees (results,
// bytes, positions, errors) is what it sees without read-ahead, except
// where FFmpeg's results depend on how much is buffered, which then follow
// the larger buffer: `read_partial` returns what is buffered, a reader's
// `flush` drops it, and a seek just past the end of the stream may report
// the end at once. The backend's calls and their sizes differ (Statistics
// counts them as they happen). Writers, direct mode, packet sizes and
// backends that cannot seek keep FFmpeg's refills.
//
// Thread compatibility: one thread at a time, like a std::vector; the one
// exception is `read_at` on a backend that says concurrent_read_at.
#ifndef AVIO_IO_CONTEXT_HPP
#define AVIO_IO_CONTEXT_HPP

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "avio/backend.hpp"
#include "avio/detail/core.hpp"
#include "avio/error.hpp"

namespace avio {

namespace detail {
struct CoreAccess;
}

struct ContextOptions {
  int buffer_size = detail::kDefaultBufferSize;
  bool write = false;
  // Bypass the buffer where possible and always call the backend's seek (AVIO_FLAG_DIRECT).
  bool direct = false;
  // Packetised backend: each refill asks for at most this many bytes.
  int max_packet_size = 0;
  // Flush points flush only once this many bytes are buffered.
  int min_packet_size = 0;
  // AVIO_SEEKABLE_* bits (1 normal, 2 by time); -1: from the backend's
  // capabilities (seek, seek_time). A URL's stream may say it cannot seek.
  int seekable = -1;
  // Read-ahead (see the top of this file): the largest refill, in bytes,
  // rounded down to buffer_size times a power of two (at most 2^15 times);
  // 0, or anything below twice buffer_size, keeps FFmpeg's refills of
  // buffer_size bytes. Ignored with write, direct, max_packet_size or a
  // backend that cannot seek. open_url sets it (OpenOptions::read_ahead_max).
  int64_t read_ahead_max = 0;
};

struct Statistics {
  int64_t bytes_read = 0;     // delivered by the backend
  int64_t bytes_written = 0;  // accepted by the backend
  int64_t seeks = 0;          // backend seeks (in-buffer seeks cost none)
  int64_t refills = 0;        // backend read calls
  int64_t writeouts = 0;      // backend write calls
};

enum class Marker : int {
  kHeader = detail::kMarkerHeader,
  kSyncPoint = detail::kMarkerSyncPoint,
  kBoundaryPoint = detail::kMarkerBoundaryPoint,
  kUnknown = detail::kMarkerUnknown,
  kTrailer = detail::kMarkerTrailer,
  kFlushPoint = detail::kMarkerFlushPoint,
};

// Memory handed over by a closed dynamic buffer: `size()` bytes of data
// followed by 64 zero bytes of padding, as decoders expect.
class PaddedBytes {
 public:
  PaddedBytes() = default;
  PaddedBytes(uint8_t *data, size_t size) : data_(data), size_(size) {}
  const uint8_t *data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }
  // Gives up ownership; free the pointer with av_free() / std::free().
  uint8_t *release() { return data_.release(); }

 private:
  struct Free {
    void operator()(uint8_t *p) const;
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t size_ = 0;
};

namespace detail {
// The Backend behind core().opaque of a context made by from_backend or
// from_callbacks: lets engine hooks set on the core (Hooks::short_seek_get,
// read_pause, read_seek) reach the backend.
inline Backend *backend_of(void *opaque) { return static_cast<Backend *>(opaque); }

// How both faces put the engine over a Backend (the C API's avio_open2 and
// avio_accept, and IOContext::from_backend): validates the options, then
// sets `c` up over `buffer` (options.buffer_size bytes) with the backend's
// operations, FFmpeg's optional hooks where the backend offers them, and
// the face's `hooks` table (whose short_seek_get, if any, is
// backend_short_seek_get). `c` does not own the backend.
Status check_backend_options(const Backend &backend, const ContextOptions &options);
void init_over_backend(Core &c, Backend &backend, uint8_t *buffer, const ContextOptions &options, const Hooks *hooks);
int backend_short_seek_get(void *opaque);

// A Backend over plain function objects, stored as they are (no
// std::function), for IOContext::from_read_function / from_write_function.
template <class ReadFn>
class ReadFunctionBackend final : public Backend {
 public:
  explicit ReadFunctionBackend(ReadFn fn) : fn_(std::move(fn)) {}
  Capabilities capabilities() const override { return {.read = true}; }
  Result<size_t> read(std::span<uint8_t> dst) override { return fn_(dst); }

 private:
  [[no_unique_address]] ReadFn fn_;
};

template <class WriteFn>
class WriteFunctionBackend final : public Backend {
 public:
  explicit WriteFunctionBackend(WriteFn fn) : fn_(std::move(fn)) {}
  Capabilities capabilities() const override { return {.write = true}; }
  Status write(std::span<const uint8_t> src) override { return fn_(src); }

 private:
  [[no_unique_address]] WriteFn fn_;
};
}  // namespace detail

class IOContext {
 public:
  // A context over a backend (the URL layer uses this too).
  static Result<IOContext> from_backend(std::unique_ptr<Backend> backend, const ContextOptions &options);
  // Memory I/O mode: avio_alloc_context with typed callbacks.
  static Result<IOContext> from_callbacks(Callbacks callbacks, const ContextOptions &options);
  // A reader over one function object `Result<size_t>(std::span<uint8_t>)`
  // (see Backend::read), kept as it is rather than in a std::function: a
  // lambda capturing a pointer costs 24 bytes beside the buffer, where
  // from_callbacks costs about 150. options.write is ignored.
  template <class ReadFn>
  static Result<IOContext> from_read_function(ReadFn read, ContextOptions options = {}) {
    options.write = false;
    return from_backend(std::make_unique<detail::ReadFunctionBackend<ReadFn>>(std::move(read)), options);
  }
  // A writer over one function object `Status(std::span<const uint8_t>)`;
  // options.write is implied.
  template <class WriteFn>
  static Result<IOContext> from_write_function(WriteFn write, ContextOptions options = {}) {
    options.write = true;
    return from_backend(std::make_unique<detail::WriteFunctionBackend<WriteFn>>(std::move(write)), options);
  }
  // A zero-copy reader over `data`, which must outlive the context
  // (FFmpeg's static-buffer mode: reads and seeks within it, EOF past it).
  static IOContext from_memory(std::span<const uint8_t> data);
  // A growing, seekable memory sink (avio_open_dyn_buf).
  static IOContext dynamic_buffer();
  // A packet sink: every flush appends a 4-byte big-endian length and the payload.
  static Result<IOContext> dynamic_packet_buffer(int max_packet_size);
  // A sink that keeps nothing and counts what it is given (tell() is the count).
  static IOContext null_sink();

  IOContext(IOContext &&other) noexcept;
  IOContext &operator=(IOContext &&other) noexcept;
  IOContext(const IOContext &) = delete;
  IOContext &operator=(const IOContext &) = delete;
  ~IOContext();

  // ---- reading
  uint8_t r8();
  uint16_t rl16() { return static_cast<uint16_t>(read_le<2>()); }
  uint32_t rl24() { return static_cast<uint32_t>(read_le<3>()); }
  uint32_t rl32() { return static_cast<uint32_t>(read_le<4>()); }
  uint64_t rl64() { return read_le<8>(); }
  uint16_t rb16() { return static_cast<uint16_t>(read_be<2>()); }
  uint32_t rb24() { return static_cast<uint32_t>(read_be<3>()); }
  uint32_t rb32() { return static_cast<uint32_t>(read_be<4>()); }
  uint64_t rb64() { return read_be<8>(); }
  Result<size_t> read(std::span<uint8_t> dst);
  // At most one backend call; at least one byte unless EOF or an error.
  Result<size_t> read_partial(std::span<uint8_t> dst);
  // A view of the next `n` bytes without copying, refilling (and growing the
  // buffer) as needed; shorter only at EOF. Valid until the next non-const
  // call. Does not advance: call `consume` or `skip`.
  Result<std::span<const uint8_t>> peek(size_t n);
  // Advances past `n` bytes returned by peek. Precondition: n <= available().
  void consume(size_t n) { c_.buf_ptr += n; }
  size_t available() const { return static_cast<size_t>(c_.buf_end - c_.buf_ptr); }
  // avio_get_str: reads a NUL-terminated string of at most maxlen bytes into
  // `out` (always terminated, truncated to fit); returns the bytes consumed.
  Result<int> get_str(int maxlen, std::span<char> out);
  Result<int> get_str16le(int maxlen, std::span<char> out) { return get_str16(maxlen, out, false); }
  Result<int> get_str16be(int maxlen, std::span<char> out) { return get_str16(maxlen, out, true); }
  // Guarantees that the next `n` bytes read can be sought back over, even on
  // a stream that cannot seek (probing).
  Status ensure_seekback(int64_t n);
  // avio_feof: true at EOF or after an error, retrying the backend once.
  bool eof();

  // ---- writing
  void w8(uint8_t b);
  void wl16(uint16_t v) { write_le<2>(v); }
  void wl24(uint32_t v) { write_le<3>(v); }
  void wl32(uint32_t v) { write_le<4>(v); }
  void wl64(uint64_t v) { write_le<8>(v); }
  void wb16(uint16_t v) { write_be<2>(v); }
  void wb24(uint32_t v) { write_be<3>(v); }
  void wb32(uint32_t v) { write_be<4>(v); }
  void wb64(uint64_t v) { write_be<8>(v); }
  void write(std::span<const uint8_t> src);
  // Writes `s` and a terminating NUL; returns the bytes written.
  int put_str(std::string_view s);
  // UTF-8 to UTF-16 with a 2-byte terminator; invalid UTF-8 is an error
  // (what could be converted is still written, as FFmpeg does).
  Result<int> put_str16le(std::string_view s) { return put_str16(s, false); }
  Result<int> put_str16be(std::string_view s) { return put_str16(s, true); }
  int printf(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
  int vprintf(const char *fmt, va_list ap);
  void print(std::initializer_list<std::string_view> strings);
  void write_marker(int64_t time, Marker type) { detail::write_marker(c_, time, static_cast<int>(type)); }
  void flush() { detail::flush(c_); }

  // ---- position
  Result<int64_t> seek(int64_t pos);
  Result<int64_t> skip(int64_t delta) { return result_from_code(detail::seek(c_, delta, SEEK_CUR)); }
  int64_t tell() const { return detail::tell(c_); }
  Result<int64_t> size();

  // ---- state
  // The latched error, with the backend's detail when it has one.
  Status status() const;
  bool seekable() const { return (c_.seekable & detail::kSeekableNormal) != 0; }
  bool writable() const { return c_.write_flag != 0; }
  Statistics statistics() const;
  // avio_get_dyn_buf: the bytes written so far to a dynamic buffer.
  std::span<const uint8_t> dynamic_buffer_contents();
  // avio_close_dyn_buf: hands over the bytes, padded; the context is closed.
  // Unlike FFmpeg, the padding goes after the end even after a seek back.
  Result<PaddedBytes> close_dynamic_buffer();
  // Flushes, closes the backend, and returns the first error of either.
  Status close();

  // A positional read through the backend (see Backend::read_at): neither
  // the buffer nor the position moves. -ENOSYS when the backend has none.
  // When backend_capabilities().concurrent_read_at, any number of threads
  // may call it at once, also while one thread uses the context.
  Result<size_t> read_at(int64_t offset, std::span<uint8_t> dst) const;
  // avio_pause / avio_seek_time (-ENOSYS unless the backend offers them).
  Status pause(bool pause);
  Result<int64_t> seek_time(int stream_index, int64_t timestamp, int flags);

  // The backend this context owns (from_backend, from_callbacks, open_url),
  // or null; for the layer that made it. Its capabilities (none without one).
  Backend *backend() const;
  Capabilities backend_capabilities() const {
    const Backend *b = backend();
    return b ? b->capabilities() : Capabilities{};
  }

  // The engine state, read-only: buffer sizes, seekability, packet sizes.
  const detail::Core &core() const { return c_; }

 private:
  IOContext() = default;
  template <int N>
  uint64_t read_le();
  template <int N>
  uint64_t read_be();
  template <int N>
  void write_le(uint64_t v);
  template <int N>
  void write_be(uint64_t v);
  Result<int> get_str16(int maxlen, std::span<char> out, bool big_endian);
  Result<int> put_str16(std::string_view s, bool big_endian);
  // The inline writers' slow path: the low `n` bytes of `v`, in memory order.
  // Taking the value (not its address) keeps the callers' loops free of a
  // stack store per call.
  [[gnu::noinline, gnu::cold]] void write_bytes_slow(uint64_t v, int n) {
    uint8_t bytes[8];
    std::memcpy(bytes, &v, sizeof bytes);  // little-endian host
    detail::write_slow_bytes(c_, bytes, c_.write_flag ? n : 0);
  }
  static Result<IOContext> over_dyn_buffer(int io_buffer_size, detail::WritePacket write, detail::SeekFn seek);
  Result<size_t> read_slow(std::span<uint8_t> dst);
  Result<std::span<const uint8_t>> peek_slow(size_t n);
  void release();
  // What core().opaque is, when this context owns it.
  detail::DynBuffer *dyn() const;
  // The test harness drives the engine functions on c_ directly.
  friend struct detail::CoreAccess;

  // The whole state: what it owns is reached through c_.opaque and
  // c_.face_owns, so a context is no larger than FFmpeg's.
  detail::Core c_{};
};

namespace detail {
// A context's engine state, writable: for the differential test harness,
// which drives the engine functions on it directly. Nothing else uses it.
struct CoreAccess {
  static Core &of(IOContext &ctx) { return ctx.c_; }
};
}  // namespace detail

// ---------------------------------------------------------------- inline --

namespace detail {
// memcpy for the bulk fast paths. A size the compiler can see (a caller's
// 4 KiB chunk, say) is otherwise expanded inline, as `rep movsq` for large
// sizes, which runs slower than the libc memcpy chosen for this CPU at load
// time; the empty asm hides such a size. Small known sizes stay inline moves.
inline void copy_bytes(void *dst, const void *src, size_t n) {
  if (!(__builtin_constant_p(n) && n <= 64)) asm("" : "+r"(n));
  std::memcpy(dst, src, n);
}
}  // namespace detail

inline uint8_t IOContext::r8() {
  if (c_.buf_ptr < c_.buf_end) [[likely]]
    return *c_.buf_ptr++;
  return static_cast<uint8_t>(detail::r8_slow(c_));
}

template <int N>
inline uint64_t IOContext::read_le() {
  if (c_.buf_end - c_.buf_ptr >= N) [[likely]] {
    uint64_t v = 0;
    std::memcpy(&v, c_.buf_ptr, N);  // little-endian host
    c_.buf_ptr += N;
    return v;
  }
  return detail::read_le_slow(c_, N);
}

template <int N>
inline uint64_t IOContext::read_be() {
  if (c_.buf_end - c_.buf_ptr >= N) [[likely]] {
    uint64_t v = 0;
    std::memcpy(&v, c_.buf_ptr, N);
    c_.buf_ptr += N;
    return __builtin_bswap64(v) >> (64 - 8 * N);
  }
  return detail::read_be_slow(c_, N);
}

inline Result<size_t> IOContext::read(std::span<uint8_t> dst) {
  const size_t n = dst.size();
  if (static_cast<size_t>(c_.buf_end - c_.buf_ptr) >= n && n != 0 && !c_.write_flag) [[likely]] {
    detail::copy_bytes(dst.data(), c_.buf_ptr, n);
    c_.buf_ptr += n;
    return n;
  }
  return read_slow(dst);
}

inline Result<std::span<const uint8_t>> IOContext::peek(size_t n) {
  if (static_cast<size_t>(c_.buf_end - c_.buf_ptr) >= n && !c_.write_flag) [[likely]]
    return std::span<const uint8_t>(c_.buf_ptr, n);
  return peek_slow(n);
}

// A write context's buf_end is the end of its buffer, so "room for N more and
// one to spare" means the buffer does not fill: FFmpeg would not flush here.
//
// The fast paths store the data before they advance buf_ptr: a byte store
// may alias any field (it is a char), but the compiler then sees the last
// store to buf_ptr and keeps it in a register across a caller's loop
// instead of reloading it through memory on every call.
inline void IOContext::w8(uint8_t b) {
  uint8_t *const p = c_.buf_ptr;
  if (c_.buf_end - p > 1 && c_.write_flag) [[likely]] {
    *p = b;
    c_.buf_ptr = p + 1;
    return;
  }
  write_bytes_slow(b, 1);
}

template <int N>
inline void IOContext::write_le(uint64_t v) {
  uint8_t *const p = c_.buf_ptr;
  if (c_.buf_end - p > N && c_.write_flag) [[likely]] {
    std::memcpy(p, &v, N);
    c_.buf_ptr = p + N;
    return;
  }
  write_bytes_slow(v, N);
}

template <int N>
inline void IOContext::write_be(uint64_t v) {
  write_le<N>(__builtin_bswap64(v) >> (64 - 8 * N));
}

inline void IOContext::write(std::span<const uint8_t> src) {
  const size_t n = src.size();
  // n != 0: an empty span may have a null data(), which memcpy must not see.
  if (static_cast<size_t>(c_.buf_end - c_.buf_ptr) > n && n != 0 && c_.write_flag && !c_.direct) [[likely]] {
    detail::copy_bytes(c_.buf_ptr, src.data(), n);
    c_.buf_ptr += n;
    return;
  }
  size_t done = 0;
  while (done < n) {  // the engine takes int sizes
    const int chunk = static_cast<int>(std::min<size_t>(n - done, 1u << 30));
    detail::write(c_, src.data() + done, chunk);
    done += static_cast<size_t>(chunk);
  }
}

// A read-context seek that lands inside the buffer is FFmpeg's first branch
// of avio_seek: pointer arithmetic and no I/O, so it is done here without a
// call. (FFmpeg asks short_seek_get first, but only the later branches use
// its answer.) Everything else goes to the engine.
inline Result<int64_t> IOContext::seek(int64_t pos) {
  // Read mode only, checked first: there the buffer's stream position
  // (pos - buffered) is never negative, so `rel` cannot overflow.
  if (pos >= 0 && !c_.write_flag && (!c_.direct || !c_.seek)) [[likely]] {
    const int64_t buffered = c_.buf_end - c_.buffer;
    const int64_t rel = pos - (c_.pos - buffered);
    if (rel >= 0 && rel <= buffered) [[likely]] {
      if (c_.buf_ptr > c_.buf_ptr_max) c_.buf_ptr_max = c_.buf_ptr;
      c_.buf_ptr = c_.buffer + rel;
      c_.eof_reached = 0;
      return pos;
    }
  }
  return result_from_code(detail::seek(c_, pos, SEEK_SET));
}

}  // namespace avio

#endif  // AVIO_IO_CONTEXT_HPP
