// The engine's state: FFmpeg's public AVIOContext fields plus the private
// ones libavformat keeps in FFIOContext. Both the C++ `IOContext` and the C
// API operate on a `Core` through the functions declared here; the C API's
// `AVIOContext *` is a pointer to the `ContextFields` base of a Core.
//
// The fast paths (a byte or an integer that is already buffered) are inline
// in io_context.hpp and in the C header; everything here is the out-of-line
// slow path, written once for both faces.
#ifndef AVIO_DETAIL_CORE_HPP
#define AVIO_DETAIL_CORE_HPP

#include <cstdarg>
#include <cstddef>
#include <cstdint>

#include "avio/detail/context_fields.h"

namespace avio::detail {

inline constexpr int kDefaultBufferSize = 32768;   // FFmpeg's IO_BUFFER_SIZE
inline constexpr int kShortSeekThreshold = 32768;  // FFmpeg's SHORT_SEEK_THRESHOLD
inline constexpr int kPaddingSize = 64;            // AV_INPUT_BUFFER_PADDING_SIZE
inline constexpr int kSeekSize = 0x10000;          // AVSEEK_SIZE
inline constexpr int kSeekForce = 0x20000;         // AVSEEK_FORCE
inline constexpr int kSeekableNormal = 1;          // AVIO_SEEKABLE_NORMAL
inline constexpr int kSeekableTime = 2;            // AVIO_SEEKABLE_TIME
inline constexpr int kDirectFlag = 0x8000;         // AVIO_FLAG_DIRECT, what ffio_fdopen stores in `direct`
inline constexpr int64_t kNoPts = INT64_MIN;       // AV_NOPTS_VALUE

enum MarkerType : int {  // AVIODataMarkerType
  kMarkerHeader,
  kMarkerSyncPoint,
  kMarkerBoundaryPoint,
  kMarkerUnknown,
  kMarkerTrailer,
  kMarkerFlushPoint,
};

struct ContextFields {
  AVIO_DETAIL_CONTEXT_FIELDS(const void *, int)
};
// FFmpeg 7's layout on LP64: the private ints only fill its padding.
static_assert(sizeof(void *) != 8 ||
                  (sizeof(ContextFields) == 208 && offsetof(ContextFields, buf_ptr) == 24 &&
                   offsetof(ContextFields, pos) == 72 && offsetof(ContextFields, checksum) == 104 &&
                   offsetof(ContextFields, buf_ptr_max) == 184 && offsetof(ContextFields, bytes_written) == 200),
              "ContextFields must keep FFmpeg 7's AVIOContext layout");

struct Core;

// Engine hooks that few contexts need, in one static table per kind of
// context (as a vtable), so a context pays one pointer for all of them.
struct Hooks {
  // The protocol's short-seek size (FFmpeg's short_seek_get), or null.
  int (*short_seek_get)(void *opaque);
  // Calls write_data_type. C programs store a function whose marker
  // parameter is `enum AVIODataMarkerType`, which C++ may only call through
  // that exact type: the C API's table calls it so. Null means
  // write_data_type has the engine's own (int) type.
  int (*call_write_data_type)(Core &c, const uint8_t *data, int len);
};

// short_seek_threshold, orig_buffer_size and current_type are private too;
// they live in ContextFields (see context_fields.h).
struct Core : ContextFields {
  // Statistics, as FFmpeg keeps them (an int there); they wrap at 2^32.
  uint32_t seek_count;
  uint32_t writeout_count;
  uint32_t refill_count;
  // Buffers are allocated with buffer_alloc; a Core whose buffer is the
  // caller's memory (a zero-copy reader) never replaces it.
  bool fixed_buffer;
  // Kept by the face that owns this Core, never read by the engine: what
  // `opaque` points at that the face must free, and whether it has closed.
  uint8_t face_owns;
  bool face_closed;
  // Read-ahead (set_read_ahead; never set by the C API, whose reads are
  // FFmpeg's): a sequential reader's refills double from orig_buffer_size
  // up to orig_buffer_size << read_ahead_max (0: off, FFmpeg's refills);
  // read_ahead_step is the doublings so far, back to 0 when a seek drops
  // the buffer. Four bits each, in what would be padding.
  uint8_t read_ahead_max : 4;
  uint8_t read_ahead_step : 4;
  const Hooks *hooks;  // null: none
  int64_t last_time;
  int64_t written_output_size;
  // The truth for bytes_read / bytes_written, which C code may scribble on.
  int64_t total_read;
  int64_t total_written;
};

// Buffer memory: the same allocator as the C API's av_malloc/av_free, so a
// buffer may cross between the two faces.
void *buffer_alloc(size_t size);
void buffer_free(void *p);

using ReadPacket = int (*)(void *, uint8_t *, int);
using WritePacket = int (*)(void *, const uint8_t *, int);
using SeekFn = int64_t (*)(void *, int64_t, int);

// ffio_init_context: zeroes `c` and sets it up over `buffer`.
void init(Core &c, uint8_t *buffer, int buffer_size, bool write_flag, void *opaque, ReadPacket read, WritePacket write,
          SeekFn seek);

// Reading.
// Read-ahead (see Core::read_ahead_max): refills of a sequential reader grow
// from the buffer size by doubling up to `max_bytes` (rounded down to the
// buffer size times a power of two, at most 2^15); 0 turns it off. Call
// after init, with the buffer size the context keeps. A context with a write
// flag, direct mode or packet sizes, or one that cannot seek, never reads
// ahead (the engine checks at each refill).
void set_read_ahead(Core &c, int64_t max_bytes);
// The size of the next read-ahead refill (orig_buffer_size when off).
inline int read_ahead_size(const Core &c) { return c.orig_buffer_size << c.read_ahead_step; }
void fill_buffer(Core &c);
int r8_slow(Core &c);                       // precondition: buf_ptr >= buf_end
uint64_t read_le_slow(Core &c, int bytes);  // byte by byte, as FFmpeg composes rl16..rl64
uint64_t read_be_slow(Core &c, int bytes);
int read(Core &c, uint8_t *buf, int size);
int read_partial(Core &c, uint8_t *buf, int size);
int feof(Core &c);
int get_str(Core &c, int maxlen, char *buf, int buflen);
int get_str16(Core &c, int maxlen, char *buf, int buflen, bool big_endian);
int ensure_seekback(Core &c, int64_t buf_size);
// Makes at least `n` bytes available at buf_ptr unless EOF or an error comes
// first (growing the buffer if needed). Returns the bytes available.
int64_t pull(Core &c, int64_t n);

// Writing.
void flush_buffer(Core &c);
void write_slow_bytes(Core &c, const uint8_t *data, int n);  // w8 each byte
void write(Core &c, const uint8_t *buf, int size);
void fill(Core &c, int byte, int64_t count);
void flush(Core &c);
int put_str(Core &c, const char *str);
int put_str16(Core &c, const char *str, bool big_endian);
int vprintf(Core &c, const char *fmt, va_list ap);
void write_marker(Core &c, int64_t time, int type);

// Positioning.
int64_t seek(Core &c, int64_t offset, int whence);
int64_t size(Core &c);
// avio_pause / avio_seek_time: through the read_pause / read_seek fields;
// -ENOSYS without them. seek_time drops the buffer and takes the new position.
int pause(Core &c, int pause);
int64_t seek_time(Core &c, int stream_index, int64_t timestamp, int flags);
inline int64_t tell(const Core &c) {
  const int64_t buffered = c.write_flag ? 0 : c.buf_end - c.buffer;
  return c.pos - buffered + (c.buf_ptr - c.buffer);
}

// Dynamic buffer (avio_open_dyn_buf): a growing, seekable memory sink.
struct DynBuffer {
  int pos;
  int size;
  int allocated_size;
  uint8_t *data;
  int io_buffer_size;
  uint8_t *io_buffer;
};
int dyn_buf_write(void *opaque, const uint8_t *buf, int buf_size);
int dyn_packet_buf_write(void *opaque, const uint8_t *buf, int buf_size);
int64_t dyn_buf_seek(void *opaque, int64_t offset, int whence);
// avio_get_dyn_buf / the size and data of avio_close_dyn_buf (after padding).
int dyn_buf_get(Core &c, DynBuffer &d, uint8_t **data);
int dyn_buf_finish(Core &c, DynBuffer &d, uint8_t **data);

}  // namespace avio::detail

#endif  // AVIO_DETAIL_CORE_HPP
