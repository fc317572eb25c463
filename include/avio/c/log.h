/* avio C API: libavutil's logging (libavutil/log.h): av_log to stderr with
 * FFmpeg's levels and its default output.
 *
 * av_log(ctx, level, fmt, ...) hands the message to the callback
 * (av_log_set_callback; av_log_default_callback unless replaced). The default
 * callback drops messages above av_log_get_level() (AV_LOG_INFO at start),
 * replaces control characters other than \b \t \n \v \f \r with '?', and
 * writes the message to stderr, after a "[AVIOContext @ 0x...] " prefix at
 * the start of a line when ctx is an AVIOContext from avio_open2 or
 * avio_accept (the contexts FFmpeg gives a class). Other contexts (NULL,
 * avio_alloc_context's, a dynamic buffer) get no prefix, as in FFmpeg, whose
 * av_class is NULL for them too. Thread-safe: one message is one write, under
 * a lock.
 *
 * Not here: the AVClass struct (opaque in avio_c), av_log_set_flags
 * (AV_LOG_SKIP_REPEATED, AV_LOG_PRINT_LEVEL), terminal colours. */
#ifndef AVIO_C_LOG_H
#define AVIO_C_LOG_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AV_LOG_QUIET -8
#define AV_LOG_PANIC 0
#define AV_LOG_FATAL 8
#define AV_LOG_ERROR 16
#define AV_LOG_WARNING 24
#define AV_LOG_INFO 32
#define AV_LOG_VERBOSE 40
#define AV_LOG_DEBUG 48
#define AV_LOG_TRACE 56
#define AV_LOG_MAX_OFFSET (AV_LOG_TRACE - AV_LOG_QUIET)

void av_log(void *avcl, int level, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void av_vlog(void *avcl, int level, const char *fmt, va_list vl);
int av_log_get_level(void);
void av_log_set_level(int level);
void av_log_set_callback(void (*callback)(void *avcl, int level, const char *fmt, va_list vl));
void av_log_default_callback(void *avcl, int level, const char *fmt, va_list vl);

#ifdef __cplusplus
}
#endif

#endif /* AVIO_C_LOG_H */
