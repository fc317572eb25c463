// The buffered engine's slow paths. Semantics follow libavformat's aviobuf.c
// (FFmpeg 5.0 and later); docs/compat.md lists where avio deliberately differs.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "avio/detail/core.hpp"
#include "avio/error.hpp"

namespace avio::detail {
namespace {

constexpr int kSeekSet = SEEK_SET;
constexpr int kSeekCur = SEEK_CUR;
constexpr int kSeekEnd = SEEK_END;

int refill_chunk(const Core &c) { return c.max_packet_size ? c.max_packet_size : kDefaultBufferSize; }

// The read-ahead state lives in what was padding: a context is no larger.
static_assert(sizeof(void *) != 8 || sizeof(Core) == 264, "Core grew");

// Read-ahead applies to a plain reader that can seek: a write flag, direct
// mode and packets keep FFmpeg's refills whatever was set, and so does a
// stream that cannot seek, whose seeks back succeed or fail by what is
// buffered.
bool reads_ahead(const Core &c) {
  return c.read_ahead_max && c.read_packet && !c.write_flag && !c.direct && !c.max_packet_size &&
         (c.seekable & kSeekableNormal);
}

// One more sequential backend read: the next one may be twice as large.
void read_ahead_advance(Core &c) {
  if (c.read_ahead_step < c.read_ahead_max) c.read_ahead_step = c.read_ahead_step + 1;
}

int call_read(Core &c, uint8_t *dst, int len) {
  if (!c.read_packet) return errno_code(EINVAL);
  return c.read_packet(c.opaque, dst, len);
}

void count_read(Core &c, int n) {
  c.pos += n;
  c.total_read += n;
  c.bytes_read = c.total_read;
}

void fold_checksum(Core &c, const uint8_t *end) {
  if (c.update_checksum && end > c.checksum_ptr)
    c.checksum = c.update_checksum(c.checksum, c.checksum_ptr, static_cast<unsigned>(end - c.checksum_ptr));
}

void reset_buffer(Core &c) {
  c.buf_ptr = c.buffer;
  c.buf_end = c.write_flag ? c.buffer + c.buffer_size : c.buffer;
}

// Replaces the buffer with an empty one of `size` bytes (FFmpeg's set_buf_size).
int set_buffer_size(Core &c, int size) {
  auto *fresh = static_cast<uint8_t *>(buffer_alloc(static_cast<size_t>(size)));
  if (!fresh) return errno_code(ENOMEM);
  buffer_free(c.buffer);
  c.buffer = fresh;
  c.orig_buffer_size = c.buffer_size = size;
  c.buf_ptr_max = fresh;
  reset_buffer(c);
  return 0;
}

void writeout(Core &c, const uint8_t *data, int len) {
  if (!c.error) {
    int ret = 0;
    if (c.write_data_type)
      ret = c.hooks && c.hooks->call_write_data_type
                ? c.hooks->call_write_data_type(c, data, len)
                : c.write_data_type(c.opaque, data, len, c.current_type, c.last_time);
    else if (c.write_packet)
      ret = c.write_packet(c.opaque, data, len);
    if (ret < 0) {
      c.error = ret;
    } else {
      c.total_written += len;
      c.bytes_written = c.total_written;
      c.written_output_size = std::max(c.written_output_size, c.pos + len);
    }
  }
  if (c.current_type == kMarkerSyncPoint || c.current_type == kMarkerBoundaryPoint) c.current_type = kMarkerUnknown;
  c.last_time = kNoPts;
  ++c.writeout_count;
  c.pos += len;
}

inline int r8(Core &c) { return c.buf_ptr < c.buf_end ? *c.buf_ptr++ : r8_slow(c); }
inline void w8(Core &c, int b) {
  *c.buf_ptr++ = static_cast<uint8_t>(b);
  if (c.buf_ptr >= c.buf_end) flush_buffer(c);
}
void w16(Core &c, unsigned v, bool be) {
  const uint8_t b[2] = {static_cast<uint8_t>(be ? v >> 8 : v), static_cast<uint8_t>(be ? v : v >> 8)};
  write_slow_bytes(c, b, 2);
}

}  // namespace

void *buffer_alloc(size_t size) {
  void *p = nullptr;
  if (posix_memalign(&p, 64, size ? size : 1) != 0) return nullptr;
  return p;
}

void buffer_free(void *p) { std::free(p); }

void init(Core &c, uint8_t *buffer, int buffer_size, bool write_flag, void *opaque, ReadPacket read, WritePacket write,
          SeekFn seek_fn) {
  c = Core{};
  c.buffer = buffer;
  c.orig_buffer_size = c.buffer_size = buffer_size;
  c.buf_ptr_max = buffer;
  c.opaque = opaque;
  c.write_flag = write_flag ? 1 : 0;
  reset_buffer(c);
  c.read_packet = read;
  c.write_packet = write;
  c.seek = seek_fn;
  c.seekable = seek_fn ? kSeekableNormal : 0;
  c.short_seek_threshold = kShortSeekThreshold;
  c.current_type = kMarkerUnknown;
  c.last_time = kNoPts;
  if (!read && !write_flag) {  // static read mode: the buffer is the whole input
    c.pos = buffer_size;
    c.buf_end = buffer + buffer_size;
  }
}

// ---------------------------------------------------------------- reading --

void set_read_ahead(Core &c, int64_t max_bytes) {
  const int64_t base = c.orig_buffer_size;
  const int64_t limit = std::min<int64_t>(max_bytes, INT_MAX);
  int doublings = 0;
  while (doublings < 15 && base > 0 && base << (doublings + 1) <= limit) ++doublings;
  c.read_ahead_max = static_cast<uint8_t>(doublings);
  c.read_ahead_step = 0;
}

namespace {

// fill_buffer for a reader that reads ahead: FFmpeg's refill, but of
// read_ahead_size() bytes, into a buffer grown to that size when the refill
// starts over at its beginning. While the buffer has room for an ordinary
// refill after its data (ensure_seekback and pull make such room) the new
// bytes go after the old ones, as FFmpeg's do, so what they keep stays.
void fill_read_ahead(Core &c) {
  if (c.eof_reached) return;
  const int want = read_ahead_size(c);
  const int buffered = static_cast<int>(c.buf_end - c.buffer);
  uint8_t *dst = c.buf_end;
  uint8_t *fresh = nullptr;  // the buffer that replaces this one if the read brings data
  int len = want;
  if (want > c.buffer_size - buffered) {
    if (buffered + refill_chunk(c) <= c.buffer_size) {
      len = c.buffer_size - buffered;
    } else {  // start over at the beginning, of a buffer of the read's size
      if (c.update_checksum) {
        fold_checksum(c, c.buf_end);
        c.checksum_ptr = c.buffer;
      }
      const int cap = c.orig_buffer_size << c.read_ahead_max;
      // On failure the buffer keeps its size.
      if ((want > c.buffer_size || c.buffer_size > cap) && !c.fixed_buffer)
        fresh = static_cast<uint8_t *>(buffer_alloc(static_cast<size_t>(want)));
      dst = fresh ? fresh : c.buffer;
      len = fresh ? want : std::min(want, c.buffer_size);
    }
  }

  const int n = call_read(c, dst, len);
  ++c.refill_count;
  if (n == kEof) {
    c.eof_reached = 1;  // the buffer stays, as FFmpeg's does
  } else if (n < 0) {
    c.eof_reached = 1;
    c.error = n;
  } else {
    if (fresh) {  // what the old buffer held is overwritten in FFmpeg's refill too
      buffer_free(c.buffer);
      c.buffer = c.buf_ptr_max = c.checksum_ptr = fresh;
      c.buffer_size = want;
      fresh = nullptr;
    }
    count_read(c, n);
    c.buf_ptr = dst;
    c.buf_end = dst + n;
    read_ahead_advance(c);
  }
  buffer_free(fresh);
}

}  // namespace

void fill_buffer(Core &c) {
  if (reads_ahead(c)) return fill_read_ahead(c);
  const int chunk = refill_chunk(c);
  uint8_t *dst = (c.buf_end - c.buffer) + chunk <= c.buffer_size ? c.buf_end : c.buffer;
  int len = c.buffer_size - static_cast<int>(dst - c.buffer);

  if (!c.read_packet && c.buf_ptr >= c.buf_end) c.eof_reached = 1;
  if (c.eof_reached) return;

  if (c.update_checksum && dst == c.buffer) {
    fold_checksum(c, c.buf_end);
    c.checksum_ptr = c.buffer;
  }
  // A buffer that grew (ensure_seekback, probing) shrinks back once drained.
  if (c.read_packet && c.orig_buffer_size && c.buffer_size > c.orig_buffer_size && len >= c.orig_buffer_size) {
    if (dst == c.buffer && c.buf_ptr != dst && !c.fixed_buffer) {
      set_buffer_size(c, c.orig_buffer_size);  // on failure the large buffer simply stays
      c.checksum_ptr = dst = c.buffer;
    }
    len = c.orig_buffer_size;
  }

  const int n = call_read(c, dst, len);
  ++c.refill_count;
  if (n == kEof) {
    c.eof_reached = 1;  // the buffer stays, so a seek back needs no re-read
  } else if (n < 0) {
    c.eof_reached = 1;
    c.error = n;
  } else {
    count_read(c, n);
    c.buf_ptr = dst;
    c.buf_end = dst + n;
  }
}

int r8_slow(Core &c) {
  if (c.buf_ptr >= c.buf_end) fill_buffer(c);
  if (c.buf_ptr < c.buf_end) return *c.buf_ptr++;
  return 0;
}

uint64_t read_le_slow(Core &c, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(r8(c)) << (8 * i);
  return v;
}

uint64_t read_be_slow(Core &c, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<uint64_t>(r8(c));
  return v;
}

int feof(Core &c) {
  if (c.eof_reached) {  // one retry, so that a growing input can recover
    c.eof_reached = 0;
    fill_buffer(c);
  }
  return c.eof_reached;
}

int read(Core &c, uint8_t *buf, int size) {
  int remaining = size;
  while (remaining > 0) {
    int len = static_cast<int>(std::min<ptrdiff_t>(c.buf_end - c.buf_ptr, remaining));
    if (len > 0 && !c.write_flag) {
      std::memcpy(buf, c.buf_ptr, static_cast<size_t>(len));
      buf += len;
      c.buf_ptr += len;
      remaining -= len;
      continue;
    }
    // Read-ahead keeps "large" as it was at open: larger than the buffer
    // before it grew (which also decides, as in FFmpeg, whether a read after
    // the end or an error asks the backend again).
    const int large = reads_ahead(c) ? c.orig_buffer_size : c.buffer_size;
    if ((c.direct || remaining > large) && !c.update_checksum && c.read_packet) {
      // Large read: straight into the caller's memory.
      const int n = call_read(c, buf, remaining);
      ++c.refill_count;
      if (n == kEof) {
        c.eof_reached = 1;
        break;
      }
      if (n < 0) {
        c.eof_reached = 1;
        c.error = n;
        break;
      }
      count_read(c, n);
      if (reads_ahead(c)) read_ahead_advance(c);
      remaining -= n;
      buf += n;
      c.buf_ptr = c.buf_end = c.buffer;
      if (n == 0) break;  // FFmpeg spins here forever; see docs/compat.md
    } else {
      fill_buffer(c);
      if (c.buf_end - c.buf_ptr == 0) break;
      if (c.write_flag) {  // read+write context: FFmpeg never copies from the buffer
        len = static_cast<int>(std::min<ptrdiff_t>(c.buf_end - c.buf_ptr, remaining));
        std::memcpy(buf, c.buf_ptr, static_cast<size_t>(len));
        buf += len;
        c.buf_ptr += len;
        remaining -= len;
      }
    }
  }
  if (remaining == size) {
    if (c.error) return c.error;
    if (feof(c)) return kEof;
  }
  return size - remaining;
}

int read_partial(Core &c, uint8_t *buf, int size) {
  if (size < 0) return errno_code(EINVAL);
  if (c.read_packet && c.write_flag) {
    const int n = call_read(c, buf, size);
    if (n > 0) c.pos += n;
    return n;
  }
  ptrdiff_t len = c.buf_end - c.buf_ptr;
  if (len == 0) {
    fill_buffer(c);
    len = c.buf_end - c.buf_ptr;
  }
  len = std::min<ptrdiff_t>(len, size);
  if (len > 0) std::memcpy(buf, c.buf_ptr, static_cast<size_t>(len));
  c.buf_ptr += len;
  if (len == 0) {
    if (c.error) return c.error;
    if (feof(c)) return kEof;
  }
  return static_cast<int>(len);
}

int get_str(Core &c, int maxlen, char *buf, int buflen) {
  if (buflen <= 0 || !buf) return errno_code(EINVAL);
  const int copy = std::min(buflen - 1, maxlen);
  int i = 0;
  for (; i < copy; ++i) {
    buf[i] = static_cast<char>(r8(c));
    if (!buf[i]) return i + 1;
  }
  buf[i] = 0;
  for (; i < maxlen; ++i)
    if (!r8(c)) return i + 1;
  return maxlen;
}

int get_str16(Core &c, int maxlen, char *buf, int buflen, bool big_endian) {
  if (buflen <= 0 || !buf) return errno_code(EINVAL);
  char *out = buf;
  int consumed = 0;
  // Reads one UTF-16 unit, counting it even when it lies beyond maxlen (then it reads as 0).
  auto unit = [&]() -> uint32_t {
    consumed += 2;
    if (consumed > maxlen) return 0;
    return static_cast<uint32_t>(big_endian ? read_be_slow(c, 2) : read_le_slow(c, 2));
  };
  while (consumed + 1 < maxlen) {
    uint32_t ch = unit();
    const uint32_t hi = ch - 0xD800;
    if (hi < 0x800) {  // a surrogate: it must be a high one followed by a low one
      const uint32_t lo = unit() - 0xDC00;
      if (lo > 0x3FF || hi > 0x3FF) break;
      ch = (hi << 10) + lo + 0x10000;
    }
    if (!ch) break;
    uint8_t enc[6];
    int n = 0;
    if (ch < 0x80) {
      enc[n++] = static_cast<uint8_t>(ch);
    } else {
      int log2 = 31 - __builtin_clz(ch);
      const int bytes = (log2 + 4) / 5;
      int shift = (bytes - 1) * 6;
      enc[n++] = static_cast<uint8_t>((256 - (256 >> bytes)) | (ch >> shift));
      while (shift >= 6) {
        shift -= 6;
        enc[n++] = static_cast<uint8_t>(0x80 | ((ch >> shift) & 0x3f));
      }
    }
    for (int k = 0; k < n; ++k)
      if (out - buf < buflen - 1) *out++ = static_cast<char>(enc[k]);
  }
  *out = 0;
  return consumed;
}

namespace {

// Moves the unread bytes to the start of a buffer of at least `capacity`
// bytes: the current one when it is large enough, else a fresh one (the old
// buffer is freed: a buffer replacement, as in FFmpeg's ensure_seekback).
int move_unread_to_front(Core &c, int64_t capacity) {
  const ptrdiff_t unread = c.buf_end - c.buf_ptr;
  if (capacity <= c.buffer_size) {
    fold_checksum(c, c.buf_ptr);
    std::memmove(c.buffer, c.buf_ptr, static_cast<size_t>(unread));
  } else {
    auto *fresh = static_cast<uint8_t *>(buffer_alloc(static_cast<size_t>(capacity)));
    if (!fresh) return errno_code(ENOMEM);
    fold_checksum(c, c.buf_ptr);
    if (unread) std::memcpy(fresh, c.buf_ptr, static_cast<size_t>(unread));
    buffer_free(c.buffer);
    c.buffer = fresh;
    c.buffer_size = static_cast<int>(capacity);
  }
  c.buf_ptr = c.buffer;
  c.buf_end = c.buffer + unread;
  c.checksum_ptr = c.buffer;
  return 0;
}

}  // namespace

int ensure_seekback(Core &c, int64_t buf_size) {
  const int chunk = refill_chunk(c);
  const ptrdiff_t filled = c.buf_end - c.buf_ptr;
  if (buf_size <= filled) return 0;
  if (buf_size > INT_MAX - chunk) return errno_code(EINVAL);
  buf_size += chunk - 1;
  if (buf_size + (c.buf_ptr - c.buffer) <= c.buffer_size || c.seekable || !c.read_packet || c.fixed_buffer) return 0;
  if (c.write_flag) return errno_code(EINVAL);
  return move_unread_to_front(c, buf_size);
}

int64_t pull(Core &c, int64_t n) {
  ptrdiff_t available = c.buf_end - c.buf_ptr;
  if (available >= n || c.write_flag || !c.read_packet || c.fixed_buffer) return available;
  if (n > INT_MAX - refill_chunk(c)) return errno_code(EINVAL);
  if ((c.buf_ptr - c.buffer) + n > c.buffer_size) {  // the window does not fit where it is
    const int err = move_unread_to_front(c, n);
    if (err < 0) return err;
  }
  while (available < n && !c.eof_reached) {
    int space = c.buffer_size - static_cast<int>(c.buf_end - c.buffer);
    // A reader that reads ahead asks for what is missing or its read size.
    if (reads_ahead(c))
      space = static_cast<int>(std::min<int64_t>(space, std::max<int64_t>(read_ahead_size(c), n - available)));
    const int got = call_read(c, c.buf_end, space);
    ++c.refill_count;
    if (got == kEof) {
      c.eof_reached = 1;
    } else if (got < 0) {
      c.eof_reached = 1;
      c.error = got;
    } else if (got == 0) {
      break;
    } else {
      count_read(c, got);
      if (reads_ahead(c)) read_ahead_advance(c);
      c.buf_end += got;
      available += got;
    }
  }
  return available;
}

// ---------------------------------------------------------------- writing --

void flush_buffer(Core &c) {
  c.buf_ptr_max = std::max(c.buf_ptr, c.buf_ptr_max);
  if (c.write_flag && c.buf_ptr_max > c.buffer) {
    writeout(c, c.buffer, static_cast<int>(c.buf_ptr_max - c.buffer));
    if (c.update_checksum) {
      fold_checksum(c, c.buf_ptr_max);
      c.checksum_ptr = c.buffer;
    }
  }
  c.buf_ptr = c.buf_ptr_max = c.buffer;
  if (!c.write_flag) c.buf_end = c.buffer;
}

void write_slow_bytes(Core &c, const uint8_t *data, int n) {
  for (int i = 0; i < n; ++i) w8(c, data[i]);
}

void write(Core &c, const uint8_t *buf, int size) {
  if (size <= 0 || !buf || !c.write_flag) return;  // FFmpeg 6.0+: nothing to do
  if (c.direct && !c.update_checksum) {
    flush(c);
    writeout(c, buf, size);
    return;
  }
  while (size > 0) {
    const ptrdiff_t space = c.buf_end - c.buf_ptr;
    if (c.buf_ptr == c.buffer && c.buf_ptr_max == c.buffer && size >= space && !c.update_checksum && c.write_flag) {
      // A whole buffer's worth with nothing pending: hand the caller's bytes
      // to the sink directly. Same calls, same sizes as copying then flushing.
      writeout(c, buf, static_cast<int>(space));
      buf += space;
      size -= static_cast<int>(space);
      continue;
    }
    const int len = static_cast<int>(std::min<ptrdiff_t>(space, size));
    std::memcpy(c.buf_ptr, buf, static_cast<size_t>(len));
    c.buf_ptr += len;
    if (c.buf_ptr >= c.buf_end) flush_buffer(c);
    buf += len;
    size -= len;
  }
}

void fill(Core &c, int byte, int64_t count) {
  while (count > 0) {
    const int len = static_cast<int>(std::min<int64_t>(c.buf_end - c.buf_ptr, count));
    std::memset(c.buf_ptr, byte, static_cast<size_t>(len));
    c.buf_ptr += len;
    if (c.buf_ptr >= c.buf_end) flush_buffer(c);
    count -= len;
  }
}

void flush(Core &c) {
  const ptrdiff_t seekback = c.write_flag ? std::min<ptrdiff_t>(0, c.buf_ptr - c.buf_ptr_max) : 0;
  flush_buffer(c);
  if (seekback) seek(c, seekback, kSeekCur);
}

int put_str(Core &c, const char *str) {
  if (!str) {
    w8(c, 0);
    return 1;
  }
  const size_t len = std::strlen(str) + 1;
  write(c, reinterpret_cast<const uint8_t *>(str), static_cast<int>(len));
  return static_cast<int>(len);
}

int put_str16(Core &c, const char *str, bool big_endian) {
  const auto *q = reinterpret_cast<const uint8_t *>(str ? str : "");
  int written = 0;
  int err = 0;
  while (*q) {
    uint32_t ch = *q++;
    bool valid = true;
    uint32_t top = (ch & 128) >> 1;
    if ((ch & 0xc0) == 0x80 || ch >= 0xFE) {
      valid = false;
    } else {
      while (ch & top) {
        const uint32_t cont = static_cast<uint32_t>(*q++) - 128;
        if (cont >> 6) {
          valid = false;
          break;
        }
        ch = (ch << 6) + cont;
        top <<= 5;
      }
      if (valid) ch &= (top << 1) - 1;
    }
    if (!valid) {
      err = errno_code(EINVAL);
      if (!q[-1]) break;  // the bad sequence ran into the terminator
      continue;
    }
    if (ch < 0x10000) {
      w16(c, ch, big_endian);
      written += 2;
    } else {
      w16(c, static_cast<uint16_t>(0xD800 | ((ch - 0x10000) >> 10)), big_endian);
      written += 2;
      w16(c, static_cast<uint16_t>(0xDC00 | ((ch - 0x10000) & 0x3FF)), big_endian);
      written += 2;
    }
  }
  w16(c, 0, big_endian);
  if (err) return err;
  return written + 2;
}

int vprintf(Core &c, const char *fmt, va_list ap) {
  va_list measure;
  va_copy(measure, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, measure);
  va_end(measure);
  if (n < 0) return 0;
  std::vector<char> text(static_cast<size_t>(n) + 1);
  std::vsnprintf(text.data(), text.size(), fmt, ap);
  write(c, reinterpret_cast<const uint8_t *>(text.data()), n);
  return n;
}

void write_marker(Core &c, int64_t time, int type) {
  if (type == kMarkerFlushPoint) {
    if (c.buf_ptr - c.buffer >= c.min_packet_size) flush(c);
    return;
  }
  if (!c.write_data_type) return;
  if (type == kMarkerBoundaryPoint && c.ignore_boundary_point) type = kMarkerUnknown;
  // Unknown data after a sync or boundary point needs no flush of its own.
  if (type == kMarkerUnknown && c.current_type != kMarkerHeader && c.current_type != kMarkerTrailer) return;
  if ((type == kMarkerHeader || type == kMarkerTrailer) && type == c.current_type) return;
  flush(c);  // what came before goes out under the previous type
  c.current_type = type;
  c.last_time = time;
}

// ------------------------------------------------------------ positioning --

int64_t seek(Core &c, int64_t offset, int whence) {
  whence &= ~kSeekForce;
  if (whence & kSeekSize) return c.seek ? c.seek(c.opaque, offset, kSeekSize) : errno_code(ENOSYS);

  const int64_t buffered = c.buf_end - c.buffer;
  int64_t buffer_pos = c.pos - (c.write_flag ? 0 : buffered);  // stream position of `buffer`
  if (whence != kSeekCur && whence != kSeekSet) return errno_code(EINVAL);
  if (whence == kSeekCur) {
    const int64_t here = buffer_pos + (c.buf_ptr - c.buffer);
    if (offset == 0) return here;
    if (offset > INT64_MAX - here) return errno_code(EINVAL);
    offset += here;
  }
  if (offset < 0) return errno_code(EINVAL);

  const int64_t rel = offset - buffer_pos;
  // How far back a step re-reads is half of what one refill will bring:
  // what is buffered (FFmpeg's), or, reading ahead, the first refill after
  // the seek (the buffer size at open).
  const int64_t step_back = reads_ahead(c) ? std::min<int64_t>(buffered, c.orig_buffer_size) : buffered;
  c.buf_ptr_max = std::max(c.buf_ptr_max, c.buf_ptr);
  const bool may_use_buffer = !c.direct || !c.seek;
  const int64_t in_buffer_limit = c.write_flag ? c.buf_ptr_max - c.buffer : buffered;
  // FFmpeg asks short_seek_get on every seek, but only the read-forward
  // branch uses the answer; the hook is a query, so it is asked only there
  // (a seek inside the buffer or backwards then costs no protocol call).
  const auto within_short_seek = [&c, rel, buffered] {
    int short_seek = c.short_seek_threshold;
    if (c.hooks && c.hooks->short_seek_get) short_seek = std::max(short_seek, c.hooks->short_seek_get(c.opaque));
    return rel <= buffered + short_seek;
  };

  if (may_use_buffer && rel >= 0 && rel <= in_buffer_limit) {
    c.buf_ptr = c.buffer + rel;
  } else if (!c.write_flag && rel >= 0 && may_use_buffer && (!(c.seekable & kSeekableNormal) || within_short_seek())) {
    // Forward by reading: cheaper than a seek on a stream, or for a short hop.
    while (c.pos < offset && !c.eof_reached) fill_buffer(c);
    if (c.eof_reached) return kEof;
    c.buf_ptr = c.buf_end - (c.pos - offset);
  } else if (!c.write_flag && rel < 0 && -rel < step_back / 2 && c.seek && offset > 0) {
    // A little way back: re-read from half a buffer earlier so that a
    // following step back stays inside the buffer.
    buffer_pos -= std::min(step_back / 2, buffer_pos);
    const int64_t res = c.seek(c.opaque, buffer_pos, kSeekSet);
    if (res < 0) return res;
    c.buf_end = c.buf_ptr = c.buffer;
    c.pos = buffer_pos;
    c.eof_reached = 0;
    c.read_ahead_step = 0;  // a new sequential run
    fill_buffer(c);
    return seek(c, offset, kSeekSet);
  } else {
    if (c.write_flag) flush_buffer(c);
    if (!c.seek) return errno_code(EPIPE);
    const int64_t res = c.seek(c.opaque, offset, kSeekSet);
    if (res < 0) return res;
    ++c.seek_count;
    if (!c.write_flag) c.buf_end = c.buffer;
    c.checksum_ptr = c.buf_ptr = c.buf_ptr_max = c.buffer;
    c.pos = offset;
    c.read_ahead_step = 0;  // a new sequential run
  }
  c.eof_reached = 0;
  return offset;
}

int pause(Core &c, int pause) {
  if (!c.read_pause) return -ENOSYS;
  return c.read_pause(c.opaque, pause);
}

int64_t seek_time(Core &c, int stream_index, int64_t timestamp, int flags) {
  if (!c.read_seek) return -ENOSYS;
  int64_t ret = c.read_seek(c.opaque, stream_index, timestamp, flags);
  if (ret >= 0) {
    c.buf_ptr = c.buf_end;  // what is buffered belongs to the old position
    c.read_ahead_step = 0;
    const int64_t pos = c.seek ? c.seek(c.opaque, 0, SEEK_CUR) : -ENOSYS;
    if (pos >= 0)
      c.pos = pos;
    else if (pos != -ENOSYS)
      ret = pos;
  }
  return ret;
}

int64_t size(Core &c) {
  if (c.written_output_size) return c.written_output_size;
  if (!c.seek) return errno_code(ENOSYS);
  int64_t s = c.seek(c.opaque, 0, kSeekSize);
  if (s < 0) {
    s = c.seek(c.opaque, -1, kSeekEnd);
    if (s < 0) return s;
    ++s;
    c.seek(c.opaque, c.pos, kSeekSet);
  }
  return s;
}

// --------------------------------------------------------- dynamic buffer --

int dyn_buf_write(void *opaque, const uint8_t *buf, int buf_size) {
  auto &d = *static_cast<DynBuffer *>(opaque);
  const unsigned new_size = static_cast<unsigned>(d.pos) + static_cast<unsigned>(buf_size);
  if (new_size < static_cast<unsigned>(d.pos) || new_size > INT_MAX) return errno_code(ERANGE);
  if (new_size > static_cast<unsigned>(d.allocated_size)) {
    unsigned alloc = d.allocated_size ? static_cast<unsigned>(d.allocated_size) : new_size;
    while (new_size > alloc) alloc += alloc / 2 + 1;  // grow by half, as FFmpeg does
    alloc = std::min<unsigned>(alloc, INT_MAX);
    auto *grown = static_cast<uint8_t *>(std::realloc(d.data, alloc));
    if (!grown) {
      std::free(d.data);
      d.data = nullptr;
      d.allocated_size = 0;
      d.size = 0;
      return errno_code(ENOMEM);
    }
    d.data = grown;
    d.allocated_size = static_cast<int>(alloc);
  }
  if (buf_size) std::memcpy(d.data + d.pos, buf, static_cast<size_t>(buf_size));
  d.pos = static_cast<int>(new_size);
  d.size = std::max(d.size, d.pos);
  return buf_size;
}

int dyn_packet_buf_write(void *opaque, const uint8_t *buf, int buf_size) {
  const uint8_t header[4] = {static_cast<uint8_t>(buf_size >> 24), static_cast<uint8_t>(buf_size >> 16),
                             static_cast<uint8_t>(buf_size >> 8), static_cast<uint8_t>(buf_size)};
  const int ret = dyn_buf_write(opaque, header, 4);
  if (ret < 0) return ret;
  return dyn_buf_write(opaque, buf, buf_size);
}

int64_t dyn_buf_seek(void *opaque, int64_t offset, int whence) {
  auto &d = *static_cast<DynBuffer *>(opaque);
  // Any other whence (AVSEEK_SIZE included) is taken as SEEK_SET, as in FFmpeg.
  if (whence == kSeekCur)
    offset += d.pos;
  else if (whence == kSeekEnd)
    offset += d.size;
  if (offset < 0) return errno_code(EINVAL);
  if (offset > INT_MAX) return errno_code(ERANGE);
  d.pos = static_cast<int>(offset);
  return 0;
}

int dyn_buf_get(Core &c, DynBuffer &d, uint8_t **data) {
  if (!c.error && !d.size) {  // nothing flushed yet: the bytes are all in the I/O buffer
    *data = d.io_buffer;
    return static_cast<int>(std::max(c.buf_ptr, c.buf_ptr_max) - c.buffer);
  }
  flush(c);
  *data = d.data;
  return d.size;
}

int dyn_buf_finish(Core &c, DynBuffer &d, uint8_t **data) {
  int padding = 0;
  if (!c.max_packet_size) {  // packet buffers are not padded
    fill(c, 0, kPaddingSize);
    padding = kPaddingSize;
  }
  flush(c);
  *data = d.data;
  d.data = nullptr;
  return d.size - padding;
}

}  // namespace avio::detail
