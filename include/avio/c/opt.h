/* avio C API: libavutil's AVOption functions (libavutil/opt.h), for the
 * options of the AVIOContexts avio_open2 and avio_accept return: read what a
 * protocol exported (av_opt_get(pb, "mime_type", AV_OPT_SEARCH_CHILDREN,
 * &str)), change a setting after open (rw_timeout), as FFmpeg programs do.
 *
 * FFmpeg's search, return codes and formats: the context's own option
 * (protocol_whitelist), and with AV_OPT_SEARCH_CHILDREN first the protocol's
 * options, then the URL's (protocol_whitelist, protocol_blacklist,
 * rw_timeout). AVERROR_OPTION_NOT_FOUND for an unknown name, for an object
 * without options (avio_alloc_context's, a dynamic buffer: their av_class is
 * NULL, as in FFmpeg) and with AV_OPT_SEARCH_FAKE_OBJ; AVERROR(EINVAL) for an
 * option the protocol exports (read-only); AVERROR(ERANGE) out of range;
 * av_opt_get_int and av_opt_get_double give -1 where FFmpeg's do.
 * av_opt_get's string comes from av_malloc: av_free it. */
#ifndef AVIO_C_OPT_H
#define AVIO_C_OPT_H

#include <stdint.h>

#include "avio/c/dict.h"
#include "avio/c/error.h"
#include "avio/c/mem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AV_OPT_SEARCH_CHILDREN (1 << 0)
#define AV_OPT_SEARCH_FAKE_OBJ (1 << 1)
#define AV_OPT_ALLOW_NULL (1 << 2)

int av_opt_set(void *obj, const char *name, const char *val, int search_flags);
int av_opt_set_int(void *obj, const char *name, int64_t val, int search_flags);
int av_opt_set_double(void *obj, const char *name, double val, int search_flags);
int av_opt_set_bin(void *obj, const char *name, const uint8_t *val, int size, int search_flags);
int av_opt_set_dict(void *obj, struct AVDictionary **options);
int av_opt_set_dict2(void *obj, struct AVDictionary **options, int search_flags);
int av_opt_get(void *obj, const char *name, int search_flags, uint8_t **out_val);
int av_opt_get_int(void *obj, const char *name, int search_flags, int64_t *out_val);
int av_opt_get_double(void *obj, const char *name, int search_flags, double *out_val);

#ifdef __cplusplus
}
#endif

#endif /* AVIO_C_OPT_H */
