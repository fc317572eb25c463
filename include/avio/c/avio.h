/* avio C API: FFmpeg 7's libavformat/avio.h, implemented by libavio_c.
 *
 * Code written for FFmpeg's AVIO compiles against this header unchanged and
 * behaves the same (tests/diff proves it against the installed libavformat;
 * docs/compat.md lists the few deliberate differences). The library exports
 * FFmpeg's symbol names, so a program links it or libavformat, never both;
 * the C++ API (namespace avio) has no such restriction.
 *
 * The struct below is the engine's own state (see avio/detail/context_fields.h):
 * reading ctx->buf_ptr or freeing ctx->buffer touches the real thing. */
#ifndef AVIO_C_AVIO_H
#define AVIO_C_AVIO_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "avio/c/dict.h"
#include "avio/c/error.h"
#include "avio/c/mem.h"
#include "avio/detail/context_fields.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVIO_SEEKABLE_NORMAL (1 << 0)
#define AVIO_SEEKABLE_TIME (1 << 1)
#define AVSEEK_SIZE 0x10000
#define AVSEEK_FORCE 0x20000
#define AVIO_FLAG_READ 1
#define AVIO_FLAG_WRITE 2
#define AVIO_FLAG_READ_WRITE (AVIO_FLAG_READ | AVIO_FLAG_WRITE)
#define AVIO_FLAG_NONBLOCK 8
#define AVIO_FLAG_DIRECT 0x8000

typedef struct AVClass AVClass;

typedef struct AVIOInterruptCB {
  int (*callback)(void *);
  void *opaque;
} AVIOInterruptCB;

enum AVIODirEntryType {
  AVIO_ENTRY_UNKNOWN,
  AVIO_ENTRY_BLOCK_DEVICE,
  AVIO_ENTRY_CHARACTER_DEVICE,
  AVIO_ENTRY_DIRECTORY,
  AVIO_ENTRY_NAMED_PIPE,
  AVIO_ENTRY_SYMBOLIC_LINK,
  AVIO_ENTRY_SOCKET,
  AVIO_ENTRY_FILE,
  AVIO_ENTRY_SERVER,
  AVIO_ENTRY_SHARE,
  AVIO_ENTRY_WORKGROUP,
};

typedef struct AVIODirEntry {
  char *name;
  int type;
  int utf8;
  int64_t size;
  int64_t modification_timestamp;
  int64_t access_timestamp;
  int64_t status_change_timestamp;
  int64_t user_id;
  int64_t group_id;
  int64_t filemode;
} AVIODirEntry;

typedef struct AVIODirContext AVIODirContext;

enum AVIODataMarkerType {
  AVIO_DATA_MARKER_HEADER,
  AVIO_DATA_MARKER_SYNC_POINT,
  AVIO_DATA_MARKER_BOUNDARY_POINT,
  AVIO_DATA_MARKER_UNKNOWN,
  AVIO_DATA_MARKER_TRAILER,
  AVIO_DATA_MARKER_FLUSH_POINT,
};

typedef struct AVIOContext {
  AVIO_DETAIL_CONTEXT_FIELDS(const AVClass *, enum AVIODataMarkerType)
} AVIOContext;

/* ---- protocols and URLs */
const char *avio_find_protocol_name(const char *url);
int avio_check(const char *url, int flags);
int avio_open_dir(AVIODirContext **s, const char *url, AVDictionary **options);
int avio_read_dir(AVIODirContext *s, AVIODirEntry **next);
int avio_close_dir(AVIODirContext **s);
void avio_free_directory_entry(AVIODirEntry **entry);
const char *avio_enum_protocols(void **opaque, int output);
const AVClass *avio_protocol_get_class(const char *name);
int avio_open(AVIOContext **s, const char *url, int flags);
int avio_open2(AVIOContext **s, const char *url, int flags, const AVIOInterruptCB *int_cb, AVDictionary **options);
int avio_close(AVIOContext *s);
int avio_closep(AVIOContext **s);
int avio_pause(AVIOContext *h, int pause);
int64_t avio_seek_time(AVIOContext *h, int stream_index, int64_t timestamp, int flags);
int avio_accept(AVIOContext *s, AVIOContext **c);
int avio_handshake(AVIOContext *c);

/* ---- custom contexts (memory I/O mode) */
AVIOContext *avio_alloc_context(unsigned char *buffer, int buffer_size, int write_flag, void *opaque,
                                int (*read_packet)(void *opaque, uint8_t *buf, int buf_size),
                                int (*write_packet)(void *opaque, const uint8_t *buf, int buf_size),
                                int64_t (*seek)(void *opaque, int64_t offset, int whence));
void avio_context_free(AVIOContext **s);

/* ---- writing */
void avio_write(AVIOContext *s, const unsigned char *buf, int size);
void avio_wl64(AVIOContext *s, uint64_t val);
void avio_wb64(AVIOContext *s, uint64_t val);
void avio_wl24(AVIOContext *s, unsigned int val);
void avio_wb24(AVIOContext *s, unsigned int val);
void avio_wl16(AVIOContext *s, unsigned int val);
void avio_wb16(AVIOContext *s, unsigned int val);
int avio_put_str(AVIOContext *s, const char *str);
int avio_put_str16le(AVIOContext *s, const char *str);
int avio_put_str16be(AVIOContext *s, const char *str);
void avio_write_marker(AVIOContext *s, int64_t time, enum AVIODataMarkerType type);
int avio_vprintf(AVIOContext *s, const char *fmt, va_list ap);
int avio_printf(AVIOContext *s, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void avio_print_string_array(AVIOContext *s, const char *const strings[]);
#define avio_print(s, ...) avio_print_string_array(s, (const char *[]){__VA_ARGS__, NULL})
void avio_flush(AVIOContext *s);

/* ---- seeking */
int64_t avio_seek(AVIOContext *s, int64_t offset, int whence);
int64_t avio_skip(AVIOContext *s, int64_t offset);
static inline int64_t avio_tell(AVIOContext *s) { return avio_seek(s, 0, SEEK_CUR); }
int64_t avio_size(AVIOContext *s);
int avio_feof(AVIOContext *s);

/* ---- reading */
int avio_read(AVIOContext *s, unsigned char *buf, int size);
int avio_read_partial(AVIOContext *s, unsigned char *buf, int size);
unsigned int avio_rl24(AVIOContext *s);
uint64_t avio_rl64(AVIOContext *s);
unsigned int avio_rb24(AVIOContext *s);
uint64_t avio_rb64(AVIOContext *s);
int avio_get_str(AVIOContext *pb, int maxlen, char *buf, int buflen);
int avio_get_str16le(AVIOContext *pb, int maxlen, char *buf, int buflen);
int avio_get_str16be(AVIOContext *pb, int maxlen, char *buf, int buflen);

/* ---- dynamic buffers */
int avio_open_dyn_buf(AVIOContext **s);
int avio_get_dyn_buf(AVIOContext *s, uint8_t **pbuffer);
int avio_close_dyn_buf(AVIOContext *s, uint8_t **pbuffer);

/* ---- the hot primitives: inline when the buffer holds the bytes.
 * The library also exports each as a function (for function pointers and
 * dlsym); the avio_*_refill_ helpers are the out-of-line slow paths. */
int avio_r8_refill_(AVIOContext *s);
unsigned int avio_read_le_refill_(AVIOContext *s, int bytes);
unsigned int avio_read_be_refill_(AVIOContext *s, int bytes);
void avio_write_bytes_refill_(AVIOContext *s, const uint8_t *bytes, int n);

#ifdef AVIO_C_BUILDING_LIBRARY
int avio_r8(AVIOContext *s);
unsigned int avio_rl16(AVIOContext *s);
unsigned int avio_rl32(AVIOContext *s);
unsigned int avio_rb16(AVIOContext *s);
unsigned int avio_rb32(AVIOContext *s);
void avio_w8(AVIOContext *s, int b);
void avio_wl32(AVIOContext *s, unsigned int val);
void avio_wb32(AVIOContext *s, unsigned int val);
#else
static inline int avio_r8(AVIOContext *s) {
  if (s->buf_ptr < s->buf_end) return *s->buf_ptr++;
  return avio_r8_refill_(s);
}
static inline unsigned int avio_rl16(AVIOContext *s) {
  if (s->buf_end - s->buf_ptr >= 2) {
    const unsigned char *p = s->buf_ptr;
    s->buf_ptr += 2;
    return (unsigned)p[0] | (unsigned)p[1] << 8;
  }
  return avio_read_le_refill_(s, 2);
}
static inline unsigned int avio_rl32(AVIOContext *s) {
  if (s->buf_end - s->buf_ptr >= 4) {
    const unsigned char *p = s->buf_ptr;
    s->buf_ptr += 4;
    return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
  }
  return avio_read_le_refill_(s, 4);
}
static inline unsigned int avio_rb16(AVIOContext *s) {
  if (s->buf_end - s->buf_ptr >= 2) {
    const unsigned char *p = s->buf_ptr;
    s->buf_ptr += 2;
    return (unsigned)p[0] << 8 | (unsigned)p[1];
  }
  return avio_read_be_refill_(s, 2);
}
static inline unsigned int avio_rb32(AVIOContext *s) {
  if (s->buf_end - s->buf_ptr >= 4) {
    const unsigned char *p = s->buf_ptr;
    s->buf_ptr += 4;
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | (unsigned)p[3];
  }
  return avio_read_be_refill_(s, 4);
}
/* FFmpeg flushes the moment the buffer fills; the fast path keeps a byte spare. */
static inline void avio_w8(AVIOContext *s, int b) {
  if (s->buf_end - s->buf_ptr > 1 && s->write_flag) {
    *s->buf_ptr++ = (unsigned char)b;
    return;
  }
  {
    const uint8_t byte = (uint8_t)b;
    avio_write_bytes_refill_(s, &byte, 1);
  }
}
static inline void avio_wl32(AVIOContext *s, unsigned int val) {
  if (s->buf_end - s->buf_ptr > 4 && s->write_flag) {
    unsigned char *p = s->buf_ptr;
    p[0] = (unsigned char)val;
    p[1] = (unsigned char)(val >> 8);
    p[2] = (unsigned char)(val >> 16);
    p[3] = (unsigned char)(val >> 24);
    s->buf_ptr += 4;
    return;
  }
  {
    const uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24)};
    avio_write_bytes_refill_(s, b, 4);
  }
}
static inline void avio_wb32(AVIOContext *s, unsigned int val) {
  if (s->buf_end - s->buf_ptr > 4 && s->write_flag) {
    unsigned char *p = s->buf_ptr;
    p[0] = (unsigned char)(val >> 24);
    p[1] = (unsigned char)(val >> 16);
    p[2] = (unsigned char)(val >> 8);
    p[3] = (unsigned char)val;
    s->buf_ptr += 4;
    return;
  }
  {
    const uint8_t b[4] = {(uint8_t)(val >> 24), (uint8_t)(val >> 16), (uint8_t)(val >> 8), (uint8_t)val};
    avio_write_bytes_refill_(s, b, 4);
  }
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* AVIO_C_AVIO_H */
