/* avio C API: how the compat headers (libavformat/avformat.h,
 * libavcodec/avcodec.h) declare the FFmpeg names avio_c does not implement
 * (demuxers, muxers, codecs, packets, frames): a program that uses one fails
 * to COMPILE, with a message naming the library to link instead, rather than
 * failing to link with "undefined reference" (or, for a type, with "incomplete
 * type" somewhere later).
 *
 *   error: 'avformat_open_input' is unavailable: avio_c has no demuxers or
 *          muxers: link FFmpeg's libavformat for avformat_open_input
 *
 * GCC >= 12 and Clang: attribute `unavailable` (an error at every use of the
 * function or type, even unevaluated, at any optimisation level). Older GCC:
 * attribute `error` on functions (an error for every call not optimised
 * away: all of them at -O0) and `deprecated` on types (a warning). Other
 * compilers: a plain declaration (a link error). */
#ifndef AVIO_C_UNAVAILABLE_H
#define AVIO_C_UNAVAILABLE_H

#if defined(__has_attribute)
#if __has_attribute(unavailable)
#define AVIO_C_UNAVAILABLE_FN(msg) __attribute__((unavailable(msg)))
#define AVIO_C_UNAVAILABLE_TYPE(msg) __attribute__((unavailable(msg)))
#elif __has_attribute(error) && __has_attribute(deprecated)
#define AVIO_C_UNAVAILABLE_FN(msg) __attribute__((error(msg)))
#define AVIO_C_UNAVAILABLE_TYPE(msg) __attribute__((deprecated(msg)))
#endif
#endif
#ifndef AVIO_C_UNAVAILABLE_FN
#define AVIO_C_UNAVAILABLE_FN(msg)
#define AVIO_C_UNAVAILABLE_TYPE(msg)
#endif

#endif /* AVIO_C_UNAVAILABLE_H */
