/* One program, built twice: against the installed libavformat and against
 * avio's C API (whose compat headers provide <libavutil/opt.h>). It opens a
 * context and runs av_opt_* calls on it, printing every return code and
 * value; tests/url/opt_diff_test.cc runs both builds with the same arguments
 * and requires identical output.
 *
 * usage: opt_ops MODE TARGET [key=value ...] [-- OP ...]
 *   MODE    read | write (avio_open2's flags)
 *   TARGET  a URL for avio_open2 (any protocol: file:, pipe:, crypto:, and
 *           http:// once it is there), or "custom:" (avio_alloc_context)
 *           or "dynbuf:" (avio_open_dyn_buf)
 *   key=value  avio_open2's options dictionary; what is left is printed
 *   OP      get NAME F | getint NAME F | getdbl NAME F
 *           set NAME VALUE F (VALUE "(null)" passes NULL)
 *           setint NAME N F | setdbl NAME D F | setbin NAME HEX F
 *           setdict F N key=value... (av_opt_set_dict2 with N entries)
 *           class (whether av_class is set)
 *   F       search flags, letters: c AV_OPT_SEARCH_CHILDREN, f
 *           AV_OPT_SEARCH_FAKE_OBJ, n AV_OPT_ALLOW_NULL; "-" for none
 */
#include <inttypes.h>
#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_common.h"

static int search_flags(const char *f) {
  int flags = 0;
  if (strchr(f, 'c')) flags |= AV_OPT_SEARCH_CHILDREN;
  if (strchr(f, 'f')) flags |= AV_OPT_SEARCH_FAKE_OBJ;
  if (strchr(f, 'n')) flags |= AV_OPT_ALLOW_NULL;
  return flags;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

static void op_get(void *obj, const char *name, const char *f) {
  uint8_t *val = (uint8_t *)"untouched";
  int ret = av_opt_get(obj, name, search_flags(f), &val);
  if (ret < 0)
    printf("get %s [%s] %d\n", name, f, ret);
  else if (!val)
    printf("get %s [%s] %d NULL\n", name, f, ret);
  else
    printf("get %s [%s] %d \"%s\"\n", name, f, ret, (const char *)val);
  if (ret >= 0) av_free(val);
}

static void op_get_int(void *obj, const char *name, const char *f) {
  int64_t val = -12345;
  int ret = av_opt_get_int(obj, name, search_flags(f), &val);
  printf("getint %s [%s] %d %" PRId64 "\n", name, f, ret, val);
}

static void op_get_double(void *obj, const char *name, const char *f) {
  double val = -12345;
  int ret = av_opt_get_double(obj, name, search_flags(f), &val);
  printf("getdbl %s [%s] %d %.17g\n", name, f, ret, val);
}

static void op_set_bin(void *obj, const char *name, const char *hex, const char *f) {
  int len = (int)strlen(hex) / 2;
  uint8_t bytes[256];
  for (int i = 0; i < len && i < (int)sizeof bytes; i++)
    bytes[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
  printf("setbin %s=%s [%s] %d\n", name, hex, f, av_opt_set_bin(obj, name, bytes, len, search_flags(f)));
}

/* av_opt_set_dict2 over the N key=value arguments after F; returns how many
 * arguments it used. */
static int op_set_dict(void *obj, int argc, char **argv, int i) {
  if (i + 1 >= argc) return argc - i;
  const char *f = argv[i];
  int n = atoi(argv[i + 1]);
  if (n > argc - i - 2) n = argc - i - 2;
  AVDictionary *d = ops_parse_options(i + 2 + n, argv, i + 2, NULL);
  printf("setdict [%s] %d\n", f, av_opt_set_dict2(obj, &d, search_flags(f)));
  ops_print_leftover(d);
  av_dict_free(&d);
  return 2 + n;
}

/* Runs the op at argv[i]; returns how many arguments it used. */
static int run_op(void *obj, int argc, char **argv, int i) {
  const char *op = argv[i];
  int left = argc - i - 1;
  char **a = argv + i + 1;
  if (!strcmp(op, "class")) {
    printf("class %d\n", *(void **)obj != NULL);
    return 1;
  }
  if (!strcmp(op, "setdict")) return 1 + op_set_dict(obj, argc, argv, i + 1);
  if (!strcmp(op, "get") && left >= 2)
    op_get(obj, a[0], a[1]);
  else if (!strcmp(op, "getint") && left >= 2)
    op_get_int(obj, a[0], a[1]);
  else if (!strcmp(op, "getdbl") && left >= 2)
    op_get_double(obj, a[0], a[1]);
  else if (left < 3) {
    printf("bad op %s\n", op);
    return left + 1;
  } else if (!strcmp(op, "set")) {
    const char *v = strcmp(a[1], "(null)") ? a[1] : NULL;
    printf("set %s=%s [%s] %d\n", a[0], a[1], a[2], av_opt_set(obj, a[0], v, search_flags(a[2])));
  } else if (!strcmp(op, "setint")) {
    int64_t v = strtoll(a[1], NULL, 0);
    printf("setint %s=%s [%s] %d\n", a[0], a[1], a[2], av_opt_set_int(obj, a[0], v, search_flags(a[2])));
  } else if (!strcmp(op, "setdbl")) {
    double v = strtod(a[1], NULL);
    printf("setdbl %s=%s [%s] %d\n", a[0], a[1], a[2], av_opt_set_double(obj, a[0], v, search_flags(a[2])));
  } else if (!strcmp(op, "setbin")) {
    op_set_bin(obj, a[0], a[1], a[2]);
  } else {
    printf("bad op %s\n", op);
    return left + 1;
  }
  return strncmp(op, "set", 3) ? 3 : 4;
}

static int read_packet(void *opaque, uint8_t *buf, int size) {
  (void)opaque, (void)buf, (void)size;
  return AVERROR_EOF;
}

/* Opens TARGET; returns 0 and the context, or the error. */
static int open_target(const char *mode, const char *target, AVDictionary **opts, AVIOContext **pb) {
  if (!strcmp(target, "custom:")) {
    unsigned char *buffer = av_malloc(4096);
    *pb = avio_alloc_context(buffer, 4096, 0, NULL, read_packet, NULL, NULL);
    return *pb ? 0 : AVERROR(ENOMEM);
  }
  if (!strcmp(target, "dynbuf:")) return avio_open_dyn_buf(pb);
  int flags = strcmp(mode, "write") ? AVIO_FLAG_READ : AVIO_FLAG_WRITE;
  int ret = avio_open2(pb, target, flags, NULL, opts);
  ops_print_leftover(*opts);
  return ret;
}

static void close_target(const char *target, AVIOContext *pb) {
  if (!strcmp(target, "custom:")) {
    av_freep(&pb->buffer);
    avio_context_free(&pb);
  } else if (!strcmp(target, "dynbuf:")) {
    uint8_t *bytes = NULL;
    avio_close_dyn_buf(pb, &bytes);
    av_free(bytes);
  } else {
    avio_closep(&pb);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: opt_ops read|write TARGET [key=value ...] [-- OP ...]\n");
    return 2;
  }
  int ops = argc;
  for (int i = 3; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      ops = i;
      break;
    }
  setvbuf(stdout, NULL, _IOLBF, 0); /* a crash keeps what came before */
  AVDictionary *opts = ops_parse_options(ops, argv, 3, NULL);
  AVIOContext *pb = NULL;
  int ret = open_target(argv[1], argv[2], &opts, &pb);
  av_dict_free(&opts);
  printf("open %d\n", ret);
  if (ret < 0) return 0;
  for (int i = ops + 1; i < argc;) i += run_op(pb, argc, argv, i);
  close_target(argv[2], pb);
  return 0;
}
