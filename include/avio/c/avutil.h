/* avio C API: libavutil/avutil.h, the part avio_c implements: errors, memory,
 * dictionaries, logging, version numbers and macros, and the C headers that
 * FFmpeg's libavutil/common.h includes (FFmpeg programs rely on them:
 * PRId64 from <inttypes.h>, exit from <stdlib.h>, ...). */
#ifndef AVIO_C_AVUTIL_H
#define AVIO_C_AVUTIL_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avio/c/dict.h"
#include "avio/c/error.h"
#include "avio/c/log.h"
#include "avio/c/macros.h"
#include "avio/c/mem.h"
#include "avio/c/version.h"

#endif /* AVIO_C_AVUTIL_H */
