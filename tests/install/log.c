/* libavutil's logging (libavutil/log.h) as FFmpeg programs use it: levels,
 * the "[AVIOContext @ 0x...] " prefix of a context from avio_open2 (only at
 * the start of a line), contexts without a class, av_vlog, control
 * characters, custom and NULL callbacks. check_ffmpeg_programs.sh builds it
 * with `pkg-config avio-c` and against FFmpeg's libavformat and compares
 * stdout and stderr (with the context addresses masked).
 *
 *   log FILE   (any readable file: opened with avio_open2 for its context) */
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <stdarg.h>

static void *expected_ctx;

static void warn(void *ctx, const char *fmt, ...) {
  va_list vl;
  va_start(vl, fmt);
  av_vlog(ctx, AV_LOG_WARNING, fmt, vl);
  va_end(vl);
}

static void capture(void *ctx, int level, const char *fmt, va_list vl) {
  char text[256];
  vsnprintf(text, sizeof(text), fmt, vl);
  printf("callback: level %d, %s context: %s", level, ctx == expected_ctx ? "the" : "another", text);
}

static int no_read(void *opaque, uint8_t *buf, int size) {
  (void)opaque;
  (void)buf;
  (void)size;
  return AVERROR_EOF;
}

int main(int argc, char **argv) {
  AVIOContext *url = NULL, *custom;
  unsigned char *buffer;
  int ret;

  if (argc != 2) return 2;
  printf("default level %d\n", av_log_get_level());
  av_log(NULL, AV_LOG_INFO, "info at the default level\n");
  av_log(NULL, AV_LOG_VERBOSE, "verbose: hidden\n");
  av_log_set_level(AV_LOG_WARNING);
  printf("level %d\n", av_log_get_level());
  av_log(NULL, AV_LOG_INFO, "info: hidden\n");
  av_log(NULL, AV_LOG_WARNING, "warning %d\n", 1);
  av_log(NULL, AV_LOG_ERROR, "error: %s\n", av_err2str(AVERROR(ENOENT)));
  av_log(NULL, AV_LOG_WARNING, "control \x01\x1b[31m characters\tand a tab\n");

  if ((ret = avio_open2(&url, argv[1], AVIO_FLAG_READ, NULL, NULL)) < 0) {
    fprintf(stderr, "avio_open2 %s: %s\n", argv[1], av_err2str(ret));
    return 1;
  }
  av_log(url, AV_LOG_WARNING, "a line, ");
  av_log(url, AV_LOG_WARNING, "continued\n");
  av_log(url, AV_LOG_WARNING, "%s", "");
  av_log(url, AV_LOG_ERROR, "a new line\n");
  av_log(url, AV_LOG_WARNING, "progress 1\r");
  av_log(url, AV_LOG_WARNING, "progress 2\r");
  av_log(url, AV_LOG_WARNING, "\n");
  av_log(url, AV_LOG_INFO, "info: hidden\n");
  warn(url, "through av_vlog: %d %s\n", 42, "args");

  buffer = av_malloc(4096);
  custom = avio_alloc_context(buffer, 4096, 0, NULL, no_read, NULL, NULL);
  av_log(custom, AV_LOG_WARNING, "a custom context has no class: no prefix\n");

  av_log_set_level(AV_LOG_QUIET);
  av_log(NULL, AV_LOG_PANIC, "panic: hidden when quiet\n");
  av_log_set_level(AV_LOG_INFO);

  expected_ctx = url;
  av_log_set_callback(capture);
  av_log(url, AV_LOG_DEBUG, "debug reaches a custom callback %d\n", 7);
  av_log(NULL, AV_LOG_ERROR, "and so does an error\n");
  av_log_set_callback(NULL);
  av_log(NULL, AV_LOG_ERROR, "no callback: dropped\n");
  av_log_set_callback(av_log_default_callback);
  av_log(url, AV_LOG_INFO, "the default callback again\n");
  fflush(stdout);

  avio_closep(&url);
  av_freep(&custom->buffer);
  avio_context_free(&custom);
  return 0;
}
