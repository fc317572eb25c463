/* A C program written for FFmpeg's AVIO, unchanged: it must build with
 * `cc consumer.c $(pkg-config --cflags --libs avio-c)` and print what
 * libavformat would. */
#include <libavformat/avio.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <stdio.h>
#include <string.h>

struct source {
  const uint8_t *data;
  size_t size, pos;
};

static int read_packet(void *opaque, uint8_t *buf, int buf_size) {
  struct source *s = opaque;
  size_t n = s->size - s->pos;
  if (n == 0) return AVERROR_EOF;
  if (n > (size_t)buf_size) n = (size_t)buf_size;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (int)n;
}

int main(void) {
  static const uint8_t bytes[] = "RIFF\x24\x00\x00\x00WAVEfmt ";
  struct source src = {bytes, sizeof bytes - 1, 0};
  unsigned char *buffer = av_malloc(4096);
  AVIOContext *ctx = avio_alloc_context(buffer, 4096, 0, &src, read_packet, NULL, NULL);
  if (!ctx) return 1;
  unsigned tag = avio_rl32(ctx);
  unsigned size = avio_rl32(ctx);
  char wave[5] = {0};
  int n = avio_read(ctx, (unsigned char *)wave, 4);
  printf("tag=%08x size=%u wave=%s n=%d tell=%lld\n", tag, size, wave, n, (long long)avio_tell(ctx));
  unsigned char rest[64];
  int r1 = avio_read(ctx, rest, sizeof rest);
  int r2 = avio_read(ctx, rest, sizeof rest);
  char err[AV_ERROR_MAX_STRING_SIZE];
  av_strerror(r2, err, sizeof err);
  printf("r1=%d r2=%d (%s) eof=%d\n", r1, r2, err, avio_feof(ctx));
  /* A custom context has no class, so no options (libavutil/opt.h). */
  uint8_t *whitelist = NULL;
  int found = av_opt_get(ctx, "protocol_whitelist", AV_OPT_SEARCH_CHILDREN, &whitelist);
  printf("options: %s\n", found == AVERROR_OPTION_NOT_FOUND ? "none" : "some");
  av_free(whitelist);
  av_freep(&ctx->buffer);
  avio_context_free(&ctx);
  return ctx == NULL ? 0 : 1;
}
