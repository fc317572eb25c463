/* avio: the public fields of a buffered I/O context, declared once.
 *
 * The C API's `AVIOContext` and the C++ engine's `avio::detail::ContextFields`
 * expand this same list, so the C struct that FFmpeg programs read
 * (`ctx->buf_ptr`, `ctx->buffer`, ...) *is* the engine's state: nothing is
 * copied and nothing can drift. The order and types are FFmpeg 7's public
 * `AVIOContext` (libavformat 61/62), so the layout matches that ABI.
 *
 * CLASS_T is the type of `av_class` (opaque to avio), MARKER_T the type of the
 * `write_data_type` marker argument (an enum in C, int in C++: same ABI).
 *
 * Three of the engine's private ints sit in what is padding in FFmpeg's
 * struct (after an int that precedes a pointer), so they move no public
 * field and cost no memory. They carry the names FFmpeg 5 gave the same
 * values when they were public; treat them as read-only. */
#ifndef AVIO_DETAIL_CONTEXT_FIELDS_H
#define AVIO_DETAIL_CONTEXT_FIELDS_H

#define AVIO_DETAIL_CONTEXT_FIELDS(CLASS_T, MARKER_T)                                                  \
  CLASS_T av_class;                                                                                    \
  unsigned char *buffer;                                                                               \
  int buffer_size;                                                                                     \
  int short_seek_threshold; /* private, in padding */                                                  \
  unsigned char *buf_ptr;                                                                              \
  unsigned char *buf_end;                                                                              \
  void *opaque;                                                                                        \
  int (*read_packet)(void *opaque, uint8_t *buf, int buf_size);                                        \
  int (*write_packet)(void *opaque, const uint8_t *buf, int buf_size);                                 \
  int64_t (*seek)(void *opaque, int64_t offset, int whence);                                           \
  int64_t pos;                                                                                         \
  int eof_reached;                                                                                     \
  int error;                                                                                           \
  int write_flag;                                                                                      \
  int max_packet_size;                                                                                 \
  int min_packet_size;                                                                                 \
  int orig_buffer_size; /* private, in padding */                                                      \
  unsigned long checksum;                                                                              \
  unsigned char *checksum_ptr;                                                                         \
  unsigned long (*update_checksum)(unsigned long checksum, const uint8_t *buf, unsigned int size);     \
  int (*read_pause)(void *opaque, int pause);                                                          \
  int64_t (*read_seek)(void *opaque, int stream_index, int64_t timestamp, int flags);                  \
  int seekable;                                                                                        \
  int direct;                                                                                          \
  const char *protocol_whitelist;                                                                      \
  const char *protocol_blacklist;                                                                      \
  int (*write_data_type)(void *opaque, const uint8_t *buf, int buf_size, MARKER_T type, int64_t time); \
  int ignore_boundary_point;                                                                           \
  int current_type; /* private, in padding */                                                          \
  unsigned char *buf_ptr_max;                                                                          \
  int64_t bytes_read;                                                                                  \
  int64_t bytes_written;

#endif /* AVIO_DETAIL_CONTEXT_FIELDS_H */
