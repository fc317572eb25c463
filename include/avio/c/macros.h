/* avio C API: libavutil/macros.h, the preprocessor helpers FFmpeg programs
 * use (FFMIN, FFMAX, FFSWAP, FF_ARRAY_ELEMS, MKBETAG, AV_STRINGIFY, ...).
 * Macros only: nothing here needs the library. */
#ifndef AVIO_C_MACROS_H
#define AVIO_C_MACROS_H

#include "avio/c/error.h" /* MKTAG */

#define FFMAX(a, b) ((a) > (b) ? (a) : (b))
#define FFMAX3(a, b, c) FFMAX(FFMAX(a, b), c)
#define FFMIN(a, b) ((a) > (b) ? (b) : (a))
#define FFMIN3(a, b, c) FFMIN(FFMIN(a, b), c)
#define FFSWAP(type, a, b) \
  do {                     \
    type SWAP_tmp = b;     \
    b = a;                 \
    a = SWAP_tmp;          \
  } while (0)
#define FF_ARRAY_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define MKBETAG(a, b, c, d) ((d) | ((c) << 8) | ((b) << 16) | ((unsigned)(a) << 24))

#define AV_STRINGIFY(s) AV_TOSTRING(s)
#define AV_TOSTRING(s) #s
#define AV_GLUE(a, b) a##b
#define AV_JOIN(a, b) AV_GLUE(a, b)
#define AV_PRAGMA(s) _Pragma(#s)

#endif /* AVIO_C_MACROS_H */
