/* The tutorial's memory-input pattern with avio's C API (libavio_c alone):
 * a read callback serves a file held in memory, and the program reads a WAV
 * header through the AVIOContext with avio_rl32 / avio_rl16 / avio_skip.
 *
 *   wav_info_c_api FILE.wav      prints the format and the data size
 *
 * The same source compiles against FFmpeg's libavformat. The cleanup is the
 * one FFmpeg documents and the tutorial missed: free ctx->buffer (the
 * context may have replaced the buffer it was given), then the context. */
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct memory {
  const uint8_t *data;
  size_t size;
  size_t pos;
};

/* Copies what is left, up to buf_size; AVERROR_EOF at the end (never 0). */
static int read_packet(void *opaque, uint8_t *buf, int buf_size) {
  struct memory *m = opaque;
  size_t n = m->size - m->pos;
  if (n == 0) return AVERROR_EOF;
  if (n > (size_t)buf_size) n = (size_t)buf_size;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return (int)n;
}

static int load(const char *path, struct memory *m) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  uint8_t *data = NULL;
  size_t size = 0, cap = 0, n;
  do {
    if (size == cap) {
      cap = cap ? 2 * cap : 65536;
      uint8_t *grown = realloc(data, cap);
      if (!grown) break;
      data = grown;
    }
    n = fread(data + size, 1, cap - size, f);
    size += n;
  } while (n > 0);
  fclose(f);
  m->data = data;
  m->size = size;
  m->pos = 0;
  return data != NULL;
}

static uint32_t tag(const char *t) {
  return (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
}

int main(int argc, char **argv) {
  struct memory m;
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.wav\n", argv[0]);
    return 2;
  }
  if (!load(argv[1], &m)) {
    perror(argv[1]);
    return 1;
  }
  const int buffer_size = 4096;
  unsigned char *buffer = av_malloc(buffer_size);
  AVIOContext *pb = buffer ? avio_alloc_context(buffer, buffer_size, 0, &m, read_packet, NULL, NULL) : NULL;
  if (!pb) {
    av_free(buffer);
    free((void *)m.data);
    return 1;
  }

  int status = 1;
  if (avio_rl32(pb) != tag("RIFF")) goto done;
  avio_rl32(pb); /* RIFF size */
  if (avio_rl32(pb) != tag("WAVE")) goto done;
  /* Walk the chunks to "fmt " and "data". */
  int channels = 0, rate = 0, bits = 0, format = 0;
  while (!avio_feof(pb)) {
    const uint32_t id = avio_rl32(pb), size = avio_rl32(pb);
    if (avio_feof(pb)) break;
    if (id == tag("fmt ")) {
      format = avio_rl16(pb);
      channels = avio_rl16(pb);
      rate = (int)avio_rl32(pb);
      avio_rl32(pb); /* byte rate */
      avio_rl16(pb); /* block align */
      bits = avio_rl16(pb);
      avio_skip(pb, (int64_t)size - 16 + (size & 1));
    } else if (id == tag("data")) {
      printf("%s: format %d, %d channels, %d Hz, %d bits, %u bytes of samples\n", argv[1], format, channels, rate, bits,
             size);
      status = 0;
      break;
    } else {
      avio_skip(pb, (int64_t)size + (size & 1));
    }
  }
done:
  if (status) fprintf(stderr, "%s: not a WAV file\n", argv[1]);
  av_freep(&pb->buffer); /* the buffer in use, which may not be `buffer` */
  avio_context_free(&pb);
  free((void *)m.data);
  return status;
}
