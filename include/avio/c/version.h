/* avio C API: the FFmpeg version numbers avio_c claims (libavutil/version.h,
 * libavformat/version.h, libavcodec/version.h), for programs that test them
 * with #if (e.g. `LIBAVFORMAT_VERSION_INT < AV_VERSION_INT(58, 9, 100)`
 * around av_register_all).
 *
 * FFmpeg 5.1's: the release whose AVIO behaviour tests/diff compares against,
 * and the libavformat version avio's http client names in its User-Agent
 * ("Lavf/59.27.100", src/url/protocols/http/http_options.cc). One exception
 * to "everything is 5.1": avio_alloc_context's write callbacks take `const
 * uint8_t *` as in FFmpeg 7 (libavformat 61; docs/compat.md), so a program
 * that picks the callback's constness with `LIBAVFORMAT_VERSION_MAJOR >= 61`
 * picks the non-const one here: a warning in C, an error in C++. */
#ifndef AVIO_C_VERSION_H
#define AVIO_C_VERSION_H

#include "avio/c/macros.h"

#define AV_VERSION_INT(a, b, c) ((a) << 16 | (b) << 8 | (c))
#define AV_VERSION_DOT(a, b, c) a##.##b##.##c
#define AV_VERSION(a, b, c) AV_VERSION_DOT(a, b, c)
#define AV_VERSION_MAJOR(a) ((a) >> 16)
#define AV_VERSION_MINOR(a) (((a)&0x00FF00) >> 8)
#define AV_VERSION_MICRO(a) ((a)&0xFF)

#define LIBAVUTIL_VERSION_MAJOR 57
#define LIBAVUTIL_VERSION_MINOR 28
#define LIBAVUTIL_VERSION_MICRO 100
#define LIBAVUTIL_VERSION_INT AV_VERSION_INT(LIBAVUTIL_VERSION_MAJOR, LIBAVUTIL_VERSION_MINOR, LIBAVUTIL_VERSION_MICRO)
#define LIBAVUTIL_VERSION AV_VERSION(LIBAVUTIL_VERSION_MAJOR, LIBAVUTIL_VERSION_MINOR, LIBAVUTIL_VERSION_MICRO)
#define LIBAVUTIL_BUILD LIBAVUTIL_VERSION_INT
#define LIBAVUTIL_IDENT "Lavu" AV_STRINGIFY(LIBAVUTIL_VERSION)

#define LIBAVFORMAT_VERSION_MAJOR 59
#define LIBAVFORMAT_VERSION_MINOR 27
#define LIBAVFORMAT_VERSION_MICRO 100
#define LIBAVFORMAT_VERSION_INT \
  AV_VERSION_INT(LIBAVFORMAT_VERSION_MAJOR, LIBAVFORMAT_VERSION_MINOR, LIBAVFORMAT_VERSION_MICRO)
#define LIBAVFORMAT_VERSION AV_VERSION(LIBAVFORMAT_VERSION_MAJOR, LIBAVFORMAT_VERSION_MINOR, LIBAVFORMAT_VERSION_MICRO)
#define LIBAVFORMAT_BUILD LIBAVFORMAT_VERSION_INT
#define LIBAVFORMAT_IDENT "Lavf" AV_STRINGIFY(LIBAVFORMAT_VERSION)

/* libavcodec: avio_c has no codecs (libavcodec/avcodec.h declares them
 * unavailable); the numbers keep version tests consistent with the above. */
#define LIBAVCODEC_VERSION_MAJOR 59
#define LIBAVCODEC_VERSION_MINOR 37
#define LIBAVCODEC_VERSION_MICRO 100
#define LIBAVCODEC_VERSION_INT \
  AV_VERSION_INT(LIBAVCODEC_VERSION_MAJOR, LIBAVCODEC_VERSION_MINOR, LIBAVCODEC_VERSION_MICRO)
#define LIBAVCODEC_VERSION AV_VERSION(LIBAVCODEC_VERSION_MAJOR, LIBAVCODEC_VERSION_MINOR, LIBAVCODEC_VERSION_MICRO)
#define LIBAVCODEC_BUILD LIBAVCODEC_VERSION_INT
#define LIBAVCODEC_IDENT "Lavc" AV_STRINGIFY(LIBAVCODEC_VERSION)

#endif /* AVIO_C_VERSION_H */
