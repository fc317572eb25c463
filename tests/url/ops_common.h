/* What the differential C programs (tests/url/avio_ops.c, tests/net/net_ops.c,
 * tests/net/udp_ops.c) share: each is built against libavformat and against
 * avio's C API, so this is plain C over FFmpeg's API alone. */
#ifndef AVIO_TESTS_URL_OPS_COMMON_H
#define AVIO_TESTS_URL_OPS_COMMON_H

#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The key=value arguments from argv[first] on, as an AVDictionary;
 * "+direct" adds AVIO_FLAG_DIRECT to *flags (when flags is not NULL). */
static inline AVDictionary *ops_parse_options(int argc, char **argv, int first, int *flags) {
  AVDictionary *d = NULL;
  for (int i = first; i < argc; i++) {
    if (!strcmp(argv[i], "+direct") && flags) *flags |= AVIO_FLAG_DIRECT;
    char *eq = strchr(argv[i], '=');
    if (!eq) continue;
    *eq = 0;
    av_dict_set(&d, argv[i], eq + 1, 0);
    *eq = '=';
  }
  return d;
}

/* The options no protocol took, as avio_open2 hands them back. */
static inline void ops_print_leftover(AVDictionary *d) {
  const AVDictionaryEntry *e = NULL;
  while ((e = av_dict_get(d, "", e, AV_DICT_IGNORE_SUFFIX))) printf("leftover %s=%s\n", e->key, e->value);
}

#endif /* AVIO_TESTS_URL_OPS_COMMON_H */
