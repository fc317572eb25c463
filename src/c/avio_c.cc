// The FFmpeg-compatible C API over the engine: each function is the engine
// call on the context's Core. Nothing here buffers or decides anything.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "avio/error.hpp"
#include "c_context.hpp"

using avio::c_api::CContext;
using avio::c_api::from_c;
using avio::c_api::to_c;
namespace detail = avio::detail;

// The C struct and the engine's fields must be one layout.
#define AVIO_SAME_OFFSET(f) \
  static_assert(offsetof(AVIOContext, f) == offsetof(detail::ContextFields, f), "layout of " #f)
AVIO_SAME_OFFSET(av_class);
AVIO_SAME_OFFSET(buffer);
AVIO_SAME_OFFSET(buffer_size);
AVIO_SAME_OFFSET(buf_ptr);
AVIO_SAME_OFFSET(buf_end);
AVIO_SAME_OFFSET(opaque);
AVIO_SAME_OFFSET(read_packet);
AVIO_SAME_OFFSET(write_packet);
AVIO_SAME_OFFSET(seek);
AVIO_SAME_OFFSET(pos);
AVIO_SAME_OFFSET(eof_reached);
AVIO_SAME_OFFSET(error);
AVIO_SAME_OFFSET(write_flag);
AVIO_SAME_OFFSET(max_packet_size);
AVIO_SAME_OFFSET(min_packet_size);
AVIO_SAME_OFFSET(checksum);
AVIO_SAME_OFFSET(checksum_ptr);
AVIO_SAME_OFFSET(update_checksum);
AVIO_SAME_OFFSET(read_pause);
AVIO_SAME_OFFSET(read_seek);
AVIO_SAME_OFFSET(seekable);
AVIO_SAME_OFFSET(direct);
AVIO_SAME_OFFSET(protocol_whitelist);
AVIO_SAME_OFFSET(protocol_blacklist);
AVIO_SAME_OFFSET(write_data_type);
AVIO_SAME_OFFSET(ignore_boundary_point);
AVIO_SAME_OFFSET(buf_ptr_max);
AVIO_SAME_OFFSET(bytes_read);
AVIO_SAME_OFFSET(bytes_written);
static_assert(sizeof(AVIOContext) == sizeof(detail::ContextFields));

namespace {
CContext &core(AVIOContext *s) { return *from_c(s); }

using CWriteDataType = int (*)(void *, const uint8_t *, int, enum AVIODataMarkerType, int64_t);
}  // namespace

int avio::c_api::call_c_write_data_type(detail::Core &c, const uint8_t *data, int len) {
  const auto fn = reinterpret_cast<CWriteDataType>(c.write_data_type);
  return fn(c.opaque, data, len, static_cast<enum AVIODataMarkerType>(c.current_type), c.last_time);
}

const avio::detail::Hooks avio::c_api::kCHooks{nullptr, avio::c_api::call_c_write_data_type};
const avio::detail::Hooks avio::c_api::kCUrlHooks{avio::detail::backend_short_seek_get,
                                                  avio::c_api::call_c_write_data_type};

void avio::c_api::init_context(CContext &c, uint8_t *buffer, int buffer_size, bool write_flag, void *opaque,
                               detail::ReadPacket read, detail::WritePacket write, detail::SeekFn seek) {
  detail::init(c, buffer, buffer_size, write_flag, opaque, read, write, seek);
  c.hooks = &kCHooks;
}

extern "C" {

// ---------------------------------------------------------------- memory --

void *av_malloc(size_t size) { return detail::buffer_alloc(size); }

void *av_mallocz(size_t size) {
  void *p = av_malloc(size);
  if (p) std::memset(p, 0, size);
  return p;
}

void *av_realloc(void *ptr, size_t size) { return std::realloc(ptr, size ? size : 1); }

void av_free(void *ptr) { detail::buffer_free(ptr); }

void av_freep(void *ptr) {
  void *p;
  std::memcpy(&p, ptr, sizeof p);
  std::memset(ptr, 0, sizeof p);
  av_free(p);
}

char *av_strdup(const char *s) {
  if (!s) return nullptr;
  const size_t n = std::strlen(s) + 1;
  auto *copy = static_cast<char *>(av_malloc(n));
  if (copy) std::memcpy(copy, s, n);
  return copy;
}

int av_strerror(int errnum, char *errbuf, size_t errbuf_size) {
  if (!errbuf || !errbuf_size) return AVERROR(EINVAL);
  const std::string text = avio::error_text(errnum);
  const bool known = text.rfind("Error number ", 0) != 0 && text.rfind("Unknown error", 0) != 0;
  std::snprintf(errbuf, errbuf_size, "%s", text.c_str());
  return known ? 0 : AVERROR(EINVAL);
}

// --------------------------------------------------------------- contexts --

AVIOContext *avio_alloc_context(unsigned char *buffer, int buffer_size, int write_flag, void *opaque,
                                int (*read_packet)(void *, uint8_t *, int),
                                int (*write_packet)(void *, const uint8_t *, int),
                                int64_t (*seek)(void *, int64_t, int)) {
  // FFmpeg does not validate these; a negative size or a missing buffer
  // would be written through later, so refuse them here.
  if (buffer_size < 0 || (!buffer && buffer_size > 0) || (write_flag && buffer_size <= 0)) return nullptr;
  auto *c = new (std::nothrow) CContext;
  if (!c) return nullptr;
  avio::c_api::init_context(*c, buffer, buffer_size, write_flag != 0, opaque, read_packet, write_packet, seek);
  return to_c(c);
}

void avio_context_free(AVIOContext **ps) {
  if (!ps || !*ps) return;
  CContext *c = from_c(*ps);
  av_free(const_cast<char *>(c->protocol_whitelist));  // FFmpeg 8.1 frees the lists too
  av_free(const_cast<char *>(c->protocol_blacklist));
  delete c;
  *ps = nullptr;
}

// ---------------------------------------------------------------- writing --

void avio_w8(AVIOContext *s, int b) {
  const uint8_t byte = static_cast<uint8_t>(b);
  detail::write_slow_bytes(core(s), &byte, 1);
}
void avio_write_bytes_refill_(AVIOContext *s, const uint8_t *bytes, int n) {
  detail::write_slow_bytes(core(s), bytes, core(s).write_flag ? n : 0);
}
void avio_write(AVIOContext *s, const unsigned char *buf, int size) { detail::write(core(s), buf, size); }

namespace {
void put_le(AVIOContext *s, uint64_t v, int n) {
  uint8_t b[8];
  for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  detail::write_slow_bytes(core(s), b, n);
}
void put_be(AVIOContext *s, uint64_t v, int n) {
  uint8_t b[8];
  for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  detail::write_slow_bytes(core(s), b, n);
}
}  // namespace

void avio_wl64(AVIOContext *s, uint64_t val) { put_le(s, val, 8); }
void avio_wb64(AVIOContext *s, uint64_t val) { put_be(s, val, 8); }
void avio_wl32(AVIOContext *s, unsigned int val) { put_le(s, val, 4); }
void avio_wb32(AVIOContext *s, unsigned int val) { put_be(s, val, 4); }
void avio_wl24(AVIOContext *s, unsigned int val) { put_le(s, val, 3); }
void avio_wb24(AVIOContext *s, unsigned int val) { put_be(s, val, 3); }
void avio_wl16(AVIOContext *s, unsigned int val) { put_le(s, val, 2); }
void avio_wb16(AVIOContext *s, unsigned int val) { put_be(s, val, 2); }

int avio_put_str(AVIOContext *s, const char *str) { return detail::put_str(core(s), str); }
int avio_put_str16le(AVIOContext *s, const char *str) { return detail::put_str16(core(s), str, false); }
int avio_put_str16be(AVIOContext *s, const char *str) { return detail::put_str16(core(s), str, true); }

void avio_write_marker(AVIOContext *s, int64_t time, enum AVIODataMarkerType type) {
  detail::write_marker(core(s), time, type);
}

int avio_vprintf(AVIOContext *s, const char *fmt, va_list ap) { return detail::vprintf(core(s), fmt, ap); }

int avio_printf(AVIOContext *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = detail::vprintf(core(s), fmt, ap);
  va_end(ap);
  return n;
}

void avio_print_string_array(AVIOContext *s, const char *const strings[]) {
  for (; strings && *strings; ++strings)
    detail::write(core(s), reinterpret_cast<const uint8_t *>(*strings), static_cast<int>(std::strlen(*strings)));
}

void avio_flush(AVIOContext *s) { detail::flush(core(s)); }

// ---------------------------------------------------------------- seeking --

int64_t avio_seek(AVIOContext *s, int64_t offset, int whence) {
  if (!s) return AVERROR(EINVAL);
  return detail::seek(core(s), offset, whence);
}

int64_t avio_skip(AVIOContext *s, int64_t offset) { return avio_seek(s, offset, SEEK_CUR); }

int64_t avio_size(AVIOContext *s) {
  if (!s) return AVERROR(EINVAL);
  return detail::size(core(s));
}

int avio_feof(AVIOContext *s) { return s ? detail::feof(core(s)) : 0; }

// ---------------------------------------------------------------- reading --

int avio_read(AVIOContext *s, unsigned char *buf, int size) {
  if (!buf && size > 0) return AVERROR(EINVAL);
  return detail::read(core(s), buf, size);
}
int avio_read_partial(AVIOContext *s, unsigned char *buf, int size) {
  if (!buf && size > 0) return AVERROR(EINVAL);
  return detail::read_partial(core(s), buf, size);
}

int avio_r8_refill_(AVIOContext *s) { return detail::r8_slow(core(s)); }
unsigned int avio_read_le_refill_(AVIOContext *s, int bytes) {
  return static_cast<unsigned>(detail::read_le_slow(core(s), bytes));
}
unsigned int avio_read_be_refill_(AVIOContext *s, int bytes) {
  return static_cast<unsigned>(detail::read_be_slow(core(s), bytes));
}

int avio_r8(AVIOContext *s) {
  CContext &c = core(s);
  return c.buf_ptr < c.buf_end ? *c.buf_ptr++ : detail::r8_slow(c);
}
unsigned int avio_rl16(AVIOContext *s) { return static_cast<unsigned>(detail::read_le_slow(core(s), 2)); }
unsigned int avio_rl24(AVIOContext *s) { return static_cast<unsigned>(detail::read_le_slow(core(s), 3)); }
unsigned int avio_rl32(AVIOContext *s) { return static_cast<unsigned>(detail::read_le_slow(core(s), 4)); }
uint64_t avio_rl64(AVIOContext *s) { return detail::read_le_slow(core(s), 8); }
unsigned int avio_rb16(AVIOContext *s) { return static_cast<unsigned>(detail::read_be_slow(core(s), 2)); }
unsigned int avio_rb24(AVIOContext *s) { return static_cast<unsigned>(detail::read_be_slow(core(s), 3)); }
unsigned int avio_rb32(AVIOContext *s) { return static_cast<unsigned>(detail::read_be_slow(core(s), 4)); }
uint64_t avio_rb64(AVIOContext *s) { return detail::read_be_slow(core(s), 8); }

int avio_get_str(AVIOContext *pb, int maxlen, char *buf, int buflen) {
  return detail::get_str(core(pb), maxlen, buf, buflen);
}
int avio_get_str16le(AVIOContext *pb, int maxlen, char *buf, int buflen) {
  return detail::get_str16(core(pb), maxlen, buf, buflen, false);
}
int avio_get_str16be(AVIOContext *pb, int maxlen, char *buf, int buflen) {
  return detail::get_str16(core(pb), maxlen, buf, buflen, true);
}

// --------------------------------------------------------- dynamic buffer --

int avio_open_dyn_buf(AVIOContext **s) {
  constexpr int kIoBufferSize = 1024;
  auto *c = new (std::nothrow) CContext;
  if (!c) return AVERROR(ENOMEM);
  auto *io = static_cast<uint8_t *>(av_malloc(kIoBufferSize));
  if (!io) {
    delete c;
    return AVERROR(ENOMEM);
  }
  c->dyn.io_buffer = io;
  c->dyn.io_buffer_size = kIoBufferSize;
  avio::c_api::init_context(*c, io, kIoBufferSize, true, &c->dyn, nullptr, detail::dyn_buf_write, detail::dyn_buf_seek);
  c->kind = CContext::Kind::kDynBuf;
  *s = to_c(c);
  return 0;
}

int avio_get_dyn_buf(AVIOContext *s, uint8_t **pbuffer) {
  if (!s) {
    *pbuffer = nullptr;
    return 0;
  }
  CContext &c = core(s);
  return detail::dyn_buf_get(c, c.dyn, pbuffer);
}

int avio_close_dyn_buf(AVIOContext *s, uint8_t **pbuffer) {
  if (!s) {
    *pbuffer = nullptr;
    return 0;
  }
  CContext *c = from_c(s);
  const int size = detail::dyn_buf_finish(*c, c->dyn, pbuffer);
  av_free(c->dyn.io_buffer);
  delete c;
  return size;
}

// ----------------------------------------------------- closing any context --

int avio_close(AVIOContext *s) {
  if (!s) return 0;
  CContext *c = from_c(s);
  detail::flush(*c);
  if (c->kind == CContext::Kind::kDynBuf) {
    std::free(c->dyn.data);
    c->dyn.data = nullptr;
    av_free(c->dyn.io_buffer);
    c->buffer = nullptr;
  }
  const int error = c->error;
  int url_ret = 0;
  if (c->kind != CContext::Kind::kDynBuf) av_freep(&c->buffer);
  if (c->backend) {
    url_ret = c->backend->close().code();
    delete c->backend;
    c->backend = nullptr;
  }
  // On a custom context FFmpeg's avio_close is undefined behaviour (it takes
  // `opaque` for a URLContext); avio flushes it and frees it like a URL one.
  AVIOContext *p = s;
  avio_context_free(&p);
  if (url_ret < 0) return url_ret;
  return error;
}

int avio_closep(AVIOContext **s) {
  const int ret = avio_close(*s);
  *s = nullptr;
  return ret;
}

int avio_pause(AVIOContext *h, int pause) { return detail::pause(core(h), pause); }

int64_t avio_seek_time(AVIOContext *h, int stream_index, int64_t timestamp, int flags) {
  return detail::seek_time(core(h), stream_index, timestamp, flags);
}

}  // extern "C"
